"""SLA policies: the targets tickets get, in business hours or around the clock."""
import uuid

import pytest

from conftest import api_key, audit_rows, fields_named, ids, psql

TEHRAN = {"time_zone": "Asia/Tehran",
          "week": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("sat", "sun", "mon", "tue", "wed")}
          | {"thu": [["08:00", "12:00"]]},
          "holidays": ["2027-03-22", "2027-03-21", "2027-03-21"]}


def body(**fields):
    b = {"name": "فوری " + uuid.uuid4().hex[:4], "priority": "urgent", "first_response_minutes": 60,
         "resolution_minutes": 480}
    b.update(fields)
    return b


def policy_count(org):
    return int(psql("SELECT count(*) FROM crm.sla_policies WHERE org_id = :'a1' AND deleted_at IS NULL", org.id))


def test_crud(crew):
    r = crew.admin.post("/v1/sla-policies", body(business_hours=TEHRAN, channel="phone", type="incident", tag="VIP"))
    assert r.status_code == 201, r.text
    p = r.json()
    path = "/v1/sla-policies/" + p["id"]
    assert r.headers["Location"] == path and r.headers["ETag"] == '"1"'
    assert p["business_hours"]["holidays"] == ["2027-03-21", "2027-03-22"]  # sorted, once each
    assert p["business_hours"]["week"]["thu"] == [["08:00", "12:00"]] and "fri" not in p["business_hours"]["week"]
    assert (p["channel"], p["type"], p["tag"]) == ("phone", "incident", "VIP")
    plain = crew.admin.post("/v1/sla-policies", body(priority="low")).json()
    assert plain["business_hours"] is None and plain["channel"] is None
    # Everyone who reads tickets reads the policies, most urgent first.
    assert ids(crew.rep1.get("/v1/sla-policies")) == [p["id"], plain["id"]]
    assert crew.rep1.get(path).json() == p
    r = crew.admin.patch(path, {"business_hours": None, "resolution_minutes": 600}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["business_hours"] is None and r.json()["resolution_minutes"] == 600 and r.json()["version"] == 2
    assert crew.admin.delete(path, headers={"If-Match": '"2"'}).status_code == 204
    assert crew.admin.get(path).status_code == 404
    assert ids(crew.admin.get("/v1/sla-policies")) == [plain["id"]]


def test_only_admins_write(crew):
    p = crew.admin.post("/v1/sla-policies", body()).json()
    path = "/v1/sla-policies/" + p["id"]
    for who in (crew.manager, crew.rep1, api_key(crew.org, "tickets:read", "tickets:write")):
        assert who.post("/v1/sla-policies", body()).status_code == 403
        assert who.patch(path, {"name": "x"}).status_code == 403
        assert who.delete(path).status_code == 403
    assert api_key(crew.org, "tickets:read").get(path).status_code == 200
    assert api_key(crew.org, "contacts:read").get(path).status_code == 403
    assert policy_count(crew.org) == 1


def test_other_organization_is_404(org, other_org):
    p = org.admin.post("/v1/sla-policies", body()).json()
    path = "/v1/sla-policies/" + p["id"]
    assert other_org.admin.get(path).status_code == 404
    assert other_org.admin.patch(path, {"name": "x"}).status_code == 404
    assert other_org.admin.delete(path).status_code == 404
    assert ids(other_org.admin.get("/v1/sla-policies")) == []
    assert org.admin.get(path).json()["version"] == 1


INVALID = [
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"priority": "critical"}, "priority"),
    ({"first_response_minutes": 0}, "first_response_minutes"),
    ({"resolution_minutes": 525601}, "resolution_minutes"),
    ({"resolution_minutes": "60"}, "resolution_minutes"),
    ({"channel": "fax"}, "channel"),
    ({"type": "complaint"}, "type"),
    ({"tag": ""}, "tag"),
    ({"business_hours": []}, "business_hours"),
    ({"business_hours": {"week": {"sat": [["08:00", "12:00"]]}, "time_zone": "Mars/Olympus"}},
     "business_hours.time_zone"),
    ({"business_hours": {"time_zone": "Asia/Tehran"}}, "business_hours.week"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {}}}, "business_hours.week"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": []}}}, "business_hours.week"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"saturday": [["08:00", "12:00"]]}}},
     "business_hours.week.saturday"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": [["8:00", "12:00"]]}}},
     "business_hours.week.sat"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": [["12:00", "08:00"]]}}},
     "business_hours.week.sat"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": [["08:00", "12:00"], ["11:00", "13:00"]]}}},
     "business_hours.week.sat"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": [["08:00", "12:00"]]},
                         "holidays": ["2027-02-30"]}}, "business_hours.holidays"),
    ({"business_hours": {"time_zone": "Asia/Tehran", "week": {"sat": [["08:00", "12:00"]]}, "x": 1}},
     "business_hours"),
    ({"version": 3}, "version"),
]


@pytest.mark.parametrize("fields,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, fields, field):
    b = {k: v for k, v in body(**fields).items() if v is not None or k not in ("name",)}
    r = org.admin.post("/v1/sla-policies", b)
    assert r.status_code == 422, r.text
    assert field in fields_named(r), r.text
    assert policy_count(org) == 0


def test_stale_if_match_idempotency_and_audit(crew):
    key = "k-" + uuid.uuid4().hex
    rid = "req-" + uuid.uuid4().hex[:8]
    a = crew.admin.post("/v1/sla-policies", body(name="One"), headers={"Idempotency-Key": key, "X-Request-Id": rid})
    b = crew.admin.post("/v1/sla-policies", body(name="One"), headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert policy_count(crew.org) == 1
    path = "/v1/sla-policies/" + a.json()["id"]
    assert crew.admin.patch(path, {"name": "Two"}).status_code == 200
    r = crew.admin.patch(path, {"name": "Three"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["current"]["name"] == "Two", r.text
    rows = audit_rows(crew.admin, table="sla_policies", record_id=a.json()["id"])
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[1]["request_id"] == rid and rows[1]["actor"] == {"type": "user", "id": crew.admin_user["id"]}
    assert rows[0]["old"]["name"] == "One" and rows[0]["new"]["name"] == "Two"
