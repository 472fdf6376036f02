"""Campaigns: read by everyone, written by admins and managers, money in ISO 4217."""
import uuid

import pytest

from conftest import api_key, ids, new_contact, psql


def campaign_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.campaigns WHERE org_id = :'a1' AND deleted_at IS NULL"
                    " AND " + where, org.id, *args))


def field_names(r):
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])


def new_campaign(api, **fields):
    fields.setdefault("name", "Campaign " + uuid.uuid4().hex[:6])
    fields.setdefault("channel", "sms")
    r = api.post("/v1/campaigns", fields)
    assert r.status_code == 201, r.text
    return r.json()


def test_lifecycle(org):
    body = {"name": "Nowruz SMS", "channel": "sms", "cost": "1250000.50", "currency": "IRR",
            "starts_on": "2025-03-10", "ends_on": "2025-04-02", "notes": "bulk sms"}
    r = org.admin.post("/v1/campaigns", body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert r.headers["Location"] == "/v1/campaigns/" + c["id"]
    assert r.headers["ETag"] == '"1"'
    for k, v in body.items():
        assert c[k] == v, k
    assert c["version"] == 1
    path = "/v1/campaigns/" + c["id"]
    assert org.admin.get(path).json() == c
    assert c["id"] in ids(org.admin.get("/v1/campaigns"))
    r = org.admin.patch(path, {"cost": 99.5, "notes": None})
    assert r.status_code == 200, r.text
    assert r.json()["cost"] == "99.50" and r.json()["notes"] is None and r.json()["version"] == 2
    assert r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"name": "stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["current"]["name"] == "Nowruz SMS"
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.delete(path).status_code == 204
    assert org.admin.get(path).status_code == 404
    assert org.admin.patch(path, {"name": "x"}).status_code == 404
    assert org.admin.delete(path).status_code == 404
    assert c["id"] not in ids(org.admin.get("/v1/campaigns"))


def test_minimal_campaign(org):
    c = new_campaign(org.admin, name="Word of mouth", channel="referral")
    assert c["cost"] is None and c["currency"] is None
    assert c["starts_on"] is None and c["ends_on"] is None


INVALID = [
    ({"name": ""}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"channel": "tv"}, "channel"),
    ({"channel": None}, "channel"),
    ({"cost": "-1.00"}, "cost"),
    ({"cost": "abc"}, "cost"),
    ({"cost": "1.234"}, "cost"),
    ({"cost": "1e30"}, "cost"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "EURO"}, "currency"),
    ({"currency": 978}, "currency"),
    ({"starts_on": "2025-02-30"}, "starts_on"),
    ({"ends_on": "tomorrow"}, "ends_on"),
    ({"starts_on": "2025-05-02", "ends_on": "2025-05-01"}, "ends_on"),
    ({"notes": "n" * 10001}, "notes"),
    ({"budget": 1}, "budget"),
    ({"version": 1}, "version"),
    ({"created_at": "2024-01-01T00:00:00Z"}, "created_at"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    full = {"name": "Valid", "channel": "web"}
    full.update(body)
    r = org.admin.post("/v1/campaigns", full)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert campaign_count(org) == 0


def test_currencies(org):
    for code in ("USD", "EUR", "IRR", "AED", "JPY"):
        assert new_campaign(org.admin, cost="10.00", currency=code)["currency"] == code


def test_dates_checked_on_patch(org):
    c = new_campaign(org.admin, starts_on="2025-06-01", ends_on="2025-06-30")
    path = "/v1/campaigns/" + c["id"]
    assert field_names(org.admin.patch(path, {"ends_on": "2025-05-31"})) == ["ends_on"]
    assert field_names(org.admin.patch(path, {"starts_on": "2025-07-01"})) != []
    assert field_names(org.admin.patch(path, {"currency": "XYZ"})) == ["currency"]
    r = org.admin.patch(path, {"ends_on": "2025-06-01"})  # a one-day campaign
    assert r.status_code == 200, r.text
    assert org.admin.patch(path, {"channel": "fax"}).status_code == 422
    for member in ("id", "version", "updated_by"):
        r = org.admin.patch(path, {member: str(uuid.uuid4())})
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "read_only"


def test_who_may_write(crew):
    c = new_campaign(crew.manager, name="Manager's")
    assert crew.manager.patch("/v1/campaigns/" + c["id"], {"notes": "ok"}).status_code == 200
    for rep in (crew.rep1, crew.rep2):
        assert rep.post("/v1/campaigns", {"name": "Rep's", "channel": "sms"}).status_code == 403
        assert rep.patch("/v1/campaigns/" + c["id"], {"name": "x"}).status_code == 403
        assert rep.delete("/v1/campaigns/" + c["id"]).status_code == 403
        # ...but everyone reads them.
        assert rep.get("/v1/campaigns/" + c["id"]).status_code == 200
        assert c["id"] in ids(rep.get("/v1/campaigns"))
    assert campaign_count(crew.org) == 1
    assert crew.admin.delete("/v1/campaigns/" + c["id"]).status_code == 204


def test_api_key_reads_with_contacts_read(org):
    c = new_campaign(org.admin)
    key = api_key(org, "contacts:read")
    assert key.get("/v1/campaigns/" + c["id"]).status_code == 200
    assert c["id"] in ids(key.get("/v1/campaigns"))
    assert key.post("/v1/campaigns", {"name": "k", "channel": "web"}).status_code == 403
    assert api_key(org, "companies:read").get("/v1/campaigns").status_code == 403


def test_other_organization_is_404(org, other_org):
    c = new_campaign(org.admin)
    path = "/v1/campaigns/" + c["id"]
    assert other_org.admin.get(path).status_code == 404
    assert other_org.admin.patch(path, {"name": "x"}).status_code == 404
    assert other_org.admin.delete(path).status_code == 404
    assert other_org.admin.get("/v1/campaigns").json()["data"] == []


def test_filters_sort_and_paging(org):
    a = new_campaign(org.admin, name="Autumn email", channel="email", starts_on="2025-09-01",
                     ends_on="2025-09-30")
    b = new_campaign(org.admin, name="Book fair", channel="event", starts_on="2025-05-01",
                     ends_on="2025-05-10")
    c = new_campaign(org.admin, name="Catalog", channel="email", starts_on="2025-01-01")
    d = new_campaign(org.admin, name="Door to door", channel="other")
    assert sorted(ids(org.admin.get("/v1/campaigns?channel=email"))) == sorted([a["id"], c["id"]])
    # Open-ended: no ends_on runs on; no dates at all is always active.
    assert sorted(ids(org.admin.get("/v1/campaigns?active_on=2025-05-05"))) == sorted([b["id"], c["id"], d["id"]])
    assert sorted(ids(org.admin.get("/v1/campaigns?active_on=2025-09-30"))) == sorted([a["id"], c["id"], d["id"]])
    assert sorted(ids(org.admin.get("/v1/campaigns?active_on=2024-12-31"))) == [d["id"]]
    assert ids(org.admin.get("/v1/campaigns?q=fair")) == [b["id"]]
    assert ids(org.admin.get("/v1/campaigns?q=DOOR")) == [d["id"]]
    rows, cursor = [], None
    while True:
        r = org.admin.get("/v1/campaigns?limit=3&sort=name" + ("&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200
        rows += r.json()["data"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert [x["id"] for x in rows] == [a["id"], b["id"], c["id"], d["id"]]
    r = org.admin.get("/v1/campaigns?sort=-starts_on&limit=200")
    assert r.status_code == 200
    assert org.admin.get("/v1/campaigns?channel=tv").status_code == 400
    assert org.admin.get("/v1/campaigns?active_on=2025-13-01").status_code == 400


def test_audit_and_idempotency(crew):
    key = "k-" + uuid.uuid4().hex
    body = {"name": "Once", "channel": "web", "cost": "10.00", "currency": "USD"}
    a = crew.manager.post("/v1/campaigns", body, headers={"Idempotency-Key": key})
    b = crew.manager.post("/v1/campaigns", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert campaign_count(crew.org) == 1
    r = crew.manager.post("/v1/campaigns", dict(body, cost="11.00"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert campaign_count(crew.org) == 1
    cid = a.json()["id"]
    crew.admin.patch("/v1/campaigns/" + cid, {"cost": "12.00"})
    rows = crew.admin.get("/v1/audit?record_id=" + cid).json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[0]["actor"] == {"type": "user", "id": crew.admin_user["id"]}
    assert rows[1]["actor"] == {"type": "user", "id": crew.manager_user["id"]}
    assert str(rows[0]["old"]["cost"]) in ("10.00", "10", "10.0")


def test_deleted_campaign_keeps_contacts(org):
    c = new_campaign(org.admin)
    contact = new_contact(org.admin, campaign_id=c["id"])
    assert org.admin.delete("/v1/campaigns/" + c["id"]).status_code == 204
    assert org.admin.get("/v1/contacts/" + contact["id"]).status_code == 200
