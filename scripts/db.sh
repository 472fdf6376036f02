#!/usr/bin/env bash
# Private PostgreSQL 15 cluster for the CRM server: init, start/stop, migrate, seed.
# Environment: CRM_PGDATA (data dir), CRM_PGRUN (socket dir), CRM_PGPORT (TCP port),
# CRM_DB (database, default crm).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGBIN=/usr/lib/postgresql/15/bin
DB=${CRM_DB:-crm}

# CRM_ADMIN_URL (a libpq URL for the owner of an existing database) runs
# migrate, seed and psql against that server instead of a private cluster:
# the way to migrate a production database, e.g. from the Docker image.
if [ -n "${CRM_ADMIN_URL:-}" ]; then
	case "${1:-}" in migrate|seed|psql) ;; *) echo "db.sh: with CRM_ADMIN_URL only migrate, seed and psql apply" >&2; exit 2;; esac
	CRM_PGDATA=/nonexistent CRM_PGRUN=/nonexistent CRM_PGPORT=0
fi
: "${CRM_PGDATA:?set CRM_PGDATA (absolute data dir)}"
: "${CRM_PGRUN:?set CRM_PGRUN (absolute socket dir)}"
: "${CRM_PGPORT:?set CRM_PGPORT (TCP port)}"
case "$CRM_PGDATA$CRM_PGRUN" in *\'*) echo "db.sh: quotes in paths are not supported" >&2; exit 2;; esac
[[ "$CRM_PGDATA" = /* && "$CRM_PGRUN" = /* ]] || { echo "db.sh: CRM_PGDATA and CRM_PGRUN must be absolute" >&2; exit 2; }

die() { echo "db.sh: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root: use the postgres OS user then, from /
# (it may not enter the caller's directory, e.g. under /root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# psql as the postgres superuser over the socket (trust); runs as the caller.
pg_psql() {
	if [ -n "${CRM_ADMIN_URL:-}" ]; then
		# The URL names the database: drop the local "-d NAME".
		local args=() skip=0 a
		for a in "$@"; do
			if [ "$skip" -eq 1 ]; then skip=0; continue; fi
			if [ "$a" = "-d" ]; then skip=1; continue; fi
			args+=("$a")
		done
		PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
		"$PGBIN/psql" -X -q -d "$CRM_ADMIN_URL" "${args[@]}"
		return
	fi
	PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
	"$PGBIN/psql" -X -q -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres "$@"
}

# The real directory behind $CRM_PGDATA (it may be a symlink into /tmp).
real_data() { readlink -f "$CRM_PGDATA"; }

# Socket directory the server binds: the real path, so the postgres user can
# reach it even when $CRM_PGRUN is a symlink under a private directory.
real_run() { readlink -f "$CRM_PGRUN"; }

is_running() { [ -f "$CRM_PGDATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$(real_data)" status >/dev/null 2>&1; }

# Settings that follow the environment are rewritten on every start.
write_conf() {
	local data; data="$(real_data)"
	as_pg tee "$data/crm.conf" >/dev/null <<CONF
# Written by scripts/db.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $CRM_PGPORT
unix_socket_directories = '$(real_run)'
CONF
}

cmd_init() {
	if [ -f "$CRM_PGDATA/PG_VERSION" ]; then
		cmd_start
		ensure_db
		return
	fi
	local parent run_parent tmp=""
	parent="$(dirname "$CRM_PGDATA")"
	run_parent="$(dirname "$CRM_PGRUN")"
	mkdir -p "$parent" "$run_parent"
	if [ "$(id -u)" -eq 0 ] && ! { runuser -u postgres -- test -x "$parent" && runuser -u postgres -- test -x "$run_parent"; }; then
		# The postgres user cannot reach the repository (e.g. under /root):
		# keep the cluster in /tmp and leave symlinks where the caller asked.
		tmp="$(mktemp -d /tmp/crm-pg.XXXXXX)"
		chmod 755 "$tmp"
		mkdir -p "$tmp/data" "$tmp/run"
		rm -rf "$CRM_PGDATA" "$CRM_PGRUN"
		ln -s "$tmp/data" "$CRM_PGDATA"
		ln -s "$tmp/run" "$CRM_PGRUN"
	else
		mkdir -p "$CRM_PGDATA" "$CRM_PGRUN"
	fi
	local data run; data="$(real_data)"; run="$(real_run)"
	chmod 700 "$data"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data" "$run"; fi
	as_pg "$PGBIN/initdb" -D "$data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
	as_pg tee "$data/pg_hba.conf" >/dev/null <<HBA
# TYPE  DATABASE USER ADDRESS       METHOD
local   all      all                trust
host    all      all  127.0.0.1/32  scram-sha-256
HBA
	as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF

# --- crm (scripts/db.sh) ---
max_connections = 200
shared_buffers = 256MB
password_encryption = 'scram-sha-256'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%a.log'
log_truncate_on_rotation = on
log_rotation_age = 1d
log_rotation_size = 0
include_if_exists = 'crm.conf'
CONF
	as_pg mkdir -p "$data/log"
	cmd_start
	ensure_db
	echo "db.sh: cluster ready in $CRM_PGDATA (port $CRM_PGPORT, socket $CRM_PGRUN)"
}

# Database and roles; safe to repeat.
ensure_db() {
	pg_psql -d postgres -v ON_ERROR_STOP=1 -v db="$DB" -v app_pw="${CRM_APP_PASSWORD:-}" <<'SQL'
SELECT 'CREATE ROLE crm_owner NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_owner') \gexec
SELECT 'CREATE ROLE crm_app LOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') \gexec
SELECT format('CREATE DATABASE %I OWNER crm_owner', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT NULLIF(:'app_pw', '') IS NOT NULL AS has_pw \gset
\if :has_pw
ALTER ROLE crm_app PASSWORD :'app_pw';
\endif
SQL
}

cmd_start() {
	[ -f "$CRM_PGDATA/PG_VERSION" ] || die "no cluster in $CRM_PGDATA (run init)"
	if is_running; then return 0; fi
	local data; data="$(real_data)"
	mkdir -p "$CRM_PGRUN"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$(real_run)"; fi
	write_conf
	as_pg mkdir -p "$data/log"
	as_pg "$PGBIN/pg_ctl" -D "$data" -w -t 60 -l "$data/log/startup.log" start >/dev/null \
		|| { cat "$data/log/startup.log" >&2 || true; die "start failed"; }
}

cmd_stop() {
	if [ -f "$CRM_PGDATA/PG_VERSION" ] && is_running; then
		as_pg "$PGBIN/pg_ctl" -D "$(real_data)" -w -m fast stop >/dev/null
	fi
}

cmd_status() {
	[ -f "$CRM_PGDATA/PG_VERSION" ] || { echo "no cluster in $CRM_PGDATA"; return 3; }
	as_pg "$PGBIN/pg_ctl" -D "$(real_data)" status
}

cmd_destroy() {
	cmd_stop || true
	local target=""
	if [ -L "$CRM_PGDATA" ]; then target="$(dirname "$(readlink -f "$CRM_PGDATA")")"; fi
	rm -rf "$(readlink -f "$CRM_PGDATA")" "$(readlink -f "$CRM_PGRUN")"
	rm -rf "$CRM_PGDATA" "$CRM_PGRUN"
	# Only remove the temp dir this script made (init's mktemp pattern).
	case "$target" in /tmp/crm-pg.*) rm -rf "$target";; esac
	echo "db.sh: destroyed $CRM_PGDATA"
}

# Code files in creation order (sql/code.list without comments).
code_files() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ROOT/sql/code.list" | while read -r f; do
		[ -f "$ROOT/sql/$f" ] || die "sql/code.list names a missing file: $f"
		echo "$ROOT/sql/$f"
	done
}

# One transaction: the expression functions, the pending migrations (each
# recorded), then the code dropped and re-created from sql/code.list, and
# its checksum recorded. Nothing pending and the same checksum: nothing to
# do (--force re-creates the code anyway).
cmd_migrate() {
	local force=0
	[ "${1:-}" = --force ] && force=1
	pg_psql -d "$DB" -v ON_ERROR_STOP=1 \
		-c "CREATE TABLE IF NOT EXISTS public.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())" \
		-c "CREATE TABLE IF NOT EXISTS public.schema_code (checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
	local f v applied=() args=() files sum recorded
	for f in "$ROOT"/sql/migrations/*.sql; do
		[ -e "$f" ] || continue
		v="$(basename "$f" .sql)"
		[[ "$v" =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad migration name: $v"
		if [ -z "$(pg_psql -d "$DB" -tA -c "SELECT 1 FROM public.schema_migrations WHERE version = '$v'")" ]; then
			args+=(-f "$f" -c "RESET ROLE; INSERT INTO public.schema_migrations(version) VALUES ('$v')")
			applied+=("$v")
		fi
	done
	files="$(code_files)" || exit 1
	# shellcheck disable=SC2086
	sum="$(cat "$ROOT/sql/crm/expressions.sql" $files | sha256sum | cut -c1-64)"
	recorded="$(pg_psql -d "$DB" -tA -c "SELECT checksum FROM public.schema_code ORDER BY applied_at DESC LIMIT 1")"
	if [ "${#applied[@]}" -eq 0 ] && [ "$sum" = "$recorded" ] && [ "$force" -eq 0 ]; then
		echo "db.sh: schema up to date"
		return 0
	fi
	for f in $files; do args+=(-f "$f"); done
	pg_psql -d "$DB" -v ON_ERROR_STOP=1 -1 -f "$ROOT/sql/crm/expressions.sql" "${args[@]}" \
		-c "INSERT INTO public.schema_code(checksum) VALUES ('$sum')" || die "migrate failed (nothing applied)"
	for v in "${applied[@]}"; do echo "applied $v"; done
	echo "db.sh: code re-created ($(echo "$files" | wc -l) files, checksum ${sum:0:12})"
}

cmd_seed() {
	local file="${1:?usage: db.sh seed FILE}"
	[ -f "$file" ] || die "no such file: $file"
	pg_psql -d "$DB" -v ON_ERROR_STOP=1 -v pwhash="${CRM_DEMO_PWHASH:?set CRM_DEMO_PWHASH}" -f "$file"
}

usage() { echo "usage: db.sh init|start|stop|status|destroy|migrate [--force]|seed FILE|psql [args]" >&2; exit 2; }

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
	init) cmd_init ;;
	start) cmd_start ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	destroy) cmd_destroy ;;
	migrate) cmd_migrate "$@" ;;
	seed) cmd_seed "$@" ;;
	psql)
		if [ -n "${CRM_ADMIN_URL:-}" ]; then exec "$PGBIN/psql" -X -d "$CRM_ADMIN_URL" "$@"; fi
		exec "$PGBIN/psql" -X -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres -d "$DB" "$@" ;;
	*) usage ;;
esac
