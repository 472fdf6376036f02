"""Contacts: the customer file's people, their owners, history, duplicates and merging."""
import datetime
import uuid
from urllib.parse import quote

import pytest

from conftest import Api, api_key, ids, new_contact, psql

PHONE = "+98 912 345 6789"
KEY = "989123456789"


def contact_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.contacts WHERE org_id = :'a1' AND deleted_at IS NULL"
                    " AND " + where, org.id, *args))


def field_names(r):
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])


def search(api, q, **params):
    params["q"] = q
    qs = "&".join("%s=%s" % (k, quote(str(v), safe="")) for k, v in params.items())
    return ids(api.get("/v1/contacts?" + qs))


# --------------------------------------------------------------------------
# Happy path


def test_lifecycle(crew):
    body = {"first_name": "  Ali ", "last_name": "Rezaei",
            "phones": [{"label": "mobile", "number": PHONE}],
            "emails": [{"label": "work", "address": "Ali.Rezaei@Example.COM"}],
            "birthday": "1990-04-05", "city": "Tehran", "job_title": "Buyer",
            "lead_source": "web", "tags": ["gold", "vip"], "notes": "met at the fair",
            "preferences": {"language": "fa"}}
    r = crew.rep1.post("/v1/contacts", body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert r.headers["Location"] == "/v1/contacts/" + c["id"]
    assert r.headers["ETag"] == '"1"'
    assert c["version"] == 1
    assert c["first_name"] == "Ali" and c["last_name"] == "Rezaei"
    assert c["display_name"] == "Ali Rezaei"
    assert c["phones"] == [{"label": "mobile", "number": PHONE, "key": KEY}]
    assert c["emails"][0]["address"] == "ali.rezaei@example.com"
    assert c["birthday"] == "1990-04-05"
    assert c["lifecycle_stage"] == "lead" and c["lead_score"] == 0
    assert sorted(c["tags"]) == ["gold", "vip"]
    assert c["owner_id"] == crew.rep1_user["id"]
    assert c["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert c["created_by"] == c["updated_by"] == crew.rep1_user["id"]
    assert c["company"] is None and c["company_id"] is None and c["merged_into"] is None
    assert c["custom_fields"] == {} and c["preferences"] == {"language": "fa"}

    path = "/v1/contacts/" + c["id"]
    g = crew.rep1.get(path)
    assert g.status_code == 200 and g.json() == c
    assert g.headers["ETag"] == '"1"'
    assert c["id"] in ids(crew.rep1.get("/v1/contacts"))

    r = crew.rep1.patch(path, {"job_title": "Head buyer", "lead_score": 40, "city": None})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["version"] == 2 and r.headers["ETag"] == '"2"'
    assert u["job_title"] == "Head buyer" and u["lead_score"] == 40 and u["city"] is None
    assert u["display_name"] == "Ali Rezaei" and u["tags"] == c["tags"]
    assert crew.rep1.get(path).json() == u

    assert crew.rep1.delete(path).status_code == 204
    assert crew.rep1.get(path).status_code == 404
    assert crew.rep1.patch(path, {"city": "Qom"}).status_code == 404
    assert crew.rep1.delete(path).status_code == 404
    assert c["id"] not in ids(crew.rep1.get("/v1/contacts"))
    assert c["id"] not in ids(crew.admin.get("/v1/contacts"))
    # Soft: the row stays for sync and audit.
    assert psql("SELECT deleted_at IS NOT NULL FROM crm.contacts WHERE id = :'a1'", c["id"]) == "t"


def test_client_supplied_id_and_given_display_name(org):
    cid = str(uuid.uuid4())
    r = org.admin.post("/v1/contacts", {"id": cid, "first_name": "Maryam", "last_name": "Hosseini",
                                        "display_name": "Dr. Hosseini"})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == cid and r.json()["display_name"] == "Dr. Hosseini"
    # The same id again is a conflict, not a second row.
    r = org.admin.post("/v1/contacts", {"id": cid, "display_name": "Again"})
    assert r.status_code == 409


def test_minimal_contacts(org):
    for body in ({"first_name": "Ali"}, {"last_name": "Karimi"}, {"display_name": "Shop owner"},
                 {"phones": [{"number": "09121112233"}]},
                 {"emails": [{"address": "only-mail@example.com"}]}):
        r = org.admin.post("/v1/contacts", body)
        assert r.status_code == 201, (body, r.text)
    r = org.admin.post("/v1/contacts", {"city": "Tehran", "phones": [], "emails": []})
    assert field_names(r) == ["display_name"]
    assert r.json()["errors"][0]["code"] == "required"


# --------------------------------------------------------------------------
# Validation


INVALID = [
    ({"first_name": "x" * 101}, "first_name"),
    ({"last_name": 7}, "last_name"),
    ({"display_name": "y" * 201}, "display_name"),
    ({"phones": "0912"}, "phones"),
    ({"phones": [{"number": "12"}]}, "phones[0].number"),
    ({"phones": [{"number": "abc"}]}, "phones[0].number"),
    ({"phones": [{"number": "09121112233"}, {"number": "1234"}]}, "phones[1].number"),
    ({"phones": [{"label": "home", "number": "09121112233"}, {"label": "x"}]}, "phones[1].number"),
    ({"phones": [{"number": "09121112233", "label": "l" * 41}]}, "phones[0].label"),
    ({"phones": [{"number": "09121112233"}] * 11}, "phones"),
    ({"emails": [{"address": "not-an-email"}]}, "emails[0].address"),
    ({"birthday": "1990-02-30"}, "birthday"),
    ({"birthday": "05/04/1990"}, "birthday"),
    ({"city": "c" * 101}, "city"),
    ({"address": "a" * 501}, "address"),
    ({"job_title": ["x"]}, "job_title"),
    ({"company_id": "acme"}, "company_id"),
    ({"lifecycle_stage": "vip"}, "lifecycle_stage"),
    ({"lifecycle_stage": None}, "lifecycle_stage"),
    ({"lead_source": "s" * 101}, "lead_source"),
    ({"campaign_id": 12}, "campaign_id"),
    ({"lead_score": 101}, "lead_score"),
    ({"lead_score": -1}, "lead_score"),
    ({"lead_score": "10"}, "lead_score"),
    ({"tags": ["t" * 51]}, "tags"),
    ({"tags": "gold"}, "tags"),
    ({"custom_fields": []}, "custom_fields"),
    ({"consent": {"sms": {"granted": "yes"}}}, "consent.sms.granted"),
    ({"consent": {"email": {"source": "form"}}}, "consent.email.granted"),
    ({"consent": {"phone": {"granted": True, "at": "yesterday"}}}, "consent.phone.at"),
    ({"consent": {"fax": {"granted": True}}}, "consent.fax"),
    ({"consent": True}, "consent"),
    ({"preferences": "dark"}, "preferences"),
    ({"preferences": {"blob": "p" * 5000}}, "preferences"),
    ({"notes": "n" * 10001}, "notes"),
    ({"owner_id": "me"}, "owner_id"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    body = dict(body)
    body.setdefault("display_name", "Someone")
    r = org.admin.post("/v1/contacts", body)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert contact_count(org) == 0


def test_invalid_fields_in_patch_are_named(org):
    c = new_contact(org.admin)
    r = org.admin.patch("/v1/contacts/" + c["id"], {"lead_score": 500, "emails": [{"address": "x"}],
                                                   "consent": {"sms": {"granted": 1}}})
    assert field_names(r) == ["consent.sms.granted", "emails[0].address", "lead_score"]
    assert org.admin.get("/v1/contacts/" + c["id"]).json()["version"] == 1


def test_references_must_exist_in_the_organization(org, other_org):
    foreign_company = other_org.admin.post("/v1/companies", {"name": "Elsewhere"}).json()
    foreign_campaign = other_org.admin.post("/v1/campaigns", {"name": "Far", "channel": "sms"}).json()
    stranger = other_org.admin.get("/v1/me").json()
    cases = [({"company_id": str(uuid.uuid4())}, "company_id"),
             ({"company_id": foreign_company["id"]}, "company_id"),
             ({"campaign_id": str(uuid.uuid4())}, "campaign_id"),
             ({"campaign_id": foreign_campaign["id"]}, "campaign_id"),
             ({"owner_id": str(uuid.uuid4())}, "owner_id"),
             ({"owner_id": stranger["id"]}, "owner_id")]
    for body, field in cases:
        body["display_name"] = "Ref"
        r = org.admin.post("/v1/contacts", body)
        assert field_names(r) == [field], (body, r.text)
    assert contact_count(org) == 0


def test_unknown_and_read_only_fields(org):
    r = org.admin.post("/v1/contacts", {"display_name": "X", "nickname": "Y"})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("nickname", "unknown_field")]
    for member, value in (("version", 3), ("created_at", "2024-01-01T00:00:00Z"),
                          ("updated_at", "2024-01-01T00:00:00Z"), ("created_by", str(uuid.uuid4())),
                          ("updated_by", str(uuid.uuid4())), ("org_id", str(uuid.uuid4())),
                          ("merged_into", str(uuid.uuid4())), ("owner", "Ali"), ("company", "Acme")):
        r = org.admin.post("/v1/contacts", {"display_name": "X", member: value})
        assert r.status_code == 422, member
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(member, "read_only")]
    r = org.admin.post("/v1/contacts", {"display_name": "X",
                                        "phones": [{"number": "09121112233", "key": KEY}]})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("phones[0].key", "read_only")]
    r = org.admin.post("/v1/contacts", {"display_name": "X",
                                        "emails": [{"address": "a@b.test", "primary": True}]})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("emails[0].primary", "unknown_field")]
    assert contact_count(org) == 0

    c = new_contact(org.admin)
    path = "/v1/contacts/" + c["id"]
    for member, value in (("id", str(uuid.uuid4())), ("version", 9), ("merged_into", None),
                          ("created_at", "2024-01-01T00:00:00Z")):
        r = org.admin.patch(path, {member: value})
        assert r.status_code == 422, member
        assert r.json()["errors"][0]["code"] == "read_only"
    assert org.admin.patch(path, {"shoe_size": 44}).json()["errors"][0]["code"] == "unknown_field"
    assert org.admin.patch(path, {}).status_code == 422
    assert org.admin.get(path).json()["version"] == 1


def test_bad_list_parameters(org):
    for qs in ("stage=vip", "consent=fax", "birthday_within=367", "birthday_within=-1",
               "sort=phones", "owner_id=me", "limit=0", "limit=201", "created_since=yesterday",
               "fields=password"):
        r = org.admin.get("/v1/contacts?" + qs)
        assert r.status_code == 400, qs
        assert r.json()["errors"][0]["field"] == qs.split("=")[0]


# --------------------------------------------------------------------------
# Visibility and ownership


def test_other_rep_cannot_see_or_touch(crew):
    c = new_contact(crew.rep1, first_name="Hidden", last_name="Customer",
                    phones=[{"number": "09125550001"}], emails=[{"address": "hidden@example.com"}])
    mine = new_contact(crew.rep2, display_name="Rep2 own")
    path = "/v1/contacts/" + c["id"]
    assert crew.rep2.get(path).status_code == 404
    assert crew.rep2.patch(path, {"city": "Hacked"}).status_code == 404
    assert crew.rep2.delete(path).status_code == 404
    assert crew.rep2.get(path + "/timeline").status_code == 404
    assert crew.rep2.get(path + "/history").status_code == 404
    assert crew.rep2.post(path + "/merge", {"source_id": mine["id"]}).status_code == 404
    assert crew.rep2.post("/v1/contacts/%s/merge" % mine["id"],
                          {"source_id": c["id"]}).status_code == 404
    # The same answer as for a record that does not exist at all.
    missing = crew.rep2.get("/v1/contacts/" + str(uuid.uuid4()))
    assert missing.status_code == 404
    assert crew.rep2.get(path).json()["title"] == missing.json()["title"]

    assert ids(crew.rep2.get("/v1/contacts")) == [mine["id"]]
    assert search(crew.rep2, "Hidden") == []
    assert search(crew.rep2, "hidden@example.com") == []
    assert crew.rep2.get("/v1/lookup/phone?number=09125550001").json()["matches"] == []
    assert crew.rep2.get("/v1/contacts?owner_id=" + crew.rep1_user["id"]).json()["data"] == []

    got = crew.rep1.get(path).json()
    assert got["city"] is None and got["version"] == 1
    assert search(crew.rep1, "Hidden") == [c["id"]]


def test_manager_sees_team_admin_sees_all(crew):
    a = new_contact(crew.rep1, display_name="Team member's")
    b = new_contact(crew.rep2, display_name="Outsider's")
    m = new_contact(crew.manager, display_name="Manager's own")
    seen = ids(crew.manager.get("/v1/contacts"))
    assert sorted(seen) == sorted([a["id"], m["id"]])
    assert crew.manager.get("/v1/contacts/" + a["id"]).status_code == 200
    assert crew.manager.patch("/v1/contacts/" + a["id"], {"lead_score": 10}).status_code == 200
    assert crew.manager.get("/v1/contacts/" + b["id"]).status_code == 404
    assert crew.manager.patch("/v1/contacts/" + b["id"], {"lead_score": 10}).status_code == 404
    assert search(crew.manager, "Outsider") == []
    # A rep does not see the manager's own contacts either.
    assert crew.rep1.get("/v1/contacts/" + m["id"]).status_code == 404
    assert sorted(ids(crew.admin.get("/v1/contacts"))) == sorted([a["id"], b["id"], m["id"]])
    for c in (a, b, m):
        assert crew.admin.get("/v1/contacts/" + c["id"]).status_code == 200


def test_manager_loses_sight_when_rep_leaves_team(crew):
    a = new_contact(crew.rep1)
    assert crew.manager.get("/v1/contacts/" + a["id"]).status_code == 200
    r = crew.admin.delete("/v1/teams/%s/members/%s" % (crew.team_id, crew.rep1_user["id"]))
    assert r.status_code == 204
    assert crew.manager.get("/v1/contacts/" + a["id"]).status_code == 404


def test_other_organization_is_404(org, other_org):
    c = new_contact(org.admin, display_name="Ours", phones=[{"number": "09127770000"}])
    path = "/v1/contacts/" + c["id"]
    assert other_org.admin.get(path).status_code == 404
    assert other_org.admin.patch(path, {"city": "x"}).status_code == 404
    assert other_org.admin.delete(path).status_code == 404
    assert other_org.admin.get(path + "/timeline").status_code == 404
    assert other_org.admin.get(path + "/history").status_code == 404
    theirs = new_contact(other_org.admin)
    assert other_org.admin.post("/v1/contacts/%s/merge" % theirs["id"],
                                {"source_id": c["id"]}).status_code == 404
    assert ids(other_org.admin.get("/v1/contacts")) == [theirs["id"]]
    assert search(other_org.admin, "Ours") == []
    assert other_org.admin.get("/v1/lookup/phone?number=09127770000").json()["matches"] == []
    # Not a duplicate across organizations either.
    new_contact(other_org.admin, phones=[{"number": "09127770000"}])
    assert org.admin.get(path).json()["version"] == 1


def test_owner_defaults_and_rep_cannot_reassign(crew):
    c = new_contact(crew.rep1)
    assert c["owner_id"] == crew.rep1_user["id"]
    own = new_contact(crew.rep1, owner_id=crew.rep1_user["id"])
    assert own["owner_id"] == crew.rep1_user["id"]
    for other in (crew.rep2_user["id"], crew.manager_user["id"], crew.admin_user["id"]):
        r = crew.rep1.post("/v1/contacts", {"display_name": "Gift", "owner_id": other})
        assert r.status_code == 422
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "forbidden")]
        r = crew.rep1.patch("/v1/contacts/" + c["id"], {"owner_id": other})
        assert r.status_code == 422
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "forbidden")]
    assert crew.rep1.get("/v1/contacts/" + c["id"]).json()["owner_id"] == crew.rep1_user["id"]


def test_manager_assigns_within_team(crew):
    c = new_contact(crew.manager)
    assert c["owner_id"] == crew.manager_user["id"]
    r = crew.manager.patch("/v1/contacts/" + c["id"], {"owner_id": crew.rep1_user["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert crew.rep1.get("/v1/contacts/" + c["id"]).status_code == 200
    # Outside the team (or the admin) is refused.
    for other in (crew.rep2_user["id"], crew.admin_user["id"]):
        r = crew.manager.patch("/v1/contacts/" + c["id"], {"owner_id": other})
        assert field_names(r) == ["owner_id"]
        r = crew.manager.post("/v1/contacts", {"display_name": "For outsider", "owner_id": other})
        assert field_names(r) == ["owner_id"]
    made = new_contact(crew.manager, owner_id=crew.rep1_user["id"])
    assert made["owner_id"] == crew.rep1_user["id"]


def test_admin_assigns_to_any_active_user(crew):
    c = new_contact(crew.admin)
    r = crew.admin.patch("/v1/contacts/" + c["id"], {"owner_id": crew.rep2_user["id"]})
    assert r.status_code == 200 and r.json()["owner_id"] == crew.rep2_user["id"]
    assert crew.rep2.get("/v1/contacts/" + c["id"]).status_code == 200
    assert crew.rep1.get("/v1/contacts/" + c["id"]).status_code == 404
    r = crew.admin.patch("/v1/users/" + crew.rep1_user["id"], {"active": False})
    assert r.status_code == 200
    r = crew.admin.patch("/v1/contacts/" + c["id"], {"owner_id": crew.rep1_user["id"]})
    assert field_names(r) == ["owner_id"]
    r = crew.admin.post("/v1/contacts", {"display_name": "X", "owner_id": crew.rep1_user["id"]})
    assert field_names(r) == ["owner_id"]


def test_api_key_must_name_the_owner(crew):
    key = api_key(crew.org, "contacts:write", "contacts:read")
    r = key.post("/v1/contacts", {"display_name": "From the web form"})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "required")]
    r = key.post("/v1/contacts", {"display_name": "From the web form",
                                  "owner_id": crew.rep2_user["id"]})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["owner_id"] == crew.rep2_user["id"]
    assert crew.rep2.get("/v1/contacts/" + c["id"]).status_code == 200
    assert c["id"] in ids(key.get("/v1/contacts"))


def test_api_key_scopes(crew):
    c = new_contact(crew.rep1)
    reader = api_key(crew.org, "contacts:read")
    assert reader.get("/v1/contacts/" + c["id"]).status_code == 200
    assert c["id"] in ids(reader.get("/v1/contacts"))
    r = reader.post("/v1/contacts", {"display_name": "X", "owner_id": crew.rep1_user["id"]})
    assert r.status_code == 403
    assert reader.patch("/v1/contacts/" + c["id"], {"city": "x"}).status_code == 403
    assert reader.delete("/v1/contacts/" + c["id"]).status_code == 403
    other = api_key(crew.org, "companies:read", "lookup:read")
    assert other.get("/v1/contacts").status_code == 403
    assert other.get("/v1/contacts/" + c["id"]).status_code == 403
    assert Api().get("/v1/contacts").status_code == 401


# --------------------------------------------------------------------------
# History, concurrency, retries


def test_history_has_old_new_and_actor(crew):
    c = new_contact(crew.rep1, display_name="Before", city="Tehran")
    rid = "req-" + uuid.uuid4().hex[:10]
    r = crew.manager.patch("/v1/contacts/" + c["id"], {"display_name": "After", "lead_score": 55},
                           headers={"X-Request-Id": rid})
    assert r.status_code == 200
    r = crew.rep1.get("/v1/contacts/%s/history" % c["id"])
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    upd, ins = rows
    assert upd["actor"] == {"type": "user", "id": crew.manager_user["id"]}
    assert upd["request_id"] == rid
    assert upd["old"]["display_name"] == "Before" and upd["new"]["display_name"] == "After"
    assert upd["old"]["lead_score"] == 0 and upd["new"]["lead_score"] == 55
    assert "city" not in upd["new"]  # changed fields only
    assert ins["actor"] == {"type": "user", "id": crew.rep1_user["id"]}
    assert ins["new"]["display_name"] == "Before"
    assert [e["action"] for e in crew.manager.get("/v1/contacts/%s/history" % c["id"]).json()["data"]] == \
        ["update", "insert"]
    # The organization-wide audit shows the same rows.
    audit = crew.admin.get("/v1/audit?record_id=" + c["id"]).json()["data"]
    assert [e["action"] for e in audit] == ["update", "insert"]
    # Paging the history.
    p1 = crew.rep1.get("/v1/contacts/%s/history?limit=1" % c["id"]).json()
    assert len(p1["data"]) == 1 and p1["next_cursor"]
    p2 = crew.rep1.get("/v1/contacts/%s/history?limit=1&cursor=%s" % (c["id"], p1["next_cursor"])).json()
    assert [e["action"] for e in p1["data"] + p2["data"]] == ["update", "insert"]


def test_delete_is_in_history(org):
    c = new_contact(org.admin)
    assert org.admin.delete("/v1/contacts/" + c["id"]).status_code == 204
    rows = org.admin.get("/v1/audit?record_id=" + c["id"]).json()["data"]
    assert rows[0]["action"] in ("update", "delete")
    assert len(rows) == 2


def test_stale_if_match_is_412_with_current(org):
    c = new_contact(org.admin, display_name="First")
    path = "/v1/contacts/" + c["id"]
    r = org.admin.patch(path, {"display_name": "Second"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"display_name": "Stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["current"]["display_name"] == "Second"
    assert r.json()["current"]["version"] == 2
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.get(path).json()["display_name"] == "Second"
    assert org.admin.delete(path, headers={"If-Match": '"2"'}).status_code == 204


def test_idempotent_create(org):
    key = "k-" + uuid.uuid4().hex
    body = {"first_name": "Offline", "last_name": "Capture", "phones": [{"number": "09351234567"}]}
    a = org.admin.post("/v1/contacts", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/contacts", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json() == b.json()
    assert a.headers["Location"] == b.headers["Location"]
    assert contact_count(org) == 1
    r = org.admin.post("/v1/contacts", dict(body, last_name="Changed"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert contact_count(org) == 1
    assert contact_count(org, "last_name = 'Changed'") == 0


# --------------------------------------------------------------------------
# Duplicates and merging


def test_duplicate_phone_is_409_with_existing_id(org):
    first = new_contact(org.admin, phones=[{"number": PHONE}])
    for number in ("09123456789", "0098 912 345 6789", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "(0912) 345 67 89"):
        r = org.admin.post("/v1/contacts", {"display_name": "Dup", "phones": [{"number": number}]})
        assert r.status_code == 409, (number, r.text)
        assert r.json()["existing_id"] == first["id"]
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("phones", "duplicate")]
    assert contact_count(org) == 1
    r = org.admin.post("/v1/contacts?allow_duplicate=true",
                       {"display_name": "Twin", "phones": [{"number": "09123456789"}]})
    assert r.status_code == 201, r.text
    assert contact_count(org) == 2


def test_duplicate_email_is_409(org):
    first = new_contact(org.admin, emails=[{"address": "Sales@Example.com"}])
    r = org.admin.post("/v1/contacts", {"display_name": "Dup",
                                        "emails": [{"address": "sales@EXAMPLE.com"}]})
    assert r.status_code == 409
    assert r.json()["existing_id"] == first["id"]
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("emails", "duplicate")]
    r = org.admin.post("/v1/contacts?allow_duplicate=true",
                       {"display_name": "Dup", "emails": [{"address": "sales@example.com"}]})
    assert r.status_code == 201
    assert contact_count(org) == 2


def test_duplicate_detection_on_patch_and_after_delete(org):
    a = new_contact(org.admin, phones=[{"number": "09121110000"}])
    b = new_contact(org.admin, phones=[{"number": "09122220000"}])
    r = org.admin.patch("/v1/contacts/" + b["id"], {"phones": [{"number": "+989121110000"}]})
    assert r.status_code == 409
    assert r.json()["existing_id"] == a["id"]
    # A contact's own phones are no duplicate of itself.
    r = org.admin.patch("/v1/contacts/" + a["id"], {"phones": [{"number": "0912 111 0000"}]})
    assert r.status_code == 200, r.text
    r = org.admin.patch("/v1/contacts/%s?allow_duplicate=true" % b["id"],
                        {"phones": [{"number": "+989121110000"}]})
    assert r.status_code == 200, r.text
    assert r.json()["phones"][0]["key"] == "989121110000"
    # Deleted contacts are no longer duplicates.
    c = new_contact(org.admin, phones=[{"number": "09123330000"}])
    assert org.admin.delete("/v1/contacts/" + c["id"]).status_code == 204
    new_contact(org.admin, phones=[{"number": "09123330000"}])


def test_duplicate_of_invisible_contact_hides_its_id(crew):
    new_contact(crew.rep1, phones=[{"number": "09124440000"}])
    r = crew.rep2.post("/v1/contacts", {"display_name": "Mine?", "phones": [{"number": "09124440000"}]})
    assert r.status_code == 409
    assert "existing_id" not in r.json() or r.json()["existing_id"] is None
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("phones", "duplicate")]


def test_merge(crew):
    target = new_contact(crew.rep1, first_name="Ali", last_name="Rezaei", tags=["gold", "tehran"],
                         phones=[{"label": "mobile", "number": "09121230000"}],
                         emails=[{"address": "ali@example.com"}])
    r = crew.rep1.post("/v1/contacts?allow_duplicate=true", {
        "display_name": "A. Rezaei", "tags": ["tehran", "troublesome"],
        "phones": [{"label": "work", "number": "02188001122"}],
        "emails": [{"address": "ALI@example.com"}, {"address": "ali.r@work.example"}],
        "city": "Tehran", "job_title": "Buyer"})
    assert r.status_code == 201, r.text
    source = r.json()
    acts = []
    for subject in ("first call", "follow-up"):
        r = crew.rep1.post("/v1/activities", {"contact_id": source["id"], "type": "note",
                                              "subject": subject})
        assert r.status_code == 201, r.text
        acts.append(r.json()["id"])
    r = crew.rep1.post("/v1/contacts/%s/merge" % target["id"], {"source_id": source["id"]})
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["id"] == target["id"]
    assert sorted(m["tags"]) == ["gold", "tehran", "troublesome"]
    assert sorted(p["key"] for p in m["phones"]) == ["982188001122", "989121230000"]
    assert sorted(e["address"] for e in m["emails"]) == ["ali.r@work.example", "ali@example.com"]
    assert m["city"] == "Tehran" and m["job_title"] == "Buyer"  # empty ones filled
    assert m["first_name"] == "Ali" and m["last_name"] == "Rezaei"  # kept
    assert m["display_name"] == "Ali Rezaei"  # its own names beat the source's
    assert m["version"] > target["version"]

    assert crew.rep1.get("/v1/contacts/" + source["id"]).status_code == 404
    assert source["id"] not in ids(crew.rep1.get("/v1/contacts"))
    assert psql("SELECT merged_into FROM crm.contacts WHERE id = :'a1'", source["id"]) == target["id"]
    for a in acts:
        assert crew.rep1.get("/v1/activities/" + a).json()["contact_id"] == target["id"]
    timeline = crew.rep1.get("/v1/contacts/%s/timeline" % target["id"]).json()["data"]
    assert set(acts) <= {e["id"] for e in timeline}
    merges = [e for e in timeline if e["type"] == "system" and e["event"] == "merge"]
    assert len(merges) == 1
    assert merges[0]["data"]["source_id"] == source["id"]
    assert merges[0]["data"]["source_name"] == "A. Rezaei"
    # The source's phone now finds the target.
    matches = crew.rep1.get("/v1/lookup/phone?number=02188001122").json()["matches"]
    assert [x["id"] for x in matches] == [target["id"]]
    # Audited, both sides.
    assert crew.admin.get("/v1/audit?record_id=" + source["id"]).json()["data"][0]["action"] in ("update", "delete")
    # Merging the gone source again is a 404.
    r = crew.rep1.post("/v1/contacts/%s/merge" % target["id"], {"source_id": source["id"]})
    assert r.status_code == 404


def test_rep_cannot_link_a_company_they_cannot_see(crew):
    theirs = crew.rep2.post("/v1/companies", {"name": "Rep2 Co"}).json()
    mine = crew.rep1.post("/v1/companies", {"name": "Rep1 Co"}).json()
    c = new_contact(crew.rep1)
    r = crew.rep1.patch("/v1/contacts/" + c["id"], {"company_id": theirs["id"]})
    assert r.status_code == 422 and field_names(r) == ["company_id"]
    r = crew.rep1.patch("/v1/contacts/" + c["id"], {"company_id": mine["id"]})
    assert r.status_code == 200 and r.json()["company"]["name"] == "Rep1 Co"
    r = crew.admin.patch("/v1/contacts/" + c["id"], {"company_id": theirs["id"]})
    assert r.status_code == 200


def test_merge_validation(crew):
    c = new_contact(crew.rep1)
    r = crew.rep1.post("/v1/contacts/%s/merge" % c["id"], {"source_id": c["id"]})
    assert field_names(r) == ["source_id"]
    r = crew.rep1.post("/v1/contacts/%s/merge" % c["id"], {})
    assert field_names(r) == ["source_id"]
    r = crew.rep1.post("/v1/contacts/%s/merge" % c["id"], {"source_id": "x"})
    assert field_names(r) == ["source_id"]
    r = crew.rep1.post("/v1/contacts/%s/merge" % c["id"], {"source_id": str(uuid.uuid4())})
    assert r.status_code == 404
    r = crew.rep1.post("/v1/contacts/%s/merge" % str(uuid.uuid4()), {"source_id": c["id"]})
    assert r.status_code == 404
    assert crew.rep1.get("/v1/contacts/" + c["id"]).json()["version"] == 1


# --------------------------------------------------------------------------
# Search and folding


def test_search_folds_arabic_and_persian_letters(org):
    ali = new_contact(org.admin, first_name="علي", last_name="حسن")            # Arabic yeh
    karim = new_contact(org.admin, display_name="كريم الكاظمي")                 # Arabic kaf, yeh
    maryam = new_contact(org.admin, display_name="مریم حسینی")                  # Persian letters
    fatemeh = new_contact(org.admin, display_name="فاطمة الزهراء")              # teh marbuta
    harakat = new_contact(org.admin, display_name="مُحَمَّد")                      # diacritics
    new_contact(org.admin, display_name="Unrelated")
    assert search(org.admin, "علی") == [ali["id"]]                             # Persian yeh
    assert search(org.admin, "کریم") == [karim["id"]]                          # Persian kaf, yeh
    assert search(org.admin, "کاظمی") == [karim["id"]]
    assert search(org.admin, "مريم") == [maryam["id"]]                         # Arabic yeh finds Persian
    assert search(org.admin, "فاطمه") == [fatemeh["id"]]
    assert search(org.admin, "محمد") == [harakat["id"]]
    assert search(org.admin, "علي حسن") == [ali["id"]]


def test_search_by_phone_email_company_and_latin_case(org):
    co = org.admin.post("/v1/companies", {"name": "Acme Pars"}).json()
    c = new_contact(org.admin, display_name="Sara Ahmadi", company_id=co["id"],
                    phones=[{"number": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}], emails=[{"address": "sara@shop.example"}])
    other = new_contact(org.admin, display_name="Nobody")
    assert search(org.admin, "sara ahmadi") == [c["id"]]
    assert search(org.admin, "AHMADI") == [c["id"]]
    assert search(org.admin, "912345678") == [c["id"]]
    assert search(org.admin, "۹۱۲۳۴۵") == [c["id"]]
    assert search(org.admin, "shop.example") == [c["id"]]
    assert search(org.admin, "acme") == [c["id"]]
    assert search(org.admin, "zzz-none") == []
    # Renaming the company updates the contacts' search text.
    r = org.admin.patch("/v1/companies/" + co["id"], {"name": "Zenith Trading"})
    assert r.status_code == 200
    assert search(org.admin, "zenith") == [c["id"]]
    assert search(org.admin, "acme") == []
    # Renaming the contact too.
    org.admin.patch("/v1/contacts/" + other["id"], {"display_name": "Somebody Ahmadi"})
    assert sorted(search(org.admin, "ahmadi")) == sorted([c["id"], other["id"]])


# --------------------------------------------------------------------------
# Filters, sorting, paging


def test_sort_and_cursor_paging_return_every_row_once(org):
    made = []
    for i, (last, score) in enumerate([("Zand", 5), ("Ahmadi", 90), ("Karimi", 40), ("Bahrami", 40),
                                       ("Rezaei", 0), ("Moradi", 77), ("Ebrahimi", 40)]):
        made.append(new_contact(org.admin, first_name="P%d" % i, last_name=last, lead_score=score))
    for sort, key, rev in (("-lead_score", "lead_score", True), ("lead_score", "lead_score", False),
                           ("last_name", "last_name", False), ("-last_name", "last_name", True),
                           ("display_name", "display_name", False), ("created_at", "created_at", False),
                           ("-updated_at", "updated_at", True)):
        seen, rows, cursor = [], [], None
        while True:
            r = org.admin.get("/v1/contacts?limit=2&sort=%s%s" % (sort, "&cursor=" + cursor if cursor else ""))
            assert r.status_code == 200, r.text
            page = r.json()
            assert len(page["data"]) <= 2
            rows += page["data"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        seen = [x["id"] for x in rows]
        assert sorted(seen) == sorted(c["id"] for c in made), sort
        values = [x[key] for x in rows]
        assert values == sorted(values, reverse=rev), sort
    # Default order: newest first.
    assert ids(org.admin.get("/v1/contacts")) == [c["id"] for c in reversed(made)]


def test_fields_projection(org):
    c = new_contact(org.admin, display_name="Projected", city="Shiraz")
    r = org.admin.get("/v1/contacts?fields=id,display_name")
    assert r.status_code == 200
    assert r.json()["data"] == [{"id": c["id"], "display_name": "Projected"}]
    r = org.admin.get("/v1/contacts/%s?fields=city,owner" % c["id"])
    assert r.status_code == 200
    assert set(r.json()) <= {"id", "city", "owner"} and r.json()["city"] == "Shiraz"


def test_filters(crew):
    org = crew.org
    co = org.admin.post("/v1/companies", {"name": "Filter Co"}).json()
    camp = org.admin.post("/v1/campaigns", {"name": "Spring SMS", "channel": "sms"}).json()
    a = new_contact(org.admin, display_name="A", lifecycle_stage="customer", tags=["gold"],
                    city="Isfahan", company_id=co["id"], campaign_id=camp["id"], lead_source="fair",
                    consent={"sms": {"granted": True, "source": "paper form"}})
    b = new_contact(org.admin, display_name="B", lifecycle_stage="prospect", tags=["silver", "gold"],
                    city="Tabriz", owner_id=crew.rep1_user["id"],
                    consent={"sms": {"granted": False}, "email": {"granted": True}})
    c = new_contact(org.admin, display_name="C", tags=["bronze"])
    assert c["lifecycle_stage"] == "lead"

    def q(qs):
        return sorted(ids(org.admin.get("/v1/contacts?" + qs)))

    assert q("stage=customer") == [a["id"]]
    assert q("stage=lead") == [c["id"]]
    assert q("tag=gold") == sorted([a["id"], b["id"]])
    assert q("tag=bronze") == [c["id"]]
    assert q("city=" + quote("Isfahan")) == [a["id"]]
    assert q("company_id=" + co["id"]) == [a["id"]]
    assert q("campaign_id=" + camp["id"]) == [a["id"]]
    assert q("source=fair") == [a["id"]]
    assert q("consent=sms") == [a["id"]]
    assert q("consent=email") == [b["id"]]
    assert q("consent=phone") == []
    assert q("owner_id=" + crew.rep1_user["id"]) == [b["id"]]
    assert q("owner_id=" + crew.admin_user["id"]) == sorted([a["id"], c["id"]])
    assert q("stage=customer&tag=silver") == []
    future = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert q("created_since=" + future) == []
    assert q("created_until=" + future) == sorted([a["id"], b["id"], c["id"]])
    assert q("updated_since=2000-01-01T00:00:00Z") == sorted([a["id"], b["id"], c["id"]])
    # Tags are kept as given and matched folded.
    d = new_contact(org.admin, display_name="D", tags=[" مشتري ويژه ", "VIP"])
    assert d["tags"] == ["مشتري ويژه", "VIP"]
    assert q("tag=" + quote("مشتری ویژه")) == [d["id"]]
    assert q("tag=vip") == [d["id"]]


def test_birthday_within(org):
    today = datetime.date.fromisoformat(psql("SELECT current_date"))

    def bday(days, year=1992):
        d = today + datetime.timedelta(days=days)
        return d.replace(year=year if (d.month, d.day) != (2, 29) else 1992).isoformat()

    soon = new_contact(org.admin, display_name="soon", birthday=bday(3))
    later = new_contact(org.admin, display_name="later", birthday=bday(40, 1985))
    past = new_contact(org.admin, display_name="past", birthday=bday(-5, 2001))
    new_contact(org.admin, display_name="no birthday")

    def q(n):
        return sorted(ids(org.admin.get("/v1/contacts?birthday_within=%d" % n)))

    assert q(10) == [soon["id"]]
    assert q(45) == sorted([soon["id"], later["id"]])  # across a month (and year) end
    assert q(366) == sorted([soon["id"], later["id"], past["id"]])
    assert q(1) == []


def test_birthday_today(org):
    today = datetime.date.fromisoformat(psql("SELECT current_date"))
    year = 1992 if (today.month, today.day) == (2, 29) else 1980
    c = new_contact(org.admin, birthday=today.replace(year=year).isoformat())
    assert ids(org.admin.get("/v1/contacts?birthday_within=0")) == [c["id"]]


# --------------------------------------------------------------------------
# Merge-patch semantics, consent


def test_patch_replaces_arrays_and_merges_objects(org):
    c = new_contact(org.admin, tags=["a", "b"], phones=[{"number": "09120000001"}],
                    preferences={"lang": "fa", "newsletter": True})
    path = "/v1/contacts/" + c["id"]
    r = org.admin.patch(path, {"tags": ["c"], "phones": [{"label": "home", "number": "02144556677"}],
                               "preferences": {"theme": "dark", "newsletter": None}})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["tags"] == ["c"]
    assert u["phones"] == [{"label": "home", "number": "02144556677", "key": "982144556677"}]
    assert u["preferences"] == {"lang": "fa", "theme": "dark"}
    r = org.admin.patch(path, {"tags": []})
    assert r.json()["tags"] == []


def test_consent(org):
    c = new_contact(org.admin, consent={"sms": {"granted": True, "source": "web form"}})
    sms = c["consent"]["sms"]
    assert sms["granted"] is True and sms["source"] == "web form" and sms["at"]
    assert c["consent"].get("email") is None
    path = "/v1/contacts/" + c["id"]
    r = org.admin.patch(path, {"consent": {"email": {"granted": True, "source": "call"}}})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["consent"]["sms"] == sms  # untouched channel kept
    assert u["consent"]["email"]["granted"] is True
    r = org.admin.patch(path, {"consent": {"sms": {"granted": False, "source": "STOP reply"}}})
    w = r.json()["consent"]["sms"]
    assert w["granted"] is False and w["source"] == "STOP reply"
    assert w["at"] >= sms["at"]
    # Offline capture keeps the client's time.
    given = "2024-03-01T08:30:00Z"
    d = new_contact(org.admin, consent={"phone": {"granted": True, "at": given, "source": "visit"}})
    got = datetime.datetime.fromisoformat(d["consent"]["phone"]["at"].replace("Z", "+00:00"))
    assert got == datetime.datetime(2024, 3, 1, 8, 30, tzinfo=datetime.timezone.utc)


def test_company_and_campaign_appear_in_contact(org):
    co = org.admin.post("/v1/companies", {"name": "Pars Co"}).json()
    camp = org.admin.post("/v1/campaigns", {"name": "Expo", "channel": "event"}).json()
    c = new_contact(org.admin, company_id=co["id"], campaign_id=camp["id"])
    assert c["company"] == {"id": co["id"], "name": "Pars Co"}
    assert c["campaign_id"] == camp["id"]
    assert org.admin.delete("/v1/companies/" + co["id"]).status_code == 204
    assert org.admin.get("/v1/contacts/" + c["id"]).json()["company"] is None


def test_audit_filter_knows_customer_tables(org):
    c = new_contact(org.admin)
    for table in ("contacts", "companies", "campaigns", "custom_fields", "activities"):
        r = org.admin.get("/v1/audit?table=" + table)
        assert r.status_code == 200, (table, r.text)
    rows = org.admin.get("/v1/audit?table=contacts").json()["data"]
    assert [e["record_id"] for e in rows] == [c["id"]]


def test_search_treats_like_wildcards_literally(org):
    pct = new_contact(org.admin, display_name="100% Cotton")
    new_contact(org.admin, display_name="Plain_name")
    new_contact(org.admin, display_name="Other")
    assert search(org.admin, "%") == [pct["id"]]
    assert search(org.admin, "0%") == [pct["id"]]
    assert len(search(org.admin, "_")) == 1
    assert search(org.admin, "\\") == []
    assert search(org.admin, "O_her") == []


def test_display_name_follows_first_and_last(org):
    c = new_contact(org.admin, first_name="Sara", last_name="Ahmadi")
    assert c["display_name"] == "Sara Ahmadi"
    r = org.admin.patch("/v1/contacts/" + c["id"], {"first_name": "Zahra"})
    assert r.json()["display_name"] == "Zahra Ahmadi"
    assert search(org.admin, "zahra") == [c["id"]]


def test_consent_time_not_in_the_future(org):
    r = org.admin.post("/v1/contacts", {"display_name": "Future",
                                        "consent": {"sms": {"granted": True, "at": "2099-01-01T00:00:00Z"}}})
    if r.status_code == 422:
        assert [e["field"] for e in r.json()["errors"]] == ["consent.sms.at"]
    else:
        assert r.status_code == 201
        assert r.json()["consent"]["sms"]["at"] < "2099"


def test_merge_with_idempotency_key(org):
    t = new_contact(org.admin)
    s = new_contact(org.admin)
    k = "m-" + uuid.uuid4().hex
    a = org.admin.post("/v1/contacts/%s/merge" % t["id"], {"source_id": s["id"]}, headers={"Idempotency-Key": k})
    b = org.admin.post("/v1/contacts/%s/merge" % t["id"], {"source_id": s["id"]}, headers={"Idempotency-Key": k})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    merges = [e for e in org.admin.get("/v1/contacts/%s/timeline?type=system" % t["id"]).json()["data"]
              if e["event"] == "merge"]
    assert len(merges) == 1
