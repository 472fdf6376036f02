"""API keys: shown once, stored hashed, scoped, revocable, expiring, audited."""
import datetime
import uuid

from conftest import Api, psql


def future(days=30):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_shows_key_once(org):
    r = org.admin.post("/v1/api-keys", {"name": "Asterisk PBX",
                                        "scopes": ["activities:write", "lookup:read"],
                                        "expires_at": future()})
    assert r.status_code == 201, r.text
    k = r.json()
    assert k["key"].startswith(k["prefix"] + "_") and k["prefix"].startswith("crm_")
    assert r.headers["Location"] == "/v1/api-keys/" + k["id"]
    g = org.admin.get("/v1/api-keys/" + k["id"]).json()
    assert "key" not in g and g["scopes"] == ["activities:write", "lookup:read"]
    listed = org.admin.get("/v1/api-keys").json()["data"]
    assert k["id"] in [x["id"] for x in listed] and all("key" not in x for x in listed)
    # Only a hash is stored.
    stored = psql("SELECT key_hash FROM crm.api_keys WHERE id = :'a1'", k["id"])
    assert stored and k["key"] not in stored


def test_validation(org):
    r = org.admin.post("/v1/api-keys", {"name": "x", "scopes": ["contacts:delete"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scopes"
    r = org.admin.post("/v1/api-keys", {"name": "x", "scopes": ["users:read"],
                                        "expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_at"
    r = org.admin.post("/v1/api-keys", {"name": "x", "scopes": ["users:read"], "key": "mine"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "key"
    r = org.admin.post("/v1/api-keys", {"name": "x", "scopes": []})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_few"


def test_revoke(org):
    k = org.admin.post("/v1/api-keys", {"name": "t", "scopes": ["users:read"]}).json()
    assert Api(k["key"]).get("/v1/users").status_code == 200
    assert org.admin.delete("/v1/api-keys/" + k["id"]).status_code == 204
    assert Api(k["key"]).get("/v1/users").status_code == 401
    assert org.admin.get("/v1/api-keys/" + k["id"]).json()["revoked_at"] is not None


def test_expired_key_is_401(org):
    k = org.admin.post("/v1/api-keys", {"name": "t", "scopes": ["users:read"],
                                        "expires_at": future()}).json()
    psql("SET crm.actor_system = 'test'; UPDATE crm.api_keys SET expires_at = now() - interval '1 minute' WHERE id = :'a1'", k["id"])
    assert Api(k["key"]).get("/v1/users").status_code == 401


def test_unknown_key_is_401():
    assert Api("crm_abcdefgh_" + "x" * 43).get("/v1/users").status_code == 401


def test_key_acts_inside_its_organization(org, other_org):
    k = org.admin.post("/v1/api-keys", {"name": "t", "scopes": ["users:read"]}).json()
    stranger, _ = other_org.add_user("rep")
    assert Api(k["key"]).get("/v1/users/" + stranger["id"]).status_code == 404
    assert other_org.admin.get("/v1/api-keys/" + k["id"]).status_code == 404
    assert other_org.admin.delete("/v1/api-keys/" + k["id"]).status_code == 404


def test_only_admins_manage_keys(org):
    _, manager = org.add_user("manager")
    assert manager.post("/v1/api-keys", {"name": "t", "scopes": ["users:read"]}).status_code == 403
    assert manager.get("/v1/api-keys").status_code == 403
    k = org.admin.post("/v1/api-keys", {"name": "t", "scopes": ["users:read"]}).json()
    assert Api(k["key"]).post("/v1/api-keys", {"name": "t2", "scopes": ["users:read"]}).status_code == 403


def test_audit_of_key_creation_and_revocation(org):
    k = org.admin.post("/v1/api-keys", {"name": "aud", "scopes": ["users:read"]},
                       headers={"X-Request-Id": "key-create-" + uuid.uuid4().hex[:6]}).json()
    org.admin.delete("/v1/api-keys/" + k["id"])
    rows = org.admin.get("/v1/audit?table=api_keys&record_id=" + k["id"]).json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[1]["request_id"].startswith("key-create-")
    assert rows[1]["new"].get("key_hash") in (None, "[redacted]")
