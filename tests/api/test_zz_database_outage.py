"""Readiness follows the database, and the server heals when it returns.

Runs last (file name) because it stops the shared test cluster for a moment.
"""
import os
import subprocess
import time

from conftest import ROOT, Api, as_user


def db(cmd):
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "db.sh"), cmd], check=True,
                   capture_output=True)


def test_database_down_then_back():
    admin = as_user("admin@demo.test")
    anon = Api()
    db("stop")
    try:
        r = anon.get("/readyz")
        assert r.status_code == 503
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert admin.get("/v1/users").status_code == 503
        assert anon.get("/healthz").status_code == 200
    finally:
        db("start")
    deadline = time.time() + 15
    codes = []
    while time.time() < deadline:
        codes = [anon.get("/readyz").status_code for _ in range(6)]
        if codes == [200] * 6:
            break
        time.sleep(0.2)
    assert codes == [200] * 6
    assert admin.get("/v1/users").status_code == 200
