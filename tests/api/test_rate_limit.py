"""Per-caller rate limits hold across workers and spare other callers.

The test server runs with CRM_RATE_PER_MINUTE=6000 and CRM_RATE_BURST=300
(conf/test.env): 100 requests a second after a burst of 300. The flood runs
on 16 connections at once so it outpaces the refill even on a busy machine.
"""
from concurrent.futures import ThreadPoolExecutor

from conftest import Api


def test_a_flood_is_cut_with_retry_after(org):
    _, flooder = org.add_user("rep")
    token = flooder.token

    def burst(_):
        api = Api(token)
        return [api.get("/v1/me", validate=False) for _ in range(100)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = [r for batch in pool.map(burst, range(16)) for r in batch]
    codes = [r.status_code for r in answers]
    limited = [r for r in answers if r.status_code == 429]
    assert set(codes) <= {200, 429}
    assert limited, "no 429 in %d requests" % len(codes)
    assert codes.count(200) >= 300
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert limited[0].headers["Content-Type"].startswith("application/problem+json")
    # Everyone else is unaffected.
    assert org.admin.get("/v1/me").status_code == 200
    assert Api().get("/healthz").status_code == 200
