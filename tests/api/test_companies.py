"""Companies: owned like contacts, searchable, audited."""
import uuid
from urllib.parse import quote

import pytest

from conftest import api_key, ids, new_contact, psql


def company_count(org, where="TRUE", *args):
    return int(psql("SELECT count(*) FROM crm.companies WHERE org_id = :'a1' AND deleted_at IS NULL"
                    " AND " + where, org.id, *args))


def field_names(r):
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])


def new_company(api, **fields):
    fields.setdefault("name", "Company " + uuid.uuid4().hex[:6])
    r = api.post("/v1/companies", fields)
    assert r.status_code == 201, r.text
    return r.json()


def search(api, q):
    return ids(api.get("/v1/companies?q=" + quote(q, safe="")))


def test_lifecycle(crew):
    body = {"name": " Pars Trading ", "domain": "pars.example", "email": "Info@Pars.example",
            "phones": [{"label": "office", "number": "021 8800 1122"}], "city": "Tehran",
            "address": "Valiasr St.", "industry": "Wholesale", "tags": ["key-account"],
            "notes": "pays late"}
    r = crew.rep1.post("/v1/companies", body)
    assert r.status_code == 201, r.text
    co = r.json()
    assert r.headers["Location"] == "/v1/companies/" + co["id"]
    assert r.headers["ETag"] == '"1"'
    assert co["name"] == "Pars Trading" and co["email"] == "info@pars.example"
    assert co["phones"] == [{"label": "office", "number": "021 8800 1122"}]
    assert co["owner_id"] == crew.rep1_user["id"]
    assert co["owner"] == {"id": crew.rep1_user["id"], "name": crew.rep1_user["name"]}
    assert co["custom_fields"] == {} and co["tags"] == ["key-account"]
    assert co["version"] == 1 and co["created_by"] == crew.rep1_user["id"]
    path = "/v1/companies/" + co["id"]
    assert crew.rep1.get(path).json() == co
    assert co["id"] in ids(crew.rep1.get("/v1/companies"))
    r = crew.rep1.patch(path, {"industry": "Retail", "notes": None})
    assert r.status_code == 200, r.text
    assert r.json()["industry"] == "Retail" and r.json()["notes"] is None
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    assert crew.rep1.delete(path).status_code == 204
    assert crew.rep1.get(path).status_code == 404
    assert crew.rep1.patch(path, {"city": "x"}).status_code == 404
    assert crew.rep1.delete(path).status_code == 404
    assert co["id"] not in ids(crew.rep1.get("/v1/companies"))
    assert co["id"] not in ids(crew.admin.get("/v1/companies"))


INVALID = [
    ({"name": ""}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"name": None}, "name"),
    ({"domain": "d" * 254}, "domain"),
    ({"email": "nope"}, "email"),
    ({"phones": [{"number": "1"}]}, "phones[0].number"),
    ({"phones": [{"number": "02188001122"}, {"number": "n/a"}]}, "phones[1].number"),
    ({"phones": [{"label": "x"}]}, "phones[0].number"),
    ({"phones": [{"number": "02188001122", "key": "1"}]}, "phones[0].key"),
    ({"city": 5}, "city"),
    ({"address": "a" * 501}, "address"),
    ({"industry": "i" * 101}, "industry"),
    ({"owner_id": "boss"}, "owner_id"),
    ({"owner_id": str(uuid.uuid4())}, "owner_id"),
    ({"tags": [1]}, "tags"),
    ({"custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ({"notes": "n" * 10001}, "notes"),
    ({"website": "x"}, "website"),
    ({"owner": "me"}, "owner"),
    ({"version": 1}, "version"),
    ({"created_by": str(uuid.uuid4())}, "created_by"),
]


@pytest.mark.parametrize("body,field", INVALID, ids=[f for _, f in INVALID])
def test_invalid_field_is_named(org, body, field):
    full = {"name": "Valid"}
    full.update(body)
    r = org.admin.post("/v1/companies", full)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert company_count(org) == 0


def test_name_required_and_read_only_in_patch(org):
    assert field_names(org.admin.post("/v1/companies", {"city": "Tehran"})) == ["name"]
    co = new_company(org.admin)
    path = "/v1/companies/" + co["id"]
    for member, value in (("id", str(uuid.uuid4())), ("version", 3), ("updated_at", "2024-01-01T00:00:00Z")):
        r = org.admin.patch(path, {member: value})
        assert r.status_code == 422
        assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(member, "read_only")]
    assert field_names(org.admin.patch(path, {"name": ""})) == ["name"]
    assert org.admin.patch(path, {}).status_code == 422
    assert org.admin.get(path).json()["version"] == 1


def test_duplicate_domain_is_409(org):
    co = new_company(org.admin, domain="acme.example")
    r = org.admin.post("/v1/companies", {"name": "Acme again", "domain": "acme.example"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "domain"
    other = new_company(org.admin, domain="other.example")
    r = org.admin.patch("/v1/companies/" + other["id"], {"domain": "acme.example"})
    assert r.status_code == 409
    assert org.admin.delete("/v1/companies/" + co["id"]).status_code == 204
    new_company(org.admin, domain="acme.example")


def test_visibility(crew, other_org):
    a = new_company(crew.rep1, name="Rep one's client")
    b = new_company(crew.rep2, name="Rep two's client")
    pa = "/v1/companies/" + a["id"]
    assert crew.rep2.get(pa).status_code == 404
    assert crew.rep2.patch(pa, {"city": "x"}).status_code == 404
    assert crew.rep2.delete(pa).status_code == 404
    assert crew.rep2.get(pa + "/history").status_code == 404
    assert ids(crew.rep2.get("/v1/companies")) == [b["id"]]
    assert search(crew.rep2, "one's") == []
    assert crew.manager.get(pa).status_code == 200
    assert crew.manager.get("/v1/companies/" + b["id"]).status_code == 404
    assert ids(crew.manager.get("/v1/companies")) == [a["id"]]
    assert sorted(ids(crew.admin.get("/v1/companies"))) == sorted([a["id"], b["id"]])
    for call in (lambda: other_org.admin.get(pa), lambda: other_org.admin.patch(pa, {"name": "x"}),
                 lambda: other_org.admin.delete(pa), lambda: other_org.admin.get(pa + "/history")):
        assert call().status_code == 404
    assert other_org.admin.get("/v1/companies").json()["data"] == []
    assert crew.rep1.get(pa).json()["version"] == 1


def test_owner_rules(crew):
    r = crew.rep1.post("/v1/companies", {"name": "Gift", "owner_id": crew.rep2_user["id"]})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "forbidden")]
    co = new_company(crew.rep1)
    r = crew.rep1.patch("/v1/companies/" + co["id"], {"owner_id": crew.manager_user["id"]})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "forbidden")]
    r = crew.manager.patch("/v1/companies/" + co["id"], {"owner_id": crew.manager_user["id"]})
    assert r.status_code == 200 and r.json()["owner_id"] == crew.manager_user["id"]
    assert crew.rep1.get("/v1/companies/" + co["id"]).status_code == 404
    r = crew.manager.patch("/v1/companies/" + co["id"], {"owner_id": crew.rep2_user["id"]})
    assert field_names(r) == ["owner_id"]
    r = crew.admin.patch("/v1/companies/" + co["id"], {"owner_id": crew.rep2_user["id"]})
    assert r.status_code == 200
    key = api_key(crew.org, "companies:write", "companies:read")
    r = key.post("/v1/companies", {"name": "From CRM sync"})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("owner_id", "required")]
    r = key.post("/v1/companies", {"name": "From CRM sync", "owner_id": crew.rep1_user["id"]})
    assert r.status_code == 201 and r.json()["owner_id"] == crew.rep1_user["id"]


def test_api_key_scopes(crew):
    co = new_company(crew.rep1)
    reader = api_key(crew.org, "companies:read")
    assert reader.get("/v1/companies/" + co["id"]).status_code == 200
    assert co["id"] in ids(reader.get("/v1/companies"))
    assert reader.patch("/v1/companies/" + co["id"], {"city": "x"}).status_code == 403
    assert reader.post("/v1/companies", {"name": "x", "owner_id": crew.rep1_user["id"]}).status_code == 403
    contacts_only = api_key(crew.org, "contacts:read", "contacts:write")
    assert contacts_only.get("/v1/companies").status_code == 403


def test_history_and_if_match(crew):
    co = new_company(crew.rep1, name="Old name")
    path = "/v1/companies/" + co["id"]
    r = crew.manager.patch(path, {"name": "New name"}, headers={"If-Match": '"1"',
                                                               "X-Request-Id": "co-rename-1"})
    assert r.status_code == 200
    r = crew.rep1.patch(path, {"name": "Stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["current"]["name"] == "New name" and r.json()["current"]["version"] == 2
    assert crew.rep1.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    r = crew.rep1.get(path + "/history")
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[0]["old"]["name"] == "Old name" and rows[0]["new"]["name"] == "New name"
    assert rows[0]["actor"] == {"type": "user", "id": crew.manager_user["id"]}
    assert rows[0]["request_id"] == "co-rename-1"
    assert rows[1]["actor"] == {"type": "user", "id": crew.rep1_user["id"]}


def test_idempotent_create(org):
    key = "k-" + uuid.uuid4().hex
    body = {"name": "Once Only", "city": "Shiraz"}
    a = org.admin.post("/v1/companies", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/companies", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert company_count(org) == 1
    r = org.admin.post("/v1/companies", {"name": "Twice"}, headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert company_count(org) == 1


def test_search_folds_and_finds_domain_and_phone(org):
    arabic = new_company(org.admin, name="شركة الكوثر")        # Arabic kaf
    persian = new_company(org.admin, name="بازرگانی یاس")       # Persian yeh
    latin = new_company(org.admin, name="Kowsar Foods", domain="kowsar-foods.example",
                        phones=[{"number": "٠٢١٨٨٠٠١١٢٢"}])
    assert search(org.admin, "شرکه") == [arabic["id"]]           # ة folds to ه
    assert search(org.admin, "الکوثر") == [arabic["id"]]
    assert search(org.admin, "بازرگاني") == [persian["id"]]
    assert search(org.admin, "KOWSAR") == [latin["id"]]
    assert search(org.admin, "foods.example") == [latin["id"]]
    assert search(org.admin, "2188001122") == [latin["id"]]


def test_sort_paging_and_filters(org):
    names = ["Delta", "alpha", "Charlie", "Bravo", "Echo"]
    made = {n: new_company(org.admin, name=n, city="Tabriz" if n in ("Delta", "Echo") else "Tehran",
                           industry="Food" if n == "alpha" else "Tech",
                           tags=["vip"] if n == "Bravo" else [])["id"] for n in names}
    for sort in ("name", "-name", "created_at", "-updated_at"):
        rows, cursor = [], None
        while True:
            r = org.admin.get("/v1/companies?limit=2&sort=" + sort + ("&cursor=" + cursor if cursor else ""))
            assert r.status_code == 200, r.text
            rows += r.json()["data"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert sorted(x["id"] for x in rows) == sorted(made.values()), sort
        if sort == "created_at":
            assert [x["id"] for x in rows] == [made[n] for n in names]
    rows = org.admin.get("/v1/companies?sort=-created_at").json()["data"]
    assert [x["id"] for x in rows] == [made[n] for n in reversed(names)]
    assert sorted(ids(org.admin.get("/v1/companies?city=Tabriz"))) == sorted([made["Delta"], made["Echo"]])
    assert ids(org.admin.get("/v1/companies?industry=Food")) == [made["alpha"]]
    assert ids(org.admin.get("/v1/companies?tag=vip")) == [made["Bravo"]]
    assert ids(org.admin.get("/v1/companies?owner_id=" + str(uuid.uuid4()))) == []
    r = org.admin.get("/v1/companies?fields=id,name&sort=name")
    assert all(set(x) <= {"id", "name"} for x in r.json()["data"])
    assert org.admin.get("/v1/companies?sort=city").status_code == 400


def test_deleted_company_disappears_from_contacts(org):
    co = new_company(org.admin, name="Gone Co")
    c = new_contact(org.admin, company_id=co["id"])
    assert c["company"] == {"id": co["id"], "name": "Gone Co"}
    r = org.admin.patch("/v1/companies/" + co["id"], {"name": "Renamed Co"})
    assert org.admin.get("/v1/contacts/" + c["id"]).json()["company"]["name"] == "Renamed Co"
    assert org.admin.delete("/v1/companies/" + co["id"]).status_code == 204
    assert org.admin.get("/v1/contacts/" + c["id"]).json()["company"] is None
    # A deleted company cannot be linked again.
    r = org.admin.post("/v1/contacts", {"display_name": "Late", "company_id": co["id"]})
    assert field_names(r) == ["company_id"]
