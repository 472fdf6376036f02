#!/usr/bin/env bash
# The schema checks of `make test`, against the cluster named by CRM_PGRUN /
# CRM_PGPORT (scripts/db.sh init done):
#  - every function, procedure, view, trigger and type is defined in exactly
#    one file under sql/, and every code file is in sql/code.list once;
#  - migrate twice, and migrate --force, change nothing (pg_dump -s);
#  - a database migrated step by step from the first migration (the chain
#    as it stood at PRE_LAYOUT, then today's migrate) equals a fresh one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
: "${CRM_PGRUN:?set CRM_PGRUN}" "${CRM_PGPORT:?set CRM_PGPORT}"
# The last commit whose migrations held the code too (each applied once, in
# its own transaction, by that commit's scripts/db.sh).
PRE_LAYOUT=23ea60d
PGBIN=/usr/lib/postgresql/15/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "schema: FAIL: $*" >&2; failed=1; }

echo "-- one definition per object"
python3 - "$root/sql" <<'PY' || failed=1
import re, sys, pathlib
root = pathlib.Path(sys.argv[1])
decl = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?"
                  r"(FUNCTION|PROCEDURE|VIEW|TRIGGER|TYPE)\s+([\w.]+)", re.I | re.M)
where = {}
for f in sorted(root.rglob("*.sql")):
    text = re.sub(r"--[^\n]*", "", f.read_text())
    for kind, name in decl.findall(text):
        where.setdefault((kind.upper(), name.lower()), set()).add(str(f.relative_to(root)))
bad = {k: v for k, v in where.items() if len(v) > 1}
for (kind, name), files in sorted(bad.items()):
    print(f"schema: {kind} {name} defined in {', '.join(sorted(files))}", file=sys.stderr)
listed = [l.split("#")[0].strip() for l in (root / "code.list").read_text().splitlines()]
listed = [l for l in listed if l]
code = sorted(str(p.relative_to(root)) for d in ("crm", "api") for p in (root / d).glob("*.sql"))
code.remove("crm/expressions.sql")  # runs before the migrations, not from the list
code += ["code_reset.sql", "code_finish.sql"]
errors = [f"schema: {f} listed {listed.count(f)} times in code.list" for f in sorted(set(code + listed))
          if listed.count(f) != 1 or f not in code]
print("\n".join(errors), file=sys.stderr) if errors else None
print(f"{len(where)} objects in {len(code)} code files and the migrations")
sys.exit(1 if bad or errors else 0)
PY

db() { CRM_DB=$1 bash scripts/db.sh "${@:2}"; }
psql_db() { PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres -d "$@"; }
dump() { "$PGBIN/pg_dump" -s -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres "$1" | grep -Ev '^(--|\\(un)?restrict )' >"$work/$2"; }
same() {
	if ! diff -u "$work/$1" "$work/$2" >"$work/diff"; then
		fail "$3"
		head -n 60 "$work/diff" >&2
	fi
}
fresh_db() { psql_db postgres -c "DROP DATABASE IF EXISTS $1" && db "$1" init >/dev/null; }

echo "-- migrate is repeatable"
fresh_db crm_schema_fresh
db crm_schema_fresh migrate >/dev/null
dump crm_schema_fresh fresh.sql
out=$(db crm_schema_fresh migrate)
[ "$out" = "db.sh: schema up to date" ] || fail "a second migrate did something: $out"
db crm_schema_fresh migrate --force >/dev/null
dump crm_schema_fresh forced.sql
same fresh.sql forced.sql "migrate --force changed the schema"

echo "-- step by step equals fresh"
if git -C "$root" cat-file -e "$PRE_LAYOUT^{commit}" 2>/dev/null; then
	fresh_db crm_schema_steps
	psql_db crm_schema_steps -c "CREATE TABLE public.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
	for f in $(git -C "$root" ls-tree --name-only "$PRE_LAYOUT" sql/migrations/ | sort); do
		v=$(basename "$f" .sql)
		git -C "$root" show "$PRE_LAYOUT:$f" >"$work/step.sql"
		psql_db crm_schema_steps -1 -f "$work/step.sql" \
			-c "RESET ROLE; INSERT INTO public.schema_migrations(version) VALUES ('$v')" >/dev/null
	done
	db crm_schema_steps migrate >/dev/null
	dump crm_schema_steps steps.sql
	same fresh.sql steps.sql "a database migrated step by step differs from a fresh one"
	psql_db postgres -c "DROP DATABASE crm_schema_steps"
else
	echo "schema: no git history with $PRE_LAYOUT (a shallow clone or an export): step-by-step check not run"
fi
psql_db postgres -c "DROP DATABASE crm_schema_fresh"

[ "$failed" -eq 0 ] && echo "schema: ok"
exit "$failed"
