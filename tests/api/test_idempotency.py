"""Idempotency-Key on POST: a retried create replays the first answer."""
import uuid

from conftest import psql


def team_count(org, name):
    return int(psql("SELECT count(*) FROM crm.teams WHERE org_id = :'a1' AND name = :'a2'",
                    org.id, name))


def test_same_key_same_body_replays(org):
    key = "k-" + uuid.uuid4().hex
    body = {"name": "Retry team", "description": "offline"}
    a = org.admin.post("/v1/teams", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/teams", dict(reversed(list(body.items()))),
                       headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert a.headers["Location"] == b.headers["Location"]
    assert a.headers["ETag"] == b.headers["ETag"]
    assert team_count(org, "Retry team") == 1


def test_same_key_other_body_is_422(org):
    key = "k-" + uuid.uuid4().hex
    assert org.admin.post("/v1/teams", {"name": "One"}, headers={"Idempotency-Key": key}).status_code == 201
    r = org.admin.post("/v1/teams", {"name": "Two"}, headers={"Idempotency-Key": key})
    assert r.status_code == 422
    assert team_count(org, "Two") == 0


def test_keys_are_per_user(org):
    _, other_admin = org.add_user("admin")
    key = "shared-" + uuid.uuid4().hex
    a = org.admin.post("/v1/teams", {"name": "Mine"}, headers={"Idempotency-Key": key})
    b = other_admin.post("/v1/teams", {"name": "Yours"}, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_failed_request_is_not_stored(org):
    key = "k-" + uuid.uuid4().hex
    r = org.admin.post("/v1/teams", {"name": "Dup"}, headers={"Idempotency-Key": key})
    assert r.status_code == 201
    # A conflict answer is stored and replayed like any other.
    key2 = "k-" + uuid.uuid4().hex
    c1 = org.admin.post("/v1/teams", {"name": "Dup"}, headers={"Idempotency-Key": key2})
    c2 = org.admin.post("/v1/teams", {"name": "Dup"}, headers={"Idempotency-Key": key2})
    assert c1.status_code == 409 and c2.status_code == 409


def test_bad_key_is_400(org):
    r = org.admin.post("/v1/teams", {"name": "X"}, headers={"Idempotency-Key": "has space"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_user_create_replay_creates_one_user(org):
    key = "k-" + uuid.uuid4().hex
    email = "idem-%s@x.test" % uuid.uuid4().hex[:6]
    body = {"email": email, "name": "Idem", "role": "rep", "password": "idem-password-1"}
    a = org.admin.post("/v1/users", body, headers={"Idempotency-Key": key})
    b = org.admin.post("/v1/users", body, headers={"Idempotency-Key": key})
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert int(psql("SELECT count(*) FROM crm.users WHERE lower(email) = :'a1'", email)) == 1
