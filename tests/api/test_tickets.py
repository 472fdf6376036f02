"""Tickets: numbers, status moves, SLA clocks and breaches, the conversation, satisfaction."""
import datetime
import uuid

import pytest

from conftest import (Api, api_key, audit_rows, fields_named, ids, new_contact, new_deal,
                      new_pipeline, parse_ts, psql, rfc3339, system_sql)

UTC = datetime.timezone.utc
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu", "fri")}


def new_ticket(api, contact, **fields):
    """Opens a ticket on contact (201 expected); returns its JSON."""
    fields.setdefault("subject", "Ticket " + uuid.uuid4().hex[:6])
    fields["contact_id"] = contact["id"]
    r = api.post("/v1/tickets", fields)
    assert r.status_code == 201, r.text
    return r.json()


def new_policy(admin, **fields):
    fields.setdefault("name", "Policy " + uuid.uuid4().hex[:6])
    fields.setdefault("priority", "normal")
    fields.setdefault("first_response_minutes", 60)
    fields.setdefault("resolution_minutes", 480)
    r = admin.post("/v1/sla-policies", fields)
    assert r.status_code == 201, r.text
    return r.json()


def path_of(t):
    return "/v1/tickets/" + t["id"]


def move(api, t, status):
    return api.patch(path_of(t), {"status": status})


def moved(api, t, status):
    r = move(api, t, status)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == status
    return r.json()


def reply(api, t, kind="reply", **fields):
    r = api.post(path_of(t) + "/comments", dict(fields, kind=kind, body=fields.get("body", "سلام")))
    assert r.status_code == 201, r.text
    return r.json()


def get(api, t):
    r = api.get(path_of(t))
    assert r.status_code == 200, r.text
    return r.json()


def ticket_count(org):
    return int(psql("SELECT count(*) FROM crm.tickets WHERE org_id = :'a1' AND deleted_at IS NULL", org.id))


def timeline_events(api, contact):
    r = api.get("/v1/contacts/%s/timeline?type=system" % contact["id"])
    assert r.status_code == 200, r.text
    return [(e["event"], e["data"]) for e in r.json()["data"] if e["event"].startswith("ticket_")]


def shift(t, **kw):
    """Moves a ticket's clocks into the past, as if time had passed."""
    system_sql("UPDATE crm.tickets SET first_response_due_at = first_response_due_at - :'a2'::interval,"
               " resolution_due_at = resolution_due_at - :'a2'::interval,"
               " resolution_clock_at = resolution_clock_at - :'a2'::interval,"
               " created_at = created_at - :'a2'::interval, resolved_at = resolved_at - :'a2'::interval"
               " WHERE id = :'a1'", t["id"], "%d seconds" % datetime.timedelta(**kw).total_seconds())


# --------------------------------------------------------------------------
# Happy path


def test_lifecycle(crew):
    c = new_contact(crew.rep1, display_name="مریم احمدی")
    r = crew.rep1.post("/v1/tickets", {"subject": "  قطعی اینترنت ", "contact_id": c["id"],
                                       "description": "از دیروز", "channel": "phone", "type": "incident",
                                       "tags": ["اینترنت"]})
    assert r.status_code == 201, r.text
    t = r.json()
    assert r.headers["Location"] == path_of(t) and r.headers["ETag"] == '"1"'
    assert t["number"] == "T-1" and t["status"] == "new" and t["priority"] == "normal"
    assert t["contact"] == {"id": c["id"], "display_name": "مریم احمدی"}
    assert t["assignee_id"] == crew.rep1_user["id"]
    assert t["assignee"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert t["channel"] == "phone" and t["type"] == "incident" and t["tags"] == ["اینترنت"]
    assert t["sla"] is None  # no policy yet
    assert t["first_response_at"] is None and t["resolved_at"] is None and t["reopen_count"] == 0
    assert get(crew.rep1, t) == t
    second = new_ticket(crew.rep1, c)
    assert second["number"] == "T-2"
    assert ids(crew.rep1.get("/v1/tickets")) == [second["id"], t["id"]]

    t = moved(crew.rep1, t, "open")
    t = moved(crew.rep1, t, "pending")
    t = moved(crew.rep1, t, "resolved")
    assert t["resolved_at"] is not None and t["version"] == 4
    t = moved(crew.rep1, t, "closed")
    assert t["closed_at"] is not None
    events = [e for e, _ in timeline_events(crew.rep1, c)]
    assert events.count("ticket_created") == 2 and events.count("ticket_status") == 4

    r = crew.rep1.delete(path_of(t), headers={"If-Match": '"5"'})
    assert r.status_code == 204
    assert crew.rep1.get(path_of(t)).status_code == 404
    assert ids(crew.rep1.get("/v1/tickets")) == [second["id"]]
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.tickets WHERE id = :'a1'", t["id"]) == "t"


def test_numbers_are_per_organization(org, other_org):
    a = new_ticket(org.admin, new_contact(org.admin))
    b = new_ticket(other_org.admin, new_contact(other_org.admin))
    assert a["number"] == b["number"] == "T-1"


def test_client_supplied_id_and_defaults_by_key(crew):
    c = new_contact(crew.rep1)
    tid = str(uuid.uuid4())
    t = new_ticket(crew.rep1, c, id=tid, status="pending", priority="urgent")
    assert t["id"] == tid and t["status"] == "pending" and t["priority"] == "urgent"
    assert t["channel"] == "web"
    r = crew.rep1.post("/v1/tickets", {"id": tid, "subject": "again", "contact_id": c["id"]})
    assert r.status_code == 409, r.text
    key = api_key(crew.org, "tickets:read", "tickets:write")
    k = new_ticket(key, c, assignee_id=crew.rep1_user["id"])
    assert k["channel"] == "api" and k["created_by"] is None
    r = key.post("/v1/tickets", {"subject": "no assignee", "contact_id": c["id"]})
    assert fields_named(r) == ["assignee_id"]


def test_company_defaults_from_the_contact_and_links_are_checked(crew):
    r = crew.rep1.post("/v1/companies", {"name": "Kish Air"})
    assert r.status_code == 201, r.text
    co = r.json()
    c = new_contact(crew.rep1, company_id=co["id"])
    assert new_ticket(crew.rep1, c)["company_id"] == co["id"]
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe, contact_id=c["id"])
    assert new_ticket(crew.rep1, c, deal_id=d["id"])["deal_id"] == d["id"]
    theirs = new_contact(crew.rep2)
    their_deal = new_deal(crew.rep2, pipe)
    assert fields_named(crew.rep1.post("/v1/tickets", {"subject": "x", "contact_id": theirs["id"]})) == ["contact_id"]
    assert fields_named(crew.rep1.post("/v1/tickets", {"subject": "x", "contact_id": c["id"],
                                                       "deal_id": their_deal["id"]})) == ["deal_id"]
    assert fields_named(crew.rep1.post("/v1/tickets", {"subject": "x", "contact_id": c["id"],
                                                       "team_id": str(uuid.uuid4())})) == ["team_id"]
    t = new_ticket(crew.rep1, c, team_id=crew.team_id)
    assert t["team_id"] == crew.team_id


def test_external_id_is_unique(crew):
    c = new_contact(crew.rep1)
    key = api_key(crew.org, "tickets:read", "tickets:write")
    body = {"subject": "from the SMS panel", "contact_id": c["id"], "external_id": "sms-771",
            "assignee_id": crew.rep1_user["id"]}
    first = key.post("/v1/tickets", body)
    assert first.status_code == 201, first.text
    again = key.post("/v1/tickets", body)
    assert again.status_code == 409, again.text
    assert again.json()["existing_id"] == first.json()["id"]
    assert again.json()["errors"][0]["field"] == "external_id"
    r = crew.rep1.patch(path_of(first.json()), {"external_id": "sms-772"})
    assert fields_named(r) == ["external_id"]
    assert ticket_count(crew.org) == 1


# --------------------------------------------------------------------------
# Status moves

ALLOWED = {"new": {"open", "pending", "resolved"}, "open": {"pending", "resolved"},
           "pending": {"open", "resolved"}, "resolved": {"open", "closed"}, "closed": set()}
INVALID_MOVES = [(a, b) for a in ALLOWED for b in ALLOWED if b != a and b not in ALLOWED[a]]


def ticket_in(api, contact, status):
    if status in ("new", "open", "pending"):
        return new_ticket(api, contact, status=status)
    t = moved(api, new_ticket(api, contact), "resolved")
    return t if status == "resolved" else moved(api, t, "closed")


@pytest.mark.parametrize("start,to", INVALID_MOVES, ids=["%s-%s" % m for m in INVALID_MOVES])
def test_every_invalid_transition_names_the_allowed_ones(org, start, to):
    t = ticket_in(org.admin, new_contact(org.admin), start)
    r = move(org.admin, t, to)
    assert r.status_code == 422, r.text
    [e] = r.json()["errors"]
    assert e["field"] == "status" and e["code"] == "invalid_transition"
    for s in ALLOWED[start]:
        assert s in e["message"], e
    if not ALLOWED[start]:
        assert "cannot change status" in e["message"]
    assert get(org.admin, t)["version"] == t["version"]


def test_reopen_counts_and_the_window(org):
    c = new_contact(org.admin)
    t = moved(org.admin, new_ticket(org.admin, c), "resolved")
    t = moved(org.admin, t, "open")
    assert t["resolved_at"] is None and t["reopen_count"] == 1
    t = moved(org.admin, moved(org.admin, t, "resolved"), "open")
    assert t["reopen_count"] == 2
    t = moved(org.admin, t, "resolved")
    shift(t, days=8)  # the default window is 7 days
    r = move(org.admin, t, "open")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "reopen_window_passed", r.text
    assert "7 days" in r.json()["errors"][0]["message"]
    s = org.admin.get("/v1/ticket-settings").json()
    r = org.admin.patch("/v1/ticket-settings", {"reopen_days": 30}, headers={"If-Match": '"%d"' % s["version"]})
    assert r.status_code == 200, r.text
    assert moved(org.admin, t, "open")["reopen_count"] == 3


# --------------------------------------------------------------------------
# SLA clocks


def test_sla_around_the_clock(org):
    pol = new_policy(org.admin, priority="high", first_response_minutes=30, resolution_minutes=240)
    t = new_ticket(org.admin, new_contact(org.admin), priority="high")
    sla = t["sla"]
    created = parse_ts(t["created_at"])
    assert sla["policy"] == {"id": pol["id"], "name": pol["name"]} and sla["business_hours"] is False
    fr, res = sla["first_response"], sla["resolution"]
    assert fr["target_minutes"] == 30 and res["target_minutes"] == 240
    assert parse_ts(fr["due_at"]) - created == datetime.timedelta(minutes=30)
    assert parse_ts(res["due_at"]) - created == datetime.timedelta(minutes=240)
    assert 30 * 60 - 60 < fr["remaining_seconds"] <= 30 * 60 and fr["breached"] is False
    assert res["paused"] is False and res["breached"] is False
    # A ticket of another priority gets no policy.
    assert new_ticket(org.admin, new_contact(org.admin), priority="low")["sla"] is None


def test_breaches_are_right_when_read(org):
    new_policy(org.admin, first_response_minutes=30, resolution_minutes=60)
    c = new_contact(org.admin)
    late = new_ticket(org.admin, c)
    fine = new_ticket(org.admin, c)
    shift(late, minutes=45)
    got = get(org.admin, late)["sla"]
    assert got["first_response"]["breached"] is True and got["resolution"]["breached"] is False
    assert -15 * 60 - 60 < got["first_response"]["remaining_seconds"] <= -15 * 60
    assert ids(org.admin.get("/v1/tickets?breached=first_response")) == [late["id"]]
    assert ids(org.admin.get("/v1/tickets?breached=resolution")) == []
    shift(late, minutes=30)
    assert ids(org.admin.get("/v1/tickets?breached=resolution")) == [late["id"]]
    # A late answer keeps the breach; resolving keeps the resolution breach.
    reply(org.admin, late)
    late = moved(org.admin, get(org.admin, late), "resolved")
    assert late["sla"]["first_response"]["breached"] is True
    assert late["sla"]["resolution"]["breached"] is True and late["sla"]["resolution"]["due_at"] is None
    assert get(org.admin, fine)["sla"]["first_response"]["breached"] is False
    soon = rfc3339(datetime.datetime.now(UTC) + datetime.timedelta(minutes=31))
    assert ids(org.admin.get("/v1/tickets?due_before=" + soon)) == [fine["id"]]


def test_business_hours_skip_holidays_and_pause_in_pending(org):
    today = datetime.datetime.now(UTC).date()
    holidays = [str(today), str(today + datetime.timedelta(days=1))]
    new_policy(org.admin, priority="urgent", first_response_minutes=60, resolution_minutes=480,
               business_hours={"time_zone": "UTC", "week": ALL_DAY, "holidays": holidays})
    t = new_ticket(org.admin, new_contact(org.admin), priority="urgent")
    assert parse_ts(t["created_at"]).date() in (today, today + datetime.timedelta(days=1))
    work_starts = datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(), UTC)
    sla = t["sla"]
    assert sla["business_hours"] is True
    assert parse_ts(sla["first_response"]["due_at"]) == work_starts + datetime.timedelta(hours=1)
    assert parse_ts(sla["resolution"]["due_at"]) == work_starts + datetime.timedelta(hours=8)
    # Pending pauses the resolution clock: no working time has passed on a holiday.
    p = moved(org.admin, t, "pending")["sla"]["resolution"]
    assert p["paused"] is True and p["due_at"] is None and p["remaining_seconds"] == 8 * 3600
    back = moved(org.admin, get(org.admin, t), "open")["sla"]["resolution"]
    assert back["paused"] is False and parse_ts(back["due_at"]) == work_starts + datetime.timedelta(hours=8)


def test_most_specific_policy_wins_and_policy_changes_apply_to_new_tickets(org):
    general = new_policy(org.admin, priority="high", first_response_minutes=60)
    by_phone = new_policy(org.admin, priority="high", channel="phone", first_response_minutes=15)
    vip = new_policy(org.admin, priority="high", channel="phone", tag="VIP", first_response_minutes=5)
    c = new_contact(org.admin)
    assert new_ticket(org.admin, c, priority="high", channel="email")["sla"]["policy"]["id"] == general["id"]
    phone = new_ticket(org.admin, c, priority="high", channel="phone")
    assert phone["sla"]["policy"]["id"] == by_phone["id"]
    assert new_ticket(org.admin, c, priority="high", channel="phone", tags=["vip"])["sla"]["policy"]["id"] == vip["id"]
    r = org.admin.patch("/v1/sla-policies/" + by_phone["id"], {"first_response_minutes": 120})
    assert r.status_code == 200, r.text
    assert get(org.admin, phone)["sla"]["first_response"]["target_minutes"] == 15
    assert new_ticket(org.admin, c, priority="high", channel="phone")["sla"]["first_response"]["target_minutes"] == 120
    # Re-prioritizing an unresolved ticket matches again.
    r = org.admin.patch(path_of(phone), {"priority": "low"})
    assert r.status_code == 200 and r.json()["sla"] is None
    r = org.admin.patch(path_of(phone), {"priority": "high", "tags": ["VIP"]})
    assert r.json()["sla"]["policy"]["id"] == vip["id"]
    created = parse_ts(phone["created_at"])
    assert parse_ts(r.json()["sla"]["first_response"]["due_at"]) - created == datetime.timedelta(minutes=5)


# --------------------------------------------------------------------------
# The conversation


def test_first_response_only_by_an_agents_public_reply(crew):
    new_policy(crew.admin, first_response_minutes=60)
    c = new_contact(crew.rep1)
    t = new_ticket(crew.rep1, c)
    note = reply(crew.rep1, t, kind="note", body="یادداشت داخلی")
    assert note["kind"] == "note" and note["author"] == {"type": "user", "id": crew.rep1_user["id"],
                                                         "name": crew.rep1_user["name"]}
    gateway = api_key(crew.org, "tickets:read", "tickets:write")
    msg = reply(gateway, t, author_contact_id=c["id"], body="هنوز وصل نیست")
    assert msg["author"] == {"type": "contact", "id": c["id"], "name": c["display_name"]}
    got = get(crew.rep1, t)
    assert got["first_response_at"] is None and got["status"] == "new"
    assert got["sla"]["first_response"]["remaining_seconds"] is not None
    answer = reply(crew.rep1, t, body="در حال بررسی", attachments=[
        {"url": "https://files.example.com/a.png", "name": "a.png", "content_type": "image/png", "size": 1024}])
    assert answer["attachments"] == [{"url": "https://files.example.com/a.png", "name": "a.png",
                                      "content_type": "image/png", "size": 1024}]
    got = get(crew.rep1, t)
    assert got["first_response_at"] == answer["created_at"] and got["status"] == "open"
    assert got["sla"]["first_response"]["remaining_seconds"] is None
    reply(crew.rep1, t, body="again")
    assert get(crew.rep1, t)["first_response_at"] == answer["created_at"]
    r = crew.rep1.get(path_of(t) + "/comments?limit=2")
    assert r.status_code == 200, r.text
    page = r.json()
    assert [x["id"] for x in page["data"]] == [note["id"], msg["id"]] and page["next_cursor"]
    rest = crew.rep1.get(path_of(t) + "/comments?limit=2&cursor=" + page["next_cursor"]).json()
    assert [x["body"] for x in rest["data"]] == ["در حال بررسی", "again"] and rest["next_cursor"] is None
    events = timeline_events(crew.rep1, c)
    replies = [d["author"] for e, d in events if e == "ticket_reply"]
    assert sorted(replies) == ["contact", "user", "user"]


def test_customer_reply_moves_pending_and_resolved_back_to_open(crew):
    c = new_contact(crew.rep1)
    gateway = api_key(crew.org, "tickets:read", "tickets:write")
    t = new_ticket(crew.rep1, c, status="pending")
    reply(gateway, t, author_contact_id=c["id"])
    assert get(crew.rep1, t)["status"] == "open"
    t = moved(crew.rep1, get(crew.rep1, t), "resolved")
    reply(gateway, t, author_contact_id=c["id"])
    got = get(crew.rep1, t)
    assert got["status"] == "open" and got["reopen_count"] == 1 and got["resolved_at"] is None
    # An agent's reply does not reopen; a note never moves the ticket.
    t = moved(crew.rep1, got, "resolved")
    reply(crew.rep1, t, kind="note")
    reply(crew.rep1, t)
    assert get(crew.rep1, t)["status"] == "resolved"
    # Closed takes no public reply, from anyone.
    t = moved(crew.rep1, get(crew.rep1, t), "closed")
    r = gateway.post(path_of(t) + "/comments", {"kind": "reply", "body": "x", "author_contact_id": c["id"]})
    assert r.status_code == 409, r.text
    r = crew.rep1.post(path_of(t) + "/comments", {"kind": "reply", "body": "x"})
    assert r.status_code == 409, r.text
    reply(crew.rep1, t, kind="note", body="after closing")


def test_comment_validation(crew):
    c = new_contact(crew.rep1)
    t = new_ticket(crew.rep1, c)
    gateway = api_key(crew.org, "tickets:read", "tickets:write")
    cases = [
        ({"body": "x"}, "kind"),
        ({"kind": "reply"}, "body"),
        ({"kind": "shout", "body": "x"}, "kind"),
        ({"kind": "reply", "body": ""}, "body"),
        ({"kind": "reply", "body": "x", "attachments": [{"url": "ftp://x"}]}, "attachments[0].url"),
        ({"kind": "reply", "body": "x", "attachments": [{"name": "a"}]}, "attachments[0].url"),
        ({"kind": "reply", "body": "x", "attachments": [{"url": "https://a.b/c", "size": -1}]},
         "attachments[0].size"),
        ({"kind": "reply", "body": "x", "author_contact_id": new_contact(crew.rep1)["id"]}, "author_contact_id"),
        ({"kind": "note", "body": "x", "author_contact_id": c["id"]}, "kind"),
        ({"kind": "reply", "body": "x", "id": str(uuid.uuid4())}, "id"),
    ]
    for body, field in cases:
        r = crew.rep1.post(path_of(t) + "/comments", body)
        assert field in fields_named(r), (body, r.text)
    assert fields_named(gateway.post(path_of(t) + "/comments", {"kind": "reply", "body": "x"})) == \
        ["author_contact_id"]
    assert crew.rep1.get(path_of(t) + "/comments").json()["data"] == []
    assert get(crew.rep1, t)["version"] == 1


# --------------------------------------------------------------------------
# Satisfaction


def test_satisfaction_rules(crew):
    c = new_contact(crew.rep1)
    t = new_ticket(crew.rep1, c)
    sat = path_of(t) + "/satisfaction"
    r = crew.rep1.post(sat, {"rating": 5})
    assert r.status_code == 409, r.text  # too early
    t = moved(crew.rep1, t, "resolved")
    assert crew.admin.post(sat, {"rating": 4}).status_code == 403  # not the assignee
    assert crew.manager.post(sat, {"rating": 4}).status_code == 403
    reader = api_key(crew.org, "tickets:read", "tickets:write")
    assert reader.post(sat, {"rating": 4}).status_code == 403  # no tickets:csat
    first = crew.rep1.post(sat, {"rating": 4, "comment": "خوب بود"})
    assert first.status_code == 201, first.text
    assert first.json()["resolution"] == 1 and first.json()["recorded_by"] == {"type": "user",
                                                                             "id": crew.rep1_user["id"]}
    r = crew.rep1.post(sat, {"rating": 5})
    assert r.status_code == 409 and "already" in r.json()["detail"], r.text  # twice
    t = moved(crew.rep1, moved(crew.rep1, t, "open"), "resolved")
    survey = api_key(crew.org, "tickets:csat")
    second = survey.post(sat, {"rating": 2})
    assert second.status_code == 201, second.text
    assert second.json()["resolution"] == 2 and second.json()["recorded_by"]["type"] == "api_key"
    assert survey.get(sat).status_code == 403  # a survey key reads nothing
    moved(crew.rep1, t, "closed")
    assert crew.rep1.post(sat, {"rating": 1}).status_code == 409
    r = crew.manager.get(sat)
    assert r.status_code == 200, r.text
    assert [(x["resolution"], x["rating"]) for x in r.json()["data"]] == [(1, 4), (2, 2)]
    ratings = [d["rating"] for e, d in timeline_events(crew.rep1, c) if e == "ticket_rating"]
    assert sorted(ratings) == [2, 4]
    for body, field in (({}, "rating"), ({"rating": 0}, "rating"), ({"rating": 6}, "rating"),
                        ({"rating": "5"}, "rating"), ({"rating": 3, "comment": "x" * 10001}, "comment")):
        assert fields_named(crew.rep1.post(sat, body)) == [field], body


# --------------------------------------------------------------------------
# The contact: lookup and merge


def test_lookup_lists_open_tickets_with_sla_state(crew):
    new_policy(crew.admin, priority="urgent", first_response_minutes=10)
    c = new_contact(crew.rep1, display_name="Caller", phones=[{"number": "09121230011"}])
    late = new_ticket(crew.rep1, c, priority="urgent", subject="late")
    shift(late, minutes=20)
    fresh = new_ticket(crew.rep1, c, subject="fresh", status="open")
    moved(crew.rep1, new_ticket(crew.rep1, c, subject="done"), "resolved")
    r = crew.rep1.get("/v1/lookup/phone?number=09121230011")
    assert r.status_code == 200, r.text
    [m] = r.json()["matches"]
    by_id = {x["id"]: x for x in m["open_tickets"]}
    assert set(by_id) == {late["id"], fresh["id"]}
    assert by_id[late["id"]]["breached"] is True and by_id[late["id"]]["number"] == late["number"]
    assert by_id[late["id"]]["due_at"] is not None
    assert by_id[fresh["id"]] == {"id": fresh["id"], "number": fresh["number"], "subject": "fresh",
                                  "status": "open", "priority": "normal", "due_at": None, "breached": False}


def test_merge_moves_tickets(crew):
    target = new_contact(crew.rep1, display_name="Target")
    source = new_contact(crew.rep1, display_name="Source")
    t = new_ticket(crew.rep1, source)
    r = crew.rep1.post("/v1/contacts/%s/merge" % target["id"], {"source_id": source["id"]})
    assert r.status_code == 200, r.text
    got = get(crew.rep1, t)
    assert got["contact_id"] == target["id"] and got["contact"]["display_name"] == "Target"
    assert ids(crew.rep1.get("/v1/tickets?contact_id=" + target["id"])) == [t["id"]]


# --------------------------------------------------------------------------
# Who sees what


def test_other_rep_cannot_see_or_touch(crew):
    t = new_ticket(crew.rep1, new_contact(crew.rep1))
    p = path_of(t)
    o = crew.rep2
    assert o.get(p).status_code == 404
    assert o.patch(p, {"subject": "x"}).status_code == 404
    assert o.delete(p).status_code == 404
    assert o.get(p + "/comments").status_code == 404
    assert o.post(p + "/comments", {"kind": "note", "body": "x"}).status_code == 404
    assert o.get(p + "/satisfaction").status_code == 404
    assert o.post(p + "/satisfaction", {"rating": 3}).status_code == 404
    assert o.get(p + "/history").status_code == 404
    assert ids(o.get("/v1/tickets")) == []
    assert get(crew.rep1, t)["version"] == 1


def test_manager_sees_team_admin_sees_all(crew):
    mine = new_ticket(crew.rep1, new_contact(crew.rep1))
    other = new_ticket(crew.rep2, new_contact(crew.rep2))
    assert ids(crew.manager.get("/v1/tickets")) == [mine["id"]]
    assert sorted(ids(crew.admin.get("/v1/tickets"))) == sorted([mine["id"], other["id"]])
    # Assigning to rep2 hands it over (rep1 may assign only to themselves).
    r = crew.rep1.patch(path_of(mine), {"assignee_id": crew.rep2_user["id"]})
    assert fields_named(r) == ["assignee_id"]
    r = crew.manager.patch(path_of(mine), {"assignee_id": crew.manager_user["id"]})
    assert r.status_code == 200 and r.json()["assignee_id"] == crew.manager_user["id"]
    assert crew.rep1.get(path_of(mine)).status_code == 404


def test_other_organization_is_404(org, other_org):
    t = new_ticket(org.admin, new_contact(org.admin))
    p = path_of(t)
    o = other_org.admin
    assert o.get(p).status_code == 404
    assert o.patch(p, {"subject": "x"}).status_code == 404
    assert o.delete(p).status_code == 404
    assert o.get(p + "/comments").status_code == 404
    assert o.post(p + "/comments", {"kind": "note", "body": "x"}).status_code == 404
    assert o.get(p + "/history").status_code == 404
    assert o.get(p + "/satisfaction").status_code == 404
    assert ids(o.get("/v1/tickets")) == []
    r = o.post("/v1/tickets", {"subject": "x", "contact_id": t["contact_id"]})
    assert fields_named(r) == ["contact_id"]
    assert get(org.admin, t)["version"] == 1


def test_api_key_scopes(crew):
    t = new_ticket(crew.rep1, new_contact(crew.rep1))
    reader = api_key(crew.org, "tickets:read")
    assert reader.get(path_of(t)).status_code == 200
    assert reader.get(path_of(t) + "/comments").status_code == 200
    assert reader.get("/v1/sla-policies").status_code == 200
    assert reader.get("/v1/ticket-settings").status_code == 200
    assert reader.patch(path_of(t), {"subject": "x"}).status_code == 403
    assert reader.post("/v1/tickets", {"subject": "x", "contact_id": t["contact_id"]}).status_code == 403
    other = api_key(crew.org, "contacts:read", "deals:read")
    assert other.get("/v1/tickets").status_code == 403
    assert Api().get("/v1/tickets").status_code == 401


# --------------------------------------------------------------------------
# Validation

INVALID = [
    ({"subject": None}, "subject"),
    ({"subject": ""}, "subject"),
    ({"subject": "s" * 501}, "subject"),
    ({"contact_id": None}, "contact_id"),
    ({"contact_id": "someone"}, "contact_id"),
    ({"contact_id": str(uuid.uuid4())}, "contact_id"),
    ({"status": "resolved"}, "status"),
    ({"channel": "fax"}, "channel"),
    ({"priority": "critical"}, "priority"),
    ({"type": "complaint"}, "type"),
    ({"assignee_id": "me"}, "assignee_id"),
    ({"tags": "vip"}, "tags"),
    ({"tags": ["t" * 51]}, "tags"),
    ({"custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ({"external_id": ""}, "external_id"),
    ({"number": "T-9"}, "number"),
    ({"sla": {}}, "sla"),
    ({"reopen_count": 0}, "reopen_count"),
    ({"first_response_at": "2026-01-01T00:00:00Z"}, "first_response_at"),
    ({"version": 2}, "version"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    full = {"subject": "Valid", "contact_id": new_contact(org.admin)["id"]}
    full.update(body)
    full = {k: v for k, v in full.items() if not (k in ("subject", "contact_id") and v is None)}
    r = org.admin.post("/v1/tickets", full)
    assert r.status_code == 422, r.text
    assert field in fields_named(r), r.text
    assert ticket_count(org) == 0


def test_invalid_patches_are_named(org):
    t = new_ticket(org.admin, new_contact(org.admin))
    for body, field in (({"subject": None}, "subject"), ({"contact_id": None}, "contact_id"),
                        ({"assignee_id": None}, "assignee_id"), ({"id": str(uuid.uuid4())}, "id"),
                        ({"status": "done"}, "status"), ({"number": "T-5"}, "number"),
                        ({"status": "closed"}, "status")):
        assert field in fields_named(org.admin.patch(path_of(t), body)), body
    assert get(org.admin, t)["version"] == 1


def test_custom_fields_of_tickets(org):
    r = org.admin.post("/v1/custom-fields", {"entity": "ticket", "key": "airline", "label": "ایرلاین",
                                             "type": "choice", "choices": ["Mahan", "Iran Air"]})
    assert r.status_code == 201, r.text
    t = new_ticket(org.admin, new_contact(org.admin), custom_fields={"airline": "Mahan"})
    assert t["custom_fields"] == {"airline": "Mahan"}
    r = org.admin.patch(path_of(t), {"custom_fields": {"airline": "Qatar"}})
    assert fields_named(r) == ["custom_fields.airline"]
    # A contact's field is not a ticket's.
    r = org.admin.post("/v1/custom-fields", {"entity": "contact", "key": "vip", "label": "VIP", "type": "boolean"})
    assert r.status_code == 201, r.text
    assert fields_named(org.admin.patch(path_of(t), {"custom_fields": {"vip": True}})) == ["custom_fields.vip"]


def test_bad_list_parameters(org):
    for qs in ("status=done", "status=open,done", "priority=critical", "breached=yes", "due_before=tomorrow",
               "sort=subject", "assignee_id=x", "limit=0", "limit=201", "fields=password", "cursor=!!",
               "channel=fax", "created_from=2026-13-01T00:00:00Z"):
        r = org.admin.get("/v1/tickets?" + qs)
        assert r.status_code == 400, (qs, r.text)
        assert r.json()["errors"][0]["field"] == qs.split("=")[0], qs


# --------------------------------------------------------------------------
# Lists


def test_filters(crew):
    c = new_contact(crew.rep1)
    c2 = new_contact(crew.rep1)
    a = new_ticket(crew.rep1, c, subject="پرینتر كار نمی‌كند", priority="high", channel="phone", type="problem",
                   tags=["VIP"], team_id=crew.team_id)
    b = new_ticket(crew.rep1, c2, subject="Invoice question", status="pending", channel="email", type="question")
    done = moved(crew.rep1, new_ticket(crew.rep1, c, subject="Done"), "resolved")

    def got(qs):
        return ids(crew.rep1.get("/v1/tickets?" + qs))

    assert got("status=new,pending") == [b["id"], a["id"]]
    assert got("status=resolved") == [done["id"]]
    assert got("priority=high") == [a["id"]]
    assert got("channel=email") == [b["id"]]
    assert got("type=problem") == [a["id"]]
    assert got("tag=vip") == [a["id"]]
    assert got("team_id=" + crew.team_id) == [a["id"]]
    assert got("contact_id=" + c2["id"]) == [b["id"]]
    assert got("assignee_id=" + crew.rep1_user["id"]) == [done["id"], b["id"], a["id"]]
    assert got("assignee_id=" + crew.rep2_user["id"]) == []
    # Persian search folds Arabic letter forms; the number matches too.
    assert got("q=" + "کار") == [a["id"]]
    assert got("q=" + a["number"]) == [a["id"]]
    now = datetime.datetime.now(UTC)
    assert got("resolved_from=" + rfc3339(now - datetime.timedelta(minutes=5))) == [done["id"]]
    assert got("resolved_to=" + rfc3339(now - datetime.timedelta(minutes=5))) == []
    assert len(got("created_from=" + rfc3339(now - datetime.timedelta(minutes=5)))) == 3
    assert got("created_to=" + rfc3339(now - datetime.timedelta(minutes=5))) == []


def test_sort_and_paging(org):
    c = new_contact(org.admin)
    made = [new_ticket(org.admin, c, priority=p) for p in ("urgent", "low", "high", "normal", "low")]
    seen, cursor = [], ""
    while True:
        r = org.admin.get("/v1/tickets?sort=priority&limit=2" + cursor)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [x["priority"] for x in page["data"]]
        if not page["next_cursor"]:
            break
        cursor = "&cursor=" + page["next_cursor"]
    assert seen == ["low", "low", "normal", "high", "urgent"]
    numbers = [x["number"] for x in org.admin.get("/v1/tickets?sort=-number").json()["data"]]
    assert numbers == ["T-5", "T-4", "T-3", "T-2", "T-1"]
    assert ids(org.admin.get("/v1/tickets?sort=created_at")) == [t["id"] for t in made]
    r = org.admin.get("/v1/tickets?sort=number&limit=2")
    nxt = r.json()["next_cursor"]
    assert org.admin.get("/v1/tickets?sort=created_at&cursor=" + nxt).status_code == 400


def test_sort_by_due_time(org):
    new_policy(org.admin, priority="urgent", first_response_minutes=10)
    new_policy(org.admin, priority="high", first_response_minutes=100)
    c = new_contact(org.admin)
    later = new_ticket(org.admin, c, priority="high")
    sooner = new_ticket(org.admin, c, priority="urgent")
    none = new_ticket(org.admin, c, priority="low")
    assert ids(org.admin.get("/v1/tickets?sort=due_at")) == [sooner["id"], later["id"], none["id"]]
    r = org.admin.get("/v1/tickets?sort=due_at&limit=1")
    r = org.admin.get("/v1/tickets?sort=due_at&limit=1&cursor=" + r.json()["next_cursor"])
    assert ids(r) == [later["id"]]


def test_fields_projection(org):
    t = new_ticket(org.admin, new_contact(org.admin), subject="Projected")
    r = org.admin.get("/v1/tickets?fields=number,subject")
    assert r.status_code == 200, r.text
    assert r.json()["data"] == [{"id": t["id"], "number": "T-1", "subject": "Projected"}]
    r = org.admin.get(path_of(t) + "?fields=sla,status")
    assert r.json() == {"id": t["id"], "sla": None, "status": "new"}


# --------------------------------------------------------------------------
# Concurrency, retries, audit


def test_stale_if_match_is_412_with_current(org):
    t = new_ticket(org.admin, new_contact(org.admin), subject="First")
    r = org.admin.patch(path_of(t), {"subject": "Second"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(path_of(t), {"status": "open"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert r.json()["current"]["subject"] == "Second" and r.json()["current"]["status"] == "new"
    assert org.admin.delete(path_of(t), headers={"If-Match": '"1"'}).status_code == 412
    assert get(org.admin, t)["version"] == 2


def test_idempotent_create_reply_and_rating(org):
    c = new_contact(org.admin)
    key = "k-" + uuid.uuid4().hex
    body = {"subject": "Offline ticket", "contact_id": c["id"]}
    a = org.admin.post("/v1/tickets", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/tickets", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json() == b.json() and ticket_count(org) == 1
    assert org.admin.post("/v1/tickets", dict(body, subject="Changed"),
                          headers={"Idempotency-Key": key}).status_code == 422
    t = a.json()
    ck = "c-" + uuid.uuid4().hex
    r1 = org.admin.post(path_of(t) + "/comments", {"kind": "reply", "body": "x"}, headers={"Idempotency-Key": ck})
    r2 = org.admin.post(path_of(t) + "/comments", {"kind": "reply", "body": "x"}, headers={"Idempotency-Key": ck})
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json()
    assert len(org.admin.get(path_of(t) + "/comments").json()["data"]) == 1
    moved(org.admin, get(org.admin, t), "resolved")
    rk = "r-" + uuid.uuid4().hex
    s1 = org.admin.post(path_of(t) + "/satisfaction", {"rating": 5}, headers={"Idempotency-Key": rk})
    s2 = org.admin.post(path_of(t) + "/satisfaction", {"rating": 5}, headers={"Idempotency-Key": rk})
    assert s1.status_code == s2.status_code == 201 and s1.json() == s2.json()


def test_audit_has_actor_request_id_and_changes(crew):
    c = new_contact(crew.rep1)
    t = new_ticket(crew.rep1, c, subject="Before")
    rid = "req-" + uuid.uuid4().hex[:10]
    r = crew.manager.patch(path_of(t), {"subject": "After", "status": "open"}, headers={"X-Request-Id": rid})
    assert r.status_code == 200, r.text
    rows = audit_rows(crew.admin, table="tickets", record_id=t["id"])
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd, ins = rows
    assert upd["actor"] == {"type": "user", "id": crew.manager_user["id"]} and upd["request_id"] == rid
    assert upd["old"]["subject"] == "Before" and upd["new"]["subject"] == "After"
    assert upd["old"]["status"] == "new" and upd["new"]["status"] == "open"
    assert ins["actor"] == {"type": "user", "id": crew.rep1_user["id"]}
    comment = reply(crew.rep1, t, kind="note", body="audited")
    [cr] = audit_rows(crew.admin, table="ticket_comments", record_id=comment["id"])
    assert cr["action"] == "insert" and cr["new"]["body"] == "audited"
    h = crew.rep1.get(path_of(t) + "/history")
    assert h.status_code == 200, h.text
    assert [e["action"] for e in h.json()["data"]] == ["update", "insert"]
    assert crew.rep1.delete(path_of(t)).status_code == 204
    assert audit_rows(crew.admin, table="tickets", record_id=t["id"])[0]["new"]["deleted_at"]


# --------------------------------------------------------------------------
# Demo data


def test_demo_desk():
    """The demo org's desk: every status, breaches, conversations and ratings, all as documented."""
    from conftest import as_user
    admin = as_user("admin@demo.test")
    seen, cursor = [], ""
    while True:
        r = admin.get("/v1/tickets?limit=20" + cursor)
        assert r.status_code == 200, r.text
        seen += r.json()["data"]
        if not r.json()["next_cursor"]:
            break
        cursor = "&cursor=" + r.json()["next_cursor"]
    assert len(seen) >= 40
    assert {t["status"] for t in seen} == set(ALLOWED)
    assert any(t["sla"] and t["sla"]["business_hours"] for t in seen)
    assert ids(admin.get("/v1/tickets?breached=first_response"))
    assert ids(admin.get("/v1/tickets?breached=resolution"))
    rated = [t for t in seen if t["status"] in ("resolved", "closed")]
    assert any(admin.get(path_of(t) + "/satisfaction").json()["data"] for t in rated)
    assert len(admin.get(path_of(seen[0]) + "/comments").json()["data"]) >= 1
    [tehran] = [p for p in admin.get("/v1/sla-policies").json()["data"] if p["priority"] == "urgent"]
    assert tehran["business_hours"]["time_zone"] == "Asia/Tehran" and "fri" not in tehran["business_hours"]["week"]
