"""Users: admin-managed, readable by the organization, audited."""
import uuid

from conftest import Api, login


def test_create_get_list(org):
    email = "new-%s@%s.test" % (uuid.uuid4().hex[:6], org.slug)
    r = org.admin.post("/v1/users", {"email": email.upper(), "name": "  Ali Rezaei ",
                                     "role": "rep", "password": "rep-password-123"})
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["email"] == email and u["name"] == "Ali Rezaei" and u["active"] is True
    assert u["version"] == 1
    assert r.headers["Location"] == "/v1/users/" + u["id"]
    assert r.headers["ETag"] == '"1"'
    g = org.admin.get("/v1/users/" + u["id"])
    assert g.status_code == 200 and g.json()["id"] == u["id"]
    ids = [x["id"] for x in org.admin.get("/v1/users?limit=200").json()["data"]]
    assert u["id"] in ids
    login(email, "rep-password-123")


def test_client_supplied_id(org):
    uid = str(uuid.uuid4())
    r = org.admin.post("/v1/users", {"id": uid, "email": "cid-%s@x.test" % uid[:6],
                                     "name": "C", "role": "rep", "password": "rep-password-123"})
    assert r.status_code == 201 and r.json()["id"] == uid


def test_validation_names_each_field(org):
    r = org.admin.post("/v1/users", {"email": "bad", "name": "", "role": "boss",
                                     "password": "short"})
    assert r.status_code == 422
    fields = sorted(e["field"] for e in r.json()["errors"])
    assert fields == ["email", "name", "password", "role"]


def test_duplicate_email_is_409(org):
    user, _ = org.add_user("rep")
    r = org.admin.post("/v1/users", {"email": user["email"], "name": "Dup", "role": "rep",
                                     "password": "rep-password-123"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "email"


def test_non_admin_cannot_write(org):
    _, rep = org.add_user("rep")
    _, manager = org.add_user("manager")
    for api in (rep, manager):
        r = api.post("/v1/users", {"email": "x-%s@x.test" % uuid.uuid4().hex[:6], "name": "X",
                                   "role": "rep", "password": "rep-password-123"})
        assert r.status_code == 403
        me = api.get("/v1/me").json()
        assert api.patch("/v1/users/" + me["id"], {"role": "admin"}).status_code == 403
    # ...but everyone in the organization may read the directory.
    assert rep.get("/v1/users").status_code == 200


def test_other_organization_is_404(org, other_org):
    user, _ = org.add_user("rep")
    for call in (lambda: other_org.admin.get("/v1/users/" + user["id"]),
                 lambda: other_org.admin.patch("/v1/users/" + user["id"], {"name": "Hacked"})):
        assert call().status_code == 404
    ids = [x["id"] for x in other_org.admin.get("/v1/users?limit=200").json()["data"]]
    assert user["id"] not in ids
    assert org.admin.get("/v1/users/" + user["id"]).json()["name"] != "Hacked"


def test_patch_with_if_match(org):
    user, _ = org.add_user("rep")
    path = "/v1/users/" + user["id"]
    r = org.admin.patch(path, {"name": "Renamed"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"name": "Stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["current"]["name"] == "Renamed"
    assert org.admin.get(path).json()["name"] == "Renamed"


def test_patch_rejects_read_only_and_empty(org):
    user, _ = org.add_user("rep")
    path = "/v1/users/" + user["id"]
    assert org.admin.patch(path, {"id": str(uuid.uuid4())}).json()["errors"][0]["code"] == "read_only"
    assert org.admin.patch(path, {"version": 9}).status_code == 422
    assert org.admin.patch(path, {}).status_code == 422


def test_admin_cannot_demote_or_deactivate_self(org):
    me = org.admin.get("/v1/me").json()
    assert org.admin.patch("/v1/users/" + me["id"], {"role": "rep"}).status_code == 422
    assert org.admin.patch("/v1/users/" + me["id"], {"active": False}).status_code == 422


def test_list_paging_and_filters(org):
    made = [org.add_user("rep")[0]["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        r = org.admin.get("/v1/users?limit=2&role=rep" + ("&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200
        page = r.json()
        assert len(page["data"]) <= 2
        seen += [u["id"] for u in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    r = org.admin.get("/v1/users?fields=id,email&sort=-email")
    assert r.status_code == 200
    assert all(set(u) <= {"id", "email"} for u in r.json()["data"])
    emails = [u["email"] for u in r.json()["data"]]
    assert emails == sorted(emails, reverse=True)


def test_audit_rows_for_user_changes(org):
    user, _ = org.add_user("rep")
    rid = "req-" + uuid.uuid4().hex[:10]
    r = org.admin.patch("/v1/users/" + user["id"], {"role": "manager"},
                        headers={"X-Request-Id": rid})
    assert r.status_code == 200
    admin_id = org.admin.get("/v1/me").json()["id"]
    rows = org.admin.get("/v1/audit?table=users&record_id=" + user["id"]).json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd = rows[0]
    assert upd["actor"] == {"type": "user", "id": admin_id}
    assert upd["request_id"] == rid
    assert upd["old"]["role"] == "rep" and upd["new"]["role"] == "manager"
    assert "password_hash" not in (rows[1]["new"] or {}) or rows[1]["new"]["password_hash"] == "[redacted]"


def test_api_key_reads_users_with_scope(org):
    key = org.admin.post("/v1/api-keys", {"name": "dir", "scopes": ["users:read"]}).json()["key"]
    assert Api(key).get("/v1/users").status_code == 200
    key2 = org.admin.post("/v1/api-keys", {"name": "c", "scopes": ["contacts:read"]}).json()["key"]
    assert Api(key2).get("/v1/users").status_code == 403
    r = Api(key).post("/v1/users", {"email": "k@x.test", "name": "K", "role": "rep",
                                    "password": "rep-password-123"})
    assert r.status_code == 403
