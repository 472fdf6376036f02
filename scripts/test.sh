#!/usr/bin/env bash
# `make test`: unit tests, the OpenAPI lint, then a throw-away cluster and
# server for the pgTAP and HTTP tests; everything is removed afterwards.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../conf/test.env
source conf/test.env
export CRM_LISTEN_HOST CRM_LISTEN_PORT CRM_WORKERS CRM_DB_POOL CRM_BODY_MAX \
    CRM_ACCESS_TTL CRM_REFRESH_TTL CRM_JWT_ISSUER CRM_JWT_AUDIENCE \
    CRM_RATE_PER_MINUTE CRM_RATE_BURST
mkdir -p "$root/var"
export CRM_VAR=$root/var/test.$$
export CRM_PGDATA=$CRM_VAR/pg/data CRM_PGRUN=$CRM_VAR/pg/run CRM_PGPORT
export CRM_DEMO_PASSWORD=demo-password-1
# The build under test (make sanitize: build/san) holds its own crm-passwd.
passwd_tool=$(dirname "${CRM_MODULE:-$root/build/crm.so}")/crm-passwd

cleanup() {
	bash scripts/server.sh stop || true
	bash scripts/db.sh destroy >/dev/null 2>&1 || true
	rm -rf "$CRM_VAR"
}
trap cleanup EXIT

echo "== unit tests"
bash tests/unit/run.sh

echo "== fuzzing (${FUZZ_SECONDS:=5} s per parser)"
FUZZ_SECONDS=$FUZZ_SECONDS bash tests/fuzz/run.sh

echo "== OpenAPI lint"
bash scripts/lint-spec.sh

echo "== database"
mkdir -p "$CRM_VAR"
bash scripts/db.sh init >/dev/null
bash tests/sql/schema.sh
bash scripts/db.sh migrate
hash=$(printf '%s\n' "$CRM_DEMO_PASSWORD" | "$passwd_tool")
CRM_DEMO_PWHASH=$hash bash scripts/db.sh seed sql/seed/demo.sql >/dev/null
for f in demo_customers demo_deals demo_tickets; do
	CRM_DEMO_PWHASH=$hash bash scripts/db.sh seed sql/seed/$f.sql >/dev/null
done

echo "== pgTAP"
bash tests/sql/run.sh

echo "== API tests"
if [ -n "${CRM_SANITIZE:-}" ]; then
	asan=$(gcc -print-file-name=libasan.so)
	ubsan=$(gcc -print-file-name=libubsan.so)
	export CRM_LAUNCH_PREFIX="env LD_PRELOAD=$asan:$ubsan ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1"
	export CRM_SECCOMP_TRACING=yes
fi
bash scripts/server.sh start
export CRM_BASE_URL="http://${CRM_LISTEN_HOST}:${CRM_LISTEN_PORT}"
export CRM_PASSWD_TOOL=$passwd_tool
status=0
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api || status=$?
bash scripts/server.sh stop
if [ -n "${CRM_SANITIZE:-}" ] && grep -E "ERROR: AddressSanitizer|runtime error:" "$CRM_VAR/log/crm.log"; then
	echo "sanitizer reports in the server log" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "--- last server log lines" >&2
	tail -n 40 "$CRM_VAR/log/crm.log" >&2 || true
fi
exit "$status"
