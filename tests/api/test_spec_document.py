"""Self-test of the contract: the OpenAPI document loads, covers exactly the
routes, operations, query parameters and body members of the C tables in
src/resources/, and tests/api/spec.py validates with it. Needs no server."""

import copy
import functools
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

def comparable(template):
    return re.sub(r"\{[^}]+\}", "{}", template)


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def c_sources():
    text = {}
    for name in glob.glob(os.path.join(ROOT, "src", "resources", "*.c")):
        with open(name) as f:
            text[name] = _strip_comments(f.read())
    return text


def c_macros(text):
    """{name: (parameters or None, replacement)} of the #defines in text."""
    macros = {}
    joined = re.sub(r"\\\n", " ", text)
    for m in re.finditer(r"^[ \t]*#define[ \t]+(\w+)(\([^)]*\))?(.*)$",
                         joined, re.M):
        params = None
        if m.group(2):
            params = [p.strip() for p in m.group(2)[1:-1].split(",")]
        macros[m.group(1)] = (params, m.group(3).strip())
    return macros


@functools.lru_cache(maxsize=None)
def _shared_macros():
    """The macros the resource tables are written with: resources.h's and the
    operation and route shapes of src/http/api.h and router.h."""
    macros = {}
    for name in ("http/api.h", "http/router.h", "resources/resources.h"):
        with open(os.path.join(ROOT, "src", name)) as f:
            macros.update(c_macros(_strip_comments(f.read())))
    return macros


def _split_top(text, sep=","):
    """text split at sep outside (), {} and string literals."""
    parts, depth, cur, quoted = [], 0, [], False
    for i, ch in enumerate(text):
        if quoted:
            cur.append(ch)
            if ch == '"' and text[i - 1] != "\\":
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def expand(text, macros):
    """text with the object- and function-like macros of `macros` expanded
    (enough of the C preprocessor for the resource tables)."""
    for _ in range(10):
        changed = False
        out, pos = [], 0
        for m in re.finditer(r"\b[A-Z_][A-Z0-9_]*\b", text):
            name = m.group(0)
            if m.start() < pos or name not in macros:
                continue
            params, body = macros[name]
            end = m.end()
            if params is not None:
                rest = text[end:]
                if not rest.lstrip().startswith("("):
                    continue
                start = end + len(rest) - len(rest.lstrip())
                depth = 0
                for j in range(start, len(text)):
                    depth += {"(": 1, ")": -1}.get(text[j], 0)
                    if depth == 0:
                        break
                args = _split_top(text[start + 1:j])
                if params and params[-1] == "...":
                    fixed = len(params) - 1
                    body = body.replace("__VA_ARGS__",
                                        ", ".join(args[fixed:]))
                    params, args = params[:fixed], args[:fixed]
                for p, a in zip(params, args):
                    body = re.sub(r"\b%s\b" % re.escape(p), lambda _: a, body)
                end = j + 1
            out.append(text[pos:m.start()])
            out.append(body)
            pos = end
            changed = True
        out.append(text[pos:])
        text = "".join(out)
        if not changed:
            break
    return text


def c_array(source, kind, name):
    m = re.search(r"static (?:const )?struct %s %s\[\] = \{(.*?)\};"
                  % (kind, re.escape(name)), source, re.S)
    assert m, "no %s table %s" % (kind, name)
    macros = dict(_shared_macros())
    macros.update(c_macros(source))
    return expand(m.group(1), macros)


def c_choices(source, name):
    """The strings of a NULL-terminated choices array, looked up in source
    first (the arrays are file-static), then in every resource file."""
    rx = r"const char \*const %s\[\] = \{(.*?)\};" % re.escape(name)
    m = re.search(rx, source, re.S)
    if m is None:
        m = next(filter(None, (re.search(rx, s, re.S)
                               for s in c_sources().values())), None)
    assert m, "no choices array %s" % name
    return re.findall(r'"([^"]*)"', m.group(1))


def _bare(member):
    """A member without the parentheses a macro parameter comes out in."""
    key, eq, value = member.rpartition("=") if member.startswith(".") \
        else ("", "", member)
    value = value.strip()
    while value.startswith("(") and value.endswith(")") and \
            re.fullmatch(r'\(\s*("[^"]*"|\w+)\s*\)', value):
        value = value[1:-1].strip()
    return key + eq + (" " if eq else "") + value


def _entries(body):
    """The {...} initializers of a table body, as lists of members."""
    return [[_bare(m) for m in _split_top(e.strip()[1:-1])]
            for e in _split_top(body) if e.strip().startswith("{")]


def c_params(source, name):
    """{name: (PT_ type, choices or None)} of a param_spec table."""
    out = {}
    for e in _entries(c_array(source, "param_spec", name)):
        choices = e[4] if len(e) > 4 and e[4] != "NULL" else None
        out[e[0].strip('"')] = (e[1], c_choices(source, choices)
                                if choices else None)
    return out


def _field(source, members):
    if members[0].startswith("."):
        named = {}
        for m in members:
            key, _, value = m.partition("=")
            named[key.strip().lstrip(".")] = value.strip()
    else:
        named = dict(zip(("name", "type", "flags", "min", "max", "choices"),
                         members))
    flags = named.get("flags", "0")
    choices = named.get("choices", "NULL")
    sub = named.get("sub")
    return {
        "name": named["name"].strip('"'),
        "type": named["type"],
        "read_only": "F_READ_ONLY" in flags,
        "required": "F_REQUIRED" in flags,
        "nullable": "F_NULLABLE" in flags,
        "choices": c_choices(source, choices) if choices != "NULL" else None,
        "sub": c_fields(source, sub) if sub else None,
    }


def c_fields(source, name):
    """[field] of a field_spec table, each a dict with name, type,
    read_only, required, nullable, choices and sub (the nested table)."""
    return [_field(source, e)
            for e in _entries(c_array(source, "field_spec", name))]


def c_routes():
    """{comparable path: (source, template, operation table name or None,
    handler or None)} of the route tables (`ROUTE_OPS(path, ops)` and
    `ROUTE_FN(path, fn)`), the fallback left out."""
    routes = {}
    for src in c_sources().values():
        m = re.search(r"static const struct route routes\[\] = \{(.*?)\};",
                      src, re.S)
        if m is None:
            continue
        for kind, path, target in re.findall(
                r'ROUTE_(OPS|FN)\(\s*("[^"]*"|ROUTE_FALLBACK)\s*,\s*(\w+)\s*\)',
                m.group(1)):
            if path == "ROUTE_FALLBACK":
                continue
            template = path.strip('"')
            assert comparable(template) not in routes, \
                "route %s twice" % template
            routes[comparable(template)] = (
                src, template, target if kind == "OPS" else None,
                target if kind == "FN" else None)
    return routes


def _plain_handler(src, handler):
    """Checks one of ops.c's plain endpoints answers GET only."""
    m = re.search(r"\nstatic int\s+%s\s*\([^)]*\)\s*\{(.*?)\n\}" % handler,
                  src, re.S)
    assert m, "handler %s not found" % handler
    assert "only_get" in m.group(1), "cannot tell the methods of %s" % handler


def c_operations():
    """{(METHOD, comparable path): {name, params, fields, body_mode,
    path_args, idempotent, auth}}."""
    ops = {}
    for path, (src, template, table_name, handler) in c_routes().items():
        path_args = re.findall(r"\{([^}]+)\}", template)
        if table_name is None:
            _plain_handler(src, handler)
            ops[("GET", path)] = {"name": handler, "params": {},
                                  "fields": None, "body_mode": None,
                                  "path_args": [], "idempotent": False,
                                  "auth": False}
            continue
        table = c_array(src, "api_op", table_name)
        # A macro's parameters come out parenthesised: .name = ("x").
        for chunk in re.split(r"\.method\s*=\s*\(?HTTP_METHOD_", table)[1:]:
            method = re.match(r"\w+", chunk).group(0)
            name = re.search(r'\.name\s*=\s*\(?"([^"]+)"', chunk)
            params = re.search(r"\.params\s*=\s*\(?(\w+)", chunk)
            fields = re.search(r"\.fields\s*=\s*\(?(\w+)", chunk)
            mode = re.search(r"\.body_mode\s*=\s*(\w+)", chunk)
            idem = re.search(r"\.idempotent\s*=\s*1\b", chunk)
            ops[(method, path)] = {
                "name": name.group(1) if name else table_name,
                "params": c_params(src, params.group(1)) if params else {},
                "fields": c_fields(src, fields.group(1)) if fields else None,
                "body_mode": mode.group(1) if mode else "BODY_CREATE",
                "path_args": path_args,
                "idempotent": idem is not None,
                "auth": re.search(r"\.auth\s*=\s*1\b", chunk) is not None,
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
    routes = set(c_routes())
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


def _branches(schema):
    """The alternatives of a (resolved) schema: its anyOf/oneOf branches,
    or the schema itself."""
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [b for branch in schema[key] for b in _branches(branch)]
    return [schema]


def _accepts_null(schema):
    for b in _branches(schema):
        types = b.get("type")
        if types == "null" or (isinstance(types, list) and "null" in types):
            return True
        if "const" in b and b["const"] is None:
            return True
    return False


def _non_null(schema):
    """The branch of a nullable schema that is not null."""
    kept = [b for b in _branches(schema) if b.get("type") != "null"]
    assert len(kept) == 1, "ambiguous schema %r" % schema
    return kept[0]


def _enum(schema):
    values = []
    for b in _branches(schema):
        values += [v for v in b.get("enum", []) if v is not None]
        if b.get("const") is not None:
            values.append(b["const"])
    return sorted(values)


def check_members(schema, fields, where, patch):
    """The body schema matches a field_spec table: the writable members,
    the required ones (none in a patch, where nested objects are partial
    too), nullability, enum choices, and nested objects and arrays of
    objects recursively."""
    assert schema.get("type") == "object", "%s: not an object" % where
    assert schema.get("additionalProperties") is False, where
    writable = {f["name"]: f for f in fields if not f["read_only"]}
    props = schema.get("properties", {})
    assert set(props) == set(writable), "%s: members, C only %s, spec only %s" \
        % (where, sorted(set(writable) - set(props)),
           sorted(set(props) - set(writable)))
    required = set() if patch else {n for n, f in writable.items()
                                    if f["required"]}
    assert set(schema.get("required", [])) == required, \
        "%s: required members" % where
    for name, f in sorted(writable.items()):
        prop, at = props[name], "%s.%s" % (where, name)
        assert _accepts_null(prop) == f["nullable"], \
            "%s: the C table %s null, the document does not" % (
                at, "accepts" if f["nullable"] else "refuses")
        if f["choices"] and f["type"] == "FT_ENUM":
            assert _enum(prop) == sorted(f["choices"]), "%s: choices" % at
        if f["type"] == "FT_OBJECT":
            check_members(_non_null(prop), f["sub"], at, patch)
        elif f["type"] == "FT_OBJECT_ARRAY":
            array = _non_null(prop)
            assert array.get("type") == "array", "%s: not an array" % at
            # Array items are whole objects even in a patch.
            check_members(array["items"], f["sub"], at + "[]", False)


def check_param(param, c_param, where):
    ptype, choices = c_param
    schema = param["schema"]
    if ptype == "PT_ENUM":
        assert _enum(schema) == sorted(choices), "%s: choices" % where
    elif ptype == "PT_SORT":
        assert _enum(schema) == sorted(choices + ["-" + c for c in choices]), \
            "%s: sort keys" % where
    elif ptype == "PT_FIELDS":
        assert schema.get("type") == "array", where
        assert _enum(schema["items"]) == sorted(choices), "%s: fields" % where
    elif ptype == "PT_DATE":
        assert schema.get("format") == "date", where
    elif ptype == "PT_TIMESTAMP":
        assert schema.get("format") == "date-time", where
    elif ptype == "PT_UUID":
        assert schema.get("format") == "uuid", where
    elif ptype == "PT_BOOL":
        assert schema.get("type") == "boolean", where
    elif ptype == "PT_INT":
        assert schema.get("type") == "integer", where


def test_operations_match_the_c_tables():
    c_ops, s_ops = c_operations(), spec_operations()
    assert set(c_ops) == set(s_ops), "methods differ: C only %s, spec only %s" % (
        sorted(set(c_ops) - set(s_ops)), sorted(set(s_ops) - set(c_ops)))
    resolved_paths = spec.resolved()["paths"]
    for key, c in sorted(c_ops.items()):
        template, op = s_ops[key]
        where = "%s %s" % (key[0], template)
        params = op.get("parameters", []) + \
            resolved_paths[template].get("parameters", [])
        query = {p["name"]: p for p in params if p["in"] == "query"}
        assert set(query) == set(c["params"]), "%s: query parameters" % where
        for name, p in query.items():
            check_param(p, c["params"][name], "%s ?%s" % (where, name))
        path_names = re.findall(r"\{([^}]+)\}", template)
        assert path_names == c["path_args"], "%s: path parameters" % where
        headers = {p["name"].lower() for p in params if p["in"] == "header"}
        assert ("idempotency-key" in headers) == c["idempotent"], \
            "%s: Idempotency-Key %s" % (where, "missing" if c["idempotent"]
                                        else "not honoured")
        if c["idempotent"]:
            assert {"409", "422"} <= set(op["responses"]), \
                "%s: an idempotent POST documents 409 and 422" % where
        body = op.get("requestBody")
        if c["fields"] is None:
            assert body is None, "%s: takes no body" % where
            continue
        assert body is not None and body.get("required"), \
            "%s: needs a request body" % where
        schema = body["content"]["application/json"]["schema"]
        check_members(schema, c["fields"], where,
                      c["body_mode"] == "BODY_PATCH")


def test_rate_limit_and_security_follow_the_c_tables():
    """Every authenticated operation (`.auth = 1`) may answer 429 with
    Retry-After (the per-caller budget) and is not documented as anonymous;
    the anonymous ones declare `security: []` and no 429, except the login
    (its own limit on failed attempts)."""
    c_ops, s_ops = c_operations(), spec_operations()
    for key, c in sorted(c_ops.items()):
        template, op = s_ops[key]
        where = "%s %s" % (key[0], template)
        if c["auth"]:
            assert op.get("security") != [], "%s: documented anonymous" % where
            assert "429" in op["responses"], "%s: no 429" % where
            headers = op["responses"]["429"].get("headers", {})
            assert headers.get("Retry-After", {}).get("required"), \
                "%s: 429 without Retry-After" % where
        else:
            assert op.get("security") == [], "%s: not anonymous" % where
            if op["operationId"] != "auth_login":
                assert "429" not in op["responses"], \
                    "%s: anonymous, no rate limit" % where


# Published before the rule: kept for compatibility.
RENAMED = {"me.password": "me_password_change"}


def test_operation_ids_follow_the_c_names():
    """contacts.list in C is contacts_list in the document."""
    c_ops, s_ops = c_operations(), spec_operations()
    for key, c in sorted(c_ops.items()):
        if "." not in c["name"]:
            continue
        _, op = s_ops[key]
        expected = RENAMED.get(c["name"], c["name"].replace(".", "_"))
        assert op["operationId"] == expected, \
            "%s %s: operationId %s, C name %s" % (key[0], key[1],
                                                  op["operationId"], c["name"])


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


# --------------------------------------------------------------------------
# The customer file

CONTACT = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d0001",
    "first_name": "علی", "last_name": "رضایی", "display_name": "علی رضایی",
    "phones": [{"label": "mobile", "number": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
                "key": "989123456789"}],
    "emails": [{"label": None, "address": "ali@example.com"}],
    "birthday": "1990-03-21", "city": "تهران", "address": None,
    "job_title": None,
    "company_id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d0002",
    "company": {"id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d0002", "name": "Acme"},
    "lifecycle_stage": "lead", "lead_source": "web", "campaign_id": None,
    "lead_score": 0, "tags": ["gold"],
    "custom_fields": {"vip": True, "since": "2020-01-01"},
    "consent": {"sms": {"granted": True, "at": "2025-01-31T09:15:00Z",
                        "source": "web form"},
                "email": None, "phone": None},
    "preferences": {"language": "fa", "nested": {"any": [1, 2]}},
    "notes": None, "owner_id": USER["id"],
    "owner": {"id": USER["id"], "name": "Ana"}, "merged_into": None,
    "created_at": "2025-01-31T09:15:00.123456Z",
    "updated_at": "2025-01-31T09:15:00.123456Z",
    "created_by": USER["id"], "updated_by": None, "version": 1,
}

ACTIVITY = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d0003",
    "contact_id": CONTACT["id"], "company_id": None, "type": "call",
    "occurred_at": "2025-01-31T09:15:00Z", "subject": None, "body": None,
    "owner_id": USER["id"], "direction": "inbound", "duration_seconds": 42,
    "outcome": "answered", "phone_number": "+98 912 345 6789",
    "recording_url": None, "external_call_id": "pbx-1", "starts_at": None,
    "ends_at": None, "place": None, "latitude": None, "longitude": None,
    "accuracy_m": None, "event": None, "data": None,
    "created_at": "2025-01-31T09:15:00Z", "updated_at": "2025-01-31T09:15:00Z",
    "version": 1,
}


def test_contacts():
    spec.validate_response("GET", "/v1/contacts/" + CONTACT["id"], 200,
                           CONTACT)
    spec.validate_response("GET", "/v1/contacts", 200,
                           {"data": [CONTACT], "next_cursor": "abc"})
    spec.validate_response("POST", "/v1/contacts", 201, CONTACT)
    spec.validate_response("POST", "/v1/contacts/{id}/merge", 200, CONTACT)
    for member, value in (("birthday", "1990-02-30"), ("lead_score", 101),
                          ("lifecycle_stage", "won"), ("consent", {}),
                          ("phones", [{"label": None, "number": "1"}]),
                          ("company", {"id": USER["id"]}), ("extra", 1)):
        with pytest.raises(AssertionError):
            spec.validate_response("GET", "/v1/contacts/{id}", 200,
                                   dict(CONTACT, **{member: value}))
    spec.validate_response("GET", "/v1/contacts/{id}", 200,
                           {"id": CONTACT["id"], "tags": []}, projected=True)


def test_contact_problems():
    duplicate = {"type": "urn:crm:problem:conflict", "title": "Conflict",
                 "status": 409, "detail": "a contact has this phone",
                 "instance": "r", "existing_id": CONTACT["id"],
                 "errors": [{"field": "phones", "code": "duplicate",
                             "message": "already on another contact"}]}
    spec.validate_response("POST", "/v1/contacts", 409, duplicate)
    spec.validate_response("PATCH", "/v1/contacts/{id}", 409, duplicate)
    with pytest.raises(AssertionError):
        spec.validate_response("POST", "/v1/contacts", 409,
                               dict(duplicate, existing_id="nope"))
    stale = {"type": "urn:crm:problem:precondition-failed",
             "title": "Precondition Failed", "status": 412, "detail": "stale",
             "instance": "r", "current": CONTACT}
    spec.validate_response("DELETE", "/v1/contacts/{id}", 412, stale)
    with pytest.raises(AssertionError):
        spec.validate_response("PATCH", "/v1/contacts/{id}", 412,
                               dict(stale, current=USER))


def test_activities_and_timeline():
    spec.validate_response("POST", "/v1/activities", 201, ACTIVITY)
    system = dict(ACTIVITY, type="system", direction=None,
                  duration_seconds=None, outcome=None, phone_number=None,
                  external_call_id=None, event="stage_change",
                  data={"from": "lead", "to": "customer"})
    spec.validate_response("GET", "/v1/contacts/{id}/timeline", 200,
                           {"data": [ACTIVITY, system], "next_cursor": None})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/activities/{id}", 200,
                               {k: v for k, v in ACTIVITY.items()
                                if k != "place"})


def test_campaigns_and_custom_fields():
    campaign = {"id": USER["id"], "name": "Nowruz", "channel": "sms",
                "cost": "1500000.50", "currency": "IRR",
                "starts_on": "2025-03-01", "ends_on": None, "notes": None,
                "created_at": USER["created_at"],
                "updated_at": USER["updated_at"], "version": 1}
    spec.validate_response("GET", "/v1/campaigns/{id}", 200, campaign)
    for bad in (1500000.5, "1.234", "12,5"):
        with pytest.raises(AssertionError):
            spec.validate_response("GET", "/v1/campaigns/{id}", 200,
                                   dict(campaign, cost=bad))
    field = {"id": USER["id"], "entity": "contact", "key": "vip",
             "label": "VIP", "type": "boolean", "choices": None,
             "created_at": USER["created_at"],
             "updated_at": USER["updated_at"], "version": 1}
    spec.validate_response("GET", "/v1/custom-fields", 200,
                           {"data": [field], "next_cursor": None})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/custom-fields/{id}", 200,
                               dict(field, key="VIP"))


def test_lookup_and_tags():
    match = {"id": CONTACT["id"], "display_name": "علی رضایی",
             "company": None, "owner": CONTACT["owner"],
             "lifecycle_stage": "customer", "tags": ["gold"],
             "last_activities": [{"id": ACTIVITY["id"], "type": "call",
                                  "occurred_at": ACTIVITY["occurred_at"],
                                  "subject": None, "direction": "inbound",
                                  "outcome": "answered"}],
             "open_deals": [{"id": ACTIVITY["id"], "title": "Fleet renewal",
                             "amount": "1250.50", "currency": "IRR",
                             "stage": {"id": ACTIVITY["id"], "name": "Proposal"}}],
             "open_tickets": [{"id": ACTIVITY["id"], "number": "T-1042",
                               "subject": "Router down", "status": "pending",
                               "priority": "urgent", "due_at": None,
                               "breached": True}]}
    spec.validate_response("GET", "/v1/lookup/phone", 200,
                           {"phone_key": "989123456789", "matches": [match]})
    with pytest.raises(AssertionError):
        ticket = dict(match["open_tickets"][0], number="1042")
        spec.validate_response("GET", "/v1/lookup/phone", 200,
                               {"phone_key": "989123456789",
                                "matches": [dict(match, open_tickets=[ticket])]})
    spec.validate_response("GET", "/v1/lookup/phone", 200,
                           {"phone_key": None, "matches": []})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/lookup/phone", 200,
                               {"phone_key": "+98912", "matches": []})
    spec.validate_response("GET", "/v1/tags", 200,
                           {"data": [{"tag": "gold", "count": 3}], "next_cursor": None})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/tags", 200,
                               {"data": [], "next_cursor": "abc"})


def test_nested_body_members_are_cross_checked():
    """A nested member missing from the document is caught."""
    doc = spec.resolved()
    body = doc["paths"]["/v1/contacts"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    fields = c_operations()[("POST", "/v1/contacts")]["fields"]
    check_members(body, fields, "POST /v1/contacts", False)
    broken = copy.deepcopy(body)
    del broken["properties"]["consent"]["properties"]["sms"]["anyOf"][0][
        "properties"]["source"]
    with pytest.raises(AssertionError, match=r"consent\.sms"):
        check_members(broken, fields, "POST /v1/contacts", False)
    broken = copy.deepcopy(body)
    broken["properties"]["phones"]["items"]["required"] = []
    with pytest.raises(AssertionError, match=r"phones\[\]"):
        check_members(broken, fields, "POST /v1/contacts", False)


# --------------------------------------------------------------------------
# Pipelines, deals, tasks, agenda, reminders

STAGE = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d1001",
    "pipeline_id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d1000",
    "name": "Qualified", "position": 0, "probability": 20, "kind": "open",
    "rotting_days": 14, "deal_count": 3,
    "created_at": USER["created_at"], "updated_at": USER["updated_at"],
    "version": 1,
}

PIPELINE = {
    "id": STAGE["pipeline_id"], "name": "Sales",
    "stages": [STAGE, dict(STAGE, id="0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d1002",
                           name="Won", position=1, probability=100,
                           kind="won", rotting_days=None, deal_count=0)],
    "created_at": USER["created_at"], "updated_at": USER["updated_at"],
    "version": 2,
}

DEAL = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d2000", "title": "50 licences",
    "amount": "1250.50", "currency": "IRR",
    "pipeline_id": PIPELINE["id"], "stage_id": STAGE["id"],
    "stage": {"id": STAGE["id"], "name": "Qualified", "kind": "open",
              "probability": 20},
    "status": "open", "expected_close_date": "2025-03-20",
    "owner_id": USER["id"], "owner": {"id": USER["id"], "name": "Ana"},
    "contact_id": CONTACT["id"],
    "contact": {"id": CONTACT["id"], "display_name": "علی رضایی"},
    "company_id": None, "company": None, "campaign_id": None,
    "lost_reason": None, "won_at": None, "lost_at": None,
    "stage_entered_at": "2025-01-31T09:15:00Z", "is_stale": False,
    "weighted_amount": "250.10", "notes": None,
    "created_at": USER["created_at"], "updated_at": USER["updated_at"],
    "created_by": USER["id"], "updated_by": None, "version": 1,
}

TASK = {
    "id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d3000", "title": "Call back",
    "notes": None, "kind": "call", "due_at": "2025-02-01T10:00:00+03:30",
    "starts_at": None, "ends_at": None, "all_day": False,
    "assignee_id": USER["id"], "assignee": {"id": USER["id"], "name": "Ana"},
    "contact_id": CONTACT["id"], "company_id": None, "deal_id": None,
    "reminder_at": "2025-02-01T09:45:00Z", "reminder_delivered_at": None,
    "status": "open", "completed_at": None, "overdue": True,
    "created_at": USER["created_at"], "updated_at": USER["updated_at"],
    "created_by": USER["id"], "updated_by": None, "version": 1,
}

EVENT = dict(TASK, id="0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d3001", kind="event",
             due_at=None, starts_at="2025-02-02T00:00:00+03:30",
             ends_at="2025-02-03T00:00:00+03:30", all_day=True,
             contact_id=None, deal_id=DEAL["id"], overdue=False)


def test_pipelines_and_stages():
    spec.validate_response("GET", "/v1/pipelines/" + PIPELINE["id"], 200,
                           PIPELINE)
    spec.validate_response("GET", "/v1/pipelines", 200,
                           {"data": [PIPELINE, dict(PIPELINE, stages=[])],
                            "next_cursor": None})
    spec.validate_response("POST", "/v1/pipelines/{pipeline_id}/reorder",
                           200, PIPELINE)
    spec.validate_response("POST", "/v1/pipelines/{pipeline_id}/stages",
                           201, STAGE)
    for member, value in (("position", -1), ("probability", 101),
                          ("kind", "closed"), ("rotting_days", 0),
                          ("deal_count", None), ("extra", 1)):
        with pytest.raises(AssertionError):
            spec.validate_response(
                "PATCH", "/v1/pipelines/{pipeline_id}/stages/{id}", 200,
                dict(STAGE, **{member: value}))
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/pipelines/{id}", 200,
                               dict(PIPELINE, position=0))


def test_stage_and_pipeline_delete_conflicts():
    conflict = {"type": "urn:crm:problem:conflict", "title": "Conflict",
                "status": 409, "detail": "the stage holds 3 deals",
                "instance": "r", "deal_count": 3}
    spec.validate_response("DELETE", "/v1/pipelines/{pipeline_id}/stages/{id}",
                           409, conflict)
    no_count = {k: v for k, v in conflict.items() if k != "deal_count"}
    with pytest.raises(AssertionError, match="deal_count"):
        spec.validate_response(
            "DELETE", "/v1/pipelines/{pipeline_id}/stages/{id}", 409, no_count)
    spec.validate_response("DELETE", "/v1/pipelines/{id}", 409, no_count)
    stale = {"type": "urn:crm:problem:precondition-failed",
             "title": "Precondition Failed", "status": 412, "detail": "stale",
             "instance": "r", "current": STAGE}
    spec.validate_response("DELETE", "/v1/pipelines/{pipeline_id}/stages/{id}",
                           412, stale)
    with pytest.raises(AssertionError):
        spec.validate_response(
            "DELETE", "/v1/pipelines/{pipeline_id}/stages/{id}", 412,
            dict(stale, current=PIPELINE))


def test_deals():
    spec.validate_response("GET", "/v1/deals/" + DEAL["id"], 200, DEAL)
    spec.validate_response("POST", "/v1/deals", 201, DEAL)
    lost = dict(DEAL, status="lost", lost_reason="price",
                lost_at="2025-02-01T09:15:00Z", amount=None, currency=None,
                weighted_amount=None, contact_id=None, contact=None)
    spec.validate_response("GET", "/v1/deals", 200,
                           {"data": [DEAL, lost], "next_cursor": "abc"})
    for member, value in (("amount", 1250.5), ("amount", "1,250"),
                          ("weighted_amount", "250.1000"),
                          ("currency", "irr"), ("status", "closed"),
                          ("stage", {"id": STAGE["id"], "name": "Q"}),
                          ("contact", {"id": CONTACT["id"]}), ("extra", 1)):
        with pytest.raises(AssertionError):
            spec.validate_response("GET", "/v1/deals/{id}", 200,
                                   dict(DEAL, **{member: value}))
    spec.validate_response("GET", "/v1/deals/{id}", 200,
                           {"id": DEAL["id"], "amount": "1.00"},
                           projected=True)
    stale = {"type": "urn:crm:problem:precondition-failed",
             "title": "Precondition Failed", "status": 412, "detail": "stale",
             "instance": "r", "current": DEAL}
    spec.validate_response("PATCH", "/v1/deals/{id}", 412, stale)


def test_deal_history():
    created = {"id": "0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d2001",
               "from_stage": None,
               "to_stage": {"id": STAGE["id"], "name": "Qualified"},
               "moved_at": "2025-01-31T09:15:00Z",
               "moved_by": {"type": "user", "id": USER["id"]},
               "seconds_in_previous": None}
    moved = dict(created, id="0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d2002",
                 from_stage=created["to_stage"],
                 to_stage={"id": PIPELINE["stages"][1]["id"], "name": "Won"},
                 moved_by={"type": "api_key", "id": USER["id"]},
                 seconds_in_previous=86400)
    spec.validate_response("GET", "/v1/deals/{id}/history", 200,
                           {"data": [created, moved], "next_cursor": None})
    for member, value in (("seconds_in_previous", -1),
                          ("seconds_in_previous", 1.5),
                          ("moved_by", {"type": "robot", "id": None}),
                          ("to_stage", None)):
        with pytest.raises(AssertionError):
            spec.validate_response("GET", "/v1/deals/{id}/history", 200,
                                   {"data": [dict(moved, **{member: value})],
                                    "next_cursor": None})


def test_tasks_and_agenda():
    spec.validate_response("GET", "/v1/tasks/" + TASK["id"], 200, TASK)
    spec.validate_response("POST", "/v1/tasks", 201, EVENT)
    done = dict(TASK, status="done", completed_at="2025-02-01T10:05:00Z",
                overdue=False)
    spec.validate_response("GET", "/v1/tasks", 200,
                           {"data": [TASK, EVENT, done], "next_cursor": None})
    spec.validate_response("GET", "/v1/agenda", 200, {"data": [EVENT, done]})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/agenda", 200,
                               {"data": [], "next_cursor": None})
    for member, value in (("kind", "email"), ("status", "closed"),
                          ("due_at", "2025-02-01"), ("all_day", None),
                          ("assignee", None), ("extra", 1)):
        with pytest.raises(AssertionError):
            spec.validate_response("GET", "/v1/tasks/{id}", 200,
                                   dict(TASK, **{member: value}))
    names = {p["name"]: p for p in
             spec.operation("GET", "/v1/agenda")["parameters"]}
    assert names["from"]["required"] and names["to"]["required"]


def test_reminders():
    due = {"id": TASK["id"], "task": TASK, "reminder_at": TASK["reminder_at"]}
    spec.validate_response("GET", "/v1/reminders/due", 200,
                           {"data": [due], "next_cursor": None})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/reminders/due", 200,
                               {"data": [due], "next_cursor": "abc"})
    with pytest.raises(AssertionError):
        spec.validate_response("GET", "/v1/reminders/due", 200,
                               {"data": [dict(due, task={"id": TASK["id"]})],
                                "next_cursor": None})
    ack = {"id": TASK["id"], "reminder_delivered_at": "2025-02-01T09:46:00Z"}
    spec.validate_response("POST", "/v1/reminders/%s/ack" % TASK["id"], 200,
                           ack)
    with pytest.raises(AssertionError):
        spec.validate_response("POST", "/v1/reminders/{id}/ack", 200,
                               dict(ack, reminder_delivered_at=None))
    spec.validate_response("POST", "/v1/reminders/{id}/ack", 409, {
        "type": "urn:crm:problem:conflict", "title": "Conflict",
        "status": 409, "detail": "the task has no reminder", "instance": "r"})


def test_rate_limited_answers():
    problem = {"type": "urn:crm:problem:too-many-requests",
               "title": "Too Many Requests", "status": 429,
               "detail": "too many requests; slow down", "instance": "r1"}
    url = "http://127.0.0.1/v1/deals"
    limited = FakeResponse(429, {"Content-Type": "application/problem+json",
                                 "X-Request-Id": "r1", "Retry-After": "3"},
                           problem, url)
    spec.validate_response("GET", "/v1/deals", 429, limited)
    spec.validate_response("GET", "/v1/contacts", 429, limited)
    without = FakeResponse(429, {"Content-Type": "application/problem+json",
                                 "X-Request-Id": "r1"}, problem, url)
    with pytest.raises(AssertionError, match="Retry-After"):
        spec.validate_response("GET", "/v1/deals", 429, without)
    with pytest.raises(AssertionError, match="not documented"):
        spec.validate_response("GET", "/healthz", 429, problem)
