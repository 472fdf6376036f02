"""Activities and the contact timeline: calls, notes, meetings, visits, system entries."""
import datetime
import uuid

import pytest

from conftest import api_key, ids, new_contact, psql


def activity_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.activities WHERE org_id = :'a1' AND deleted_at IS NULL"
                    " AND " + where, org.id, *args))


def field_names(r):
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])


def ago(**kw):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(**kw)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def post(api, **body):
    r = api.post("/v1/activities", body)
    assert r.status_code == 201, r.text
    return r.json()


# --------------------------------------------------------------------------
# Happy path


def test_lifecycle(crew):
    c = new_contact(crew.rep1)
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    r = crew.rep1.post("/v1/activities", {"contact_id": c["id"], "type": "note",
                                          "subject": "Called back", "body": "Wants a quote"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert r.headers["Location"] == "/v1/activities/" + a["id"]
    assert r.headers["ETag"] == '"1"'
    assert a["version"] == 1 and a["type"] == "note" and a["contact_id"] == c["id"]
    assert a["owner_id"] == crew.rep1_user["id"]
    assert parse_ts(a["occurred_at"]) >= before  # defaults to now
    assert a["subject"] == "Called back" and a["body"] == "Wants a quote"
    path = "/v1/activities/" + a["id"]
    assert crew.rep1.get(path).json() == a
    assert a["id"] in ids(crew.rep1.get("/v1/activities?contact_id=" + c["id"]))
    r = crew.rep1.patch(path, {"subject": "Called back twice"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["subject"] == "Called back twice" and r.json()["version"] == 2
    assert r.headers["ETag"] == '"2"'
    r = crew.rep1.patch(path, {"subject": "stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["current"]["subject"] == "Called back twice"
    assert crew.rep1.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert crew.rep1.delete(path).status_code == 204
    assert crew.rep1.get(path).status_code == 404
    assert crew.rep1.patch(path, {"subject": "x"}).status_code == 404
    assert a["id"] not in ids(crew.rep1.get("/v1/activities?contact_id=" + c["id"]))
    assert a["id"] not in ids(crew.rep1.get("/v1/contacts/%s/timeline" % c["id"]))


def test_each_type(org):
    c = new_contact(org.admin)
    call = post(org.admin, contact_id=c["id"], type="call", direction="inbound", duration_seconds=95,
                outcome="answered", phone_number="09123456789",
                recording_url="https://pbx.example.com/rec/1.mp3", external_call_id="pbx-1",
                occurred_at="2024-05-01T10:00:00Z")
    assert call["direction"] == "inbound" and call["duration_seconds"] == 95
    assert call["outcome"] == "answered" and call["external_call_id"] == "pbx-1"
    assert parse_ts(call["occurred_at"]) == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.timezone.utc)
    meeting = post(org.admin, contact_id=c["id"], type="meeting", subject="Demo",
                   starts_at="2024-05-02T09:00:00Z", ends_at="2024-05-02T10:00:00Z", place="Office")
    assert meeting["place"] == "Office"
    visit = post(org.admin, contact_id=c["id"], type="visit", latitude=35.6892, longitude=51.389,
                 accuracy_m=12.5)
    assert abs(visit["latitude"] - 35.6892) < 1e-6 and abs(visit["longitude"] - 51.389) < 1e-6
    sms = post(org.admin, contact_id=c["id"], type="sms", direction="outbound",
               phone_number="+989123456789", body="Your order shipped")
    email = post(org.admin, contact_id=c["id"], type="email", direction="outbound", subject="Quote")
    for a in (call, meeting, visit, sms, email):
        assert org.admin.get("/v1/activities/" + a["id"]).status_code == 200
    assert sorted(ids(org.admin.get("/v1/activities?type=call"))) == [call["id"]]


INVALID = [
    ({"type": "fax"}, "type"),
    ({"type": "system"}, "type"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"subject": "s" * 201}, "subject"),
    ({"type": "call", "direction": "sideways"}, "direction"),
    ({"type": "call", "outcome": "maybe"}, "outcome"),
    ({"type": "call", "duration_seconds": -1}, "duration_seconds"),
    ({"type": "call", "duration_seconds": 86401}, "duration_seconds"),
    ({"type": "call", "recording_url": "not a url"}, "recording_url"),
    ({"type": "visit", "latitude": 91}, "latitude"),
    ({"type": "visit", "longitude": -181}, "longitude"),
    ({"type": "visit", "accuracy_m": -1}, "accuracy_m"),
    ({"contact_id": "abc"}, "contact_id"),
    # Members that do not fit the type.
    ({"type": "note", "duration_seconds": 30}, "duration_seconds"),
    ({"type": "note", "direction": "inbound"}, "direction"),
    ({"type": "meeting", "outcome": "answered"}, "outcome"),
    ({"type": "email", "recording_url": "https://x.example/r.mp3"}, "recording_url"),
    ({"type": "note", "latitude": 35.7}, "latitude"),
    ({"type": "call", "place": "Office"}, "place"),
    ({"type": "sms", "starts_at": "2024-01-01T00:00:00Z"}, "starts_at"),
    ({"type": "note", "phone_number": "09123456789"}, "phone_number"),
    ({"type": "email", "external_call_id": "x-1"}, "external_call_id"),
    # Read-only members.
    ({"event": "merge"}, "event"),
    ({"data": "x"}, "data"),
    ({"company_id": str(uuid.uuid4())}, "company_id"),
    ({"version": 2}, "version"),
    ({"created_at": "2024-01-01T00:00:00Z"}, "created_at"),
    ({"mood": "happy"}, "mood"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    c = new_contact(org.admin)
    full = {"contact_id": c["id"], "type": "note"}
    full.update(body)
    r = org.admin.post("/v1/activities", full)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert activity_count(org) == 0


def test_contact_is_required_and_must_exist(org, other_org):
    r = org.admin.post("/v1/activities", {"type": "note", "subject": "orphan"})
    assert field_names(r) == ["contact_id"]
    r = org.admin.post("/v1/activities", {"type": "note", "contact_id": str(uuid.uuid4())})
    assert field_names(r) == ["contact_id"]
    foreign = new_contact(other_org.admin)
    r = org.admin.post("/v1/activities", {"type": "note", "contact_id": foreign["id"]})
    assert field_names(r) == ["contact_id"]
    r = org.admin.post("/v1/activities", {"type": "call", "phone_number": "09120000000"})
    assert field_names(r) == ["contact_id"]
    assert activity_count(org) == 0


def test_patch_rules(org):
    c = new_contact(org.admin)
    a = post(org.admin, contact_id=c["id"], type="call", outcome="no_answer", direction="outbound")
    path = "/v1/activities/" + a["id"]
    other = new_contact(org.admin)
    for member, value in (("type", "note"), ("contact_id", other["id"]), ("id", str(uuid.uuid4())),
                          ("owner_id", a["owner_id"]), ("external_call_id", "x"), ("version", 5)):
        r = org.admin.patch(path, {member: value})
        assert r.status_code == 422, member
        assert r.json()["errors"][0]["field"] == member
    r = org.admin.patch(path, {"outcome": "answered", "duration_seconds": 60, "body": "sold"})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "answered" and r.json()["contact_id"] == c["id"]
    assert field_names(org.admin.patch(path, {"place": "Office"})) == ["place"]
    assert field_names(org.admin.patch(path, {"outcome": "maybe"})) == ["outcome"]


def test_idempotent_create_and_external_call_id(org):
    c = new_contact(org.admin)
    body = {"contact_id": c["id"], "type": "call", "external_call_id": "pbx-42", "outcome": "busy"}
    key = "k-" + uuid.uuid4().hex
    a = org.admin.post("/v1/activities", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/activities", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json()["id"] == b.json()["id"]
    assert activity_count(org) == 1
    r = org.admin.post("/v1/activities", dict(body, outcome="failed"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    # The same call posted again without a key: a conflict naming the first.
    r = org.admin.post("/v1/activities", body)
    assert r.status_code == 409
    assert r.json()["existing_id"] == a.json()["id"]
    assert activity_count(org) == 1
    # Free again once the first is deleted.
    assert org.admin.delete("/v1/activities/" + a.json()["id"]).status_code == 204
    post(org.admin, **body)


# --------------------------------------------------------------------------
# Visibility


def test_visibility_follows_the_contact(crew):
    c1 = new_contact(crew.rep1)
    c2 = new_contact(crew.rep2)
    a1 = post(crew.rep1, contact_id=c1["id"], type="note", subject="rep1's")
    a2 = post(crew.rep2, contact_id=c2["id"], type="note", subject="rep2's")
    p = "/v1/activities/" + a1["id"]
    assert crew.rep2.get(p).status_code == 404
    assert crew.rep2.patch(p, {"subject": "x"}).status_code == 404
    assert crew.rep2.delete(p).status_code == 404
    assert ids(crew.rep2.get("/v1/activities")) == [a2["id"]]
    assert crew.rep2.get("/v1/activities?contact_id=" + c1["id"]).json()["data"] == []
    # Nor may a rep log activity on a contact they cannot see.
    r = crew.rep2.post("/v1/activities", {"contact_id": c1["id"], "type": "note"})
    assert r.status_code in (404, 422), r.text
    if r.status_code == 422:
        assert [e["field"] for e in r.json()["errors"]] == ["contact_id"]
    assert crew.manager.get(p).status_code == 200
    assert crew.manager.get("/v1/activities/" + a2["id"]).status_code == 404
    assert sorted(ids(crew.manager.get("/v1/activities"))) == [a1["id"]]
    assert sorted(ids(crew.admin.get("/v1/activities"))) == sorted([a1["id"], a2["id"]])


def test_other_organization_is_404(org, other_org):
    c = new_contact(org.admin)
    a = post(org.admin, contact_id=c["id"], type="note")
    p = "/v1/activities/" + a["id"]
    assert other_org.admin.get(p).status_code == 404
    assert other_org.admin.patch(p, {"subject": "x"}).status_code == 404
    assert other_org.admin.delete(p).status_code == 404
    assert other_org.admin.get("/v1/activities").json()["data"] == []


def test_activity_on_someone_elses_contact_keeps_visibility(crew):
    # The manager logs a visit on rep1's contact: rep1 sees it on the timeline.
    c = new_contact(crew.rep1)
    a = post(crew.manager, contact_id=c["id"], type="visit", latitude=35.7, longitude=51.4)
    assert a["owner_id"] == crew.manager_user["id"]
    assert a["id"] in ids(crew.rep1.get("/v1/contacts/%s/timeline" % c["id"]))
    assert crew.rep1.get("/v1/activities/" + a["id"]).status_code == 200


# --------------------------------------------------------------------------
# Telephony integrations (API keys)


def test_key_posts_call_matched_by_phone(crew):
    c = new_contact(crew.rep1, phones=[{"number": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}])
    key = api_key(crew.org, "activities:write")
    r = key.post("/v1/activities", {"type": "call", "phone_number": "+989123456789",
                                    "direction": "inbound", "outcome": "answered",
                                    "duration_seconds": 42, "external_call_id": "ast-1001"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["contact_id"] == c["id"]
    assert a["owner_id"] == crew.rep1_user["id"]  # the contact's owner
    assert a["id"] in ids(crew.rep1.get("/v1/contacts/%s/timeline" % c["id"]))
    # Audited as the key.
    rows = crew.admin.get("/v1/audit?record_id=" + a["id"]).json()["data"]
    assert rows[0]["action"] == "insert" and rows[0]["actor"]["type"] == "api_key"
    # The telephony system retries the same call: 409 with the first id.
    r = key.post("/v1/activities", {"type": "call", "phone_number": "+989123456789",
                                    "external_call_id": "ast-1001"})
    assert r.status_code == 409 and r.json()["existing_id"] == a["id"]
    # An unknown number matches nobody.
    r = key.post("/v1/activities", {"type": "call", "phone_number": "+14155550100"})
    assert field_names(r) == ["contact_id"]


def test_call_by_phone_picks_most_recently_updated(org):
    a = new_contact(org.admin, display_name="Older", phones=[{"number": "09351112222"}])
    r = org.admin.post("/v1/contacts?allow_duplicate=true",
                       {"display_name": "Newer", "phones": [{"number": "0935 111 2222"}]})
    assert r.status_code == 201
    b = r.json()
    key = api_key(org, "activities:write")
    got = key.post("/v1/activities", {"type": "call", "phone_number": "00989351112222"}).json()
    assert got["contact_id"] == b["id"]
    assert org.admin.patch("/v1/contacts/" + a["id"], {"city": "Mashhad"}).status_code == 200
    got = key.post("/v1/activities", {"type": "call", "phone_number": "09351112222"}).json()
    assert got["contact_id"] == a["id"]
    # A user posting by number gets only contacts they can see.
    got = post(org.admin, type="call", phone_number="9351112222")
    assert got["contact_id"] == a["id"]


def test_call_by_phone_respects_user_visibility(crew):
    new_contact(crew.rep1, phones=[{"number": "09357778888"}])
    r = crew.rep2.post("/v1/activities", {"type": "call", "phone_number": "09357778888"})
    assert field_names(r) == ["contact_id"]


def test_key_scopes(crew):
    c = new_contact(crew.rep1)
    a = post(crew.rep1, contact_id=c["id"], type="note")
    reader = api_key(crew.org, "contacts:read", "contacts:write", "lookup:read")
    r = reader.post("/v1/activities", {"contact_id": c["id"], "type": "call"})
    assert r.status_code == 403
    assert reader.get("/v1/activities").status_code == 403
    assert reader.get("/v1/activities/" + a["id"]).status_code == 403
    act_reader = api_key(crew.org, "activities:read")
    assert act_reader.get("/v1/activities/" + a["id"]).status_code == 200
    assert a["id"] in ids(act_reader.get("/v1/activities"))
    assert act_reader.post("/v1/activities", {"contact_id": c["id"], "type": "note"}).status_code == 403
    assert act_reader.patch("/v1/activities/" + a["id"], {"subject": "x"}).status_code == 403
    assert act_reader.delete("/v1/activities/" + a["id"]).status_code == 403


# --------------------------------------------------------------------------
# Timeline


def test_timeline_newest_first_with_system_entries(crew):
    c = new_contact(crew.rep1, display_name="Timeline")
    old = post(crew.rep1, contact_id=c["id"], type="call", occurred_at=ago(days=3), outcome="busy")
    mid = post(crew.rep1, contact_id=c["id"], type="note", occurred_at=ago(days=2), subject="mid")
    new = post(crew.rep1, contact_id=c["id"], type="email", occurred_at=ago(days=1), subject="new")
    r = crew.rep1.patch("/v1/contacts/" + c["id"], {"lifecycle_stage": "customer"})
    assert r.status_code == 200
    r = crew.manager.patch("/v1/contacts/" + c["id"], {"owner_id": crew.manager_user["id"]})
    assert r.status_code == 200
    r = crew.manager.get("/v1/contacts/%s/timeline" % c["id"])
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    times = [parse_ts(e["occurred_at"]) for e in rows]
    assert times == sorted(times, reverse=True)
    assert [e["id"] for e in rows][-3:] == [new["id"], mid["id"], old["id"]]
    system = [e for e in rows if e["type"] == "system"]
    assert [e["event"] for e in system] == ["owner_change", "stage_change"]
    owner, stage = system
    assert stage["data"]["from"] == "lead" and stage["data"]["to"] == "customer"
    assert owner["data"]["from"] == crew.rep1_user["id"]
    assert owner["data"]["to"] == crew.manager_user["id"]
    for e in system:
        assert e["contact_id"] == c["id"]
    # type= filters; system entries cannot be written through the API.
    r = crew.manager.get("/v1/contacts/%s/timeline?type=system" % c["id"])
    assert [e["id"] for e in r.json()["data"]] == [owner["id"], stage["id"]]
    r = crew.manager.get("/v1/contacts/%s/timeline?type=call" % c["id"])
    assert [e["id"] for e in r.json()["data"]] == [old["id"]]
    sp = "/v1/activities/" + stage["id"]
    assert crew.admin.get(sp).status_code == 200
    assert crew.admin.patch(sp, {"subject": "rewritten"}).status_code in (403, 422)
    assert crew.admin.delete(sp).status_code in (403, 422)
    assert crew.admin.get(sp).json()["version"] == stage["version"]
    assert crew.admin.get(sp).json()["subject"] == stage["subject"]


def test_timeline_paging(org):
    c = new_contact(org.admin)
    made = [post(org.admin, contact_id=c["id"], type="note", occurred_at=ago(hours=h))["id"]
            for h in (5, 1, 3, 2, 4)]
    seen, cursor = [], None
    while True:
        r = org.admin.get("/v1/contacts/%s/timeline?limit=2%s" % (c["id"], "&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200
        seen += [e["id"] for e in r.json()["data"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [made[1], made[3], made[2], made[4], made[0]]


def test_activity_list_filters(crew):
    c = new_contact(crew.manager)
    a = post(crew.manager, contact_id=c["id"], type="note", occurred_at="2024-01-10T10:00:00Z")
    b = post(crew.manager, contact_id=c["id"], type="call", occurred_at="2024-02-10T10:00:00Z")
    rc = new_contact(crew.rep1)
    d = post(crew.rep1, contact_id=rc["id"], type="call", occurred_at="2024-03-10T10:00:00Z")

    def q(qs):
        return sorted(ids(crew.manager.get("/v1/activities?" + qs)))

    assert q("type=call") == sorted([b["id"], d["id"]])
    assert q("owner_id=" + crew.rep1_user["id"]) == [d["id"]]
    assert q("contact_id=" + c["id"]) == sorted([a["id"], b["id"]])
    assert q("since=2024-02-01T00:00:00Z&until=2024-02-28T00:00:00Z") == [b["id"]]
    assert crew.manager.get("/v1/activities?type=fax").status_code == 400
    assert crew.manager.get("/v1/activities?since=soon").status_code == 400


def test_key_activity_owner_defaults_to_contact_owner(crew):
    c = new_contact(crew.rep2)
    key = api_key(crew.org, "activities:write", "activities:read")
    a = post(key, contact_id=c["id"], type="sms", direction="inbound", phone_number="09120000000")
    assert a["owner_id"] == crew.rep2_user["id"]
    assert a["id"] in ids(crew.rep2.get("/v1/activities"))


def test_deleted_or_merged_contact(org):
    c = new_contact(org.admin)
    a = post(org.admin, contact_id=c["id"], type="note")
    t = new_contact(org.admin)
    s = new_contact(org.admin)
    assert org.admin.post("/v1/contacts/%s/merge" % t["id"], {"source_id": s["id"]}).status_code == 200
    r = org.admin.post("/v1/activities", {"contact_id": s["id"], "type": "note"})
    assert field_names(r) == ["contact_id"]
    assert org.admin.delete("/v1/contacts/" + c["id"]).status_code == 204
    # The activities of a deleted contact go with it.
    assert org.admin.get("/v1/activities/" + a["id"]).status_code == 404
    assert a["id"] not in ids(org.admin.get("/v1/activities"))
    r = org.admin.post("/v1/activities", {"contact_id": c["id"], "type": "note"})
    assert field_names(r) == ["contact_id"]
