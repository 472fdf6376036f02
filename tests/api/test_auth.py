"""Login, refresh rotation and reuse detection, logout, throttling, /me."""
import uuid

from conftest import DEMO_PASSWORD, Api, Org, as_user, login


def test_login_returns_a_session(anon):
    r = anon.post("/v1/auth/login", {"email": "rep1@demo.test", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["email"] == "rep1@demo.test"
    assert body["user"]["role"] == "rep"
    assert "password_hash" not in r.text
    me = Api(body["access_token"]).get("/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "rep1@demo.test"
    assert me.json()["organization"]["slug"] == "demo"
    assert [t["name"] for t in me.json()["teams"]] == ["Tehran Field Sales"]


def test_email_is_case_insensitive(anon):
    r = anon.post("/v1/auth/login", {"email": "Rep1@Demo.Test", "password": DEMO_PASSWORD})
    assert r.status_code == 200


def test_unknown_email_and_wrong_password_answer_alike(anon, org):
    user, _ = org.add_user("manager")
    a = anon.post("/v1/auth/login", {"email": "nobody-%s@demo.test" % uuid.uuid4().hex[:6],
                                     "password": "wrong-password-1"})
    b = anon.post("/v1/auth/login", {"email": user["email"],
                                     "password": "wrong-password-1"})
    assert a.status_code == b.status_code == 401
    ja, jb = a.json(), b.json()
    del ja["instance"], jb["instance"]
    assert ja == jb


def test_login_validation(anon):
    r = anon.post("/v1/auth/login", {"email": "not-an-email", "password": "x" * 12})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["email"]
    r = anon.post("/v1/auth/login", {"password": "x" * 12})
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"field": "email", "code": "required",
                                     "message": r.json()["errors"][0]["message"]}


def test_failed_logins_are_throttled(org):
    user, _ = org.add_user("rep")
    anon = Api()
    for _ in range(5):
        r = anon.post("/v1/auth/login", {"email": user["email"], "password": "wrong-password-1"})
        assert r.status_code == 401
    r = anon.post("/v1/auth/login", {"email": user["email"], "password": "wrong-password-1"})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    # Locked even with the right password, until the window passes.
    r = anon.post("/v1/auth/login", {"email": user["email"], "password": "whatever-right-1"})
    assert r.status_code == 429


def test_refresh_rotates(anon):
    s = login("rep2@demo.test")
    r = anon.post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 200, r.text
    s2 = r.json()
    assert s2["refresh_token"] != s["refresh_token"]
    assert Api(s2["access_token"]).get("/v1/me").status_code == 200
    r = anon.post("/v1/auth/refresh", {"refresh_token": s2["refresh_token"]})
    assert r.status_code == 200


def test_refresh_reuse_revokes_the_family(anon):
    s = login("rep2@demo.test")
    s2 = anon.post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]}).json()
    # The old token again: someone copied it. Both branches die.
    r = anon.post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401
    r = anon.post("/v1/auth/refresh", {"refresh_token": s2["refresh_token"]})
    assert r.status_code == 401


def test_refresh_garbage(anon):
    r = anon.post("/v1/auth/refresh", {"refresh_token": "nope"})
    assert r.status_code == 401
    r = anon.post("/v1/auth/refresh", {})
    assert r.status_code == 422


def test_logout_revokes_the_refresh_token(anon):
    s = login("rep1@demo.test")
    r = anon.post("/v1/auth/logout", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 204
    r = anon.post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401


def test_same_email_in_two_organizations():
    a, b = Org(), Org()
    email = "shared-%s@x.test" % uuid.uuid4().hex[:8]
    for o in (a, b):
        r = o.admin.post("/v1/users", {"email": email, "name": "Twin", "role": "rep",
                                       "password": "twin-password-1"})
        assert r.status_code == 201
    r = Api().post("/v1/auth/login", {"email": email, "password": "twin-password-1"})
    assert r.status_code == 422
    s = login(email, "twin-password-1", organization=a.slug)
    assert s["user"]["org_id"] == a.id


def test_password_change(org):
    user, api = org.add_user("rep")
    r = api.post("/v1/me/password", {"current_password": "not-my-password",
                                     "new_password": "brand-new-pass-1"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "current_password"
    r = api.post("/v1/me/password", {"current_password": user["password"],
                                     "new_password": "short"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "new_password"
    s = login(user["email"], user["password"])
    r = api.post("/v1/me/password", {"current_password": user["password"],
                                     "new_password": "second-password-2"})
    assert r.status_code == 204
    r = Api().post("/v1/auth/login", {"email": user["email"], "password": user["password"]})
    assert r.status_code == 401
    login(user["email"], "second-password-2")
    # Sessions opened before the change are closed.
    r = Api().post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401
    rows = [e for e in org_audit(org, user["id"]) if e["action"] == "update"]
    assert rows and rows[0]["actor"] == {"type": "user", "id": user["id"]}
    assert rows[0]["new"]["password_hash"] == "[redacted]"


def org_audit(org, record_id):
    r = org.admin.get("/v1/audit?table=users&record_id=" + record_id)
    assert r.status_code == 200
    return r.json()["data"]


def test_deactivated_user_is_locked_out(org):
    email = "leaver-%s@%s.test" % (uuid.uuid4().hex[:6], org.slug)
    r = org.admin.post("/v1/users", {"email": email, "name": "Leaver", "role": "rep",
                                     "password": "leaver-password-1"})
    uid = r.json()["id"]
    s = login(email, "leaver-password-1")
    r = org.admin.patch("/v1/users/" + uid, {"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert Api().post("/v1/auth/refresh", {"refresh_token": s["refresh_token"]}).status_code == 401
    assert Api().post("/v1/auth/login", {"email": email, "password": "leaver-password-1"}).status_code == 401
    assert Api(s["access_token"]).get("/v1/me").status_code == 401


def test_api_key_cannot_use_me(org):
    r = org.admin.post("/v1/api-keys", {"name": "pbx", "scopes": ["contacts:read"]})
    key = r.json()["key"]
    assert Api(key).get("/v1/me").status_code == 403


def test_demo_accounts():
    assert as_user("admin@other.test").get("/v1/me").json()["organization"]["slug"] == "other"
