"""Self-test of the contract: the OpenAPI document loads, covers exactly the
routes of conf/crm.conf.in and the operations, query parameters and body
members of the C tables in src/resources/, and tests/api/spec.py validates
with it. Needs no server."""

import copy
import glob
import os
import re

import pytest

import spec

ROOT = spec.ROOT

USER = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9f",
    "org_id": "0191f3a2-7c4e-7d2a-9b1e-000000000001",
    "email": "ana@example.com",
    "name": "Ana",
    "role": "admin",
    "active": True,
    "created_at": "2025-01-31T09:15:00.123456Z",
    "updated_at": "2025-01-31T09:15:00.123456Z",
    "version": 1,
}


# --------------------------------------------------------------------------
# What the server implements, read from its sources

def conf_routes():
    """{comparable path: handler} from conf/crm.conf.in, catch-all left out."""
    routes = {}
    with open(os.path.join(ROOT, "conf", "crm.conf.in")) as f:
        for line in f:
            m = re.match(r"\s*route\s+(\S+)\s+(\w+)\s*$", line)
            if not m or m.group(1) == "^/":
                continue
            path = m.group(1)
            if path.startswith("^"):
                path = path[1:].rstrip("$").replace("([^/]+)", "{}")
            routes[path] = m.group(2)
    return routes


def comparable(template):
    return re.sub(r"\{[^}]+\}", "{}", template)


def c_sources():
    text = {}
    for name in glob.glob(os.path.join(ROOT, "src", "resources", "*.c")):
        with open(name) as f:
            text[name] = f.read()
    return text


def c_array(source, kind, name):
    m = re.search(r"static (?:const )?struct %s %s\[\] = \{(.*?)\n\};"
                  % (kind, re.escape(name)), source, re.S)
    assert m, "no %s table %s" % (kind, name)
    return m.group(1)


def c_params(source, name):
    body = c_array(source, "param_spec", name)
    names = re.findall(r'\{\s*"(\w+)"\s*,\s*PT_', body)
    if "LIST_PARAMS" in body:
        names += ["limit", "cursor"]
    return set(names)


def c_fields(source, name):
    """(writable member names, required ones) of a field_spec table."""
    body = c_array(source, "field_spec", name)
    writable, required = set(), set()
    for member, flags in re.findall(r'\{\s*"(\w+)"\s*,\s*FT_\w+\s*,\s*([^,]+),',
                                    body):
        if "F_READ_ONLY" in flags:
            continue
        writable.add(member)
        if "F_REQUIRED" in flags:
            required.add(member)
    return writable, required


def c_path_args(op_text, route):
    """The names of an operation's path parameters: from `.path` (a template
    that must fit the route) or, in older tables, `.path_args`."""
    m = re.search(r'\.path\s*=\s*"([^"]+)"', op_text)
    if m:
        assert comparable(m.group(1)) == route, \
            ".path %s does not fit the route %s" % (m.group(1), route)
        return re.findall(r"\{([^}]+)\}", m.group(1))
    m = re.search(r"\.path_args\s*=\s*\{([^}]*)\}", op_text)
    return re.findall(r'"(\w+)"', m.group(1)) if m else []


def c_operations():
    """{(METHOD, comparable path): {params, fields, path_args}}."""
    sources = c_sources()
    ops = {}
    for path, handler in conf_routes().items():
        src = next((s for s in sources.values()
                    if re.search(r"\nint\s+%s\s*\(" % handler, s)), None)
        assert src is not None, "handler %s of %s not found" % (handler, path)
        fn = re.search(r"\nint\s+%s\s*\([^)]*\)\s*\{(.*?)\n\}" % handler,
                       src, re.S).group(1)
        served = re.search(r"api_serve\(req,\s*(\w+)", fn)
        if served is None:  # ops.c's plain GET endpoints
            assert "only_get" in fn, "cannot tell the methods of %s" % handler
            ops[("GET", path)] = {"params": set(), "fields": None,
                                  "path_args": []}
            continue
        table = c_array(src, "api_op", served.group(1))
        for chunk in re.split(r"\.method\s*=\s*HTTP_METHOD_", table)[1:]:
            method = re.match(r"\w+", chunk).group(0)
            params = re.search(r"\.params\s*=\s*(\w+)", chunk)
            fields = re.search(r"\.fields\s*=\s*(\w+)", chunk)
            ops[(method, path)] = {
                "params": c_params(src, params.group(1)) if params else set(),
                "fields": c_fields(src, fields.group(1)) if fields else None,
                "path_args": c_path_args(chunk, path),
            }
    return ops


def spec_operations():
    return {(method, comparable(path)): (path, op)
            for method, path, op in spec.operations()}


# --------------------------------------------------------------------------
# The document

def test_document_loads():
    doc = spec.spec()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] == "CRM API"
    assert doc["info"]["version"] == "0.1.0"
    assert doc["paths"]
    resolved = spec.resolved()
    assert "$ref" not in repr(resolved)


def test_every_route_is_documented_and_nothing_else():
    routes = set(conf_routes())
    documented = {comparable(p) for p in spec.spec()["paths"]}
    assert routes - documented == set(), "routes missing from the spec"
    assert documented - routes == set(), "spec paths the server lacks"


def test_operations_have_ids_and_a_success():
    ids = []
    for method, path, op in spec.operations():
        assert op.get("operationId"), "%s %s: no operationId" % (method, path)
        ids.append(op["operationId"])
        assert any(str(s).startswith("2") for s in op["responses"]), \
            "%s %s: no 2xx response" % (method, path)
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_operations_match_the_c_tables():
    c_ops, s_ops = c_operations(), spec_operations()
    assert set(c_ops) == set(s_ops), "methods differ: C only %s, spec only %s" % (
        sorted(set(c_ops) - set(s_ops)), sorted(set(s_ops) - set(c_ops)))
    for key, c in sorted(c_ops.items()):
        template, op = s_ops[key]
        where = "%s %s" % (key[0], template)
        params = op.get("parameters", []) + \
            spec.resolved()["paths"][template].get("parameters", [])
        query = {p["name"] for p in params if p["in"] == "query"}
        assert query == c["params"], "%s: query parameters" % where
        path_names = re.findall(r"\{([^}]+)\}", template)
        assert path_names == c["path_args"], "%s: path parameters" % where
        body = op.get("requestBody")
        if c["fields"] is None:
            assert body is None, "%s: takes no body" % where
            continue
        assert body is not None and body.get("required"), \
            "%s: needs a request body" % where
        schema = body["content"]["application/json"]["schema"]
        writable, required = c["fields"]
        assert schema.get("additionalProperties") is False, where
        assert set(schema["properties"]) == writable, \
            "%s: body members" % where
        assert set(schema.get("required", [])) == required, \
            "%s: required members" % where


def test_list_limits():
    for method, path, op in spec.operations():
        for p in op.get("parameters", []):
            if p["name"] == "limit":
                assert p["schema"] == {"type": "integer", "minimum": 1,
                                       "maximum": 200, "default": 50}


# --------------------------------------------------------------------------
# The helper

def test_match_path():
    assert spec.match_path("/v1/users") == "/v1/users"
    assert spec.match_path("/v1/users/" + USER["id"]) == "/v1/users/{id}"
    assert spec.match_path("/v1/users/" + USER["id"] + "?fields=name") == \
        "/v1/users/{id}"
    assert spec.match_path("http://127.0.0.1:1/v1/me/password") == \
        "/v1/me/password"
    assert spec.match_path("/v1/teams/%s/members/%s" % (
        USER["id"], USER["id"])) == "/v1/teams/{team_id}/members/{user_id}"
    assert spec.match_path("/v1/nothing") is None
    assert spec.match_path("/v1/users/a/b") is None


def test_accepts_a_valid_user():
    body = spec.validate_response("PATCH", "/v1/users/{id}", 200, USER)
    assert body == USER
    spec.validate_response("GET", "/v1/users", 200,
                           {"data": [USER], "next_cursor": None})


def test_rejects_an_extra_member():
    bad = dict(USER, password_hash="x")
    with pytest.raises(AssertionError, match="password_hash"):
        spec.validate_response("PATCH", "/v1/users/{id}", 200, bad)
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/users", 200,
                               {"data": [bad], "next_cursor": None})


def test_rejects_missing_members_and_bad_formats():
    missing = {k: v for k, v in USER.items() if k != "email"}
    with pytest.raises(AssertionError):
        spec.validate_response("PATCH", "/v1/users/{id}", 200, missing)
    for member, value in (("id", "nope"), ("created_at", "2025-01-31"),
                          ("updated_at", "2025-02-30T00:00:00Z"),
                          ("email", "no-at-sign"), ("role", "owner")):
        with pytest.raises(AssertionError):
            spec.validate_response("PATCH", "/v1/users/{id}", 200,
                                   dict(USER, **{member: value}))


def test_projection_only_with_fields():
    partial = {"id": USER["id"], "name": "Ana"}
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/users/{id}", 200, partial)
    spec.validate_response("GET", "/v1/users/{id}", 200, partial,
                           projected=True)
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/users/{id}", 200,
                               dict(partial, secret=1), projected=True)
    spec.validate_response("GET", "/v1/users/{id}", 200, dict(USER, teams=[]))


def test_status_must_be_documented():
    with pytest.raises(AssertionError, match="not documented"):
        spec.validate_response("GET", "/v1/users", 201, USER)
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/nowhere", 200, USER)
    # Concrete paths are looked up; unknown ones must be 404 problems.
    spec.validate_response("PATCH", "/v1/users/" + USER["id"], 200, USER)
    spec.validate_response("GET", "/v1/nowhere", 404, {
        "type": "urn:crm:problem:not-found", "title": "Not Found",
        "status": 404, "detail": "no such resource", "instance": "r"})


def test_problems():
    problem = {"type": "urn:crm:problem:precondition-failed",
               "title": "Precondition Failed", "status": 412,
               "detail": "stale", "instance": "req-1", "current": USER}
    spec.validate_response("PATCH", "/v1/users/{id}", 412, problem)
    with pytest.raises(AssertionError):
        spec.validate_response("PATCH", "/v1/users/{id}", 412,
                               dict(problem, current={"id": USER["id"]}))
    invalid = {"type": "urn:crm:problem:validation",
               "title": "Unprocessable Content", "status": 422,
               "detail": "request body has 1 invalid field",
               "instance": "req-2",
               "errors": [{"field": "name", "code": "too_long",
                           "message": "must be at most 200 characters"}]}
    spec.validate_response("POST", "/v1/users", 422, invalid)
    with pytest.raises(AssertionError):
        spec.validate_response("POST", "/v1/users", 422,
                               dict(invalid, stack="trace"))
    not_allowed = dict(invalid, type="urn:crm:problem:method-not-allowed",
                       title="Method Not Allowed", status=405)
    del not_allowed["errors"]
    spec.validate_response("DELETE", "/v1/users", 405, not_allowed)


class FakeResponse:
    """Enough of requests.Response for the helper."""

    def __init__(self, status, headers, body, url):
        import json

        class Request:
            pass

        self.status_code = status
        self.headers = {k: v for k, v in headers.items()}
        self.content = body if isinstance(body, bytes) else \
            json.dumps(body).encode()
        self.request = Request()
        self.request.url = url
        self.request.method = "GET"


def test_headers_and_content_type():
    headers = {"Content-Type": "application/json", "X-Request-Id": "r1",
               "ETag": '"1"'}
    url = "http://127.0.0.1/v1/users/" + USER["id"]
    ok = FakeResponse(200, headers, dict(USER, teams=[]), url)
    spec.validate_response("GET", "/v1/users/{id}", 200, ok)
    spec.validate_exchange(ok)
    no_etag = FakeResponse(200, {k: v for k, v in headers.items()
                                 if k != "ETag"}, dict(USER, teams=[]), url)
    with pytest.raises(AssertionError, match="ETag"):
        spec.validate_response("GET", "/v1/users/{id}", 200, no_etag)
    projected = FakeResponse(200, headers, {"id": USER["id"]},
                             url + "?fields=name")
    spec.validate_response("GET", "/v1/users/{id}", 200, projected)
    wrong_type = FakeResponse(200, dict(headers, **{"Content-Type":
                                                    "text/html"}),
                              b"<html/>", url)
    with pytest.raises(AssertionError, match="content type"):
        spec.validate_response("GET", "/v1/users/{id}", 200, wrong_type)
    empty = FakeResponse(204, {"X-Request-Id": "r2"}, b"",
                         "http://127.0.0.1/v1/teams/" + USER["id"])
    spec.validate_response("DELETE", "/v1/teams/{id}", 204, empty)
