"""Custom fields: admins define typed fields; contact and company values are checked against them."""
import uuid

import pytest

from conftest import api_key, ids, new_contact, psql


def field_names(r):
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])


def errors(r):
    assert r.status_code == 422, r.text
    return [(e["field"], e["code"]) for e in r.json()["errors"]]


def define(org, **body):
    body.setdefault("entity", "contact")
    body.setdefault("label", body["key"].title())
    r = org.admin.post("/v1/custom-fields", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_define_choice_field_lifecycle(org):
    r = org.admin.post("/v1/custom-fields", {"entity": "contact", "key": "tier", "label": "Tier",
                                             "type": "choice", "choices": ["gold", "silver", "bronze"]})
    assert r.status_code == 201, r.text
    f = r.json()
    assert r.headers["Location"] == "/v1/custom-fields/" + f["id"]
    assert r.headers["ETag"] == '"1"'
    assert {k: f[k] for k in ("entity", "key", "label", "type", "choices", "version")} == {
        "entity": "contact", "key": "tier", "label": "Tier", "type": "choice",
        "choices": ["gold", "silver", "bronze"], "version": 1}
    path = "/v1/custom-fields/" + f["id"]
    assert org.admin.get(path).json() == f
    assert f["id"] in ids(org.admin.get("/v1/custom-fields"))
    assert f["id"] in ids(org.admin.get("/v1/custom-fields?entity=contact"))
    assert f["id"] not in ids(org.admin.get("/v1/custom-fields?entity=company"))
    r = org.admin.patch(path, {"label": "Customer tier", "choices": ["gold", "silver", "bronze", "platinum"]},
                        headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "Customer tier" and r.json()["version"] == 2
    assert r.headers["ETag"] == '"2"'
    r = org.admin.patch(path, {"label": "stale"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["current"]["label"] == "Customer tier"
    # Values: inside the choices only.
    c = new_contact(org.admin, custom_fields={"tier": "platinum"})
    assert c["custom_fields"] == {"tier": "platinum"}
    r = org.admin.post("/v1/contacts", {"display_name": "X", "custom_fields": {"tier": "diamond"}})
    assert errors(r) == [("custom_fields.tier", "invalid_choice")]
    r = org.admin.patch("/v1/contacts/" + c["id"], {"custom_fields": {"tier": "wood"}})
    assert errors(r) == [("custom_fields.tier", "invalid_choice")]
    # Delete the definition: the key is unknown from then on.
    assert org.admin.delete(path, headers={"If-Match": '"1"'}).status_code == 412
    assert org.admin.delete(path).status_code == 204
    assert org.admin.get(path).status_code == 404
    assert org.admin.delete(path).status_code == 404
    assert f["id"] not in ids(org.admin.get("/v1/custom-fields"))
    r = org.admin.post("/v1/contacts", {"display_name": "Y", "custom_fields": {"tier": "gold"}})
    assert errors(r) == [("custom_fields.tier", "unknown_field")]
    # ...and may be defined again.
    define(org, key="tier", type="text")


def test_unknown_key_is_422(org):
    define(org, key="region", type="text")
    r = org.admin.post("/v1/contacts", {"display_name": "X", "custom_fields": {"regoin": "north"}})
    assert errors(r) == [("custom_fields.regoin", "unknown_field")]
    c = new_contact(org.admin)
    r = org.admin.patch("/v1/contacts/" + c["id"], {"custom_fields": {"nope": 1}})
    assert errors(r) == [("custom_fields.nope", "unknown_field")]
    # A company field is not a contact field.
    define(org, key="employees", type="number", entity="company")
    r = org.admin.post("/v1/contacts", {"display_name": "X", "custom_fields": {"employees": 5}})
    assert errors(r) == [("custom_fields.employees", "unknown_field")]


VALUE_CASES = [
    ("text", "x" * 2001, "type"),
    ("text", 5, "type"),
    ("number", "12", "type"),
    ("number", True, "type"),
    ("date", "2024-02-30", "type"),
    ("date", "1403/01/01", "type"),
    ("date", 20240101, "type"),
    ("boolean", "yes", "type"),
    ("boolean", 1, "type"),
    ("choice", "purple", "invalid_choice"),
    ("choice", ["red"], None),
]


@pytest.mark.parametrize("ftype,value,code", VALUE_CASES,
                         ids=["%s-%r" % (t, v)[:30] for t, v, _ in VALUE_CASES])
def test_value_types(org, ftype, value, code):
    extra = {"choices": ["red", "green"]} if ftype == "choice" else {}
    define(org, key="f_" + ftype, type=ftype, **extra)
    r = org.admin.post("/v1/contacts", {"display_name": "X", "custom_fields": {"f_" + ftype: value}})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["custom_fields.f_" + ftype]
    if code:
        assert r.json()["errors"][0]["code"] == code


def test_good_values_merge_and_null_removes(org):
    for key, ftype in (("note", "text"), ("seats", "number"), ("renewal", "date"),
                       ("vip", "boolean"), ("color", "choice")):
        define(org, key=key, type=ftype, **({"choices": ["red", "green"]} if ftype == "choice" else {}))
    values = {"note": "نیاز به پیگیری", "seats": 12.5, "renewal": "2025-03-21", "vip": False,
              "color": "green"}
    c = new_contact(org.admin, custom_fields=values)
    assert c["custom_fields"] == values
    path = "/v1/contacts/" + c["id"]
    r = org.admin.patch(path, {"custom_fields": {"seats": 14, "vip": None}})
    assert r.status_code == 200, r.text
    assert r.json()["custom_fields"] == {"note": "نیاز به پیگیری", "seats": 14, "renewal": "2025-03-21",
                                         "color": "green"}
    assert org.admin.get(path).json()["custom_fields"] == r.json()["custom_fields"]


def test_company_custom_fields(org):
    define(org, key="employees", type="number", entity="company")
    r = org.admin.post("/v1/companies", {"name": "Big Co", "custom_fields": {"employees": 250}})
    assert r.status_code == 201, r.text
    assert r.json()["custom_fields"] == {"employees": 250}
    r = org.admin.post("/v1/companies", {"name": "Bad Co", "custom_fields": {"employees": "many"}})
    assert errors(r) == [("custom_fields.employees", "type")]
    define(org, key="tier", type="choice", choices=["a", "b"])  # a contact field
    r = org.admin.post("/v1/companies", {"name": "Bad Co", "custom_fields": {"tier": "a"}})
    assert errors(r) == [("custom_fields.tier", "unknown_field")]


INVALID_DEFINITIONS = [
    ({"key": "Tier"}, "key"),
    ({"key": "1st"}, "key"),
    ({"key": "has space"}, "key"),
    ({"key": "k" * 41}, "key"),
    ({"key": ""}, "key"),
    ({"label": ""}, "label"),
    ({"label": "l" * 101}, "label"),
    ({"entity": "deal"}, "entity"),
    ({"type": "color"}, "type"),
    ({"type": "choice"}, "choices"),
    ({"type": "choice", "choices": []}, "choices"),
    ({"type": "text", "choices": ["a"]}, "choices"),
    ({"unit": "kg"}, "unit"),
    ({"version": 2}, "version"),
]


@pytest.mark.parametrize("body,field", INVALID_DEFINITIONS, ids=[f for _, f in INVALID_DEFINITIONS])
def test_invalid_definition(org, body, field):
    full = {"entity": "contact", "key": "ok_key", "label": "OK", "type": "text"}
    full.update(body)
    r = org.admin.post("/v1/custom-fields", full)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert psql("SELECT count(*) FROM crm.custom_fields WHERE org_id = :'a1'", org.id) == "0"


def test_missing_members_are_named(org):
    r = org.admin.post("/v1/custom-fields", {})
    assert field_names(r) == ["entity", "key", "label", "type"]


def test_duplicate_key_is_409_per_entity(org):
    define(org, key="region", type="text")
    r = org.admin.post("/v1/custom-fields", {"entity": "contact", "key": "region", "label": "R",
                                             "type": "text"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "key"
    define(org, key="region", type="text", entity="company")


def test_type_and_key_are_immutable(org):
    f = define(org, key="color", type="choice", choices=["red"])
    path = "/v1/custom-fields/" + f["id"]
    for member, value in (("type", "text"), ("key", "colour"), ("entity", "company"),
                          ("id", str(uuid.uuid4()))):
        r = org.admin.patch(path, {member: value})
        assert r.status_code == 422, member
        assert r.json()["errors"][0]["field"] == member
    assert field_names(org.admin.patch(path, {"choices": []})) == ["choices"]
    assert field_names(org.admin.patch(path, {"choices": None})) == ["choices"]
    t = define(org, key="plain", type="text")
    assert field_names(org.admin.patch("/v1/custom-fields/" + t["id"], {"choices": ["x"]})) == ["choices"]
    assert org.admin.get(path).json()["version"] == 1


def test_only_admins_define(crew):
    f = define(crew.org, key="region", type="text")
    path = "/v1/custom-fields/" + f["id"]
    for api in (crew.manager, crew.rep1):
        assert api.post("/v1/custom-fields", {"entity": "contact", "key": "x", "label": "X",
                                              "type": "text"}).status_code == 403
        assert api.patch(path, {"label": "Mine"}).status_code == 403
        assert api.delete(path).status_code == 403
        # Any role lists the definitions (forms need them).
        assert f["id"] in ids(api.get("/v1/custom-fields"))
    # Reps fill in the values.
    c = new_contact(crew.rep1, custom_fields={"region": "north"})
    assert c["custom_fields"] == {"region": "north"}
    assert crew.admin.get(path).json()["label"] == f["label"]


def test_api_keys_list_with_contacts_read(org):
    f = define(org, key="region", type="text")
    assert f["id"] in ids(api_key(org, "contacts:read").get("/v1/custom-fields"))
    assert api_key(org, "companies:read").get("/v1/custom-fields").status_code == 403
    r = api_key(org, "contacts:write", "contacts:read").post(
        "/v1/custom-fields", {"entity": "contact", "key": "k", "label": "K", "type": "text"})
    assert r.status_code == 403


def test_other_organization(org, other_org):
    f = define(org, key="region", type="text")
    path = "/v1/custom-fields/" + f["id"]
    assert other_org.admin.get(path).status_code == 404
    assert other_org.admin.patch(path, {"label": "x"}).status_code == 404
    assert other_org.admin.delete(path).status_code == 404
    assert other_org.admin.get("/v1/custom-fields").json()["data"] == []
    # Their contacts do not get our fields.
    r = other_org.admin.post("/v1/contacts", {"display_name": "X", "custom_fields": {"region": "n"}})
    assert errors(r) == [("custom_fields.region", "unknown_field")]
    # The same key may exist in both organizations.
    define(other_org, key="region", type="number")


def test_definitions_are_audited(org):
    f = define(org, key="region", type="text")
    org.admin.patch("/v1/custom-fields/" + f["id"], {"label": "Area"})
    rows = org.admin.get("/v1/audit?record_id=" + f["id"]).json()["data"]
    assert [e["action"] for e in rows] == ["update", "insert"]
    assert rows[0]["old"]["label"] == "Region" and rows[0]["new"]["label"] == "Area"


def test_idempotent_definition(org):
    key = "k-" + uuid.uuid4().hex
    body = {"entity": "contact", "key": "source_detail", "label": "Source detail", "type": "text"}
    a = org.admin.post("/v1/custom-fields", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/custom-fields", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert psql("SELECT count(*) FROM crm.custom_fields WHERE org_id = :'a1'", org.id) == "1"
    r = org.admin.post("/v1/custom-fields", dict(body, label="Other"), headers={"Idempotency-Key": key})
    assert r.status_code == 422
