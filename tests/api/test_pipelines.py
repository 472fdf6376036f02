"""Pipelines and their ordered stages: admins shape them, everyone reads them."""
import uuid

import pytest

from conftest import (SALES_STAGES, api_key, audit_rows, fields_named, ids, new_deal,
                      new_pipeline, psql)


def stage_names(p):
    return [s["name"] for s in p["stages"]]


def assert_contiguous(p):
    assert [s["position"] for s in p["stages"]] == list(range(len(p["stages"]))), p["stages"]


def pipeline_count(org, name):
    return int(psql("SELECT count(*) FROM crm.pipelines WHERE org_id = :'a1' AND name = :'a2'",
                    org.id, name))


# --------------------------------------------------------------------------
# Happy path


def test_create_with_stages(org):
    r = org.admin.post("/v1/pipelines", {"name": "Retail", "stages": SALES_STAGES})
    assert r.status_code == 201, r.text
    p = r.json()
    assert r.headers["Location"] == "/v1/pipelines/" + p["id"]
    assert r.headers["ETag"] == '"1"' and p["version"] == 1
    assert p["name"] == "Retail"
    assert stage_names(p) == [s["name"] for s in SALES_STAGES]
    assert_contiguous(p)
    for given, s in zip(SALES_STAGES, p["stages"]):
        assert s["pipeline_id"] == p["id"]
        assert s["kind"] == given["kind"] and s["probability"] == given["probability"]
        assert s["rotting_days"] == given.get("rotting_days")
        assert s["deal_count"] == 0 and s["version"] == 1
    g = org.admin.get("/v1/pipelines/" + p["id"])
    assert g.status_code == 200 and g.json() == p
    assert g.headers["ETag"] == '"1"'
    assert p["id"] in ids(org.admin.get("/v1/pipelines"))


def test_list_is_by_name_and_pages(org):
    made = {n: new_pipeline(org.admin, n, [])["id"] for n in ("Zeta", "Alpha", "Mid", "Beta")}
    seen, cursor = [], None
    while True:
        r = org.admin.get("/v1/pipelines?limit=3" + ("&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200, r.text
        assert len(r.json()["data"]) <= 3
        seen += [x["name"] for x in r.json()["data"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(made)


def test_empty_pipeline_then_stages_at_end_and_at_a_position(org):
    p = new_pipeline(org.admin, "Empty", [])
    assert p["stages"] == []
    path = "/v1/pipelines/%s/stages" % p["id"]
    a = org.admin.post(path, {"name": "A", "probability": 10, "kind": "open"})
    assert a.status_code == 201, a.text
    assert a.headers["Location"] == "%s/%s" % (path, a.json()["id"])
    assert a.json()["position"] == 0 and a.json()["pipeline_id"] == p["id"]
    assert a.json()["rotting_days"] is None and a.json()["deal_count"] == 0
    b = org.admin.post(path, {"name": "B", "probability": 50, "kind": "open", "rotting_days": 7})
    assert b.status_code == 201 and b.json()["position"] == 1 and b.json()["rotting_days"] == 7
    c = org.admin.post(path, {"name": "C", "probability": 5, "kind": "open", "position": 0})
    assert c.status_code == 201, c.text
    assert c.json()["position"] == 0
    m = org.admin.post(path, {"name": "M", "probability": 30, "kind": "open", "position": 2})
    assert m.status_code == 201 and m.json()["position"] == 2
    got = org.admin.get("/v1/pipelines/" + p["id"]).json()
    assert stage_names(got) == ["C", "A", "M", "B"]
    assert_contiguous(got)


def test_update_pipeline_and_stage(org):
    p = new_pipeline(org.admin, "Before")
    r = org.admin.patch("/v1/pipelines/" + p["id"], {"name": "After"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "After" and r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    assert stage_names(r.json()) == stage_names(p)
    s = p["by_name"]["Proposal"]
    path = "/v1/pipelines/%s/stages/%s" % (p["id"], s["id"])
    r = org.admin.patch(path, {"name": "Offer", "probability": 60, "rotting_days": None})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["name"] == "Offer" and u["probability"] == 60 and u["rotting_days"] is None
    assert u["position"] == s["position"] and u["version"] == 2 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"kind": "won"})
    assert r.status_code == 200 and r.json()["kind"] == "won"
    assert org.admin.get("/v1/pipelines/" + p["id"]).json()["stages"][s["position"]]["name"] == "Offer"


# --------------------------------------------------------------------------
# Reordering


def test_reorder_keeps_the_given_order(org):
    p = new_pipeline(org.admin)
    order = [s["id"] for s in reversed(p["stages"])]
    r = org.admin.post("/v1/pipelines/%s/reorder" % p["id"], {"stage_ids": order})
    assert r.status_code == 200, r.text
    got = r.json()
    assert [s["id"] for s in got["stages"]] == order
    assert_contiguous(got)
    again = org.admin.get("/v1/pipelines/" + p["id"]).json()
    assert [s["id"] for s in again["stages"]] == order
    assert_contiguous(again)
    # Another permutation.
    order = [order[2], order[0], order[4], order[1], order[3]]
    r = org.admin.post("/v1/pipelines/%s/reorder" % p["id"], {"stage_ids": order})
    assert [s["id"] for s in r.json()["stages"]] == order
    assert_contiguous(r.json())


def test_reorder_needs_exactly_the_pipelines_stages(org):
    p = new_pipeline(org.admin)
    other = new_pipeline(org.admin)
    sids = [s["id"] for s in p["stages"]]
    deleted = org.admin.post("/v1/pipelines/%s/stages" % p["id"],
                             {"name": "Gone", "probability": 1, "kind": "open"}).json()
    assert org.admin.delete("/v1/pipelines/%s/stages/%s" % (p["id"], deleted["id"])).status_code == 204
    bad = [sids[:-1],                                   # one missing
           sids + [sids[0]],                            # one twice
           sids[:-1] + [sids[0]],                       # a duplicate instead of the missing one
           sids + [other["stages"][0]["id"]],           # another pipeline's stage
           sids[:-1] + [other["stages"][0]["id"]],
           sids + [str(uuid.uuid4())],                  # no such stage
           sids + [deleted["id"]],                      # a deleted stage
           sids[:-1] + ["not-a-uuid"]]
    for stage_ids in bad:
        r = org.admin.post("/v1/pipelines/%s/reorder" % p["id"], {"stage_ids": stage_ids})
        assert r.status_code == 422, (stage_ids, r.text)
        assert [e["field"] for e in r.json()["errors"]][0].startswith("stage_ids"), r.text
    for body in ({}, {"stage_ids": []}, {"stage_ids": "x"}):
        r = org.admin.post("/v1/pipelines/%s/reorder" % p["id"], body)
        assert r.status_code == 422, (body, r.text)
    got = org.admin.get("/v1/pipelines/" + p["id"]).json()
    assert [s["id"] for s in got["stages"]] == sids
    assert_contiguous(got)


# --------------------------------------------------------------------------
# Deleting stages and pipelines


def test_delete_stage_holding_deals_is_409_until_moved(crew):
    org = crew.org
    p = new_pipeline(org.admin)
    other = new_pipeline(org.admin)
    qual, prop = p["by_name"]["Qualified"], p["by_name"]["Proposal"]
    d1 = new_deal(crew.rep1, p, stage_id=qual["id"])
    d2 = new_deal(crew.rep2, p, stage_id=qual["id"])  # not visible to the manager
    path = "/v1/pipelines/%s/stages/%s" % (p["id"], qual["id"])
    # deal_count counts every live deal, visible to the caller or not.
    seen = crew.manager.get("/v1/pipelines/" + p["id"]).json()
    assert [s["deal_count"] for s in seen["stages"] if s["id"] == qual["id"]] == [2]

    r = org.admin.delete(path)
    assert r.status_code == 409, r.text
    assert r.json()["deal_count"] == 2
    spare = org.admin.post("/v1/pipelines/%s/stages" % p["id"], {"name": "Spare", "probability": 1, "kind": "open"})
    assert org.admin.delete("/v1/pipelines/%s/stages/%s" % (p["id"], spare.json()["id"])).status_code == 204
    for bad in (qual["id"], other["stages"][0]["id"], str(uuid.uuid4()), spare.json()["id"]):
        r = org.admin.delete(path + "?move_to=" + bad)
        assert r.status_code == 422, (bad, r.text)
        assert fields_named(r) == ["move_to"]
    r = org.admin.delete(path + "?move_to=nope")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "move_to"
    assert len(org.admin.get("/v1/pipelines/" + p["id"]).json()["stages"]) == 5

    r = org.admin.delete(path + "?move_to=" + prop["id"])
    assert r.status_code == 204, r.text
    got = org.admin.get("/v1/pipelines/" + p["id"]).json()
    assert stage_names(got) == ["Lead", "Proposal", "Won", "Lost"]
    assert_contiguous(got)
    assert [s["deal_count"] for s in got["stages"] if s["id"] == prop["id"]] == [2]
    for d in (d1, d2):
        now = org.admin.get("/v1/deals/" + d["id"]).json()
        assert now["stage_id"] == prop["id"] and now["stage"]["name"] == "Proposal"
        hist = org.admin.get("/v1/deals/%s/history" % d["id"]).json()["data"]
        assert len(hist) == 2
        last = hist[-1]
        assert last["from_stage"]["id"] == qual["id"] and last["to_stage"]["id"] == prop["id"]
        assert last["moved_by"] == {"type": "user", "id": crew.admin_user["id"]}
    assert int(psql("SELECT count(*) FROM crm.deal_stage_history WHERE deal_id IN (:'a1', :'a2')"
                    " AND from_stage_id = :'a3' AND to_stage_id = :'a4'",
                    d1["id"], d2["id"], qual["id"], prop["id"])) == 2
    # The stage is gone for good (soft: the row stays).
    assert org.admin.delete(path).status_code == 404
    assert org.admin.patch(path, {"name": "Back"}).status_code == 404
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.stages WHERE id = :'a1'", qual["id"]) == "t"
    r = org.admin.post("/v1/deals", {"title": "X", "pipeline_id": p["id"], "stage_id": qual["id"]})
    assert fields_named(r) == ["stage_id"]


def test_delete_empty_stage_closes_positions(org):
    p = new_pipeline(org.admin)
    lead = p["by_name"]["Lead"]
    r = org.admin.delete("/v1/pipelines/%s/stages/%s" % (p["id"], lead["id"]))
    assert r.status_code == 204, r.text
    got = org.admin.get("/v1/pipelines/" + p["id"]).json()
    assert stage_names(got) == ["Qualified", "Proposal", "Won", "Lost"]
    assert_contiguous(got)
    # Its name may be used again.
    r = org.admin.post("/v1/pipelines/%s/stages" % p["id"], {"name": "Lead", "probability": 5, "kind": "open"})
    assert r.status_code == 201, r.text


def test_delete_pipeline_holding_deals_is_409(crew):
    org = crew.org
    p = new_pipeline(org.admin)
    d = new_deal(crew.rep2, p)
    r = org.admin.delete("/v1/pipelines/" + p["id"])
    assert r.status_code == 409, r.text
    assert org.admin.get("/v1/pipelines/" + p["id"]).status_code == 200
    assert crew.rep2.delete("/v1/deals/" + d["id"]).status_code == 204
    r = org.admin.delete("/v1/pipelines/" + p["id"])
    assert r.status_code == 204, r.text
    assert org.admin.get("/v1/pipelines/" + p["id"]).status_code == 404
    assert org.admin.patch("/v1/pipelines/" + p["id"], {"name": "x"}).status_code == 404
    assert org.admin.delete("/v1/pipelines/" + p["id"]).status_code == 404
    assert p["id"] not in ids(org.admin.get("/v1/pipelines"))
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.pipelines WHERE id = :'a1'", p["id"]) == "t"
    r = org.admin.post("/v1/deals", {"title": "Late", "pipeline_id": p["id"]})
    assert fields_named(r) == ["pipeline_id"]


def test_stage_names_unique_per_pipeline(org):
    p = new_pipeline(org.admin)
    r = org.admin.post("/v1/pipelines/%s/stages" % p["id"], {"name": "Lead", "probability": 5, "kind": "open"})
    assert r.status_code == 409, r.text
    assert [e["field"] for e in r.json().get("errors", [])] in ([], ["name"])
    r = org.admin.patch("/v1/pipelines/%s/stages/%s" % (p["id"], p["by_name"]["Won"]["id"]), {"name": "Lost"})
    assert r.status_code == 409, r.text
    other = new_pipeline(org.admin)  # the same names in another pipeline are fine
    assert stage_names(other) == stage_names(p)


# --------------------------------------------------------------------------
# Roles, keys, tenancy


def test_only_admins_write(crew):
    p = new_pipeline(crew.admin)
    s = p["stages"][0]
    ppath = "/v1/pipelines/" + p["id"]
    spath = "%s/stages/%s" % (ppath, s["id"])
    for who in (crew.manager, crew.rep1):
        assert who.post("/v1/pipelines", {"name": "Mine"}).status_code == 403
        assert who.patch(ppath, {"name": "Mine"}).status_code == 403
        assert who.delete(ppath).status_code == 403
        assert who.post(ppath + "/stages", {"name": "S", "probability": 1, "kind": "open"}).status_code == 403
        assert who.patch(spath, {"name": "S"}).status_code == 403
        assert who.delete(spath).status_code == 403
        r = who.post(ppath + "/reorder", {"stage_ids": [x["id"] for x in reversed(p["stages"])]})
        assert r.status_code == 403
        # Everyone reads.
        assert who.get(ppath).json()["stages"] == crew.admin.get(ppath).json()["stages"]
        assert p["id"] in ids(who.get("/v1/pipelines"))
    got = crew.admin.get(ppath).json()
    assert got["name"] == p["name"] and got["version"] == 1
    assert [x["id"] for x in got["stages"]] == [x["id"] for x in p["stages"]]
    assert pipeline_count(crew.org, "Mine") == 0


def test_api_keys_read_with_deals_read(crew):
    p = new_pipeline(crew.admin)
    reader = api_key(crew.org, "deals:read")
    assert reader.get("/v1/pipelines/" + p["id"]).status_code == 200
    assert p["id"] in ids(reader.get("/v1/pipelines"))
    assert reader.post("/v1/pipelines", {"name": "K"}).status_code == 403
    assert reader.patch("/v1/pipelines/" + p["id"], {"name": "K"}).status_code == 403
    other = api_key(crew.org, "contacts:read", "tasks:read")
    assert other.get("/v1/pipelines").status_code == 403
    assert other.get("/v1/pipelines/" + p["id"]).status_code == 403


def test_other_organization_is_404(org, other_org):
    p = new_pipeline(org.admin)
    s = p["stages"][0]
    ppath = "/v1/pipelines/" + p["id"]
    spath = "%s/stages/%s" % (ppath, s["id"])
    o = other_org.admin
    assert o.get(ppath).status_code == 404
    assert o.patch(ppath, {"name": "x"}).status_code == 404
    assert o.delete(ppath).status_code == 404
    assert o.post(ppath + "/stages", {"name": "S", "probability": 1, "kind": "open"}).status_code == 404
    assert o.patch(spath, {"name": "x"}).status_code == 404
    assert o.delete(spath).status_code == 404
    assert o.post(ppath + "/reorder", {"stage_ids": [x["id"] for x in p["stages"]]}).status_code == 404
    assert p["id"] not in ids(o.get("/v1/pipelines"))
    # A stage reached through another pipeline of the same organization is 404 too.
    q = new_pipeline(org.admin)
    assert org.admin.patch("/v1/pipelines/%s/stages/%s" % (q["id"], s["id"]), {"name": "x"}).status_code == 404
    assert org.admin.delete("/v1/pipelines/%s/stages/%s" % (q["id"], s["id"])).status_code == 404
    got = org.admin.get(ppath).json()
    assert got["version"] == 1 and got["stages"][0]["name"] == s["name"]


# --------------------------------------------------------------------------
# Validation


INVALID_CREATE = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"name": 5}, "name"),
    ({"name": "P", "stages": "Lead"}, "stages"),
    ({"name": "P", "stages": [{"probability": 1, "kind": "open"}]}, "stages[0].name"),
    ({"name": "P", "stages": [{"name": "A", "kind": "open"}]}, "stages[0].probability"),
    ({"name": "P", "stages": [{"name": "A", "probability": 101, "kind": "open"}]}, "stages[0].probability"),
    ({"name": "P", "stages": [{"name": "A", "probability": -1, "kind": "open"}]}, "stages[0].probability"),
    ({"name": "P", "stages": [{"name": "A", "probability": 1}]}, "stages[0].kind"),
    ({"name": "P", "stages": [{"name": "A", "probability": 1, "kind": "open"},
                              {"name": "B", "probability": 1, "kind": "maybe"}]}, "stages[1].kind"),
    ({"name": "P", "stages": [{"name": "A", "probability": 1, "kind": "open", "rotting_days": 0}]},
     "stages[0].rotting_days"),
    ({"name": "P", "stages": [{"name": "A", "probability": 1, "kind": "open", "colour": "red"}]},
     "stages[0].colour"),
    ({"name": "P", "position": 1}, "position"),
    ({"name": "P", "version": 3}, "version"),
]


@pytest.mark.parametrize("body,field", INVALID_CREATE, ids=[f for _, f in INVALID_CREATE])
def test_invalid_pipeline_is_named(org, body, field):
    r = org.admin.post("/v1/pipelines", body)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert int(psql("SELECT count(*) FROM crm.pipelines WHERE org_id = :'a1'", org.id)) == 0


def test_duplicate_stage_names_in_a_new_pipeline(org):
    r = org.admin.post("/v1/pipelines", {"name": "Dup", "stages": [
        {"name": "A", "probability": 1, "kind": "open"}, {"name": "A", "probability": 2, "kind": "open"}]})
    assert r.status_code in (409, 422), r.text
    assert pipeline_count(org, "Dup") == 0


INVALID_STAGE = [
    ({"probability": 1, "kind": "open"}, "name"),
    ({"name": "S", "kind": "open"}, "probability"),
    ({"name": "S", "probability": 1}, "kind"),
    ({"name": "S", "probability": 1, "kind": "closed"}, "kind"),
    ({"name": "S", "probability": "50", "kind": "open"}, "probability"),
    ({"name": "S", "probability": 1, "kind": "open", "rotting_days": 0}, "rotting_days"),
    ({"name": "S", "probability": 1, "kind": "open", "rotting_days": 1.5}, "rotting_days"),
    ({"name": "S", "probability": 1, "kind": "open", "position": -1}, "position"),
    ({"name": "S", "probability": 1, "kind": "open", "deal_count": 3}, "deal_count"),
    ({"name": "S", "probability": 1, "kind": "open", "pipeline_id": str(uuid.uuid4())}, "pipeline_id"),
]


@pytest.mark.parametrize("body,field", INVALID_STAGE, ids=[f for _, f in INVALID_STAGE])
def test_invalid_stage_is_named(org, body, field):
    p = new_pipeline(org.admin, stages=[])
    r = org.admin.post("/v1/pipelines/%s/stages" % p["id"], body)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert org.admin.get("/v1/pipelines/" + p["id"]).json()["stages"] == []


def test_invalid_patches_are_named(org):
    p = new_pipeline(org.admin)
    ppath = "/v1/pipelines/" + p["id"]
    spath = "%s/stages/%s" % (ppath, p["stages"][0]["id"])
    for body, field in (({"name": ""}, "name"), ({"stages": []}, "stages"), ({"id": str(uuid.uuid4())}, "id"),
                        ({"owner": "x"}, "owner")):
        assert fields_named(org.admin.patch(ppath, body)) == [field], body
    for body, field in (({"probability": 101}, "probability"), ({"kind": "x"}, "kind"),
                        ({"rotting_days": 0}, "rotting_days"), ({"position": 3}, "position"),
                        ({"deal_count": 1}, "deal_count"), ({"name": None}, "name"),
                        ({"probability": None}, "probability")):
        assert fields_named(org.admin.patch(spath, body)) == [field], body
    assert org.admin.patch(ppath, {}).status_code == 422
    got = org.admin.get(ppath).json()
    assert got["version"] == 1 and got["stages"][0]["version"] == 1


# --------------------------------------------------------------------------
# Concurrency, retries, audit


def test_stale_if_match_is_412_with_current(org):
    p = new_pipeline(org.admin, "One")
    ppath = "/v1/pipelines/" + p["id"]
    assert org.admin.patch(ppath, {"name": "Two"}, headers={"If-Match": '"1"'}).status_code == 200
    r = org.admin.patch(ppath, {"name": "Three"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert r.json()["current"]["name"] == "Two" and r.json()["current"]["version"] == 2
    assert org.admin.delete(ppath, headers={"If-Match": '"1"'}).status_code == 412

    s = p["stages"][1]
    spath = "%s/stages/%s" % (ppath, s["id"])
    r = org.admin.patch(spath, {"probability": 33}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(spath, {"probability": 44}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert r.json()["current"]["probability"] == 33 and r.json()["current"]["version"] == 2
    assert org.admin.delete(spath, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.delete(spath, headers={"If-Match": '"2"'}).status_code == 204
    # The pipeline's representation holds its stages: its version moved on with them.
    cur = org.admin.get(ppath).json()
    assert cur["name"] == "Two" and cur["version"] >= 2
    assert org.admin.delete(ppath, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.delete(ppath, headers={"If-Match": '"%d"' % cur["version"]}).status_code == 204


def test_idempotent_create(org):
    key = "k-" + uuid.uuid4().hex
    body = {"name": "Retry", "stages": SALES_STAGES[:2]}
    a = org.admin.post("/v1/pipelines", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/pipelines", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json() == b.json() and a.headers["Location"] == b.headers["Location"]
    assert pipeline_count(org, "Retry") == 1
    assert int(psql("SELECT count(*) FROM crm.stages WHERE pipeline_id = :'a1'", a.json()["id"])) == 2
    r = org.admin.post("/v1/pipelines", dict(body, name="Other"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert pipeline_count(org, "Other") == 0

    skey = "s-" + uuid.uuid4().hex
    path = "/v1/pipelines/%s/stages" % a.json()["id"]
    sbody = {"name": "Extra", "probability": 50, "kind": "open"}
    x = org.admin.post(path, sbody, headers={"Idempotency-Key": skey})
    y = org.admin.post(path, sbody, headers={"Idempotency-Key": skey})
    assert x.status_code == y.status_code == 201 and x.json() == y.json()
    assert int(psql("SELECT count(*) FROM crm.stages WHERE pipeline_id = :'a1' AND name = 'Extra'",
                    a.json()["id"])) == 1


def test_client_supplied_ids(org):
    pid, sid = str(uuid.uuid4()), str(uuid.uuid4())
    r = org.admin.post("/v1/pipelines", {"id": pid, "name": "Offline"})
    assert r.status_code == 201 and r.json()["id"] == pid
    r = org.admin.post("/v1/pipelines/%s/stages" % pid, {"id": sid, "name": "S", "probability": 1, "kind": "open"})
    assert r.status_code == 201 and r.json()["id"] == sid
    assert org.admin.post("/v1/pipelines", {"id": pid, "name": "Again"}).status_code == 409


def test_audit_rows(crew):
    org = crew.org
    p = new_pipeline(org.admin, "Audited")
    assert org.admin.patch("/v1/pipelines/" + p["id"], {"name": "Audited 2"}).status_code == 200
    rows = audit_rows(org.admin, record_id=p["id"])
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd, ins = rows
    assert upd["table"] == "pipelines" and upd["record_id"] == p["id"]
    assert upd["old"]["name"] == "Audited" and upd["new"]["name"] == "Audited 2"
    assert upd["actor"] == ins["actor"] == {"type": "user", "id": crew.admin_user["id"]}
    assert ins["new"]["name"] == "Audited"

    s = p["by_name"]["Qualified"]
    spath = "/v1/pipelines/%s/stages/%s" % (p["id"], s["id"])
    assert org.admin.patch(spath, {"probability": 45}).status_code == 200
    assert org.admin.delete(spath).status_code == 204
    rows = audit_rows(org.admin, record_id=s["id"])
    assert {e["table"] for e in rows} == {"stages"}
    assert rows[-1]["action"] == "insert" and rows[-1]["new"]["name"] == "Qualified"
    prob = [e for e in rows if e["action"] == "update" and "probability" in (e["new"] or {})]
    assert len(prob) == 1
    assert prob[0]["old"]["probability"] == 40 and prob[0]["new"]["probability"] == 45
    assert rows[0]["action"] in ("update", "delete")
    assert all(e["actor"] == {"type": "user", "id": crew.admin_user["id"]} for e in rows)


def test_audit_filter_knows_pipelines_and_stages(org):
    p = new_pipeline(org.admin, stages=SALES_STAGES[:1])
    assert [e["record_id"] for e in audit_rows(org.admin, table="pipelines")] == [p["id"]]
    assert [e["record_id"] for e in audit_rows(org.admin, table="stages")] == [p["stages"][0]["id"]]
    assert audit_rows(org.admin, table="pipelines", record_id=p["stages"][0]["id"]) == []
