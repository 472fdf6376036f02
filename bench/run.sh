#!/usr/bin/env bash
# `make bench`: a generated customer file (1M contacts by default) in a
# private cluster, the optimised server in front of it, wrk on every hot
# endpoint and pgbench on the same cluster for PostgreSQL's own ceiling.
# Writes bench/results/<UTC date>.md and bench/results/latest.md.
#
# Settings (environment): BENCH_CONTACTS (1000000), BENCH_COMPANIES
# (contacts/10), BENCH_ACTIVITIES_PER_CONTACT (2), BENCH_DEALS (contacts*3/10),
# BENCH_TICKETS (contacts/5),
# BENCH_SECONDS (20 per endpoint), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
# BENCH_PGBENCH_SCALE (20), BENCH_KEEP=1 (keep the cluster and reuse it next
# time, for development), BENCH_ONLY (an extended regex: run only the
# endpoints whose name matches; the report then goes to var/bench/data, not
# bench/results), BENCH_VAR, BENCH_PORT, BENCH_PGPORT (state directory and
# ports, default var/bench, 18895, 55495), CRM_MODULE (the built module,
# default build/crm.so).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

CONTACTS=${BENCH_CONTACTS:-1000000}
COMPANIES=${BENCH_COMPANIES:-$((CONTACTS / 10))}
ACT_PER_CONTACT=${BENCH_ACTIVITIES_PER_CONTACT:-2}
DEALS=${BENCH_DEALS:-$((CONTACTS * 3 / 10))}
TICKETS=${BENCH_TICKETS:-$((CONTACTS / 5))}
SECONDS_PER_RUN=${BENCH_SECONDS:-20}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PGBENCH_SCALE=${BENCH_PGBENCH_SCALE:-20}
KEEP=${BENCH_KEEP:-0}
ONLY=${BENCH_ONLY:-}
PASSWORD=bench-password-1
PGBIN=/usr/lib/postgresql/15/bin

# Our own ports and state (never the dev or test ones).
export CRM_VAR=${BENCH_VAR:-$root/var/bench}
export CRM_PGDATA=$CRM_VAR/pg/data CRM_PGRUN=$CRM_VAR/pg/run CRM_PGPORT=${BENCH_PGPORT:-55495}
export CRM_LISTEN_HOST=127.0.0.1 CRM_LISTEN_PORT=${BENCH_PORT:-18895}
export CRM_WORKERS=${BENCH_WORKERS:-$(nproc)} CRM_DB_POOL=$(((CONNS + 1) / 2))
export CRM_BODY_MAX=1048576 CRM_ACCESS_TTL=3600 CRM_REFRESH_TTL=2592000
export CRM_JWT_ISSUER=crm-api CRM_JWT_AUDIENCE=crm-clients
# The per-caller limiter stays on, at the highest values config.c accepts.
export CRM_RATE_PER_MINUTE=1000000 CRM_RATE_BURST=100000
export CRM_MODULE=${CRM_MODULE:-$root/build/crm.so}
export CRM_OPENAPI_FILE=$(dirname "$CRM_MODULE")/openapi.json
PASSWD_TOOL=$(dirname "$CRM_MODULE")/crm-passwd
BASE=http://$CRM_LISTEN_HOST:$CRM_LISTEN_PORT
DATA=$CRM_VAR/data
export BENCH_ROOT=$root BENCH_DATA=$DATA BENCH_THREADS=$THREADS

log() { printf '== %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
psql_crm() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres -d crm "$@"; }
sql_value() { psql_crm -At -c "$1"; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

sampler_pid=""
cleanup() {
	[ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
	bash scripts/server.sh stop || true
	if [ "$KEEP" = 1 ]; then
		log "BENCH_KEEP=1: cluster kept in $CRM_VAR (port $CRM_PGPORT)"
		bash scripts/db.sh stop || true
	else
		bash scripts/db.sh destroy >/dev/null 2>&1 || true
		# A partial run (BENCH_ONLY) leaves its report in $DATA: keep that.
		if [ -n "$ONLY" ]; then
			find "$CRM_VAR" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
		else
			rm -rf "$CRM_VAR"
		fi
	fi
}

ensure_tools() {
	if ! command -v wrk >/dev/null; then
		log "installing wrk"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
	fi
	[ -x "$PGBIN/pgbench" ] || die "no $PGBIN/pgbench (Debian package postgresql-15)"
	[ -f "$CRM_MODULE" ] && [ -x "$PASSWD_TOOL" ] || die "build first (make bench builds build/bench)"
}

# --- cluster and dataset -------------------------------------------------

tune_cluster() {
	local data; data=$(readlink -f "$CRM_PGDATA")
	as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF

# --- bench (bench/run.sh) ---
shared_buffers = 4GB
effective_cache_size = 12GB
work_mem = 16MB
maintenance_work_mem = 1GB
# A 1M dataset writes ~10 GB of WAL: no checkpoint in the middle of the load.
max_wal_size = 32GB
checkpoint_timeout = 30min
max_parallel_maintenance_workers = 2
# No replica or archive reads this WAL: index builds then write none.
wal_level = minimal
max_wal_senders = 0
CONF
	bash scripts/db.sh stop
	bash scripts/db.sh start
}

dataset_ready() {
	[ "$KEEP" = 1 ] && [ -f "$CRM_PGDATA/PG_VERSION" ] || return 1
	bash scripts/db.sh start >/dev/null 2>&1 || return 1
	[ "$(sql_value "SELECT value FROM bench.meta WHERE key = 'contacts'" 2>/dev/null)" = "$CONTACTS" ]
}

# Runs "CALL proc(lo, hi, extra…)" over 1..total in two parallel sessions.
parallel_call() {
	local proc=$1 total=$2 extra=${3:-} half=$(($2 / 2)) pids=() p
	psql_crm -c "CALL $proc(1, $half$extra)" & pids+=($!)
	psql_crm -c "CALL $proc($((half + 1)), $total$extra)" & pids+=($!)
	for p in "${pids[@]}"; do wait "$p" || die "$proc failed"; done
}

# Tables that hang off contacts: activities (per contact), deals with their
# stage history ($DEALS in all) and tickets with their conversation and
# ratings ($TICKETS). Appends ", table seconds" to the caller's CHILD_PHASES.
load_children() {
	local t t1
	for t in activities deals tickets; do
		[ "$(sql_value "SELECT to_regclass('crm.$t') IS NOT NULL")" = t ] || { log "no crm.$t yet: skipped"; continue; }
		if [ "$(sql_value "SELECT to_regproc('bench.load_$t') IS NOT NULL")" != t ]; then
			log "crm.$t exists but bench/sql/setup.sql has no bench.load_$t: skipped (add one)"
			continue
		fi
		t1=$SECONDS
		case $t in
		activities)
			log "activities: $ACT_PER_CONTACT per contact"
			parallel_call bench.load_activities "$CONTACTS" ", $ACT_PER_CONTACT" ;;
		deals)
			log "deals: $DEALS with their stage history"
			parallel_call bench.load_deals "$DEALS" ", $DEALS"
			# Each stage move left a dead row version behind: compact the
			# table before its indexes are built.
			psql_crm -c "VACUUM (FULL) crm.deals" ;;
		tickets)
			log "tickets: $TICKETS with comments and ratings"
			parallel_call bench.load_tickets "$TICKETS" ", $TICKETS"
			psql_crm -c "INSERT INTO crm.ticket_counters (org_id, last_number)
			    SELECT value::uuid, $TICKETS FROM bench.meta WHERE key = 'org_id'" ;;
		*)
			log "crm.$t: no rule in load_children: skipped"
			continue ;;
		esac
		log "$t: $((SECONDS - t1))s"
		CHILD_PHASES+=", $t $((SECONDS - t1)) s"
	done
}

generate() {
	local pwhash t0=$SECONDS t1=$SECONDS phases p1 p2 CHILD_PHASES=""
	pwhash=$(printf '%s\n' "$PASSWORD" | "$PASSWD_TOOL")
	log "setup: org, 200 users, 20 teams, 2 pipelines"
	psql_crm -v pwhash="$pwhash" -f bench/sql/setup.sql >/dev/null
	log "companies: $COMPANIES (two sessions)"
	parallel_call bench.load_companies "$COMPANIES"
	# The contacts' triggers look companies up by id: plans need statistics.
	psql_crm -c "ANALYZE crm.companies"
	phases="setup and companies $((SECONDS - t1)) s"
	log "contacts: $CONTACTS (two sessions, through every trigger)"
	t1=$SECONDS
	parallel_call bench.load_contacts "$CONTACTS"
	CONTACT_LOAD_S=$((SECONDS - t1))
	log "contacts: ${CONTACT_LOAD_S}s"
	psql_crm -f bench/sql/ids.sql >/dev/null
	phases+=", contacts $((SECONDS - t1)) s"
	load_children
	phases+=$CHILD_PHASES
	# VACUUM first (no secondary index to clean up), then the indexes in two
	# sessions, the foreign keys, then statistics (expression indexes included).
	log "VACUUM, indexes and foreign keys (two sessions), ANALYZE"
	t1=$SECONDS
	"$PGBIN/vacuumdb" -q -j 2 -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres -d crm
	phases+=", VACUUM $((SECONDS - t1)) s"
	t1=$SECONDS
	psql_crm -c "CALL bench.restore_indexes()" & p1=$!
	psql_crm -c "CALL bench.restore_indexes()" & p2=$!
	wait "$p1" && wait "$p2" || die "index rebuild failed"
	phases+=", indexes $((SECONDS - t1)) s"
	# The foreign keys, each validated over its whole table.
	t1=$SECONDS
	psql_crm -c "CALL bench.add_fks()"
	psql_crm -c "CALL bench.validate_fks()" & p1=$!
	psql_crm -c "CALL bench.validate_fks()" & p2=$!
	wait "$p1" && wait "$p2" || die "foreign key validation failed"
	[ "$(sql_value "SELECT count(*) FROM bench.saved_fks WHERE NOT validated")" = 0 ] || die "foreign keys left unvalidated"
	phases+=", foreign keys $((SECONDS - t1)) s"
	t1=$SECONDS
	psql_crm -f bench/sql/finish.sql >/dev/null
	"$PGBIN/vacuumdb" -q -j 2 --analyze-only -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres -d crm
	phases+=", ANALYZE $((SECONDS - t1)) s"
	GEN_S=$((SECONDS - t0))
	psql_crm -c "INSERT INTO bench.meta VALUES ('generate_seconds', '$GEN_S'), ('contact_load_seconds', '$CONTACT_LOAD_S'),
	    ('phase_seconds', '$phases')"
	log "dataset generated in ${GEN_S}s ($phases)"
}

prepare_cluster() {
	if dataset_ready; then
		log "reusing the kept dataset ($CONTACTS contacts); applying new migrations"
		bash scripts/db.sh migrate >/dev/null
		return
	fi
	bash scripts/db.sh destroy >/dev/null 2>&1 || true
	mkdir -p "$CRM_VAR"
	bash scripts/db.sh init >/dev/null
	tune_cluster
	bash scripts/db.sh migrate >/dev/null
	generate
}

pgbench_init() {
	log "pgbench -i -s $PGBENCH_SCALE (database pgbench)"
	psql_crm -d postgres -c "DROP DATABASE IF EXISTS pgbench" -c "CREATE DATABASE pgbench"
	"$PGBIN/pgbench" -i -q -s "$PGBENCH_SCALE" -h "$CRM_PGRUN" -p "$CRM_PGPORT" -U postgres pgbench >/dev/null 2>&1
}

prewarm() {
	psql_crm -At >/dev/null <<'SQL'
SELECT pg_prewarm(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('crm', 'bench') AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE 'audit_log%';
SQL
}

# --- server and inputs ---------------------------------------------------

login_all() {
	log "logging in 200 users"
	sql_value "SELECT email FROM bench.users ORDER BY n" >"$DATA/emails.txt"
	# shellcheck disable=SC2016
	xargs -P 4 -I{} sh -c 'curl -fsS -w "\n" "$0/v1/auth/login" -H "content-type: application/json" \
	    -d "{\"email\":\"{}\",\"password\":\"$1\"}" | sed -n "s/.*\"access_token\" *: *\"\([^\"]*\)\".*/{} \1/p"' \
	    "$BASE" "$PASSWORD" <"$DATA/emails.txt" >"$DATA/logins.txt"
	# tokens.txt: line n is the token of user n.
	awk 'NR == FNR { tok[$1] = $2; next } { if (!($1 in tok)) { print "no token for " $1 > "/dev/stderr"; exit 1 } print tok[$1] }' \
	    "$DATA/logins.txt" "$DATA/emails.txt" >"$DATA/tokens.txt"
}

# Follows pages of 200 as a rep until offset ~80% of their contacts; prints
# the cursor of the page there.
deep_cursor() {
	local user=$1 pages=$2 cursor="" i url
	for ((i = 0; i < pages; i++)); do
		url="$BASE/v1/contacts?limit=200&fields=id${cursor:+&cursor=$cursor}"
		cursor=$(curl -fsS "$url" -H "authorization: Bearer $(sed -n "${user}p" "$DATA/tokens.txt")" |
		    sed -n 's/.*"next_cursor" *: *"\([^"]*\)".*/\1/p')
		[ -n "$cursor" ] || die "deep cursor: no next page for user $user at page $i"
	done
	echo "$cursor"
}

make_inputs() {
	local per_rep pages u patch_n cursor
	log "request inputs"
	sql_value "SELECT n FROM bench.users WHERE role = 'rep' ORDER BY n" >"$DATA/reps.txt"
	awk '{ print $1 " -" }' "$DATA/reps.txt" >"$DATA/list.txt"
	psql_crm -At -F' ' >"$DATA/get.txt" <<'SQL'
SELECT u.n, c.id FROM crm.contacts c JOIN bench.users u ON u.id = c.owner_id
 WHERE c.deleted_at IS NULL ORDER BY random() LIMIT 100000
SQL
	# q=: what a rep types about their own customers: full name, last name
	# (Arabic letters folded), 7 digits of a phone, a company name.
	psql_crm -At -F' ' >"$DATA/search.txt" <<'SQL'
SELECT u.n, bench.urlencode(CASE s.k
	WHEN 0 THEN c.first_name || ' ' || c.last_name
	WHEN 1 THEN translate(c.last_name, 'یک', 'يك')
	WHEN 2 THEN right(c.phones->0->>'key', 7)
	ELSE coalesce(co.name, c.last_name) END)
  FROM (SELECT * FROM crm.contacts WHERE deleted_at IS NULL ORDER BY random() LIMIT 20000) c
  JOIN bench.users u ON u.id = c.owner_id
  LEFT JOIN crm.companies co ON co.org_id = c.org_id AND co.id = c.company_id
 CROSS JOIN LATERAL (SELECT abs(hashtext(c.id::text)) % 4 AS k) s
SQL
	# Caller lookup: the owner's customers' mobiles, in another format than stored.
	psql_crm -At -F' ' >"$DATA/lookup.txt" <<'SQL'
SELECT u.n, bench.urlencode(bench.fmt_mobile(substr(k, 3, 3), substr(k, 6, 7), abs(hashtext(c.id::text)) % 7))
  FROM (SELECT *, phones->0->>'key' AS k FROM crm.contacts WHERE deleted_at IS NULL ORDER BY random() LIMIT 20000) c
  JOIN bench.users u ON u.id = c.owner_id
SQL
	patch_n=$((SECONDS_PER_RUN * 15000))
	psql_crm -At -F' ' >"$DATA/patch.txt" <<SQL
SELECT u.n, c.id FROM crm.contacts c JOIN bench.users u ON u.id = c.owner_id
 WHERE c.deleted_at IS NULL AND c.version = 1 AND u.role = 'rep' ORDER BY random() LIMIT $patch_n
SQL
	# A mobile prefix no contact uses yet, for the created contacts.
	POST_PREFIX=$(sql_value "SELECT p FROM unnest(ARRAY['939','937','934','933','932','931','930','917','918']) p
	    WHERE NOT EXISTS (SELECT 1 FROM crm.contact_phones WHERE key >= '98' || p AND key < '98' || (p::int + 1)) LIMIT 1")
	[ -n "$POST_PREFIX" ] || die "no unused mobile prefix left for POST (drop the kept cluster)"
	per_rep=$((CONTACTS / 199))
	pages=$((per_rep * 8 / 10 / 200))
	((pages >= 1)) || pages=1
	DEEP_OFFSET=$((pages * 200))
	: >"$DATA/deep.txt"
	for u in $(head -n 10 "$DATA/reps.txt"); do
		cursor=$(deep_cursor "$u" "$pages")
		echo "$u $cursor" >>"$DATA/deep.txt"
	done
}

start_server() {
	log "server on $BASE ($CRM_WORKERS workers, pool $CRM_DB_POOL each)"
	mkdir -p "$CRM_VAR/log"
	: >"$CRM_VAR/log/crm.log"
	bash scripts/server.sh start
}

# --- measurements --------------------------------------------------------

# Max RSS (KiB) of the kore worker processes, sampled every 0.2 s into $1.
sample_rss() {
	local out=$1 kpid max=0 r
	kpid=$(cat "$CRM_VAR/crm.pid")
	while :; do
		for r in $(ps -o rss=,args= --ppid "$kpid" | awk '/\[wrk/ { print $1 }'); do
			if ((r > max)); then max=$r; fi
		done
		echo "$max" >"$out.new" && mv "$out.new" "$out"   # never a half-written file
		sleep 0.2
	done
}

declare -a ROWS=()
# BENCH_ONLY: true when this endpoint is to be skipped.
skipped() { [ -n "$ONLY" ] && ! grep -qE -- "$ONLY" <<<"$1"; }

# One wrk run: name, script, extra environment (VAR=value …).
run_wrk() {
	local name=$1 script=$2 out rss_file
	shift 2
	if skipped "$name"; then return; fi
	log "wrk: $name"
	rss_file=$(mktemp "$DATA/rss.XXXXXX")
	echo 0 >"$rss_file"
	sample_rss "$rss_file" &
	sampler_pid=$!
	out=$(env "$@" wrk -t "${RUN_THREADS:-$THREADS}" -c "${RUN_CONNS:-$CONNS}" -d "${SECONDS_PER_RUN}s" --latency \
	    -s "bench/wrk/$script" "$BASE" 2>&1) || { echo "$out" >&2; die "wrk failed ($name)"; }
	kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true
	sampler_pid=""
	local line; line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; die "no RESULT from $name"; }
	local rss; rss=$(cat "$rss_file"); rm -f "$rss_file" "$rss_file.new"
	[ -n "$rss" ] && [ "$rss" != 0 ] || rss=-   # no sample: shown as "-", never as 0
	ROWS+=("$name|$line rss_kib=$rss")
	echo "   $line" >&2
}

# pgbench: name, then pgbench arguments. Latency percentiles from -l logs.
run_pgbench() {
	local name=$1 out tps failed p50 p99 dir=$DATA/pgbench.$RANDOM
	shift
	if skipped "$name"; then return; fi
	log "pgbench: $name"
	mkdir -p "$dir"
	out=$(cd "$dir" && "$PGBIN/pgbench" -n -c "$CONNS" -j "$THREADS" -T "$SECONDS_PER_RUN" -l \
	    -h "$CRM_PGRUN" -p "$CRM_PGPORT" "$@" 2>&1) || { echo "$out" >&2; die "pgbench failed ($name)"; }
	tps=$(sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p' <<<"$out")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
	read -r p50 p99 < <(cat "$dir"/pgbench_log.* | awk '{ print $3 }' | sort -n |
	    awk '{ v[NR] = $1 } END { printf "%.2f %.2f\n", v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }')
	rm -rf "$dir"
	ROWS+=("$name|RESULT requests=0 rps=$tps p50_ms=$p50 p99_ms=$p99 non2xx=${failed:-0} first_bad=0 socket_errors=0 rss_kib=-")
	echo "   tps=$tps p50=$p50 p99=$p99 failed=${failed:-0}" >&2
}

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# --- EXPLAIN: the real api.* calls under auto_explain --------------------

explain_hot_paths() {
	local rep_n rep org q_name q_digits number
	org=$(sql_value "SELECT value FROM bench.meta WHERE key = 'org_id'")
	rep_n=$(head -n1 "$DATA/reps.txt")
	rep=$(sql_value "SELECT id FROM bench.users WHERE n = $rep_n")
	read -r q_name q_digits number < <(sql_value "SELECT c.first_name || '_' || c.last_name, right(c.phones->0->>'key', 7),
	    bench.fmt_mobile(substr(c.phones->0->>'key', 3, 3), substr(c.phones->0->>'key', 6, 7), 3)
	    FROM crm.contacts c WHERE c.owner_id = '$rep' LIMIT 1" | tr '|' ' ')
	q_name=${q_name//_/ }
	psql_crm 2>&1 <<SQL | sed -e 's/^psql:[^ ]* NOTICE:  //' >"$DATA/explain.txt"
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
\o /dev/null
\echo '### q= search (name): $q_name'
SELECT (api.contacts_list('{"org_id":"$org","user_id":"$rep"}', jsonb_build_object('q', '$q_name', 'limit', 50))).status;
\echo '### q= search (phone digits): $q_digits'
SELECT (api.contacts_list('{"org_id":"$org","user_id":"$rep"}', '{"q":"$q_digits","limit":50}')).status;
\echo '### caller lookup: $number'
SELECT (api.lookup_phone('{"org_id":"$org","user_id":"$rep"}', '{"number":"$number"}')).status;
\echo '### list 50, first page'
SELECT (api.contacts_list('{"org_id":"$org","user_id":"$rep"}', '{"limit":50}')).status;
SQL
}

# The plans of the statements that touch contacts / contact_phones, shortened.
plan_summary() {
	awk '/^### / { print; next }
	     /^LOG:|duration:/ { keep = 0 }
	     /FROM crm\.contacts c$|FROM crm\.contact_phones ph$/ { keep = 1 }
	     keep && /(Scan|Limit|Sort|Execution|Index Cond|Recheck|Rows Removed|Filter)/ { print }' "$DATA/explain.txt" |
	    grep -v 'Query Text' | cut -c1-200
}

# --- report --------------------------------------------------------------

machine() {
	local cpu mem pgv korev
	cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)
	mem=$(free -m | awk '/^Mem:/ { printf "%.1f GiB", $2 / 1024 }')
	pgv=$(sql_value "SHOW server_version")
	korev=$(dpkg-query -W -f='${Version}' kore 2>/dev/null || kore -v 2>&1 | head -n1)
	echo "| nproc | $(nproc) ($cpu) |"
	echo "| memory | $mem |"
	echo "| kernel | $(uname -sr) |"
	echo "| PostgreSQL | $pgv |"
	echo "| Kore | $korev |"
}

dataset() {
	psql_crm -At -F'|' <<'SQL' | awk -F'|' '{ printf "| %s | %s |\n", $1, $2 }'
SELECT 'organizations', count(*)::text FROM crm.organizations
UNION ALL SELECT 'users / teams', (SELECT count(*) FROM crm.users) || ' / ' || (SELECT count(*) FROM crm.teams)
UNION ALL SELECT 'contacts', (SELECT value FROM bench.meta WHERE key = 'contacts')
UNION ALL SELECT 'companies', (SELECT value FROM bench.meta WHERE key = 'companies')
UNION ALL SELECT 'activities', coalesce((SELECT value FROM bench.meta WHERE key = 'activities')
	|| coalesce(' (' || nullif((SELECT value FROM bench.meta WHERE key = 'timeline_entries'), '0')
	            || ' of them timeline entries of deal moves)', ''), 'none (no crm.activities)')
UNION ALL SELECT 'contact phones / e-mails', (SELECT count(*) FROM crm.contact_phones) || ' / ' || (SELECT count(*) FROM crm.contact_emails)
UNION ALL SELECT 'deals / stage history rows', coalesce((SELECT value FROM bench.meta WHERE key = 'deals')
	|| ' / ' || (SELECT value FROM bench.meta WHERE key = 'deal_stage_history'), 'none')
UNION ALL SELECT 'tickets / comments / ratings', coalesce((SELECT value FROM bench.meta WHERE key = 'tickets')
	|| ' / ' || (SELECT value FROM bench.meta WHERE key = 'ticket_comments')
	|| ' / ' || (SELECT value FROM bench.meta WHERE key = 'ticket_ratings'), 'none')
UNION ALL SELECT 'database size', pg_size_pretty(pg_database_size('crm'))
UNION ALL SELECT 'generation time', coalesce((SELECT value FROM bench.meta WHERE key = 'generate_seconds'), '?') || ' s ('
	|| coalesce((SELECT value FROM bench.meta WHERE key = 'phase_seconds'),
	            'contacts: ' || (SELECT value FROM bench.meta WHERE key = 'contact_load_seconds')) || ')'
SQL
}

verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }

report() {
	local file stamp base=0 r name line rps p50 p99 bad first sock rss ratio rss_max=0
	stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
	file=bench/results/$stamp.md
	# A partial run (BENCH_ONLY) is for development: never the committed results.
	if [ -n "$ONLY" ]; then file=$DATA/partial-$stamp.md; fi
	mkdir -p bench/results
	# The yardstick: the mean of the pgbench one-contact runs (start and end).
	base=$(for r in "${ROWS[@]}"; do
		case ${r%%|*} in "pgbench one contact"*) field rps "${r#*|}" ;; esac
	done | awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n; else print 0 }')
	declare -A RPS P99
	{
		echo "# make bench — $stamp"
		echo
		echo "wrk on 127.0.0.1:$CRM_LISTEN_PORT, $CONNS connections, $THREADS threads, ${SECONDS_PER_RUN} s per endpoint"
		echo "(the \"1 connection\" rows: one client, one request at a time, latency without a queue);"
		echo "pgbench on the same cluster with the same connection count. Server: optimised build"
		echo "(\`-O2\`, no sanitizers), $CRM_WORKERS workers, $CRM_DB_POOL database connections each,"
		echo "CRM_ACCESS_TTL=$CRM_ACCESS_TTL. **Rate limit raised for the bench**: CRM_RATE_PER_MINUTE=$CRM_RATE_PER_MINUTE,"
		echo "CRM_RATE_BURST=$CRM_RATE_BURST (the highest values the server accepts; the limiter still runs)."
		echo "Every request carries a user's bearer token (the contact's owner rep unless said otherwise)."
		echo
		echo "## Machine"
		echo
		echo "| | |"
		echo "|---|---|"
		machine
		echo
		echo "## Dataset"
		echo
		echo "| | |"
		echo "|---|---|"
		dataset
		echo
		echo "## Results"
		echo
		echo "Ratios are to the mean of the two pgbench one-contact runs (${base}/s), one before the"
		echo "endpoints and one after: the gap between them is how far the machine drifted meanwhile."
		echo
		echo "| endpoint | req/s | p50 ms | p99 ms | errors (non-2xx / socket) | ratio to pgbench one-contact | peak worker RSS |"
		echo "|---|---:|---:|---:|---|---:|---:|"
		for r in "${ROWS[@]}"; do
			name=${r%%|*}; line=${r#*|}
			rps=$(field rps "$line"); p50=$(field p50_ms "$line"); p99=$(field p99_ms "$line")
			bad=$(field non2xx "$line"); first=$(field first_bad "$line"); sock=$(field socket_errors "$line")
			rss=$(field rss_kib "$line")
			RPS[$name]=$rps; P99[$name]=$p99
			ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }')
			if [ "$first" != 0 ]; then bad="$bad (first: HTTP $first)"; fi
			if [ "$rss" != - ]; then
				if ((rss > rss_max)); then rss_max=$rss; fi
				rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')
			fi
			printf '| %s | %.0f | %s | %s | %s / %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "$bad" "$sock" "$ratio" "$rss"
		done
		echo
		echo "## Targets (recorded, not enforced)"
		echo
		echo "| target | measured | |"
		echo "|---|---|---|"
		local g=${RPS[GET contact by id]:-0} l1=${RPS[list 50, first page]:-0} l2=${RPS[list 50, deep page (cursor)]:-0}
		local lk=${P99[caller lookup (mixed formats)]:-999} qs=${P99[q= search]:-999} po=${RPS[POST contact]:-0}
		local gr; gr=$(awk -v a="$g" -v b="$base" 'BEGIN { printf "%.0f", (b > 0) ? 100 * a / b : 0 }')
		echo "| GET contact by id ≥ 60% of pgbench one-contact | ${gr}% | $(verdict "$gr >= 60") |"
		echo "| list 50 (first page) ≥ 4,000 req/s | $(printf %.0f "$l1") | $(verdict "$l1 >= 4000") |"
		echo "| list 50 (deep page) ≥ 4,000 req/s | $(printf %.0f "$l2") | $(verdict "$l2 >= 4000") |"
		local lk1=${P99[caller lookup, 1 connection]:-999} qs1=${P99[q= search, 1 connection]:-999}
		echo "| caller lookup p99 < 10 ms ($CONNS connections) | $lk ms | $(verdict "$lk < 10") |"
		echo "| caller lookup p99 < 10 ms (1 connection) | $lk1 ms | $(verdict "$lk1 < 10") |"
		echo "| q= search p99 < 10 ms ($CONNS connections) | $qs ms | $(verdict "$qs < 10") |"
		echo "| q= search p99 < 10 ms (1 connection) | $qs1 ms | $(verdict "$qs1 < 10") |"
		echo "| POST contact ≥ 5,000 req/s | $(printf %.0f "$po") | $(verdict "$po >= 5000") |"
		echo "| worker RSS < 64 MiB | $(awk -v k="$rss_max" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(verdict "$rss_max < 65536") |"
		echo
		echo "## Plans (auto_explain of the real api.* calls, as rep user $(head -n1 "$DATA/reps.txt"))"
		echo
		echo '```'
		plan_summary
		echo '```'
		echo
		echo "Deep page: offset $DEEP_OFFSET of a rep's ~$((CONTACTS / 199)) contacts, cursors of 10 reps."
	} >"$file"
	cat "$file"
	if [ -n "$ONLY" ]; then log "partial results (BENCH_ONLY=$ONLY): $file"; return; fi
	cp "$file" bench/results/latest.md
	log "results: $file (and bench/results/latest.md)"
}

main() {
	ensure_tools
	trap cleanup EXIT
	bash scripts/server.sh stop >/dev/null 2>&1 || true
	prepare_cluster
	pgbench_init
	mkdir -p "$DATA"
	start_server
	login_all
	make_inputs
	explain_hot_paths
	prewarm
	local org; org=$(sql_value "SELECT value FROM bench.meta WHERE key = 'org_id'")
	run_pgbench "pgbench -S (-M prepared, scale $PGBENCH_SCALE)" -U postgres -S -M prepared pgbench
	run_pgbench "pgbench one contact (-M prepared)" -U crm_app -M prepared -f "$root/bench/pgbench/one_contact.sql" \
	    -D org="$org" -D ncontacts="$CONTACTS" crm
	run_wrk "GET contact by id" get_contact.lua
	run_wrk "list 50, first page" list.lua BENCH_INPUT=list.txt
	run_wrk "list 50, deep page (cursor)" list.lua BENCH_INPUT=deep.txt
	run_wrk "q= search" query.lua BENCH_INPUT=search.txt "BENCH_PREFIX=/v1/contacts?limit=50&q="
	run_wrk "caller lookup (mixed formats)" query.lua BENCH_INPUT=lookup.txt "BENCH_PREFIX=/v1/lookup/phone?number="
	# Latency without a queue: one client, one request at a time.
	RUN_CONNS=1 RUN_THREADS=1 run_wrk "q= search, 1 connection" query.lua BENCH_INPUT=search.txt "BENCH_PREFIX=/v1/contacts?limit=50&q="
	RUN_CONNS=1 RUN_THREADS=1 run_wrk "caller lookup, 1 connection" query.lua BENCH_INPUT=lookup.txt "BENCH_PREFIX=/v1/lookup/phone?number="
	run_wrk "POST contact" create.lua BENCH_POST_PREFIX="$POST_PREFIX" BENCH_RUN_ID="$(date +%s)"
	run_wrk "PATCH contact (If-Match)" patch.lua
	# Once more at the end: the ratios use the mean of both runs, and their
	# difference shows how far the machine drifted meanwhile.
	run_pgbench "pgbench one contact, again at the end" -U crm_app -M prepared -f "$root/bench/pgbench/one_contact.sql" \
	    -D org="$org" -D ncontacts="$CONTACTS" crm
	report
}

main "$@"
