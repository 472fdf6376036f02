"""Caller lookup (any phone format in, a compact profile out) and the tag list."""
import datetime
import time
from urllib.parse import quote

import pytest

from conftest import api_key, as_user, new_contact, psql

NUMBER = "۰۹۱۲ ۳۴۵ ۶۷۸۹"  # Persian digits, as a rep typed it
KEY = "989123456789"


def lookup(api, number, status=200):
    r = api.get("/v1/lookup/phone?number=" + quote(number, safe=""))
    assert r.status_code == status, r.text
    return r.json()


def matched(api, number):
    return [m["id"] for m in lookup(api, number)["matches"]]


def ago(**kw):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(**kw)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


FORMATS = ["+989123456789", "00989123456789", "989123456789", "0912-345-6789", "09123456789", "+98 912 345 6789",
           "(0912) 345 67 89", "9123456789", "۰۹۱۲۳۴۵۶۷۸۹", "٠٩١٢٣٤٥٦٧٨٩", "+۹۸۹۱۲۳۴۵۶۷۸۹",
           "٠٠٩٨ ٩١٢ ٣٤٥ ٦٧٨٩"]


@pytest.fixture
def ali(org):
    return new_contact(org.admin, first_name="علي", last_name="رضائي", phones=[{"number": NUMBER}])


@pytest.mark.parametrize("number", FORMATS)
def test_any_format_finds_the_contact(org, ali, number):
    body = lookup(org.admin, number)
    assert body["phone_key"] == KEY
    assert [m["id"] for m in body["matches"]] == [ali["id"]]


def test_organization_country_code(org):
    psql("BEGIN; SET LOCAL crm.actor_system = 'test';"
         " UPDATE crm.organizations SET default_country_code = '971' WHERE id = :'a1'; COMMIT;", org.id)
    c = new_contact(org.admin, display_name="Dubai", phones=[{"number": "050 123 4567"},
                                                             {"number": "+98 912 345 6789"}])
    assert [p["key"] for p in c["phones"]] == ["971501234567", "989123456789"]
    body = lookup(org.admin, "+971 50 123 4567")
    assert body["phone_key"] == "971501234567" and [m["id"] for m in body["matches"]] == [c["id"]]
    assert lookup(org.admin, "0501234567")["phone_key"] == "971501234567"
    assert matched(org.admin, "00989123456789") == [c["id"]]


def test_arabic_indic_digits_stored(org):
    c = new_contact(org.admin, display_name="يوسف", phones=[{"number": "٠٩٣٥ ١١١ ٢٢٣٣"}])
    assert c["phones"][0]["key"] == "989351112233"
    assert matched(org.admin, "+98 935 111 2233") == [c["id"]]
    assert matched(org.admin, "۰۹۳۵۱۱۱۲۲۳۳") == [c["id"]]


def test_profile(crew):
    org = crew.org
    co = crew.rep1.post("/v1/companies", {"name": "Pars Co"}).json()
    c = new_contact(crew.rep1, display_name="Ali Rezaei", company_id=co["id"], tags=["gold", "vip"],
                    lifecycle_stage="customer", phones=[{"number": NUMBER}])
    made = []
    for i, hours in enumerate((50, 10, 30, 1)):
        r = crew.rep1.post("/v1/activities", {"contact_id": c["id"], "type": "call", "occurred_at": ago(hours=hours),
                                              "subject": "call %d" % i, "direction": "inbound",
                                              "outcome": "answered"})
        assert r.status_code == 201, r.text
        made.append(r.json())
    body = lookup(crew.rep1, "+989123456789")
    assert body["phone_key"] == KEY
    [m] = body["matches"]
    assert m["id"] == c["id"] and m["display_name"] == "Ali Rezaei"
    assert m["company"] == {"id": co["id"], "name": "Pars Co"}
    assert m["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert m["lifecycle_stage"] == "customer"
    assert sorted(m["tags"]) == ["gold", "vip"]
    last = m["last_activities"]
    assert [a["id"] for a in last] == [made[3]["id"], made[1]["id"], made[2]["id"]]
    assert last[0]["type"] == "call" and last[0]["subject"] == "call 3"
    assert last[0]["direction"] == "inbound" and last[0]["outcome"] == "answered"
    assert last[0]["occurred_at"]


def test_no_activities_and_no_company(org, ali):
    [m] = lookup(org.admin, "09123456789")["matches"]
    assert m["company"] is None and m["last_activities"] == []


def test_unknown_and_unusable_numbers(org, ali):
    body = lookup(org.admin, "+14155550100")
    assert body["matches"] == [] and body["phone_key"] == "14155550100"
    body = lookup(org.admin, "12")
    assert body == {"phone_key": None, "matches": []}
    body = lookup(org.admin, "abc")
    assert body["phone_key"] is None and body["matches"] == []


def test_number_is_required(org):
    r = org.admin.get("/v1/lookup/phone")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "number"
    r = org.admin.get("/v1/lookup/phone?number=" + "1" * 65)
    assert r.status_code == 400


def test_at_most_five_newest_first(org):
    made = []
    for i in range(7):
        r = org.admin.post("/v1/contacts?allow_duplicate=true",
                           {"display_name": "Dup %d" % i, "phones": [{"number": "0912 000 11 22"}]})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
        time.sleep(0.01)
    # Touching an old one brings it to the top.
    assert org.admin.patch("/v1/contacts/" + made[0], {"city": "Tabriz"}).status_code == 200
    got = matched(org.admin, "+989120001122")
    assert got == [made[0], made[6], made[5], made[4], made[3]]


def test_deleted_and_merged_contacts_are_not_matched(org):
    a = new_contact(org.admin, phones=[{"number": "09131234567"}])
    assert org.admin.delete("/v1/contacts/" + a["id"]).status_code == 204
    assert matched(org.admin, "09131234567") == []


def test_visibility(crew, other_org):
    c = new_contact(crew.rep1, phones=[{"number": NUMBER}])
    assert matched(crew.rep1, "+989123456789") == [c["id"]]
    assert matched(crew.manager, "+989123456789") == [c["id"]]
    assert matched(crew.admin, "+989123456789") == [c["id"]]
    assert matched(crew.rep2, "+989123456789") == []
    assert matched(other_org.admin, "+989123456789") == []


def test_api_keys(crew):
    c = new_contact(crew.rep1, phones=[{"number": NUMBER}])
    d = new_contact(crew.rep2, phones=[{"number": "09351234567"}])
    key = api_key(crew.org, "lookup:read")
    assert [m["id"] for m in lookup(key, "00989123456789")["matches"]] == [c["id"]]
    assert [m["id"] for m in lookup(key, "0935 123 4567")["matches"]] == [d["id"]]
    for scopes in (("contacts:read",), ("activities:write", "contacts:write")):
        assert api_key(crew.org, *scopes).get("/v1/lookup/phone?number=09123456789").status_code == 403


# --------------------------------------------------------------------------
# The demo customer file (sql/seed/demo_customers.sql)


def demo_seeded():
    return psql("SELECT count(*) FROM crm.contacts c JOIN crm.organizations o ON o.id = c.org_id"
                " WHERE o.slug = 'demo'") != "0"


def all_ids(api, path):
    out, cursor = [], None
    while True:
        r = api.get(path + "&limit=200" + ("&cursor=" + cursor if cursor else ""))
        assert r.status_code == 200, r.text
        out += [x["id"] for x in r.json()["data"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return out


def test_demo_caller_lookup_and_folding():
    if not demo_seeded():
        pytest.skip("demo customers not seeded")
    rep1, rep2, manager, admin = (as_user(e + "@demo.test") for e in ("rep1", "rep2", "manager", "admin"))
    for number in ("+989123456789", "00989123456789", "0912-345-6789", "٠٩١٢٣٤٥٦٧٨٩"):
        ms = lookup(rep1, number)["matches"]
        assert [m["display_name"] for m in ms] == ["علي رضائي"], number
        assert ms[0]["owner"]["name"] == "Ali Rezaei"
        assert len(ms[0]["last_activities"]) <= 3
    ali = lookup(rep1, "+989123456789")["matches"][0]["id"]
    assert matched(manager, "+989123456789") == [ali]
    assert matched(rep2, "+989123456789") == []
    # «علي رضائي» (Arabic yeh) is found by «علی رضائی» (Persian yeh).
    assert ali in all_ids(rep1, "/v1/contacts?q=" + quote("علی رضائی"))
    assert ali not in all_ids(rep2, "/v1/contacts?q=" + quote("علی رضائی"))
    # Every «كريم» (Arabic kaf and yeh) is found by «کریم».
    karims = psql("SELECT c.id FROM crm.contacts c JOIN crm.organizations o ON o.id = c.org_id"
                  " WHERE o.slug = 'demo' AND c.first_name = 'كريم' AND c.deleted_at IS NULL").split()
    assert karims
    found = all_ids(admin, "/v1/contacts?q=" + quote("کریم"))
    assert set(karims) <= set(found)
    # The other organization has a contact with the same phone: it sees only its own.
    other = as_user("admin@other.test")
    theirs = matched(other, "+989123456789")
    assert ali not in theirs
    assert not set(theirs) & set(matched(admin, "+989123456789"))


# --------------------------------------------------------------------------
# Tags


def test_tags_counts_by_visibility(crew):
    new_contact(crew.rep1, tags=["gold", "tehran"])
    new_contact(crew.rep1, tags=["gold"])
    new_contact(crew.rep2, tags=["gold", "silver"])
    new_contact(crew.rep2, tags=["silver"])
    gone = new_contact(crew.rep2, tags=["deleted-tag"])
    assert crew.rep2.delete("/v1/contacts/" + gone["id"]).status_code == 204
    r = crew.admin.get("/v1/tags")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data[0] == {"tag": "gold", "count": 3}
    assert sorted((t["tag"], t["count"]) for t in data) == [("gold", 3), ("silver", 2), ("tehran", 1)]
    counts = [t["count"] for t in data]
    assert counts == sorted(counts, reverse=True)
    rep1 = {t["tag"]: t["count"] for t in crew.rep1.get("/v1/tags").json()["data"]}
    assert rep1 == {"gold": 2, "tehran": 1}
    rep2 = {t["tag"]: t["count"] for t in crew.rep2.get("/v1/tags").json()["data"]}
    assert rep2 == {"gold": 1, "silver": 2}
    assert [t["tag"] for t in crew.admin.get("/v1/tags?q=sil").json()["data"]] == ["silver"]


def test_tags_scopes_and_organizations(org, other_org):
    new_contact(org.admin, tags=["ours"])
    assert other_org.admin.get("/v1/tags").json()["data"] == []
    assert api_key(org, "contacts:read").get("/v1/tags").json()["data"] == [{"tag": "ours", "count": 1}]
    assert api_key(org, "lookup:read").get("/v1/tags").status_code == 403
    assert org.admin.get("/v1/tags?q=" + "x" * 51).status_code == 400


def test_tags_answer_matches_the_contract(org):
    new_contact(org.admin, tags=["ours"])
    r = org.admin.get("/v1/tags")
    assert r.status_code == 200
    assert set(r.json()) == {"data", "next_cursor"}
    assert r.json()["next_cursor"] is None
