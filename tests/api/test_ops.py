"""Health, readiness, metrics, the served contract, routing and request ids."""
import os
import re
import subprocess

from conftest import ROOT, Api, as_user


def test_healthz(anon):
    r = anon.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz(anon):
    r = anon.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


def test_openapi_json(anon):
    r = anon.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert "/v1/users" in doc["paths"]


def healthz_count(anon):
    text = anon.get("/metrics").text
    m = re.search(r'^crm_http_requests_total\{route="healthz",status="200"\} (\d+)$', text, re.M)
    return int(m.group(1)) if m else 0


def test_metrics_are_shared_by_all_workers(anon):
    before = healthz_count(anon)
    for _ in range(20):
        Api().get("/healthz")  # a new connection each: any worker may answer
    assert healthz_count(anon) - before == 20
    r = anon.get("/metrics")
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "crm_http_request_duration_seconds_bucket" in r.text
    assert "crm_db_connections_in_use" in r.text
    assert "crm_db_pool_max" in r.text


def metric(anon, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), anon.get("/metrics").text, re.M)
    assert m, name
    return int(m.group(1))


def test_token_cache_counts_hits_and_misses(anon):
    me = as_user("rep1@demo.test")  # a fresh token, never sent yet
    hits = metric(anon, "crm_token_cache_hits_total")
    misses = metric(anon, "crm_token_cache_misses_total")
    # Each worker verifies the token once; one more request than there are
    # workers must reach a worker that has it cached, whatever connection.
    for _ in range(int(os.environ.get("CRM_WORKERS", "2")) + 1):
        assert me.get("/v1/me").status_code == 200
    assert metric(anon, "crm_token_cache_misses_total") > misses
    assert metric(anon, "crm_token_cache_hits_total") > hits


def test_unknown_path_is_problem_404(anon):
    r = anon.get("/v1/nothing-here", validate=False)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["status"] == 404


def test_routes_match_whole_segments(anon):
    """A template's {id} is one non-empty segment; anything longer, shorter
    or with a trailing slash is no route at all."""
    for path in ("/healthz/", "/v1/contacts/", "/v1/contacts//timeline",
                 "/v1/me/password/x", "/v1/reminders/due/x", "/v1"):
        r = anon.get(path, validate=False)
        assert r.status_code == 404, path
        assert r.json()["detail"] == "no such resource", path


def test_a_bad_id_is_the_route_s_404_after_authentication(anon):
    r = anon.get("/v1/contacts/not-a-uuid", validate=False)
    assert r.status_code == 401
    rep = as_user("rep1@demo.test")
    for path in ("/v1/contacts/not-a-uuid", "/v1/contacts/x/timeline"):
        r = rep.get(path, validate=False)
        assert r.status_code == 404, path
        assert r.json()["detail"] == "no such record", path


def test_request_id_echoed_and_generated(anon):
    r = anon.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    r = anon.get("/healthz")
    assert re.fullmatch(r"[0-9a-f-]{36}", r.headers["X-Request-Id"])
    # An unacceptable id is replaced, never echoed.
    r = anon.get("/healthz", headers={"X-Request-Id": "bad id<script>"})
    assert r.headers["X-Request-Id"] != "bad id<script>"


def test_problem_instance_is_the_request_id(anon):
    r = anon.get("/v1/me", headers={"X-Request-Id": "trace-42"})
    assert r.status_code == 401
    assert r.json()["instance"] == "trace-42"


def test_method_not_allowed(anon):
    r = Api().call("PUT", "/v1/auth/login", json_body={}, validate=False)
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"]


def test_server_refuses_a_short_jwt_secret(tmp_path):
    env = dict(os.environ, CRM_VAR=str(tmp_path), CRM_JWT_SECRET="only-31-bytes-of-secret-here!!!",
               CRM_JWT_SECRET_FILE="", CRM_DATABASE_URL="dbname=unused",
               CRM_LISTEN_HOST="127.0.0.1", CRM_LISTEN_PORT="18999", CRM_WORKERS="1",
               CRM_DB_POOL="1")
    r = subprocess.run(["bash", "scripts/server.sh", "run"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "at least 32 bytes" in r.stdout + r.stderr
