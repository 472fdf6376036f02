#!/usr/bin/env bash
# `make run` / `make stop`: a development cluster and server under var/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../conf/dev.env
source conf/dev.env
export CRM_LISTEN_HOST CRM_LISTEN_PORT CRM_WORKERS CRM_DB_POOL CRM_BODY_MAX \
    CRM_ACCESS_TTL CRM_REFRESH_TTL CRM_JWT_ISSUER CRM_JWT_AUDIENCE \
    CRM_RATE_PER_MINUTE CRM_RATE_BURST
export CRM_VAR=${CRM_VAR:-$root/var}
export CRM_PGDATA=$CRM_VAR/pg/data CRM_PGRUN=$CRM_VAR/pg/run CRM_PGPORT

# Development data only: every demo account has this password.
DEMO_PASSWORD=${CRM_DEMO_PASSWORD:-demo-password-1}

start() {
	mkdir -p "$CRM_VAR"
	bash scripts/db.sh init
	bash scripts/db.sh migrate
	local hash
	hash=$(printf '%s\n' "$DEMO_PASSWORD" | build/crm-passwd)
	CRM_DEMO_PWHASH=$hash bash scripts/db.sh seed sql/seed/demo.sql >/dev/null
	for f in demo_customers demo_deals demo_tickets; do
		CRM_DEMO_PWHASH=$hash bash scripts/db.sh seed sql/seed/$f.sql >/dev/null
	done
	bash scripts/server.sh start
	cat <<MSG

CRM API is running on http://${CRM_LISTEN_HOST}:${CRM_LISTEN_PORT}
  log:      $CRM_VAR/log/crm.log
  database: psql "host=$CRM_PGRUN port=$CRM_PGPORT dbname=crm user=postgres"

Log in (demo data; every demo account uses the password $DEMO_PASSWORD):
  curl -s http://${CRM_LISTEN_HOST}:${CRM_LISTEN_PORT}/v1/auth/login \\
       -H 'content-type: application/json' \\
       -d '{"email":"admin@demo.test","password":"$DEMO_PASSWORD"}'
  other accounts: manager@demo.test, rep1@demo.test, rep2@demo.test,
                  admin@other.test (a second organization)
Stop everything with: make stop
MSG
}

stop() {
	bash scripts/server.sh stop
	if [ -e "$CRM_PGDATA" ]; then
		bash scripts/db.sh stop
	fi
	echo "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
psql) shift; bash scripts/db.sh psql "$@" ;;
*) echo "usage: $0 start|stop|psql" >&2; exit 2 ;;
esac
