"""Access-token attacks: each must answer 401 with an invalid_token challenge."""
import hashlib
import hmac
import json
import os
import time

import pytest

from conftest import Api, b64url, login

ISS, AUD = "crm-api", "crm-clients"


def secret():
    with open(os.path.join(os.environ["CRM_VAR"], "jwt-secret"), "rb") as f:
        return f.read().strip()


def make(header, claims, key=None, digest=hashlib.sha256, signature=None):
    h = b64url(json.dumps(header).encode())
    p = b64url(json.dumps(claims).encode())
    signing = (h + "." + p).encode()
    if signature is None:
        signature = b64url(hmac.new(key or secret(), signing, digest).digest())
    return h + "." + p + "." + signature


@pytest.fixture(scope="module")
def good():
    session = login("admin@demo.test")
    user = session["user"]
    now = int(time.time())
    claims = {"iss": ISS, "aud": AUD, "sub": user["id"], "org": user["org_id"],
              "role": user["role"], "iat": now, "nbf": now, "exp": now + 600,
              "jti": "00000000-0000-4000-8000-000000000000", "token_use": "access"}
    return {"alg": "HS256", "typ": "JWT"}, claims


def assert_rejected(token):
    r = Api(token).get("/v1/me")
    assert r.status_code == 401, r.text
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_forged_token_with_the_real_secret_is_accepted(good):
    # The control: our hand-made token works, so each rejection below is
    # caused by the one thing it changes.
    header, claims = good
    assert Api(make(header, claims)).get("/v1/me").status_code == 200


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(good, alg):
    header, claims = good
    unsigned = make(dict(header, alg=alg), claims, signature="")
    assert_rejected(unsigned)
    assert_rejected(make(dict(header, alg=alg), claims))


@pytest.mark.parametrize("alg,digest", [("HS384", hashlib.sha384), ("HS512", hashlib.sha512)])
def test_other_hmac_algorithms(good, alg, digest):
    header, claims = good
    assert_rejected(make(dict(header, alg=alg), claims, digest=digest))


def test_wrong_signature(good):
    header, claims = good
    assert_rejected(make(header, claims, key=b"x" * 48))


def test_expired_beyond_leeway(good):
    header, claims = good
    now = int(time.time())
    assert_rejected(make(header, dict(claims, exp=now - 120, nbf=now - 900, iat=now - 900)))


def test_expired_within_leeway_is_accepted(good):
    header, claims = good
    now = int(time.time())
    token = make(header, dict(claims, exp=now - 5))
    assert Api(token).get("/v1/me").status_code == 200


def test_not_yet_valid(good):
    header, claims = good
    assert_rejected(make(header, dict(claims, nbf=int(time.time()) + 600)))


@pytest.mark.parametrize("exp", [None, "9999999999", 9999999999.5])
def test_missing_or_non_integer_exp(good, exp):
    header, claims = good
    c = dict(claims)
    if exp is None:
        del c["exp"]
    else:
        c["exp"] = exp
    assert_rejected(make(header, c))


@pytest.mark.parametrize("claim,value", [("aud", "someone-else"), ("iss", "evil"),
                                         ("role", "root"), ("sub", "not-a-uuid"),
                                         ("token_use", "refresh")])
def test_wrong_claims(good, claim, value):
    header, claims = good
    assert_rejected(make(header, dict(claims, **{claim: value})))


@pytest.mark.parametrize("typ", ["at+jwt", "jwt", None])
def test_wrong_typ(good, typ):
    header, claims = good
    h = dict(header)
    if typ is None:
        del h["typ"]
    else:
        h["typ"] = typ
    assert_rejected(make(h, claims))


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "..", "abc", "a!b.c$d.e%f",
                                   "eyJhbGciOiJIUzI1NiJ9..sig"])
def test_malformed(token):
    assert_rejected(token)


def test_oversized_token(good):
    header, claims = good
    assert_rejected(make(header, dict(claims, pad="x" * 5000)))


def test_missing_credentials_challenge():
    r = Api().get("/v1/me")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_scheme():
    r = Api().get("/v1/me", headers={"Authorization": "Basic YTpi"})
    assert r.status_code == 401
