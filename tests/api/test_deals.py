"""Deals: amounts moving through a pipeline's stages, with an exact stage history."""
import datetime
import uuid
from decimal import Decimal
from urllib.parse import quote

import pytest

from conftest import (Api, api_key, audit_rows, fields_named, ids, new_contact, new_deal,
                      new_pipeline, parse_ts, psql, system_sql)


def deal_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.deals WHERE org_id = :'a1' AND deleted_at IS NULL AND "
                    + where, org.id, *args))


def move(api, deal, stage, **extra):
    body = dict(extra, stage_id=stage["id"])
    return api.patch("/v1/deals/" + deal["id"], body)


def history(api, deal):
    r = api.get("/v1/deals/%s/history" % deal["id"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


def set_entered(deal, when):
    system_sql("UPDATE crm.deals SET stage_entered_at = :'a2' WHERE id = :'a1'", deal["id"],
               when.isoformat())


def ago(**kw):
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(**kw)


@pytest.fixture
def pipe(org):
    return new_pipeline(org.admin)


# --------------------------------------------------------------------------
# Happy path


def test_lifecycle(crew):
    org = crew.org
    pipe = new_pipeline(org.admin)
    lead = pipe["by_name"]["Lead"]
    c = new_contact(crew.rep1, display_name="Buyer One")
    body = {"title": "  Fifty chairs ", "pipeline_id": pipe["id"], "amount": "1250.5", "currency": "USD",
            "expected_close_date": "2031-06-30", "contact_id": c["id"], "notes": "urgent"}
    r = crew.rep1.post("/v1/deals", body)
    assert r.status_code == 201, r.text
    d = r.json()
    assert r.headers["Location"] == "/v1/deals/" + d["id"]
    assert r.headers["ETag"] == '"1"' and d["version"] == 1
    assert d["title"] in ("Fifty chairs", "  Fifty chairs ")
    assert d["amount"] == "1250.50"  # decimal strings with two places
    assert d["currency"] == "USD"
    assert d["pipeline_id"] == pipe["id"] and d["stage_id"] == lead["id"]
    assert d["stage"] == {"id": lead["id"], "name": "Lead", "kind": "open", "probability": 10}
    assert d["status"] == "open"
    assert d["expected_close_date"] == "2031-06-30"
    assert d["owner_id"] == crew.rep1_user["id"]
    assert d["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert d["contact_id"] == c["id"] and d["contact"] == {"id": c["id"], "display_name": "Buyer One"}
    assert d["company_id"] is None and d["company"] is None
    assert d["lost_reason"] is None and d["won_at"] is None and d["lost_at"] is None
    assert d["stage_entered_at"] and d["is_stale"] is False
    assert d["weighted_amount"] == "125.05"
    assert d["notes"] == "urgent"
    assert d["created_by"] == d["updated_by"] == crew.rep1_user["id"]

    path = "/v1/deals/" + d["id"]
    g = crew.rep1.get(path)
    assert g.status_code == 200 and g.json() == d and g.headers["ETag"] == '"1"'
    assert d["id"] in ids(crew.rep1.get("/v1/deals"))

    r = crew.rep1.patch(path, {"title": "Sixty chairs", "amount": 1500, "expected_close_date": None})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["version"] == 2 and r.headers["ETag"] == '"2"'
    assert u["title"] == "Sixty chairs" and Decimal(u["amount"]) == 1500 and u["expected_close_date"] is None
    assert Decimal(u["weighted_amount"]) == 150 and u["stage_entered_at"] == d["stage_entered_at"]
    assert crew.rep1.get(path).json() == u
    assert len(history(crew.rep1, d)) == 1  # no move, no new history row

    assert crew.rep1.delete(path).status_code == 204
    assert crew.rep1.get(path).status_code == 404
    assert crew.rep1.patch(path, {"title": "x"}).status_code == 404
    assert crew.rep1.delete(path).status_code == 404
    assert crew.rep1.get(path + "/history").status_code == 404
    assert d["id"] not in ids(crew.admin.get("/v1/deals"))
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.deals WHERE id = :'a1'", d["id"]) == "t"


def test_default_stage_is_the_first_open_one(org):
    p = new_pipeline(org.admin)
    order = [p["by_name"][n]["id"] for n in ("Won", "Lost", "Qualified", "Lead", "Proposal")]
    assert org.admin.post("/v1/pipelines/%s/reorder" % p["id"], {"stage_ids": order}).status_code == 200
    d = new_deal(org.admin, p)
    assert d["stage_id"] == p["by_name"]["Qualified"]["id"] and d["status"] == "open"


def test_deal_without_amount(org, pipe):
    d = new_deal(org.admin, pipe)
    assert d["amount"] is None and d["currency"] is None and d["weighted_amount"] is None
    d = new_deal(org.admin, pipe, currency="IRR")
    assert d["amount"] is None and d["currency"] == "IRR"


def test_client_supplied_id(org, pipe):
    did = str(uuid.uuid4())
    d = new_deal(org.admin, pipe, id=did)
    assert d["id"] == did
    r = org.admin.post("/v1/deals", {"id": did, "title": "Again", "pipeline_id": pipe["id"]})
    assert r.status_code == 409


# --------------------------------------------------------------------------
# Moving: history, time in stage, won and lost


def test_stage_history_and_exact_time_in_stage(crew):
    pipe = new_pipeline(crew.admin)
    lead, qual, prop = (pipe["by_name"][n] for n in ("Lead", "Qualified", "Proposal"))
    d = new_deal(crew.rep1, pipe, stage_id=lead["id"])
    [first] = history(crew.rep1, d)
    assert first["from_stage"] is None
    assert first["to_stage"] == {"id": lead["id"], "name": "Lead"}
    assert first["moved_by"] == {"type": "user", "id": crew.rep1_user["id"]}
    assert first["seconds_in_previous"] is None
    assert parse_ts(first["moved_at"]) == parse_ts(d["stage_entered_at"])

    # 2 days, 3 hours and 7 seconds in Lead.
    entered = ago(days=2, hours=3, seconds=7).replace(microsecond=0)
    set_entered(d, entered)
    r = move(crew.manager, d, qual)
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["stage"]["name"] == "Qualified" and moved["status"] == "open"
    rows = history(crew.rep1, d)
    assert len(rows) == 2
    second = rows[1]
    assert second["from_stage"] == {"id": lead["id"], "name": "Lead"}
    assert second["to_stage"] == {"id": qual["id"], "name": "Qualified"}
    assert second["moved_by"] == {"type": "user", "id": crew.manager_user["id"]}
    assert parse_ts(moved["stage_entered_at"]) == parse_ts(second["moved_at"])
    exact = (parse_ts(second["moved_at"]) - entered).total_seconds()
    assert 2 * 86400 + 3 * 3600 + 7 <= exact < 2 * 86400 + 3 * 3600 + 7 + 60
    assert isinstance(second["seconds_in_previous"], int)
    assert abs(second["seconds_in_previous"] - exact) < 1, (second, exact)

    # Exactly 90 seconds in Qualified.
    q_entered = parse_ts(second["moved_at"]) - datetime.timedelta(seconds=90)
    set_entered(d, q_entered)
    assert move(crew.rep1, d, prop).status_code == 200
    third = history(crew.rep1, d)[2]
    assert third["from_stage"]["id"] == qual["id"] and third["to_stage"]["id"] == prop["id"]
    exact = (parse_ts(third["moved_at"]) - q_entered).total_seconds()
    assert abs(third["seconds_in_previous"] - exact) < 1, (third, exact)
    # The database agrees, to the microsecond.
    assert psql("SELECT seconds_in_previous = floor(extract(epoch FROM moved_at - :'a2'::timestamptz))"
                "    OR seconds_in_previous = round(extract(epoch FROM moved_at - :'a2'::timestamptz))"
                "  FROM crm.deal_stage_history WHERE deal_id = :'a1' AND to_stage_id = :'a3'",
                d["id"], q_entered.isoformat(), prop["id"]) == "t"
    # Oldest first, and pages.
    assert [x["to_stage"]["name"] for x in history(crew.rep1, d)] == ["Lead", "Qualified", "Proposal"]
    p1 = crew.rep1.get("/v1/deals/%s/history?limit=2" % d["id"]).json()
    assert len(p1["data"]) == 2 and p1["next_cursor"]
    p2 = crew.rep1.get("/v1/deals/%s/history?limit=2&cursor=%s" % (d["id"], p1["next_cursor"])).json()
    assert [x["id"] for x in p1["data"] + p2["data"]] == [x["id"] for x in history(crew.rep1, d)]
    assert p2["next_cursor"] is None


def test_history_by_api_key(crew):
    pipe = new_pipeline(crew.admin)
    key = api_key(crew.org, "deals:write", "deals:read")
    d = new_deal(key, pipe, owner_id=crew.rep1_user["id"])
    assert d["owner_id"] == crew.rep1_user["id"]
    r = move(key, d, pipe["by_name"]["Qualified"])
    assert r.status_code == 200, r.text
    rows = history(crew.rep1, d)
    assert [x["moved_by"]["type"] for x in rows] == ["api_key", "api_key"]
    assert rows[0]["moved_by"]["id"] == rows[1]["moved_by"]["id"]


def test_lost_needs_a_reason(org, pipe):
    lost, won, lead = (pipe["by_name"][n] for n in ("Lost", "Won", "Lead"))
    d = new_deal(org.admin, pipe)
    r = move(org.admin, d, lost)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("lost_reason", "required")]
    r = move(org.admin, d, lost, lost_reason="")
    assert r.status_code == 422 and "lost_reason" in fields_named(r)
    got = org.admin.get("/v1/deals/" + d["id"]).json()
    assert got["version"] == 1 and got["stage_id"] == lead["id"] and len(history(org.admin, d)) == 1

    r = move(org.admin, d, lost, lost_reason="Too expensive")
    assert r.status_code == 200, r.text
    x = r.json()
    assert x["status"] == "lost" and x["lost_reason"] == "Too expensive"
    assert x["lost_at"] and x["won_at"] is None and x["is_stale"] is False
    assert Decimal(x["weighted_amount"] or 0) == 0

    # Leaving lost clears lost_at; entering won sets won_at and leaves no lost reason.
    r = move(org.admin, d, lead)
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert r.json()["lost_at"] is None and r.json()["won_at"] is None
    r = move(org.admin, d, won)
    assert r.status_code == 200, r.text
    w = r.json()
    assert w["status"] == "won" and w["won_at"] and w["lost_at"] is None and w["lost_reason"] is None
    r = move(org.admin, d, lead)
    assert r.json()["won_at"] is None and r.json()["status"] == "open"

    # A deal created lost needs a reason too; a reason already set counts.
    r = org.admin.post("/v1/deals", {"title": "L", "pipeline_id": pipe["id"], "stage_id": lost["id"]})
    assert fields_named(r) == ["lost_reason"]
    gone = new_deal(org.admin, pipe, stage_id=lost["id"], lost_reason="No budget")
    assert gone["status"] == "lost" and gone["lost_at"] and gone["lost_reason"] == "No budget"
    pre = new_deal(org.admin, pipe, lost_reason="Went quiet")
    r = move(org.admin, pre, lost)
    assert r.status_code == 200, r.text
    assert r.json()["lost_reason"] == "Went quiet" and r.json()["status"] == "lost"
    won_now = new_deal(org.admin, pipe, stage_id=won["id"])
    assert won_now["status"] == "won" and won_now["won_at"]


def test_status_always_follows_the_stage_kind(org, pipe):
    qual, lost = pipe["by_name"]["Qualified"], pipe["by_name"]["Lost"]
    d = new_deal(org.admin, pipe, stage_id=qual["id"])
    spath = "/v1/pipelines/%s/stages/%s" % (pipe["id"], qual["id"])
    # Changing the kind of a stage that holds deals is refused, or the deals follow it.
    r = org.admin.patch(spath, {"kind": "won"})
    assert r.status_code in (200, 409), r.text
    got = org.admin.get("/v1/deals/" + d["id"]).json()
    assert got["status"] == got["stage"]["kind"] == org.admin.get("/v1/pipelines/" + pipe["id"]).json()[
        "stages"][qual["position"]]["kind"]
    # A lost deal keeps its reason.
    gone = new_deal(org.admin, pipe, stage_id=lost["id"], lost_reason="Price")
    r = org.admin.patch("/v1/deals/" + gone["id"], {"lost_reason": None})
    assert fields_named(r) == ["lost_reason"]
    r = org.admin.patch("/v1/deals/" + gone["id"], {"lost_reason": "Timing"})
    assert r.status_code == 200 and r.json()["lost_reason"] == "Timing" and r.json()["status"] == "lost"


def test_stage_must_belong_to_the_pipeline(org, other_org, pipe):
    other = new_pipeline(org.admin)
    foreign = new_pipeline(other_org.admin)
    r = org.admin.post("/v1/deals", {"title": "X", "pipeline_id": pipe["id"], "stage_id": other["stages"][0]["id"]})
    assert fields_named(r) == ["stage_id"]
    r = org.admin.post("/v1/deals", {"title": "X", "pipeline_id": pipe["id"], "stage_id": str(uuid.uuid4())})
    assert fields_named(r) == ["stage_id"]
    for pid in (foreign["id"], str(uuid.uuid4())):
        r = org.admin.post("/v1/deals", {"title": "X", "pipeline_id": pid})
        assert fields_named(r) == ["pipeline_id"]
    assert deal_count(org) == 0

    d = new_deal(org.admin, pipe)
    r = move(org.admin, d, other["stages"][1])
    assert fields_named(r) == ["stage_id"]
    r = org.admin.patch("/v1/deals/" + d["id"], {"pipeline_id": other["id"], "stage_id": pipe["stages"][1]["id"]})
    assert fields_named(r) == ["stage_id"]
    r = org.admin.patch("/v1/deals/" + d["id"], {"pipeline_id": other["id"], "stage_id": other["stages"][1]["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["pipeline_id"] == other["id"] and r.json()["stage"]["id"] == other["stages"][1]["id"]
    rows = history(org.admin, d)
    assert rows[-1]["from_stage"]["id"] == pipe["stages"][0]["id"]
    assert rows[-1]["to_stage"]["id"] == other["stages"][1]["id"]
    # Another pipeline without a stage: its first open stage.
    r = org.admin.patch("/v1/deals/" + d["id"], {"pipeline_id": pipe["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["pipeline_id"] == pipe["id"] and r.json()["stage_id"] == pipe["by_name"]["Lead"]["id"]
    assert len(history(org.admin, d)) == 3


# --------------------------------------------------------------------------
# Money


def test_currency_validation(org, pipe):
    base = {"title": "Money", "pipeline_id": pipe["id"]}
    cases = [({"amount": "100"}, "currency"),
             ({"amount": "100", "currency": None}, "currency"),
             ({"amount": "100", "currency": "XYZ"}, "currency"),
             ({"amount": "100", "currency": "usd"}, "currency"),
             ({"amount": "100", "currency": "US"}, "currency"),
             ({"amount": "100", "currency": 840}, "currency"),
             ({"amount": "-5", "currency": "USD"}, "amount"),
             ({"amount": "1.005", "currency": "USD"}, "amount"),
             ({"amount": "ten", "currency": "USD"}, "amount"),
             ({"amount": "12345678901234567", "currency": "USD"}, "amount")]
    for extra, field in cases:
        r = org.admin.post("/v1/deals", dict(base, **extra))
        if extra.get("currency") == "usd" and r.status_code == 201:  # normalised is fine too
            assert r.json()["currency"] == "USD"
            continue
        assert r.status_code == 422, (extra, r.text)
        assert field in fields_named(r), (extra, r.text)
    assert deal_count(org, "currency IS DISTINCT FROM 'USD'") == 0

    ok = new_deal(org.admin, pipe, amount=99.9, currency="IRR")
    assert Decimal(ok["amount"]) == Decimal("99.90") and ok["currency"] == "IRR"
    big = new_deal(org.admin, pipe, amount="9999999999999999.99", currency="EUR")
    assert Decimal(big["amount"]) == Decimal("9999999999999999.99")

    bare = new_deal(org.admin, pipe)
    path = "/v1/deals/" + bare["id"]
    assert fields_named(org.admin.patch(path, {"amount": "10"})) == ["currency"]
    assert fields_named(org.admin.patch(path, {"amount": "10", "currency": "ABC"})) == ["currency"]
    r = org.admin.patch(path, {"amount": "10", "currency": "GBP"})
    assert r.status_code == 200 and Decimal(r.json()["amount"]) == 10
    assert fields_named(org.admin.patch(path, {"currency": None})) == ["currency"]
    r = org.admin.patch(path, {"amount": None})
    assert r.status_code == 200 and r.json()["amount"] is None and r.json()["weighted_amount"] is None


def test_weighted_amount_follows_the_stage(org, pipe):
    d = new_deal(org.admin, pipe, amount="1000", currency="USD")
    assert Decimal(d["weighted_amount"]) == 100
    for name, expect in (("Qualified", 400), ("Proposal", 700), ("Won", 1000)):
        r = move(org.admin, d, pipe["by_name"][name])
        assert Decimal(r.json()["weighted_amount"]) == expect, name
    r = org.admin.patch("/v1/pipelines/%s/stages/%s" % (pipe["id"], pipe["by_name"]["Won"]["id"]),
                        {"probability": 90})
    assert r.status_code == 200
    got = org.admin.get("/v1/deals/" + d["id"]).json()
    assert Decimal(got["weighted_amount"]) == 900 and got["stage"]["probability"] == 90


# --------------------------------------------------------------------------
# Stale deals


def test_stale_flag(org, pipe):
    prop, qual, won = (pipe["by_name"][n] for n in ("Proposal", "Qualified", "Won"))  # Proposal rots in 3 days
    rotting = new_deal(org.admin, pipe, stage_id=prop["id"], title="Rotting")
    fresh = new_deal(org.admin, pipe, stage_id=prop["id"], title="Fresh")
    old_no_limit = new_deal(org.admin, pipe, stage_id=qual["id"], title="Patient")
    assert rotting["is_stale"] is False
    set_entered(rotting, ago(days=3, hours=1))
    set_entered(fresh, ago(days=2, hours=23))
    set_entered(old_no_limit, ago(days=400))
    assert org.admin.get("/v1/deals/" + rotting["id"]).json()["is_stale"] is True
    assert org.admin.get("/v1/deals/" + fresh["id"]).json()["is_stale"] is False
    assert org.admin.get("/v1/deals/" + old_no_limit["id"]).json()["is_stale"] is False
    assert ids(org.admin.get("/v1/deals?stale=true")) == [rotting["id"]]
    assert sorted(ids(org.admin.get("/v1/deals?stale=false"))) == sorted([fresh["id"], old_no_limit["id"]])
    # A won stage never rots, whatever its rotting_days.
    r = org.admin.patch("/v1/pipelines/%s/stages/%s" % (pipe["id"], won["id"]), {"rotting_days": 1})
    assert r.status_code == 200, r.text
    done = new_deal(org.admin, pipe, stage_id=won["id"])
    set_entered(done, ago(days=30))
    assert org.admin.get("/v1/deals/" + done["id"]).json()["is_stale"] is False
    # Moving resets the clock.
    r = move(org.admin, rotting, qual)
    assert r.json()["is_stale"] is False
    r = move(org.admin, rotting, prop)
    assert r.json()["is_stale"] is False
    # Clearing rotting_days clears the flag.
    set_entered(fresh, ago(days=10))
    assert org.admin.get("/v1/deals/" + fresh["id"]).json()["is_stale"] is True
    org.admin.patch("/v1/pipelines/%s/stages/%s" % (pipe["id"], prop["id"]), {"rotting_days": None})
    assert org.admin.get("/v1/deals/" + fresh["id"]).json()["is_stale"] is False


# --------------------------------------------------------------------------
# Contacts: timeline, caller lookup, merge


def stage_ref_is(value, stage):
    if isinstance(value, dict):
        return value.get("id") == stage["id"] or value.get("name") == stage["name"]
    return value in (stage["id"], stage["name"])


def test_stage_changes_on_the_contact_timeline(crew):
    pipe = new_pipeline(crew.admin)
    lead, qual = pipe["by_name"]["Lead"], pipe["by_name"]["Qualified"]
    c = new_contact(crew.rep1)
    d = new_deal(crew.rep1, pipe, contact_id=c["id"], title="Timeline deal")
    assert move(crew.rep1, d, qual).status_code == 200
    assert crew.rep1.patch("/v1/deals/" + d["id"], {"notes": "no move"}).status_code == 200
    r = crew.rep1.get("/v1/contacts/%s/timeline" % c["id"])
    assert r.status_code == 200, r.text
    entries = [e for e in r.json()["data"] if e["type"] == "system" and e["event"] == "deal_stage_change"]
    moves = [e for e in entries if e["data"].get("from") is not None]
    assert len(moves) == 1, entries
    data = moves[0]["data"]
    assert data["deal_id"] == d["id"] and data["title"] == "Timeline deal"
    assert stage_ref_is(data["from"], lead) and stage_ref_is(data["to"], qual)
    # A deal without a contact moves without a timeline entry anywhere.
    lone = new_deal(crew.rep1, pipe)
    assert move(crew.rep1, lone, qual).status_code == 200
    assert int(psql("SELECT count(*) FROM crm.activities WHERE org_id = :'a1' AND data->>'deal_id' = :'a2'",
                    crew.org.id, lone["id"])) == 0


def test_lookup_profile_shows_open_deals(crew):
    pipe = new_pipeline(crew.admin)
    c = new_contact(crew.rep1, display_name="Caller", phones=[{"number": "09121239876"}])
    made = [new_deal(crew.rep1, pipe, contact_id=c["id"], title="Open %d" % i, amount="%d.25" % (i + 1),
                     currency="IRR") for i in range(6)]
    new_deal(crew.rep1, pipe, contact_id=c["id"], stage_id=pipe["by_name"]["Won"]["id"], title="Won one")
    new_deal(crew.rep1, pipe, contact_id=c["id"], stage_id=pipe["by_name"]["Lost"]["id"], lost_reason="x")
    gone = new_deal(crew.rep1, pipe, contact_id=c["id"], title="Deleted")
    assert crew.rep1.delete("/v1/deals/" + gone["id"]).status_code == 204
    new_deal(crew.rep1, pipe, contact_id=new_contact(crew.rep1)["id"], title="Someone else's")
    # The manager's deal on rep1's contact is not rep1's to see.
    mgr = new_deal(crew.manager, pipe, contact_id=c["id"], title="Manager's")

    r = crew.rep1.get("/v1/lookup/phone?number=%2B989121239876")
    assert r.status_code == 200, r.text
    [m] = r.json()["matches"]
    deals = m["open_deals"]
    assert [x["id"] for x in deals] == [x["id"] for x in reversed(made)][:5]
    top = deals[0]
    assert top["title"] == "Open 5" and Decimal(top["amount"]) == Decimal("6.25") and top["currency"] == "IRR"
    assert top["stage"] == {"id": pipe["by_name"]["Lead"]["id"], "name": "Lead"}
    [mm] = crew.manager.get("/v1/lookup/phone?number=09121239876").json()["matches"]
    assert mm["open_deals"][0]["id"] == mgr["id"] and len(mm["open_deals"]) == 5
    # A contact without deals has an empty list.
    new_contact(crew.rep1, phones=[{"number": "09121239877"}])
    [e] = crew.rep1.get("/v1/lookup/phone?number=09121239877").json()["matches"]
    assert e["open_deals"] == []


def test_merge_moves_deals(crew):
    pipe = new_pipeline(crew.admin)
    target = new_contact(crew.rep1, display_name="Target")
    source = new_contact(crew.rep1, display_name="Source")
    d = new_deal(crew.rep1, pipe, contact_id=source["id"])
    kept = new_deal(crew.rep1, pipe, contact_id=target["id"])
    r = crew.rep1.post("/v1/contacts/%s/merge" % target["id"], {"source_id": source["id"]})
    assert r.status_code == 200, r.text
    got = crew.rep1.get("/v1/deals/" + d["id"]).json()
    assert got["contact_id"] == target["id"] and got["contact"]["display_name"] == "Target"
    assert sorted(ids(crew.rep1.get("/v1/deals?contact_id=" + target["id"]))) == sorted([d["id"], kept["id"]])
    assert ids(crew.rep1.get("/v1/deals?contact_id=" + source["id"])) == []


def test_contact_and_company_must_be_visible(crew):
    pipe = new_pipeline(crew.admin)
    theirs = new_contact(crew.rep2)
    their_co = crew.rep2.post("/v1/companies", {"name": "Rep2 Co"}).json()
    mine = new_contact(crew.rep1)
    my_co = crew.rep1.post("/v1/companies", {"name": "Rep1 Co"}).json()
    base = {"title": "Ref", "pipeline_id": pipe["id"]}
    for extra, field in (({"contact_id": theirs["id"]}, "contact_id"), ({"contact_id": str(uuid.uuid4())}, "contact_id"),
                         ({"company_id": their_co["id"]}, "company_id"),
                         ({"company_id": str(uuid.uuid4())}, "company_id"),
                         ({"campaign_id": str(uuid.uuid4())}, "campaign_id")):
        r = crew.rep1.post("/v1/deals", dict(base, **extra))
        assert fields_named(r) == [field], (extra, r.text)
    d = new_deal(crew.rep1, pipe, contact_id=mine["id"], company_id=my_co["id"])
    assert d["company"] == {"id": my_co["id"], "name": "Rep1 Co"}
    r = crew.rep1.patch("/v1/deals/" + d["id"], {"contact_id": theirs["id"]})
    assert fields_named(r) == ["contact_id"]
    r = crew.rep1.patch("/v1/deals/" + d["id"], {"contact_id": None, "company_id": None})
    assert r.status_code == 200 and r.json()["contact"] is None and r.json()["company"] is None
    # The admin sees everything, so may link it.
    r = crew.admin.patch("/v1/deals/" + d["id"], {"contact_id": theirs["id"]})
    assert r.status_code == 200, r.text


def test_campaign_defaults_from_the_contact(org, pipe):
    camp = org.admin.post("/v1/campaigns", {"name": "Expo", "channel": "event"}).json()
    other = org.admin.post("/v1/campaigns", {"name": "Radio", "channel": "sms"}).json()
    c = new_contact(org.admin, campaign_id=camp["id"])
    assert new_deal(org.admin, pipe, contact_id=c["id"])["campaign_id"] == camp["id"]
    assert new_deal(org.admin, pipe, contact_id=c["id"], campaign_id=other["id"])["campaign_id"] == other["id"]
    assert new_deal(org.admin, pipe)["campaign_id"] is None


# --------------------------------------------------------------------------
# Visibility, owners, keys, tenancy


def test_other_rep_cannot_see_or_touch(crew):
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe, title="Secret deal")
    mine = new_deal(crew.rep2, pipe)
    path = "/v1/deals/" + d["id"]
    assert crew.rep2.get(path).status_code == 404
    assert crew.rep2.patch(path, {"title": "Hacked"}).status_code == 404
    assert move(crew.rep2, d, pipe["by_name"]["Won"]).status_code == 404
    assert crew.rep2.delete(path).status_code == 404
    assert crew.rep2.get(path + "/history").status_code == 404
    missing = crew.rep2.get("/v1/deals/" + str(uuid.uuid4()))
    assert missing.status_code == 404 and crew.rep2.get(path).json()["title"] == missing.json()["title"]
    assert ids(crew.rep2.get("/v1/deals")) == [mine["id"]]
    assert ids(crew.rep2.get("/v1/deals?q=secret")) == []
    assert ids(crew.rep2.get("/v1/deals?owner_id=" + crew.rep1_user["id"])) == []
    got = crew.rep1.get(path).json()
    assert got["title"] == "Secret deal" and got["version"] == 1
    assert len(history(crew.rep1, d)) == 1


def test_manager_sees_team_admin_sees_all(crew):
    pipe = new_pipeline(crew.admin)
    a = new_deal(crew.rep1, pipe)
    b = new_deal(crew.rep2, pipe)
    m = new_deal(crew.manager, pipe)
    assert sorted(ids(crew.manager.get("/v1/deals"))) == sorted([a["id"], m["id"]])
    assert crew.manager.get("/v1/deals/" + a["id"]).status_code == 200
    assert crew.manager.get("/v1/deals/%s/history" % a["id"]).status_code == 200
    assert move(crew.manager, a, pipe["by_name"]["Qualified"]).status_code == 200
    assert crew.manager.get("/v1/deals/" + b["id"]).status_code == 404
    assert crew.manager.patch("/v1/deals/" + b["id"], {"title": "x"}).status_code == 404
    assert crew.manager.delete("/v1/deals/" + b["id"]).status_code == 404
    assert crew.rep1.get("/v1/deals/" + m["id"]).status_code == 404
    assert sorted(ids(crew.admin.get("/v1/deals"))) == sorted([a["id"], b["id"], m["id"]])
    assert crew.admin.get("/v1/deals/%s/history" % b["id"]).status_code == 200


def test_owner_rules(crew):
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe)
    for other in (crew.rep2_user["id"], crew.manager_user["id"], crew.admin_user["id"]):
        r = crew.rep1.post("/v1/deals", {"title": "Gift", "pipeline_id": pipe["id"], "owner_id": other})
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "forbidden")], r.text
        r = crew.rep1.patch("/v1/deals/" + d["id"], {"owner_id": other})
        assert fields_named(r) == ["owner_id"]
    m = new_deal(crew.manager, pipe, owner_id=crew.rep1_user["id"])
    assert m["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    for other in (crew.rep2_user["id"], crew.admin_user["id"]):
        assert fields_named(crew.manager.patch("/v1/deals/" + m["id"], {"owner_id": other})) == ["owner_id"]
    r = crew.admin.patch("/v1/deals/" + d["id"], {"owner_id": crew.rep2_user["id"]})
    assert r.status_code == 200 and r.json()["owner_id"] == crew.rep2_user["id"]
    assert crew.rep2.get("/v1/deals/" + d["id"]).status_code == 200
    assert crew.rep1.get("/v1/deals/" + d["id"]).status_code == 404


def test_api_key_scopes(crew):
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe)
    reader = api_key(crew.org, "deals:read")
    assert reader.get("/v1/deals/" + d["id"]).status_code == 200
    assert reader.get("/v1/deals/%s/history" % d["id"]).status_code == 200
    assert d["id"] in ids(reader.get("/v1/deals"))
    r = reader.post("/v1/deals", {"title": "K", "pipeline_id": pipe["id"], "owner_id": crew.rep1_user["id"]})
    assert r.status_code == 403
    assert reader.patch("/v1/deals/" + d["id"], {"title": "x"}).status_code == 403
    assert reader.delete("/v1/deals/" + d["id"]).status_code == 403
    other = api_key(crew.org, "contacts:read", "tasks:write", "tasks:read")
    assert other.get("/v1/deals").status_code == 403
    assert other.get("/v1/deals/" + d["id"]).status_code == 403
    assert Api().get("/v1/deals").status_code == 401
    writer = api_key(crew.org, "deals:write")
    r = writer.post("/v1/deals", {"title": "From the shop", "pipeline_id": pipe["id"]})
    assert r.status_code == 422 and fields_named(r) == ["owner_id"]


def test_other_organization_is_404(org, other_org, pipe):
    d = new_deal(org.admin, pipe)
    path = "/v1/deals/" + d["id"]
    o = other_org.admin
    assert o.get(path).status_code == 404
    assert o.patch(path, {"title": "x"}).status_code == 404
    assert o.delete(path).status_code == 404
    assert o.get(path + "/history").status_code == 404
    assert ids(o.get("/v1/deals")) == []
    assert ids(o.get("/v1/deals?pipeline_id=" + pipe["id"])) == []
    # Nor may they file deals under our pipeline or contacts.
    theirs = new_pipeline(o)
    c = new_contact(org.admin)
    r = o.post("/v1/deals", {"title": "X", "pipeline_id": theirs["id"], "contact_id": c["id"]})
    assert fields_named(r) == ["contact_id"]
    assert org.admin.get(path).json()["version"] == 1


# --------------------------------------------------------------------------
# Validation


INVALID = [
    ({"title": None}, "title"),
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"pipeline_id": None}, "pipeline_id"),
    ({"pipeline_id": "sales"}, "pipeline_id"),
    ({"stage_id": "won"}, "stage_id"),
    ({"expected_close_date": "2031-02-30"}, "expected_close_date"),
    ({"expected_close_date": "30/06/2031"}, "expected_close_date"),
    ({"owner_id": "me"}, "owner_id"),
    ({"contact_id": 7}, "contact_id"),
    ({"lost_reason": "r" * 501}, "lost_reason"),
    ({"notes": "n" * 10001}, "notes"),
    ({"probability": 50}, "probability"),
    ({"status": "won"}, "status"),
    ({"stage": {"id": str(uuid.uuid4())}}, "stage"),
    ({"is_stale": True}, "is_stale"),
    ({"weighted_amount": "5"}, "weighted_amount"),
    ({"won_at": "2024-01-01T00:00:00Z"}, "won_at"),
    ({"stage_entered_at": "2024-01-01T00:00:00Z"}, "stage_entered_at"),
    ({"version": 2}, "version"),
    ({"owner": "x"}, "owner"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, pipe, body, field):
    full = {"title": "Valid", "pipeline_id": pipe["id"]}
    full.update(body)
    full = {k: v for k, v in full.items() if not (k in ("title", "pipeline_id") and v is None)}
    r = org.admin.post("/v1/deals", full)
    assert r.status_code == 422, r.text
    assert field in fields_named(r), r.text
    assert deal_count(org) == 0


def test_invalid_patches_are_named(org, pipe):
    d = new_deal(org.admin, pipe)
    path = "/v1/deals/" + d["id"]
    for body, field in (({"title": None}, "title"), ({"stage_id": None}, "stage_id"),
                        ({"pipeline_id": None}, "pipeline_id"), ({"id": str(uuid.uuid4())}, "id"),
                        ({"status": "lost"}, "status"), ({"is_stale": False}, "is_stale"),
                        ({"amount": "x"}, "amount"), ({"size": 3}, "size")):
        assert field in fields_named(org.admin.patch(path, body)), body
    assert org.admin.patch(path, {}).status_code == 422
    assert org.admin.get(path).json()["version"] == 1


def test_bad_list_parameters(org):
    for qs in ("status=pending", "stale=yes", "close_from=2031-13-01", "amount_min=abc", "sort=owner",
               "sort=-stage", "pipeline_id=x", "limit=0", "limit=201", "fields=password", "cursor=!!"):
        r = org.admin.get("/v1/deals?" + qs)
        assert r.status_code == 400, (qs, r.text)
        assert r.json()["errors"][0]["field"] == qs.split("=")[0], qs


# --------------------------------------------------------------------------
# Lists


def test_filters(crew):
    org = crew.org
    pipe = new_pipeline(org.admin)
    other = new_pipeline(org.admin)
    co = org.admin.post("/v1/companies", {"name": "Filter Co"}).json()
    c = new_contact(org.admin)
    a = new_deal(org.admin, pipe, title="Alpha کتاب", amount="100", currency="USD",
                 expected_close_date="2031-01-10", contact_id=c["id"])
    b = new_deal(org.admin, pipe, title="Beta", amount="2500.75", currency="USD",
                 expected_close_date="2031-02-20", company_id=co["id"], owner_id=crew.rep1_user["id"],
                 stage_id=pipe["by_name"]["Won"]["id"])
    g = new_deal(org.admin, other, title="Gamma", stage_id=other["by_name"]["Lost"]["id"], lost_reason="x")

    def q(qs):
        return sorted(ids(org.admin.get("/v1/deals?" + qs)))

    assert q("pipeline_id=" + pipe["id"]) == sorted([a["id"], b["id"]])
    assert q("stage_id=" + pipe["by_name"]["Won"]["id"]) == [b["id"]]
    assert q("status=open") == [a["id"]]
    assert q("status=won") == [b["id"]]
    assert q("status=lost") == [g["id"]]
    assert q("owner_id=" + crew.rep1_user["id"]) == [b["id"]]
    assert q("contact_id=" + c["id"]) == [a["id"]]
    assert q("company_id=" + co["id"]) == [b["id"]]
    assert q("amount_min=100") == sorted([a["id"], b["id"]])
    assert q("amount_min=100.01") == [b["id"]]
    assert q("amount_max=2500.75") == sorted([a["id"], b["id"]])
    assert q("amount_max=2500.74") == [a["id"]]
    assert q("close_from=2031-01-10&close_to=2031-01-31") == [a["id"]]
    assert q("close_from=2031-01-11") == [b["id"]]
    assert q("close_to=2031-02-20") == sorted([a["id"], b["id"]])
    assert q("q=beta") == [b["id"]]
    assert q("q=" + quote("كتاب")) == [a["id"]]  # Arabic kaf/yeh fold to the Persian letters
    assert q("q=zzz") == []
    assert q("status=open&pipeline_id=" + other["id"]) == []


def test_sort_and_paging(org, pipe):
    made = [new_deal(org.admin, pipe, title=t, amount=a, currency="USD", expected_close_date=d)
            for t, a, d in (("Delta", "50", "2031-04-01"), ("Alpha", "700", "2031-01-01"),
                            ("Charlie", "5", "2031-03-01"), ("Bravo", "70", "2031-02-01"),
                            ("Echo", "700", "2031-05-01"))]
    for sort, key, conv, rev in (("amount", "amount", Decimal, False), ("-amount", "amount", Decimal, True),
                                 ("title", "title", str, False), ("-title", "title", str, True),
                                 ("expected_close_date", "expected_close_date", str, False),
                                 ("-created_at", "created_at", str, True), ("updated_at", "updated_at", str, False)):
        rows, cursor = [], None
        while True:
            r = org.admin.get("/v1/deals?limit=2&sort=%s%s" % (sort, "&cursor=" + cursor if cursor else ""))
            assert r.status_code == 200, r.text
            assert len(r.json()["data"]) <= 2
            rows += r.json()["data"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert sorted(x["id"] for x in rows) == sorted(x["id"] for x in made), sort
        values = [conv(x[key]) for x in rows]
        assert values == sorted(values, reverse=rev), sort
    assert ids(org.admin.get("/v1/deals")) == [x["id"] for x in reversed(made)]


def test_fields_projection(org, pipe):
    d = new_deal(org.admin, pipe, title="Projected", amount="5", currency="USD")
    r = org.admin.get("/v1/deals?fields=id,title,amount")
    assert r.status_code == 200, r.text
    [row] = r.json()["data"]
    assert row == {"id": d["id"], "title": "Projected", "amount": d["amount"]}
    r = org.admin.get("/v1/deals/%s?fields=stage,is_stale" % d["id"])
    assert r.status_code == 200 and set(r.json()) <= {"id", "stage", "is_stale"}
    assert r.json()["stage"]["name"] == "Lead"


# --------------------------------------------------------------------------
# Concurrency, retries, audit


def test_stale_if_match_is_412_with_current(org, pipe):
    d = new_deal(org.admin, pipe, title="First")
    path = "/v1/deals/" + d["id"]
    r = org.admin.patch(path, {"title": "Second"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"stage_id": pipe["by_name"]["Won"]["id"]}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    cur = r.json()["current"]
    assert cur["title"] == "Second" and cur["version"] == 2 and cur["stage"]["name"] == "Lead"
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert len(history(org.admin, d)) == 1
    assert org.admin.delete(path, headers={"If-Match": '"2"'}).status_code == 204


def test_idempotent_create(org, pipe):
    key = "k-" + uuid.uuid4().hex
    body = {"title": "Offline deal", "pipeline_id": pipe["id"], "amount": "10", "currency": "USD"}
    a = org.admin.post("/v1/deals", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/deals", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json() == b.json() and a.headers["Location"] == b.headers["Location"]
    assert deal_count(org) == 1
    assert int(psql("SELECT count(*) FROM crm.deal_stage_history WHERE deal_id = :'a1'", a.json()["id"])) == 1
    r = org.admin.post("/v1/deals", dict(body, title="Changed"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert deal_count(org) == 1


def test_audit_has_old_new_and_actor(crew):
    pipe = new_pipeline(crew.admin)
    d = new_deal(crew.rep1, pipe, title="Before", amount="10", currency="USD")
    rid = "req-" + uuid.uuid4().hex[:10]
    r = crew.manager.patch("/v1/deals/" + d["id"], {"title": "After", "stage_id": pipe["by_name"]["Qualified"]["id"]},
                           headers={"X-Request-Id": rid})
    assert r.status_code == 200
    rows = audit_rows(crew.admin, record_id=d["id"])
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd, ins = rows
    assert upd["table"] == "deals" and upd["record_id"] == d["id"]
    assert upd["actor"] == {"type": "user", "id": crew.manager_user["id"]} and upd["request_id"] == rid
    assert upd["old"]["title"] == "Before" and upd["new"]["title"] == "After"
    assert upd["old"]["stage_id"] == pipe["by_name"]["Lead"]["id"]
    assert upd["new"]["stage_id"] == pipe["by_name"]["Qualified"]["id"]
    assert "currency" not in upd["new"]
    assert ins["actor"] == {"type": "user", "id": crew.rep1_user["id"]} and ins["new"]["title"] == "Before"
    assert crew.rep1.delete("/v1/deals/" + d["id"]).status_code == 204
    rows = audit_rows(crew.admin, record_id=d["id"])
    assert len(rows) == 3 and rows[0]["action"] in ("update", "delete")


def test_audit_filter_knows_deals(org, pipe):
    d = new_deal(org.admin, pipe)
    assert [e["record_id"] for e in audit_rows(org.admin, table="deals")] == [d["id"]]
    assert [e["action"] for e in audit_rows(org.admin, table="deals", record_id=d["id"])] == ["insert"]
