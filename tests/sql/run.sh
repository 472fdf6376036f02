#!/usr/bin/env bash
# Runs the pgTAP tests in tests/sql against the cluster named by CRM_PGRUN /
# CRM_PGPORT (database crm, migrated). Each file rolls back what it does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${CRM_PGRUN:?set CRM_PGRUN}" "${CRM_PGPORT:?set CRM_PGPORT}"
export PGHOST="$CRM_PGRUN" PGPORT="$CRM_PGPORT" PGUSER=postgres PGDATABASE=crm

PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pgtap'

cd "$ROOT/tests/sql"
files=( *.sql )
if [ $# -gt 0 ]; then files=( "$@" ); fi

status=0
if [ -z "${CRM_TAP_PSQL:-}" ] && command -v pg_prove >/dev/null 2>&1; then
	pg_prove --failures "${files[@]}" || status=$?
else
	# Fallback without pg_prove (or with CRM_TAP_PSQL=1): plain psql, failing on
	# any "not ok", a plan mismatch or an error.
	for f in "${files[@]}"; do
		out="$(psql -X -q -tA -v ON_ERROR_STOP=1 -f "$f" 2>&1)" || status=1
		if grep -q '^not ok' <<<"$out" || grep -q '^# Looks like' <<<"$out"; then status=1; fi
		echo "$out" | grep -E '^(not ok|# |psql:)' || true
		echo "$f: $(grep -c '^ok' <<<"$out") ok, $(grep -c '^not ok' <<<"$out") not ok"
	done
fi

# With every file run: which SQL code no pgTAP file names (informational,
# never changes the result).
if [ $# -eq 0 ]; then bash "$ROOT/tests/sql/coverage.sh" || true; fi
exit $status
