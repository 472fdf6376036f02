#!/usr/bin/env bash
# Starts and stops the API server. Usage: server.sh start|stop|status|run
# (run: in the foreground, for containers; needs CRM_DATABASE_URL and
# CRM_JWT_SECRET or CRM_JWT_SECRET_FILE, and never generates a secret).
# Needs CRM_VAR (state directory) and the CRM_* settings from conf/*.env;
# CRM_MODULE selects the built module (default build/crm.so).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
var=${CRM_VAR:?CRM_VAR must name the state directory}
# The build the module comes from also holds its openapi.json.
module=${CRM_MODULE:-$root/build/crm.so}
pidfile=$var/crm.pid
log=$var/log/crm.log

render_conf() {
	local body_max=${CRM_BODY_MAX:-1048576}
	sed -e "s|@CRM_LISTEN_HOST@|${CRM_LISTEN_HOST}|" \
	    -e "s|@CRM_LISTEN_PORT@|${CRM_LISTEN_PORT}|" \
	    -e "s|@CRM_WORKERS@|${CRM_WORKERS}|" \
	    -e "s|@CRM_DB_POOL@|${CRM_DB_POOL}|" \
	    -e "s|@CRM_KORE_BODY_MAX@|$((body_max * 2))|" \
	    -e "s|@CRM_MODULE@|${module}|" \
	    -e "s|@CRM_PIDFILE@|${pidfile}|" \
	    -e "s|@CRM_SECCOMP_TRACING@|${CRM_SECCOMP_TRACING:-no}|" \
	    "$root/conf/crm.conf.in" >"$var/crm.conf"
}

# A random development secret, made once per state directory.
ensure_secret() {
	if [ ! -s "$var/jwt-secret" ]; then
		(umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$var/jwt-secret")
	fi
	export CRM_JWT_SECRET_FILE=${CRM_JWT_SECRET_FILE:-$var/jwt-secret}
}

running() {
	[ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

wait_healthy() {
	local url="http://${CRM_LISTEN_HOST}:${CRM_LISTEN_PORT}/healthz" i
	for i in $(seq 1 100); do
		if curl -fsS -o /dev/null "$url" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "server did not answer on $url; last log lines:" >&2
	tail -n 30 "$log" >&2 || true
	return 1
}

start() {
	mkdir -p "$var/log"
	if running; then
		echo "server already running (pid $(cat "$pidfile"))"
		return 0
	fi
	render_conf
	ensure_secret
	export CRM_DATABASE_URL=${CRM_DATABASE_URL:-"host=${CRM_PGRUN} port=${CRM_PGPORT} dbname=crm user=crm_app application_name=crm-api"}
	export CRM_OPENAPI_FILE=${CRM_OPENAPI_FILE:-$(dirname "$module")/openapi.json}
	export CRM_ACCESS_TTL CRM_REFRESH_TTL CRM_JWT_ISSUER CRM_JWT_AUDIENCE \
	    CRM_BODY_MAX CRM_DB_POOL
	cd "$root"
	# Its own session: Kore signals its process group when shutting down.
	setsid ${CRM_LAUNCH_PREFIX:-} nohup kore -f -n -r -c "$var/crm.conf" \
	    >>"$log" 2>&1 </dev/null &
	wait_healthy
}

run() {
	mkdir -p "$var"
	: "${CRM_DATABASE_URL:?set CRM_DATABASE_URL (libpq connection string)}"
	render_conf
	export CRM_OPENAPI_FILE=${CRM_OPENAPI_FILE:-$(dirname "$module")/openapi.json}
	export CRM_ACCESS_TTL CRM_REFRESH_TTL CRM_JWT_ISSUER CRM_JWT_AUDIENCE \
	    CRM_BODY_MAX CRM_DB_POOL
	cd "$root"
	exec ${CRM_LAUNCH_PREFIX:-} kore -f -n -r -c "$var/crm.conf"
}

stop() {
	local pid i
	running || { rm -f "$pidfile"; return 0; }
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

case "${1:-}" in
start) start ;;
run) run ;;
stop) stop ;;
status) running && echo "running (pid $(cat "$pidfile"))" || echo "stopped" ;;
*) echo "usage: $0 start|stop|status|run" >&2; exit 2 ;;
esac
