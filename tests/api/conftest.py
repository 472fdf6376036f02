"""Shared fixtures for the black-box HTTP tests.

The server and a throw-away cluster are started by scripts/test.sh; these
fixtures only talk HTTP to the server, plus psql (as the cluster's
superuser) to create fresh organizations, which has no public endpoint.
Every response a test receives is checked against api-spec/openapi.yaml.
"""
import base64
import datetime
import json
import os
import subprocess
import uuid

import pytest
import requests

import spec

BASE = os.environ.get("CRM_BASE_URL", "http://127.0.0.1:18888")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_PASSWORD = os.environ.get("CRM_DEMO_PASSWORD", "demo-password-1")
PASSWD_TOOL = os.environ.get("CRM_PASSWD_TOOL", os.path.join(ROOT, "build", "crm-passwd"))


def psql(sql, *args):
    """Runs SQL as the superuser; returns stdout (tuples only, unaligned)."""
    cmd = ["bash", os.path.join(ROOT, "scripts", "db.sh"), "psql",
           "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]
    for i, a in enumerate(args):
        cmd += ["-v", "a%d=%s" % (i + 1, a)]
    out = subprocess.run(cmd, input=sql, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def password_hash(password):
    out = subprocess.run([PASSWD_TOOL], input=password + "\n", capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


class Api:
    """A requests session that validates every answer against the spec."""

    def __init__(self, token=None):
        self.s = requests.Session()
        self.token = token

    def call(self, method, path, json_body=None, headers=None, validate=True, **kw):
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if headers:
            h.update(headers)
        if json_body is not None:
            kw["data"] = json.dumps(json_body)
            h.setdefault("Content-Type", "application/json")
        r = self.s.request(method, BASE + path, headers=h, timeout=30, **kw)
        if validate:
            spec.validate_response(method, path.split("?")[0], r.status_code, r)
        return r

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, json_body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, json_body=body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def login(email, password=DEMO_PASSWORD, organization=None):
    body = {"email": email, "password": password}
    if organization:
        body["organization"] = organization
    r = Api().post("/v1/auth/login", body)
    assert r.status_code == 200, r.text
    return r.json()


def as_user(email, password=DEMO_PASSWORD, organization=None):
    return Api(login(email, password, organization)["access_token"])


class Org:
    """A fresh organization with its own admin, isolated from other tests."""

    def __init__(self):
        self.slug = "t" + uuid.uuid4().hex[:12]
        self.admin_email = "admin@%s.test" % self.slug
        self.password = "pw-" + uuid.uuid4().hex[:16]
        self.id = psql("SELECT crm.create_organization(:'a1', :'a2', :'a3', :'a4', :'a5')",
                       "Org " + self.slug, self.slug, self.admin_email, "Admin " + self.slug,
                       password_hash(self.password))
        self.admin = as_user(self.admin_email, self.password)

    def add_user(self, role, name=None, email=None):
        """Creates a user through the API as the org admin; returns (user, Api)."""
        email = email or "%s-%s@%s.test" % (role, uuid.uuid4().hex[:8], self.slug)
        password = "pw-" + uuid.uuid4().hex[:16]
        r = self.admin.post("/v1/users", {"email": email, "name": name or role.title(),
                                          "role": role, "password": password})
        assert r.status_code == 201, r.text
        user = r.json()
        user["password"] = password  # for tests that log in again
        return user, as_user(email, password)


@pytest.fixture
def org():
    return Org()


@pytest.fixture
def other_org():
    return Org()


@pytest.fixture
def anon():
    return Api()


def audit_rows(admin, **filters):
    q = "&".join("%s=%s" % kv for kv in filters.items())
    r = admin.get("/v1/audit?" + q)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --------------------------------------------------------------------------
# Customer file (contacts, companies, activities, lookup): a sales floor.

class Crew:
    """An organization with a manager and rep1 in one team, rep2 outside it."""

    def __init__(self, org):
        self.org = org
        self.admin = org.admin
        self.admin_user = org.admin.get("/v1/me").json()
        self.manager_user, self.manager = org.add_user("manager", "Reza Manager")
        self.rep1_user, self.rep1 = org.add_user("rep", "Ali Rep")
        self.rep2_user, self.rep2 = org.add_user("rep", "Maryam Rep")
        r = org.admin.post("/v1/teams", {"name": "Field " + uuid.uuid4().hex[:6]})
        assert r.status_code == 201, r.text
        self.team_id = r.json()["id"]
        for u in (self.manager_user, self.rep1_user):
            r = org.admin.post("/v1/teams/%s/members" % self.team_id, {"user_id": u["id"]})
            assert r.status_code == 201, r.text


@pytest.fixture
def crew(org):
    return Crew(org)


def api_key(org, *scopes):
    """A fresh API key of org with these scopes, as an Api."""
    r = org.admin.post("/v1/api-keys", {"name": "k-" + uuid.uuid4().hex[:6],
                                        "scopes": list(scopes)})
    assert r.status_code == 201, r.text
    return Api(r.json()["key"])


def new_contact(api, **fields):
    """Creates a contact (201 expected); returns its JSON."""
    if not any(k in fields for k in ("first_name", "last_name", "display_name")):
        fields["display_name"] = "Contact " + uuid.uuid4().hex[:6]
    r = api.post("/v1/contacts", fields)
    assert r.status_code == 201, r.text
    return r.json()


def ids(r):
    """The ids of a list answer."""
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["data"]]


# --------------------------------------------------------------------------
# Pipelines, deals, tasks (issue 5).

SALES_STAGES = [
    {"name": "Lead", "probability": 10, "kind": "open"},
    {"name": "Qualified", "probability": 40, "kind": "open"},
    {"name": "Proposal", "probability": 70, "kind": "open", "rotting_days": 3},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


def new_pipeline(api, name=None, stages=None):
    """Creates a pipeline (201 expected; default stages SALES_STAGES); returns its JSON
    with a by-name map of its stages in ["by_name"]."""
    body = {"name": name or "Pipeline " + uuid.uuid4().hex[:6],
            "stages": SALES_STAGES if stages is None else stages}
    r = api.post("/v1/pipelines", body)
    assert r.status_code == 201, r.text
    p = r.json()
    p["by_name"] = {s["name"]: s for s in p["stages"]}
    return p


def new_deal(api, pipeline, **fields):
    """Creates a deal in pipeline (a JSON or an id; 201 expected); returns its JSON."""
    fields.setdefault("title", "Deal " + uuid.uuid4().hex[:6])
    fields.setdefault("pipeline_id", pipeline if isinstance(pipeline, str) else pipeline["id"])
    r = api.post("/v1/deals", fields)
    assert r.status_code == 201, r.text
    return r.json()


def new_task(api, **fields):
    """Creates a task (201 expected; default a dateless to-do); returns its JSON."""
    fields.setdefault("title", "Task " + uuid.uuid4().hex[:6])
    fields.setdefault("kind", "todo")
    r = api.post("/v1/tasks", fields)
    assert r.status_code == 201, r.text
    return r.json()


def system_sql(sql, *args):
    """psql() inside a transaction whose writes the audit trigger accepts (system actor)."""
    return psql("BEGIN; SET LOCAL crm.actor_system = 'test';\n" + sql + ";\nCOMMIT;", *args)


def rfc3339(t):
    """A datetime as RFC 3339 UTC with seconds (what query strings and bodies take)."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def fields_named(r):
    """The sorted field names of a 422 answer."""
    assert r.status_code == 422, r.text
    return sorted(e["field"] for e in r.json()["errors"])
