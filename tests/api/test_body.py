"""Request-body and query-string hygiene shared by every endpoint."""
from conftest import as_user


def admin():
    return as_user("admin@demo.test")


def raw(api, body, ctype="application/json", path="/v1/teams"):
    return api.call("POST", path, data=body, headers={"Content-Type": ctype})


def test_wrong_content_type_is_415():
    r = raw(admin(), '{"name": "x"}', ctype="text/plain")
    assert r.status_code == 415
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_too_large_is_413():
    r = raw(admin(), '{"name": "%s"}' % ("x" * (1024 * 1024 + 10)))
    assert r.status_code == 413


def test_malformed_is_400():
    r = raw(admin(), '{"name": ')
    assert r.status_code == 400
    assert r.json()["title"]


def test_duplicate_keys_are_400():
    r = raw(admin(), '{"name": "a", "name": "b"}')
    assert r.status_code == 400


def test_too_deep_is_400():
    r = raw(admin(), '{"name": "a", "description": ' + "[" * 40 + "]" * 40 + "}")
    assert r.status_code == 400


def test_not_an_object_is_400():
    assert raw(admin(), '["name"]').status_code == 400


def test_unknown_field_is_422_naming_it():
    r = admin().post("/v1/teams", {"name": "A team", "colour": "red"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "colour", "code": "unknown_field",
                                   "message": r.json()["errors"][0]["message"]}]


def test_read_only_field_is_422_naming_it():
    r = admin().post("/v1/teams", {"name": "A team", "version": 3})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "version"
    assert r.json()["errors"][0]["code"] == "read_only"


def test_wrong_type_is_422():
    r = admin().post("/v1/teams", {"name": 12})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "name"


def test_unknown_query_parameter_is_400():
    r = admin().get("/v1/users?colour=red")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "colour"


def test_limit_out_of_range_is_400():
    r = admin().get("/v1/users?limit=500")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "limit"


def test_garbage_cursor_is_400():
    r = admin().get("/v1/users?cursor=bm90LWEtY3Vyc29y")
    assert r.status_code == 400


def test_non_uuid_path_is_404():
    r = admin().get("/v1/users/12345")
    assert r.status_code == 404
