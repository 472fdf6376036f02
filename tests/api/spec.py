"""The API contract (api-spec/openapi.yaml) as a test helper.

    from spec import validate_response, match_path

    r = session.get(base + "/v1/users/" + uid)
    body = validate_response("GET", "/v1/users/{id}", 200, r)

validate_response() finds the operation, asserts the status is documented,
checks the documented required headers (when it is given a response object
with headers) and validates the body against the documented schema with
jsonschema (Draft 2020-12, with uuid/date-time/date/email format checks). It
returns the parsed body (or None for an empty one).

`response` is a requests.Response (or anything with status_code, headers and
content), or an already parsed JSON body: then the content type is taken to
be application/json below 400 and application/problem+json from 400 on.

Operations that accept `fields=` document their records as
`anyOf: [<full record>, <projection>]` where the projection schema carries
`x-crm-projection: true`. Unless the request used `fields` (seen on the
response's request URL) or projected=True is passed, the projection branches
are dropped, so a full answer must have every member.
"""

import copy
import datetime
import functools
import json
import os
import re
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC_PATH = os.path.join(ROOT, "api-spec", "openapi.yaml")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROJECTION = "x-crm-projection"


# --------------------------------------------------------------------------
# Loading and $ref resolution

@functools.lru_cache(maxsize=None)
def spec():
    """The document as loaded from YAML (with $refs in place)."""
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _pointer(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $refs are supported: %r" % ref)
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def resolve(node, doc=None, _seen=()):
    """A deep copy of node with every local $ref replaced by its target.

    Members next to a $ref (OpenAPI 3.1 allows description, summary and, in
    schemas, any keyword) are kept: for schemas both apply, so they are
    merged, with a conflicting keyword combined under allOf.
    """
    doc = spec() if doc is None else doc
    if isinstance(node, list):
        return [resolve(x, doc, _seen) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and isinstance(node["$ref"], str):
        ref = node["$ref"]
        if ref in _seen:
            raise ValueError("circular $ref: %s" % " -> ".join(_seen + (ref,)))
        target = resolve(_pointer(doc, ref), doc, _seen + (ref,))
        siblings = {k: resolve(v, doc, _seen) for k, v in node.items()
                    if k != "$ref"}
        if not siblings:
            return target
        if not isinstance(target, dict):
            return target
        clash = [k for k in siblings if k in target
                 and k not in ("description", "summary")]
        if clash:
            return {"allOf": [target, siblings]}
        merged = dict(target)
        merged.update(siblings)
        return merged
    return {k: resolve(v, doc, _seen) for k, v in node.items()}


@functools.lru_cache(maxsize=None)
def _resolved():
    return resolve(spec())


def resolved():
    """The whole document with every $ref resolved (a fresh copy)."""
    return copy.deepcopy(_resolved())


def schema(name):
    """A component schema by name, resolved."""
    return copy.deepcopy(_resolved()["components"]["schemas"][name])


def operations():
    """(method, path template, operation) for every documented operation."""
    doc = _resolved()
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def operation(method, path_template):
    """The resolved operation object; AssertionError if undocumented."""
    paths = _resolved()["paths"]
    assert path_template in paths, \
        "path %s is not in the OpenAPI document" % path_template
    op = paths[path_template].get(method.lower())
    assert op is not None, "%s %s is not in the OpenAPI document (has %s)" % (
        method.upper(), path_template, allowed_methods(path_template))
    return op


def allowed_methods(path_template):
    item = _resolved()["paths"][path_template]
    return [m.upper() for m in METHODS if m in item]


# --------------------------------------------------------------------------
# Paths

@functools.lru_cache(maxsize=None)
def _path_patterns():
    out = []
    for template in spec()["paths"]:
        parts = re.split(r"(\{[^}/]+\})", template)
        rx = "".join("[^/]+" if p.startswith("{") else re.escape(p)
                     for p in parts)
        nparams = sum(1 for p in parts if p.startswith("{"))
        out.append((nparams, template, re.compile("^" + rx + "$")))
    # A literal segment beats a parameter: /v1/me/password before /v1/me/{x}.
    out.sort(key=lambda t: (t[0], -len(t[1])))
    return tuple(out)


def match_path(path):
    """The template of a concrete path ("/v1/users/0191…" -> "/v1/users/{id}").

    A full URL or a query string is accepted and ignored. None when no
    documented path matches (the server answers those with a 404 problem).
    """
    path = urlsplit(path).path or "/"
    for _, template, rx in _path_patterns():
        if rx.match(path):
            return template
    return None


# --------------------------------------------------------------------------
# Formats

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-](\d{2}):(\d{2}))$")


def _is_uuid(value):
    return not isinstance(value, str) or bool(_UUID.match(value))


def _is_datetime(value):
    """RFC 3339 date-time: seconds and an offset required, a real day."""
    if not isinstance(value, str):
        return True
    m = _DATETIME.match(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(m.group(i))
                                              for i in range(1, 7))
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23
                                   or int(m.group(10)) > 59):
        return False
    return True


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _is_date(value):
    """RFC 3339 full-date (YYYY-MM-DD) naming a real day, year 0001-9999."""
    if not isinstance(value, str):
        return True
    m = _DATE.match(value)
    if not m:
        return False
    try:
        datetime.date(*(int(m.group(i)) for i in range(1, 4)))
    except ValueError:
        return False
    return True


def _is_email(value):
    """The server's rule: one '@', no white space, a dot in the domain."""
    if not isinstance(value, str):
        return True
    if len(value) > 254 or any(c.isspace() for c in value):
        return False
    local, at, domain = value.partition("@")
    return (bool(at) and bool(local) and "@" not in domain
            and "." in domain.strip(".") and not domain.startswith(".")
            and not domain.endswith(".") and ".." not in domain)


def _format_checker():
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("uuid")(_is_uuid)
    checker.checks("date-time")(_is_datetime)
    checker.checks("date")(_is_date)
    checker.checks("email")(_is_email)
    library = getattr(jsonschema.Draft202012Validator, "FORMAT_CHECKER",
                      None) or jsonschema.FormatChecker()
    if "uri-reference" in library.checkers:
        checker.checkers["uri-reference"] = library.checkers["uri-reference"]
    return checker


FORMAT_CHECKER = _format_checker()


def validator(schema_):
    return jsonschema.Draft202012Validator(schema_,
                                           format_checker=FORMAT_CHECKER)


def validate(instance, schema_, where="body"):
    """Validates instance against a resolved schema; AssertionError lists
    every violation with its JSON path."""
    errors = sorted(validator(schema_).iter_errors(instance),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = ["%s%s: %s" % (where,
                               "".join("[%r]" % p for p in e.absolute_path),
                               e.message) for e in errors[:20]]
        raise AssertionError("does not match the OpenAPI document:\n  " +
                             "\n  ".join(lines) + "\n" +
                             json.dumps(instance, indent=1)[:2000])


def strip_projections(schema_):
    """Drops anyOf/oneOf branches marked x-crm-projection (see above)."""
    if isinstance(schema_, list):
        return [strip_projections(x) for x in schema_]
    if not isinstance(schema_, dict):
        return schema_
    out = {}
    for key, value in schema_.items():
        if key in ("anyOf", "oneOf") and isinstance(value, list):
            kept = [b for b in value
                    if not (isinstance(b, dict) and b.get(PROJECTION))]
            if len(kept) == 1 and len(value) > 1:
                out.setdefault("allOf", []).append(strip_projections(kept[0]))
                continue
            value = kept or value
        out[key] = strip_projections(value)
    return out


# --------------------------------------------------------------------------
# Responses

def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media_type):
    return media_type == "application/json" or media_type.endswith("+json")


def _used_fields(response):
    request = getattr(response, "request", None)
    url = getattr(request, "url", None)
    if not url:
        return False
    return "fields" in parse_qs(urlsplit(url).query, keep_blank_values=True)


def _header_value(value, schema_):
    if schema_.get("type") == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _check_headers(documented, headers, where):
    for name, header in (documented or {}).items():
        present = headers.get(name)
        if present is None:
            assert not header.get("required"), \
                "%s: header %s is documented as always sent but missing" % (
                    where, name)
            continue
        if "schema" in header:
            validate(_header_value(present, header["schema"]),
                     header["schema"], "header %s" % name)


def _unpack(status, response):
    """(status, media type, body text or parsed JSON, headers or None)."""
    if hasattr(response, "status_code") and hasattr(response, "headers"):
        content = getattr(response, "content", b"") or b""
        if isinstance(content, bytes):
            content = content.decode("utf-8")
        return (response.status_code,
                _media_type(response.headers.get("Content-Type")),
                content, response.headers)
    if response is None:
        return status, None, "", None
    media = "application/problem+json" if status >= 400 else "application/json"
    if isinstance(response, (bytes, str)):
        text = response.decode() if isinstance(response, bytes) else response
        return status, media, text, None
    return status, media, response, None


def _documented_response(op, status):
    responses = op.get("responses", {})
    for key in (str(status), "%dXX" % (status // 100), "default"):
        if key in responses:
            return responses[key]
    return None


def _validate_body(resp_spec, media, body, where, projected):
    content = resp_spec.get("content")
    if not content:
        assert body in ("", None), \
            "%s: documented without a body but got %.200r" % (where, body)
        return None
    assert media in content, "%s: content type %r is not documented (%s)" % (
        where, media, ", ".join(content))
    schema_ = content[media].get("schema", {})
    if not _is_json(media):
        if schema_:
            validate(body, schema_, where)
        return body
    if isinstance(body, str):
        assert body != "", "%s: empty body, %s documented" % (where, media)
        body = json.loads(body)
    if not projected:
        schema_ = strip_projections(schema_)
    validate(body, schema_, where)
    return body


def validate_response(method, path_template, status, response, *,
                      projected=None):
    """Checks one answer against the document; returns the parsed body.

    method: "GET"...; path_template: a documented path ("/v1/users/{id}"),
    or a concrete one ("/v1/users/0191…", looked up with match_path(); one
    that matches nothing must be a 404 problem); status: the expected HTTP
    status; response: a requests.Response or a parsed body. projected: the request used `fields` (default: read from
    response.request.url; False for a plain body).

    A method the path does not document is accepted only as a 405 problem
    with an Allow header naming the documented methods.
    """
    got, media, body, headers = _unpack(status, response)
    assert got == status, "%s %s: status %s, expected %s: %s" % (
        method, path_template, got, status,
        body if isinstance(body, str) else json.dumps(body))
    where = "%s %s -> %s" % (method.upper(), path_template, status)
    if projected is None:
        projected = _used_fields(response)

    paths = _resolved()["paths"]
    if path_template not in paths:
        template = match_path(path_template)
        if template is None:
            # Not a route: the server's catch-all answers 404 problems.
            assert status == 404, "%s: no documented path matches" % where
            return validate_problem(404, response)
        path_template = template
        where = "%s %s -> %s" % (method.upper(), path_template, status)
    if method.lower() not in paths[path_template]:
        assert status == 405, "%s: the method is not documented" % where
        if headers is not None:
            allow = headers.get("Allow")
            assert allow is not None, "%s: 405 without Allow" % where
            documented = allowed_methods(path_template)
            named = sorted(m.strip().upper() for m in allow.split(","))
            assert set(named) - {"HEAD"} == set(documented), \
                "%s: Allow %r, documented %s" % (where, allow, documented)
        return validate_problem(405, response)

    op = operation(method, path_template)
    resp_spec = _documented_response(op, status)
    assert resp_spec is not None, "%s: status not documented (has %s)" % (
        where, ", ".join(sorted(op.get("responses", {}))))
    if headers is not None:
        _check_headers(resp_spec.get("headers"), headers, where)
    return _validate_body(resp_spec, media, body, where, projected)


def validate_problem(status, response):
    """Checks a problem document outside any operation (unknown path, 405)."""
    got, media, body, headers = _unpack(status, response)
    assert got == status, "status %s, expected %s" % (got, status)
    assert media == "application/problem+json", \
        "problem with content type %r" % media
    if headers is not None:
        assert headers.get("X-Request-Id"), "problem without X-Request-Id"
    if isinstance(body, str):
        body = json.loads(body)
    validate(body, schema("Problem"), "problem")
    assert body["status"] == status, "problem status %s in a %s answer" % (
        body["status"], status)
    return body


def validate_exchange(response, *, projected=None):
    """validate_response() with method, path and status taken from a
    requests.Response (its request must be a documented path)."""
    request = response.request
    template = match_path(request.url)
    if template is None:
        return validate_problem(response.status_code, response)
    return validate_response(request.method, template, response.status_code,
                             response, projected=projected)
