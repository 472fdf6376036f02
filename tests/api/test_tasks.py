"""Tasks and calendar events, and a user's agenda over a time range."""
import datetime
import uuid
from urllib.parse import quote

import pytest

from conftest import (Api, api_key, audit_rows, fields_named, ids, new_contact, new_deal,
                      new_pipeline, new_task, parse_ts, psql, rfc3339)

UTC = datetime.timezone.utc


def task_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.tasks WHERE org_id = :'a1' AND deleted_at IS NULL AND "
                    + where, org.id, *args))


def at(s):
    return parse_ts(s)


def ago(**kw):
    return rfc3339(datetime.datetime.now(UTC) - datetime.timedelta(**kw))


def ahead(**kw):
    return rfc3339(datetime.datetime.now(UTC) + datetime.timedelta(**kw))


# --------------------------------------------------------------------------
# Happy path


def test_lifecycle(crew):
    c = new_contact(crew.rep1, display_name="Callee")
    body = {"title": "Call back about the offer", "kind": "call", "notes": "after 4pm",
            "due_at": "2031-05-01T16:30:00+03:30", "contact_id": c["id"],
            "reminder_at": "2031-05-01T16:00:00+03:30"}
    r = crew.rep1.post("/v1/tasks", body)
    assert r.status_code == 201, r.text
    t = r.json()
    assert r.headers["Location"] == "/v1/tasks/" + t["id"]
    assert r.headers["ETag"] == '"1"' and t["version"] == 1
    assert t["title"] == body["title"] and t["kind"] == "call" and t["notes"] == "after 4pm"
    assert at(t["due_at"]) == datetime.datetime(2031, 5, 1, 13, 0, tzinfo=UTC)
    assert at(t["reminder_at"]) == datetime.datetime(2031, 5, 1, 12, 30, tzinfo=UTC)
    assert t["reminder_delivered_at"] is None
    assert t["starts_at"] is None and t["ends_at"] is None and t["all_day"] is False
    assert t["assignee_id"] == crew.rep1_user["id"]
    assert t["assignee"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert t["contact_id"] == c["id"] and t["company_id"] is None and t["deal_id"] is None
    assert t["status"] == "open" and t["completed_at"] is None and t["overdue"] is False
    assert t["created_by"] == t["updated_by"] == crew.rep1_user["id"]
    path = "/v1/tasks/" + t["id"]
    g = crew.rep1.get(path)
    assert g.status_code == 200 and g.json() == t and g.headers["ETag"] == '"1"'
    assert t["id"] in ids(crew.rep1.get("/v1/tasks"))

    r = crew.rep1.patch(path, {"title": "Call back", "due_at": None, "reminder_at": None})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["version"] == 2 and r.headers["ETag"] == '"2"'
    assert u["title"] == "Call back" and u["due_at"] is None and u["reminder_at"] is None
    assert crew.rep1.get(path).json() == u

    assert crew.rep1.delete(path).status_code == 204
    assert crew.rep1.get(path).status_code == 404
    assert crew.rep1.patch(path, {"title": "x"}).status_code == 404
    assert crew.rep1.delete(path).status_code == 404
    assert t["id"] not in ids(crew.admin.get("/v1/tasks"))
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.tasks WHERE id = :'a1'", t["id"]) == "t"


def test_every_kind_and_a_dateless_todo(org):
    for kind in ("call", "meeting", "follow_up", "todo"):
        t = new_task(org.admin, kind=kind)
        assert t["kind"] == kind and t["due_at"] is None
    e = new_task(org.admin, kind="event", title="Expo", starts_at="2031-03-10T09:00:00+03:30",
                 ends_at="2031-03-10T17:00:00+03:30", all_day=False)
    assert at(e["starts_at"]) == datetime.datetime(2031, 3, 10, 5, 30, tzinfo=UTC)
    assert at(e["ends_at"]) == datetime.datetime(2031, 3, 10, 13, 30, tzinfo=UTC)
    allday = new_task(org.admin, kind="event", title="Nowruz", starts_at="2031-03-21T00:00:00+03:30",
                      ends_at="2031-03-22T00:00:00+03:30", all_day=True)
    assert allday["all_day"] is True
    assert at(allday["starts_at"]) == datetime.datetime(2031, 3, 20, 20, 30, tzinfo=UTC)  # kept as given
    zero = new_task(org.admin, kind="event", starts_at="2031-03-10T09:00:00Z", ends_at="2031-03-10T09:00:00Z")
    assert zero["starts_at"] == zero["ends_at"]
    open_ended = new_task(org.admin, kind="event", starts_at="2031-03-10T09:00:00Z")
    assert open_ended["ends_at"] is None


def test_event_rules(org):
    r = org.admin.post("/v1/tasks", {"title": "E", "kind": "event"})
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("starts_at", "required")]
    r = org.admin.post("/v1/tasks", {"title": "E", "kind": "event", "ends_at": "2031-01-01T10:00:00Z"})
    assert "starts_at" in fields_named(r)
    r = org.admin.post("/v1/tasks", {"title": "E", "kind": "event", "starts_at": "2031-01-01T10:00:00Z",
                                     "ends_at": "2031-01-01T09:59:59Z"})
    assert fields_named(r) == ["ends_at"]
    # Same instant, other offset: not before.
    ok = new_task(org.admin, kind="event", starts_at="2031-01-01T10:00:00Z", ends_at="2031-01-01T13:30:00+03:30")
    assert ok["starts_at"] == ok["ends_at"]
    for kind in ("call", "todo", "meeting", "follow_up"):
        for member in ("starts_at", "ends_at"):
            r = org.admin.post("/v1/tasks", {"title": "T", "kind": kind, member: "2031-01-01T10:00:00Z"})
            assert r.status_code == 422, (kind, member, r.text)
            assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(member, "not_applicable")]
    assert task_count(org) == 1
    # Turning an event into a call with its times still set is refused; removing starts_at too.
    path = "/v1/tasks/" + ok["id"]
    r = org.admin.patch(path, {"kind": "call"})
    assert r.status_code == 422 and {"starts_at", "ends_at"} & set(fields_named(r))
    r = org.admin.patch(path, {"starts_at": None})
    assert "starts_at" in fields_named(r)
    r = org.admin.patch(path, {"kind": "call", "starts_at": None, "ends_at": None, "due_at": "2031-01-02T10:00:00Z"})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "call" and r.json()["starts_at"] is None


def test_completed_at_follows_status(org):
    t = new_task(org.admin, kind="call", due_at=ahead(days=1))
    path = "/v1/tasks/" + t["id"]
    r = org.admin.patch(path, {"status": "done"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "done" and done["completed_at"]
    assert abs((at(done["completed_at"]) - at(done["updated_at"])).total_seconds()) < 5
    r = org.admin.patch(path, {"title": "still done"})
    assert r.json()["completed_at"] == done["completed_at"]
    r = org.admin.patch(path, {"status": "open"})
    assert r.status_code == 200 and r.json()["completed_at"] is None and r.json()["status"] == "open"
    r = org.admin.patch(path, {"status": "cancelled"})
    assert r.json()["status"] == "cancelled" and r.json()["completed_at"] is None
    r = org.admin.patch(path, {"status": "done"})
    assert r.json()["completed_at"]
    created_done = new_task(org.admin, status="done")
    assert created_done["completed_at"]


def test_overdue(org):
    late = new_task(org.admin, kind="call", title="Late", due_at=ago(minutes=5))
    soon = new_task(org.admin, kind="call", title="Soon", due_at=ahead(hours=2))
    undated = new_task(org.admin, title="Someday")
    past_event = new_task(org.admin, kind="event", title="Past event", starts_at=ago(hours=3), ends_at=ago(hours=2))
    running = new_task(org.admin, kind="event", title="Running", starts_at=ago(hours=1), ends_at=ahead(hours=1))
    assert late["overdue"] is True and past_event["overdue"] is True
    assert soon["overdue"] is False and undated["overdue"] is False and running["overdue"] is False
    assert sorted(ids(org.admin.get("/v1/tasks?overdue=true"))) == sorted([late["id"], past_event["id"]])
    assert sorted(ids(org.admin.get("/v1/tasks?overdue=false"))) == sorted([soon["id"], undated["id"], running["id"]])
    r = org.admin.patch("/v1/tasks/" + late["id"], {"status": "done"})
    assert r.json()["overdue"] is False
    r = org.admin.patch("/v1/tasks/" + past_event["id"], {"status": "cancelled"})
    assert r.json()["overdue"] is False
    assert ids(org.admin.get("/v1/tasks?overdue=true")) == []


# --------------------------------------------------------------------------
# Related records and visibility


def test_related_record_must_be_single_and_visible(crew):
    pipe = new_pipeline(crew.admin)
    mine_c = new_contact(crew.rep1)
    theirs_c = new_contact(crew.rep2)
    theirs_co = crew.rep2.post("/v1/companies", {"name": "Rep2 Co"}).json()
    theirs_d = new_deal(crew.rep2, pipe)
    mine_d = new_deal(crew.rep1, pipe)
    for extra, field in (({"contact_id": theirs_c["id"]}, "contact_id"),
                         ({"company_id": theirs_co["id"]}, "company_id"),
                         ({"deal_id": theirs_d["id"]}, "deal_id"),
                         ({"deal_id": str(uuid.uuid4())}, "deal_id"),
                         ({"contact_id": "x"}, "contact_id")):
        r = crew.rep1.post("/v1/tasks", dict(extra, title="T", kind="todo"))
        assert fields_named(r) == [field], (extra, r.text)
    r = crew.rep1.post("/v1/tasks", {"title": "T", "kind": "todo", "contact_id": mine_c["id"], "deal_id": mine_d["id"]})
    assert r.status_code == 422, r.text
    assert set(fields_named(r)) <= {"contact_id", "deal_id"} and fields_named(r)
    assert task_count(crew.org) == 0
    t = new_task(crew.rep1, deal_id=mine_d["id"])
    assert t["deal_id"] == mine_d["id"]
    assert ids(crew.rep1.get("/v1/tasks?deal_id=" + mine_d["id"])) == [t["id"]]
    r = crew.rep1.patch("/v1/tasks/" + t["id"], {"contact_id": mine_c["id"]})
    assert r.status_code == 422, r.text
    r = crew.rep1.patch("/v1/tasks/" + t["id"], {"contact_id": mine_c["id"], "deal_id": None})
    assert r.status_code == 200 and r.json()["contact_id"] == mine_c["id"] and r.json()["deal_id"] is None


def test_other_rep_cannot_see_or_touch(crew):
    t = new_task(crew.rep1, title="Private", kind="call", due_at=ahead(days=1))
    mine = new_task(crew.rep2)
    path = "/v1/tasks/" + t["id"]
    assert crew.rep2.get(path).status_code == 404
    assert crew.rep2.patch(path, {"title": "x"}).status_code == 404
    assert crew.rep2.patch(path, {"status": "done"}).status_code == 404
    assert crew.rep2.delete(path).status_code == 404
    assert ids(crew.rep2.get("/v1/tasks")) == [mine["id"]]
    assert ids(crew.rep2.get("/v1/tasks?assignee_id=" + crew.rep1_user["id"])) == []
    missing = crew.rep2.get("/v1/tasks/" + str(uuid.uuid4()))
    assert missing.status_code == 404 and crew.rep2.get(path).json()["title"] == missing.json()["title"]
    assert crew.rep1.get(path).json()["version"] == 1


def test_manager_sees_team_admin_sees_all(crew):
    a = new_task(crew.rep1)
    b = new_task(crew.rep2)
    m = new_task(crew.manager)
    assert sorted(ids(crew.manager.get("/v1/tasks"))) == sorted([a["id"], m["id"]])
    assert crew.manager.patch("/v1/tasks/" + a["id"], {"status": "done"}).status_code == 200
    assert crew.manager.get("/v1/tasks/" + b["id"]).status_code == 404
    assert crew.manager.delete("/v1/tasks/" + b["id"]).status_code == 404
    assert crew.rep1.get("/v1/tasks/" + m["id"]).status_code == 404
    assert sorted(ids(crew.admin.get("/v1/tasks"))) == sorted([a["id"], b["id"], m["id"]])


def test_visible_through_the_related_record(crew):
    c = new_contact(crew.rep1)
    # The manager's own task about rep1's contact: rep1 sees it through the contact.
    t = new_task(crew.manager, title="About your customer", contact_id=c["id"])
    assert t["assignee_id"] == crew.manager_user["id"]
    assert crew.rep1.get("/v1/tasks/" + t["id"]).status_code == 200
    assert t["id"] in ids(crew.rep1.get("/v1/tasks"))
    assert ids(crew.rep1.get("/v1/tasks?contact_id=" + c["id"])) == [t["id"]]
    assert crew.rep2.get("/v1/tasks/" + t["id"]).status_code == 404
    # The admin hands the contact to rep2: now rep2 sees it and rep1 no longer.
    assert crew.admin.patch("/v1/contacts/" + c["id"], {"owner_id": crew.rep2_user["id"]}).status_code == 200
    assert crew.rep2.get("/v1/tasks/" + t["id"]).status_code == 200
    assert crew.rep1.get("/v1/tasks/" + t["id"]).status_code == 404
    # The same through a deal.
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe)
    u = new_task(crew.manager, title="About your deal", deal_id=d["id"])
    assert crew.rep1.get("/v1/tasks/" + u["id"]).status_code == 200
    assert crew.rep1.patch("/v1/tasks/" + u["id"], {"status": "done"}).status_code == 200
    assert crew.rep2.get("/v1/tasks/" + u["id"]).status_code == 404
    assert u["id"] not in ids(crew.rep2.get("/v1/tasks"))


def test_merge_moves_tasks(crew):
    target = new_contact(crew.rep1)
    source = new_contact(crew.rep1)
    t = new_task(crew.rep1, contact_id=source["id"])
    r = crew.rep1.post("/v1/contacts/%s/merge" % target["id"], {"source_id": source["id"]})
    assert r.status_code == 200, r.text
    assert crew.rep1.get("/v1/tasks/" + t["id"]).json()["contact_id"] == target["id"]
    assert ids(crew.rep1.get("/v1/tasks?contact_id=" + target["id"])) == [t["id"]]


def test_assignment_follows_owner_rules(crew):
    for other in (crew.rep2_user["id"], crew.manager_user["id"], crew.admin_user["id"]):
        r = crew.rep1.post("/v1/tasks", {"title": "Gift", "kind": "todo", "assignee_id": other})
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("assignee_id", "forbidden")], r.text
    own = new_task(crew.rep1, assignee_id=crew.rep1_user["id"])
    assert fields_named(crew.rep1.patch("/v1/tasks/" + own["id"], {"assignee_id": crew.rep2_user["id"]})) == \
        ["assignee_id"]
    m = new_task(crew.manager, assignee_id=crew.rep1_user["id"])
    assert m["assignee"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert crew.rep1.get("/v1/tasks/" + m["id"]).status_code == 200
    r = crew.manager.post("/v1/tasks", {"title": "Out", "kind": "todo", "assignee_id": crew.rep2_user["id"]})
    assert fields_named(r) == ["assignee_id"]
    r = crew.admin.patch("/v1/tasks/" + own["id"], {"assignee_id": crew.rep2_user["id"]})
    assert r.status_code == 200 and r.json()["assignee_id"] == crew.rep2_user["id"]
    r = crew.admin.post("/v1/tasks", {"title": "T", "kind": "todo", "assignee_id": str(uuid.uuid4())})
    assert fields_named(r) == ["assignee_id"]


def test_api_key_scopes(crew):
    t = new_task(crew.rep1)
    reader = api_key(crew.org, "tasks:read")
    assert reader.get("/v1/tasks/" + t["id"]).status_code == 200
    assert t["id"] in ids(reader.get("/v1/tasks"))
    r = reader.post("/v1/tasks", {"title": "K", "kind": "todo", "assignee_id": crew.rep1_user["id"]})
    assert r.status_code == 403
    assert reader.patch("/v1/tasks/" + t["id"], {"title": "x"}).status_code == 403
    assert reader.delete("/v1/tasks/" + t["id"]).status_code == 403
    other = api_key(crew.org, "deals:read", "deals:write", "reminders:read")
    assert other.get("/v1/tasks").status_code == 403
    assert other.get("/v1/tasks/" + t["id"]).status_code == 403
    assert Api().get("/v1/tasks").status_code == 401
    writer = api_key(crew.org, "tasks:write", "tasks:read")
    r = writer.post("/v1/tasks", {"title": "From the integration", "kind": "call",
                                  "assignee_id": crew.rep2_user["id"]})
    assert r.status_code == 201, r.text
    assert crew.rep2.get("/v1/tasks/" + r.json()["id"]).status_code == 200


def test_other_organization_is_404(org, other_org):
    t = new_task(org.admin)
    path = "/v1/tasks/" + t["id"]
    o = other_org.admin
    assert o.get(path).status_code == 404
    assert o.patch(path, {"title": "x"}).status_code == 404
    assert o.delete(path).status_code == 404
    assert ids(o.get("/v1/tasks")) == []
    c = new_contact(org.admin)
    r = o.post("/v1/tasks", {"title": "T", "kind": "todo", "contact_id": c["id"]})
    assert fields_named(r) == ["contact_id"]
    r = o.post("/v1/tasks", {"title": "T", "kind": "todo", "assignee_id": org.admin.get("/v1/me").json()["id"]})
    assert fields_named(r) == ["assignee_id"]
    assert org.admin.get(path).json()["version"] == 1


# --------------------------------------------------------------------------
# Validation


INVALID = [
    ({"title": None}, "title"),
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"kind": None}, "kind"),
    ({"kind": "lunch"}, "kind"),
    ({"due_at": "tomorrow"}, "due_at"),
    ({"due_at": "2031-01-01T10:00:00"}, "due_at"),   # no offset
    ({"due_at": "2031-02-30T10:00:00Z"}, "due_at"),
    ({"reminder_at": "2031-01-01"}, "reminder_at"),
    ({"status": "waiting"}, "status"),
    ({"all_day": "yes"}, "all_day"),
    ({"assignee_id": "me"}, "assignee_id"),
    ({"notes": "n" * 10001}, "notes"),
    ({"overdue": False}, "overdue"),
    ({"completed_at": "2031-01-01T10:00:00Z"}, "completed_at"),
    ({"reminder_delivered_at": "2031-01-01T10:00:00Z"}, "reminder_delivered_at"),
    ({"assignee": "Ali"}, "assignee"),
    ({"version": 1}, "version"),
    ({"priority": "high"}, "priority"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    full = {"title": "Valid", "kind": "todo"}
    full.update(body)
    full = {k: v for k, v in full.items() if not (k in ("title", "kind") and v is None)}
    r = org.admin.post("/v1/tasks", full)
    assert r.status_code == 422, r.text
    assert field in fields_named(r), r.text
    assert task_count(org) == 0


def test_invalid_patches_are_named(org):
    t = new_task(org.admin)
    path = "/v1/tasks/" + t["id"]
    for body, field in (({"title": None}, "title"), ({"kind": None}, "kind"), ({"status": None}, "status"),
                        ({"id": str(uuid.uuid4())}, "id"), ({"overdue": True}, "overdue"),
                        ({"due_at": "soon"}, "due_at"), ({"color": "red"}, "color")):
        assert field in fields_named(org.admin.patch(path, body)), body
    assert org.admin.patch(path, {}).status_code == 422
    assert org.admin.get(path).json()["version"] == 1


def test_bad_list_parameters(org):
    for qs in ("status=later", "kind=lunch", "overdue=1", "due_from=2031-01-01", "due_to=yesterday",
               "sort=title", "assignee_id=me", "limit=0", "limit=201"):
        r = org.admin.get("/v1/tasks?" + qs)
        assert r.status_code == 400, (qs, r.text)
        assert r.json()["errors"][0]["field"] == qs.split("=")[0], qs


# --------------------------------------------------------------------------
# Lists


def test_filters_and_default_order(crew):
    org = crew.org
    pipe = new_pipeline(org.admin)
    c = new_contact(org.admin)
    co = org.admin.post("/v1/companies", {"name": "Task Co"}).json()
    d = new_deal(org.admin, pipe)
    t1 = new_task(org.admin, kind="call", due_at="2031-01-10T08:00:00Z", contact_id=c["id"])
    t2 = new_task(org.admin, kind="meeting", due_at="2031-01-05T08:00:00Z", company_id=co["id"],
                  assignee_id=crew.rep1_user["id"])
    t3 = new_task(org.admin, kind="todo", deal_id=d["id"])
    t4 = new_task(org.admin, kind="call", due_at="2031-01-20T08:00:00Z", status="done")

    def q(qs):
        return ids(org.admin.get("/v1/tasks?" + qs))

    assert q("") == [t2["id"], t1["id"], t4["id"], t3["id"]]  # due_at, nulls last
    assert [x for x in q("sort=-due_at") if x != t3["id"]] == [t4["id"], t1["id"], t2["id"]]
    assert q("sort=-created_at") == [t4["id"], t3["id"], t2["id"], t1["id"]]
    assert sorted(q("kind=call")) == sorted([t1["id"], t4["id"]])
    assert sorted(q("status=open")) == sorted([t1["id"], t2["id"], t3["id"]])
    assert q("status=done") == [t4["id"]]
    assert q("assignee_id=" + crew.rep1_user["id"]) == [t2["id"]]
    assert q("contact_id=" + c["id"]) == [t1["id"]]
    assert q("company_id=" + co["id"]) == [t2["id"]]
    assert q("deal_id=" + d["id"]) == [t3["id"]]
    # Offsets in the range: 2031-01-10T08:00Z is 11:30 in Tehran, 03:00 in New York.
    assert q("due_from=" + quote("2031-01-10T11:30:00+03:30")) == [t1["id"], t4["id"]]
    assert q("due_from=" + quote("2031-01-10T03:00:01-05:00")) == [t4["id"]]
    assert q("due_to=" + quote("2031-01-10T11:30:00+03:30")) in ([t2["id"], t1["id"]], [t2["id"]])
    assert q("due_from=2031-01-05T08:00:00Z&due_to=2031-01-06T00:00:00Z") == [t2["id"]]
    rows, cursor = [], None
    while True:
        r = org.admin.get("/v1/tasks?limit=3" + ("&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200, r.text
        rows += ids(r)
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert rows == [t2["id"], t1["id"], t4["id"], t3["id"]]


# --------------------------------------------------------------------------
# Agenda


# The day 2030-03-01 in Tehran (+03:30): [2030-02-28T20:30Z, 2030-03-01T20:30Z).
DAY_TEHRAN = ("2030-03-01T00:00:00+03:30", "2030-03-02T00:00:00+03:30")
DAY_UTC = ("2030-02-28T20:30:00Z", "2030-03-01T20:30:00Z")
DAY_NY = ("2030-02-28T15:30:00-05:00", "2030-03-01T15:30:00-05:00")


def agenda(api, frm, to, user_id=None, status=200):
    qs = "from=%s&to=%s" % (quote(frm, safe=""), quote(to, safe=""))
    if user_id:
        qs += "&user_id=" + user_id
    r = api.get("/v1/agenda?" + qs)
    assert r.status_code == status, r.text
    return r


@pytest.fixture
def day(crew):
    """rep1's items around the Tehran day 2030-03-01; returns (inside ids in order, outside ids)."""
    rep = crew.rep1
    inside = {
        "at_start": new_task(rep, kind="call", title="due at from", due_at="2030-03-01T00:00:00+03:30"),
        "before_end": new_task(rep, kind="follow_up", title="due 1s before to", due_at="2030-03-01T20:29:59Z"),
        "noon": new_task(rep, kind="meeting", title="noon Tehran", due_at="2030-03-01T12:00:00+03:30",
                         status="done"),
        "ev_over_start": new_task(rep, kind="event", title="overlaps from",
                                  starts_at="2030-02-28T19:00:00Z", ends_at="2030-02-28T21:00:00Z"),
        "ev_ends_at_start": new_task(rep, kind="event", title="ends exactly at from",
                                     starts_at="2030-02-28T18:00:00Z", ends_at="2030-02-28T20:30:00Z"),
        "ev_point": new_task(rep, kind="event", title="starts at from, no end", starts_at="2030-02-28T20:30:00Z"),
        "ev_over_end": new_task(rep, kind="event", title="overlaps to",
                                starts_at="2030-03-01T20:29:00Z", ends_at="2030-03-02T02:00:00Z"),
        "ev_all_day": new_task(rep, kind="event", title="all day", all_day=True,
                               starts_at="2030-03-01T00:00:00+03:30", ends_at="2030-03-02T00:00:00+03:30"),
        "ev_spanning": new_task(rep, kind="event", title="week-long", starts_at="2030-02-25T00:00:00Z",
                                ends_at="2030-03-05T00:00:00Z"),
    }
    outside = [
        new_task(rep, kind="call", title="due 1s before from", due_at="2030-02-28T20:29:59Z"),
        new_task(rep, kind="call", title="due at to", due_at="2030-03-02T00:00:00+03:30"),
        new_task(rep, kind="event", title="ends before from", starts_at="2030-02-28T18:00:00Z",
                 ends_at="2030-02-28T20:29:59Z"),
        new_task(rep, kind="event", title="starts at to", starts_at="2030-03-01T20:30:00Z",
                 ends_at="2030-03-01T22:00:00Z"),
        new_task(rep, kind="event", title="point before from", starts_at="2030-02-28T20:29:59Z"),
        new_task(rep, kind="call", title="cancelled", due_at="2030-03-01T10:00:00Z", status="cancelled"),
        new_task(rep, title="no date"),
        new_task(crew.manager, kind="call", title="manager's", due_at="2030-03-01T10:00:00Z"),
        new_task(crew.rep2, kind="call", title="rep2's", due_at="2030-03-01T10:00:00Z"),
    ]
    gone = new_task(rep, kind="call", title="deleted", due_at="2030-03-01T10:00:00Z")
    assert rep.delete("/v1/tasks/" + gone["id"]).status_code == 204
    outside.append(gone)

    def key(t):
        return (at(t["starts_at"] or t["due_at"]), t["id"])
    ordered = [t["id"] for t in sorted(inside.values(), key=key)]
    return ordered, [t["id"] for t in outside]


def test_agenda_range_in_tehran_time(crew, day):
    inside, outside = day
    r = agenda(crew.rep1, *DAY_TEHRAN)
    got = ids(r)
    assert set(got) == set(inside), [x["title"] for x in r.json()["data"]]
    assert not set(got) & set(outside)
    # Ordered by coalesce(starts_at, due_at).
    keys = [at(x["starts_at"] or x["due_at"]) for x in r.json()["data"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize("rng", [DAY_UTC, DAY_NY], ids=["Z", "-05:00"])
def test_agenda_same_range_in_other_offsets(crew, day, rng):
    inside, _ = day
    assert sorted(ids(agenda(crew.rep1, *rng))) == sorted(inside)


def test_agenda_narrow_and_mixed_offsets(crew, day):
    # [10:00, 12:00) Tehran = [06:30Z, 08:30Z): noon Tehran (08:30Z) is the end, so outside.
    r = agenda(crew.rep1, "2030-03-01T10:00:00+03:30", "2030-03-01T03:30:00-05:00")
    titles = sorted(x["title"] for x in r.json()["data"])
    assert titles == ["all day", "week-long"]
    r = agenda(crew.rep1, "2030-03-01T06:30:00Z", "2030-03-01T08:30:01Z")
    assert sorted(x["title"] for x in r.json()["data"]) == ["all day", "noon Tehran", "week-long"]


def test_agenda_of_someone_else(crew, day):
    inside, _ = day
    # A manager may ask for a member of their team; the admin for anyone.
    assert sorted(ids(agenda(crew.manager, *DAY_TEHRAN, user_id=crew.rep1_user["id"]))) == sorted(inside)
    assert sorted(ids(agenda(crew.admin, *DAY_TEHRAN, user_id=crew.rep1_user["id"]))) == sorted(inside)
    assert [x["title"] for x in agenda(crew.admin, *DAY_TEHRAN, user_id=crew.rep2_user["id"]).json()["data"]] == \
        ["rep2's"]
    assert [x["title"] for x in agenda(crew.manager, *DAY_TEHRAN).json()["data"]] == ["manager's"]
    # Not your team: 403. A rep may ask for nobody else.
    agenda(crew.manager, *DAY_TEHRAN, user_id=crew.rep2_user["id"], status=403)
    agenda(crew.rep1, *DAY_TEHRAN, user_id=crew.rep2_user["id"], status=403)
    agenda(crew.rep1, *DAY_TEHRAN, user_id=crew.manager_user["id"], status=403)
    agenda(crew.rep2, *DAY_TEHRAN, user_id=crew.rep1_user["id"], status=403)
    assert sorted(ids(agenda(crew.rep1, *DAY_TEHRAN, user_id=crew.rep1_user["id"]))) == sorted(inside)
    # Nobody of that id in the organization.
    r = crew.admin.get("/v1/agenda?from=%s&to=%s&user_id=%s" % (quote(DAY_UTC[0]), quote(DAY_UTC[1]), uuid.uuid4()))
    assert r.status_code in (403, 404), r.text


def test_agenda_other_organization_user(crew, other_org):
    stranger = other_org.admin.get("/v1/me").json()
    r = crew.admin.get("/v1/agenda?from=%s&to=%s&user_id=%s" % (quote(DAY_UTC[0]), quote(DAY_UTC[1]), stranger["id"]))
    assert r.status_code in (403, 404), r.text
    assert ids(agenda(other_org.admin, *DAY_UTC)) == []


def test_agenda_range_validation(org):
    def bad(qs, status, field):
        r = org.admin.get("/v1/agenda?" + qs)
        assert r.status_code == status, (qs, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (qs, r.text)
    bad("from=2030-03-01T00:00:00Z&to=2030-03-01T00:00:00Z", 422, "to")          # empty range
    bad("from=2030-03-02T00:00:00Z&to=2030-03-01T00:00:00Z", 422, "to")          # reversed
    bad("from=2030-03-01T04:00:00%2B03:30&to=2030-03-01T00:30:00Z", 422, "to")   # same instant
    bad("from=2030-01-01T00:00:00Z&to=2030-04-03T00:00:01Z", 422, "to")          # more than 92 days
    bad("from=2030-03-01&to=2030-03-02T00:00:00Z", 400, "from")
    bad("from=2030-03-01T00:00:00Z&to=tomorrow", 400, "to")
    bad("from=2030-03-01T00:00:00+03:30&to=2030-03-02T00:00:00Z", 400, "from")   # an unencoded '+' is a space
    bad("to=2030-03-02T00:00:00Z", 422, "from")
    bad("from=2030-03-02T00:00:00Z", 422, "to")
    bad("from=2030-03-01T00:00:00Z&to=2030-03-02T00:00:00Z&user_id=x", 400, "user_id")
    r = org.admin.get("/v1/agenda?from=2030-01-01T00:00:00Z&to=2030-04-03T00:00:00Z")  # exactly 92 days
    assert r.status_code == 200, r.text


def test_agenda_needs_tasks_read(crew):
    r = api_key(crew.org, "deals:read").get("/v1/agenda?from=%s&to=%s&user_id=%s" % (
        quote(DAY_UTC[0]), quote(DAY_UTC[1]), crew.rep1_user["id"]))
    assert r.status_code == 403


# --------------------------------------------------------------------------
# Concurrency, retries, audit


def test_stale_if_match_is_412_with_current(org):
    t = new_task(org.admin, title="First")
    path = "/v1/tasks/" + t["id"]
    r = org.admin.patch(path, {"title": "Second"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"status": "done"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert r.json()["current"]["title"] == "Second" and r.json()["current"]["version"] == 2
    assert r.json()["current"]["status"] == "open"
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.get(path).json()["completed_at"] is None
    assert org.admin.delete(path, headers={"If-Match": '"2"'}).status_code == 204


def test_idempotent_create(org):
    key = "k-" + uuid.uuid4().hex
    body = {"title": "Offline task", "kind": "call", "due_at": "2031-01-01T10:00:00+03:30"}
    a = org.admin.post("/v1/tasks", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/tasks", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json() == b.json() and a.headers["Location"] == b.headers["Location"]
    assert task_count(org) == 1
    r = org.admin.post("/v1/tasks", dict(body, title="Changed"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert task_count(org) == 1


def test_client_supplied_id(org):
    tid = str(uuid.uuid4())
    assert new_task(org.admin, id=tid)["id"] == tid
    assert org.admin.post("/v1/tasks", {"id": tid, "title": "Again", "kind": "todo"}).status_code == 409


def test_audit_has_old_new_and_actor(crew):
    t = new_task(crew.rep1, title="Before")
    rid = "req-" + uuid.uuid4().hex[:10]
    r = crew.manager.patch("/v1/tasks/" + t["id"], {"title": "After", "status": "done"},
                           headers={"X-Request-Id": rid})
    assert r.status_code == 200, r.text
    rows = audit_rows(crew.admin, record_id=t["id"])
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd, ins = rows
    assert upd["table"] == "tasks" and upd["record_id"] == t["id"]
    assert upd["actor"] == {"type": "user", "id": crew.manager_user["id"]} and upd["request_id"] == rid
    assert upd["old"]["title"] == "Before" and upd["new"]["title"] == "After"
    assert upd["old"]["status"] == "open" and upd["new"]["status"] == "done"
    assert upd["old"]["completed_at"] is None and upd["new"]["completed_at"]
    assert ins["actor"] == {"type": "user", "id": crew.rep1_user["id"]} and ins["new"]["title"] == "Before"
    assert crew.rep1.delete("/v1/tasks/" + t["id"]).status_code == 204
    assert len(audit_rows(crew.admin, record_id=t["id"])) == 3


def test_audit_filter_knows_tasks(org):
    t = new_task(org.admin)
    assert [e["record_id"] for e in audit_rows(org.admin, table="tasks")] == [t["id"]]
    assert [e["action"] for e in audit_rows(org.admin, table="tasks", record_id=t["id"])] == ["insert"]
