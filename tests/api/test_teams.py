"""Teams and memberships: admin-managed, soft-deleted, audited."""
import uuid


def new_team(org, name=None):
    r = org.admin.post("/v1/teams", {"name": name or "Team " + uuid.uuid4().hex[:6],
                                     "description": "Field sales"})
    assert r.status_code == 201, r.text
    return r.json()


def test_team_lifecycle(org):
    t = new_team(org)
    assert t["member_count"] == 0 and t["version"] == 1
    path = "/v1/teams/" + t["id"]
    r = org.admin.patch(path, {"name": "Renamed team", "description": None},
                        headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["description"] is None
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.delete(path, headers={"If-Match": '"2"'}).status_code == 204
    assert org.admin.get(path).status_code == 404
    assert t["id"] not in [x["id"] for x in org.admin.get("/v1/teams").json()["data"]]
    # The name is free again once the team is gone.
    new_team(org, "Renamed team")


def test_duplicate_name_is_409(org):
    t = new_team(org)
    r = org.admin.post("/v1/teams", {"name": t["name"]})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "name"


def test_validation(org):
    r = org.admin.post("/v1/teams", {"name": "", "description": "x" * 2001})
    assert r.status_code == 422
    assert sorted(e["field"] for e in r.json()["errors"]) == ["description", "name"]


def test_members(org):
    t = new_team(org)
    user, _ = org.add_user("rep")
    base = "/v1/teams/%s/members" % t["id"]
    r = org.admin.post(base, {"user_id": user["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == user["id"]
    assert org.admin.post(base, {"user_id": user["id"]}).status_code == 409
    members = org.admin.get(base).json()["data"]
    assert [m["user_id"] for m in members] == [user["id"]]
    assert org.admin.get("/v1/teams/" + t["id"]).json()["member_count"] == 1
    assert org.admin.delete(base + "/" + user["id"]).status_code == 204
    assert org.admin.delete(base + "/" + user["id"]).status_code == 404
    assert org.admin.get(base).json()["data"] == []


def test_member_from_another_organization_is_refused(org, other_org):
    t = new_team(org)
    stranger, _ = other_org.add_user("rep")
    r = org.admin.post("/v1/teams/%s/members" % t["id"], {"user_id": stranger["id"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "user_id"


def test_non_admin_is_403(org):
    t = new_team(org)
    _, manager = org.add_user("manager")
    assert manager.post("/v1/teams", {"name": "Mine"}).status_code == 403
    assert manager.patch("/v1/teams/" + t["id"], {"name": "Mine"}).status_code == 403
    assert manager.delete("/v1/teams/" + t["id"]).status_code == 403
    me = manager.get("/v1/me").json()
    r = manager.post("/v1/teams/%s/members" % t["id"], {"user_id": me["id"]})
    assert r.status_code == 403
    assert manager.get("/v1/teams/" + t["id"]).status_code == 200


def test_other_organization_is_404(org, other_org):
    t = new_team(org)
    path = "/v1/teams/" + t["id"]
    assert other_org.admin.get(path).status_code == 404
    assert other_org.admin.patch(path, {"name": "x"}).status_code == 404
    assert other_org.admin.delete(path).status_code == 404
    assert other_org.admin.get(path + "/members").status_code == 404
    assert org.admin.get(path).status_code == 200


def test_audit_of_team_and_membership(org):
    t = new_team(org)
    user, _ = org.add_user("rep")
    org.admin.post("/v1/teams/%s/members" % t["id"], {"user_id": user["id"]},
                   headers={"X-Request-Id": "member-add-1"})
    rows = org.admin.get("/v1/audit?table=team_members").json()["data"]
    assert rows[0]["action"] == "insert"
    assert rows[0]["request_id"] == "member-add-1"
    assert rows[0]["new"]["user_id"] == user["id"]
    rows = org.admin.get("/v1/audit?table=teams&record_id=" + t["id"]).json()["data"]
    assert rows[-1]["action"] == "insert" and rows[-1]["new"]["name"] == t["name"]
