"""Reminders: an integration (or a person) takes the due ones and acks each exactly once."""
import datetime
import uuid

from conftest import Api, api_key, new_task, parse_ts, psql, rfc3339, system_sql

UTC = datetime.timezone.utc


def ago(**kw):
    return rfc3339(datetime.datetime.now(UTC) - datetime.timedelta(**kw))


def ahead(**kw):
    return rfc3339(datetime.datetime.now(UTC) + datetime.timedelta(**kw))


def due(api, qs=""):
    r = api.get("/v1/reminders/due" + qs)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    return body["data"]


def due_ids(api, qs=""):
    return [x["id"] for x in due(api, qs)]


def ack(api, task, status=200):
    r = api.post("/v1/reminders/%s/ack" % (task if isinstance(task, str) else task["id"]))
    assert r.status_code == status, r.text
    return r.json()


def test_due_reminder_appears_once_and_goes_after_ack(crew):
    t = new_task(crew.rep1, kind="call", title="Ring Ali", due_at=ahead(hours=1), reminder_at=ago(minutes=2))
    later = new_task(crew.rep1, kind="call", title="Later", due_at=ahead(days=1), reminder_at=ahead(hours=5))
    silent = new_task(crew.rep1, kind="call", title="No reminder", due_at=ago(minutes=1))
    rows = due(crew.rep1)
    assert [x["id"] for x in rows] == [t["id"]]
    [row] = rows
    assert row["task"]["id"] == t["id"] and row["task"]["title"] == "Ring Ali"
    assert row["task"]["reminder_delivered_at"] is None
    assert parse_ts(row["reminder_at"]) == parse_ts(t["reminder_at"])
    assert later["id"] not in due_ids(crew.rep1) and silent["id"] not in due_ids(crew.rep1)
    # Listing does not deliver: it stays due until acknowledged.
    assert due_ids(crew.rep1) == [t["id"]]

    a = ack(crew.rep1, t)
    assert a["id"] == t["id"] and a["reminder_delivered_at"]
    delivered = parse_ts(a["reminder_delivered_at"])
    assert abs((datetime.datetime.now(UTC) - delivered).total_seconds()) < 120
    assert due_ids(crew.rep1) == []
    got = crew.rep1.get("/v1/tasks/" + t["id"]).json()
    assert got["reminder_delivered_at"] == a["reminder_delivered_at"]
    # Acking again answers the same moment, and nothing changes.
    version = got["version"]
    b = ack(crew.rep1, t)
    assert b == a
    assert ack(crew.admin, t) == a
    assert crew.rep1.get("/v1/tasks/" + t["id"]).json()["version"] == version
    assert psql("SELECT reminder_delivered_at = :'a2'::timestamptz FROM crm.tasks WHERE id = :'a1'",
                t["id"], a["reminder_delivered_at"]) == "t"


def test_what_is_not_due(crew):
    done = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=3))
    assert crew.rep1.patch("/v1/tasks/" + done["id"], {"status": "done"}).status_code == 200
    new_task(crew.rep1, kind="call", reminder_at=ago(minutes=3), status="cancelled")
    gone = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=3))
    assert crew.rep1.delete("/v1/tasks/" + gone["id"]).status_code == 204
    future = new_task(crew.rep1, kind="call", reminder_at=ahead(minutes=3))
    assert due(crew.rep1) == [] and due(crew.admin) == []
    # A reminder's time passing makes it due (no delivery needed in between).
    system_sql("UPDATE crm.tasks SET reminder_at = now() - interval '1 second' WHERE id = :'a1'", future["id"])
    assert due_ids(crew.rep1) == [future["id"]]
    # Reopening a done task brings its reminder back.
    assert crew.rep1.patch("/v1/tasks/" + done["id"], {"status": "open"}).status_code == 200
    assert sorted(due_ids(crew.rep1)) == sorted([future["id"], done["id"]])


def test_oldest_first_and_limit(org):
    made = [new_task(org.admin, kind="call", title="m%d" % m, reminder_at=ago(minutes=m)) for m in (5, 30, 1, 12)]
    order = [t["id"] for t in sorted(made, key=lambda t: parse_ts(t["reminder_at"]))]
    assert due_ids(org.admin) == order
    assert due_ids(org.admin, "?limit=2") == order[:2]
    r = org.admin.get("/v1/reminders/due?limit=0")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "limit"
    r = org.admin.get("/v1/reminders/due?limit=x")
    assert r.status_code == 400


def test_who_sees_which_reminders(crew):
    r1 = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=4))
    r2 = new_task(crew.rep2, kind="call", reminder_at=ago(minutes=3))
    m = new_task(crew.manager, kind="call", reminder_at=ago(minutes=2))
    assert due_ids(crew.rep1) == [r1["id"]]
    assert due_ids(crew.rep2) == [r2["id"]]
    assert due_ids(crew.manager) == [r1["id"], m["id"]]
    assert due_ids(crew.admin) == [r1["id"], r2["id"], m["id"]]
    # Another rep cannot ack (or learn about) it.
    ack(crew.rep2, r1, 404)
    ack(crew.manager, r2, 404)
    assert r1["id"] in due_ids(crew.rep1)
    ack(crew.manager, r1)
    assert due_ids(crew.rep1) == []


def test_key_with_reminders_read_delivers_for_the_organization(crew, other_org):
    r1 = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=4))
    r2 = new_task(crew.rep2, kind="meeting", due_at=ahead(hours=1), reminder_at=ago(minutes=3))
    theirs = new_task(other_org.admin, kind="call", reminder_at=ago(minutes=2))
    key = api_key(crew.org, "reminders:read")
    rows = due(key)
    assert [x["id"] for x in rows] == [r1["id"], r2["id"]]
    assert rows[0]["task"]["assignee_id"] == crew.rep1_user["id"]
    assert rows[1]["task"]["assignee"]["id"] == crew.rep2_user["id"]
    a = ack(key, r1)
    assert a["id"] == r1["id"] and a["reminder_delivered_at"]
    assert ack(key, r1) == a
    assert due_ids(key) == [r2["id"]]
    assert due_ids(crew.rep1) == []
    ack(key, theirs, 404)
    assert theirs["id"] in due_ids(other_org.admin)
    # Keys without the scope are refused, whatever else they may do.
    for scopes in (("tasks:read", "tasks:write"), ("deals:read",)):
        other = api_key(crew.org, *scopes)
        assert other.get("/v1/reminders/due").status_code == 403
        assert other.post("/v1/reminders/%s/ack" % r2["id"]).status_code == 403
    assert Api().get("/v1/reminders/due").status_code == 401
    assert r2["id"] in due_ids(key)


def test_ack_errors(crew, other_org):
    plain = new_task(crew.rep1, kind="call", due_at=ahead(hours=1))
    r = crew.rep1.post("/v1/reminders/%s/ack" % plain["id"])
    assert r.status_code == 409, r.text
    ack(crew.rep1, str(uuid.uuid4()), 404)
    r = crew.rep1.post("/v1/reminders/not-a-uuid/ack")
    assert r.status_code in (400, 404), r.text
    ours = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=1))
    ack(other_org.admin, ours, 404)
    gone = new_task(crew.rep1, kind="call", reminder_at=ago(minutes=1))
    assert crew.rep1.delete("/v1/tasks/" + gone["id"]).status_code == 204
    ack(crew.rep1, gone, 404)
    assert due_ids(crew.rep1) == [ours["id"]]

