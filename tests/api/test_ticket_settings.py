"""The support desk's settings: the reopen window."""
from conftest import api_key, audit_rows, fields_named


def test_defaults_then_saved(crew):
    r = crew.rep1.get("/v1/ticket-settings")
    assert r.status_code == 200, r.text
    assert r.json() == {"reopen_days": 7, "updated_at": None, "updated_by": None, "version": 0}
    assert r.headers["ETag"] == '"0"'
    r = crew.admin.patch("/v1/ticket-settings", {"reopen_days": 14}, headers={"If-Match": '"0"'})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["reopen_days"] == 14 and s["version"] == 1 and s["updated_by"] == crew.admin_user["id"]
    assert crew.rep1.get("/v1/ticket-settings").json() == s
    r = crew.admin.patch("/v1/ticket-settings", {"reopen_days": 3}, headers={"If-Match": '"0"'})
    assert r.status_code == 412 and r.json()["current"]["reopen_days"] == 14, r.text
    # The first save creates the row from the defaults, then changes it.
    rows = audit_rows(crew.admin, table="ticket_settings")
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[0]["actor"] == {"type": "user", "id": crew.admin_user["id"]}
    assert rows[0]["old"]["reopen_days"] == 7 and rows[0]["new"]["reopen_days"] == 14


def test_only_admins_change_them_and_values_are_checked(crew, other_org):
    for who in (crew.manager, crew.rep1, api_key(crew.org, "tickets:read", "tickets:write")):
        assert who.patch("/v1/ticket-settings", {"reopen_days": 1}).status_code == 403
    for bad in ({"reopen_days": -1}, {"reopen_days": 366}, {"reopen_days": "7"}, {"reopen_days": None},
                {"version": 4}, {"close_after_days": 3}):
        r = crew.admin.patch("/v1/ticket-settings", bad)
        assert r.status_code == 422, (bad, r.text)
        assert fields_named(r) == [next(iter(bad))], bad
    assert crew.admin.get("/v1/ticket-settings").json()["version"] == 0
    # Each organization has its own.
    assert crew.admin.patch("/v1/ticket-settings", {"reopen_days": 2}).status_code == 200
    assert other_org.admin.get("/v1/ticket-settings").json()["reopen_days"] == 7
