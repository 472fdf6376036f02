"""Per-caller rate limits hold across workers and spare other callers.

The test server runs with CRM_RATE_PER_MINUTE=6000 and CRM_RATE_BURST=300
(conf/test.env): 100 requests a second after a burst of 300.
"""
from conftest import Api


def test_a_flood_is_cut_with_retry_after(org):
    _, flooder = org.add_user("rep")
    codes, retry = [], None
    for _ in range(700):
        r = flooder.get("/v1/me", validate=False)
        codes.append(r.status_code)
        if r.status_code == 429:
            retry = r
            break
    assert retry is not None, "no 429 after %d requests" % len(codes)
    assert int(retry.headers["Retry-After"]) >= 1
    assert retry.headers["Content-Type"].startswith("application/problem+json")
    assert codes.count(200) >= 300
    # Everyone else is unaffected.
    assert org.admin.get("/v1/me").status_code == 200
    assert Api().get("/healthz").status_code == 200
