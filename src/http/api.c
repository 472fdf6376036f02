/*
 * The pipeline: START (route op, authenticate, parse) -> DB_SETUP (get a
 * pooled connection, or sleep until one frees up) -> DB_QUERY (send one
 * api.* call, as a prepared statement; DB_PREPARE first prepares it when
 * this connection has not yet) -> DB_WAIT / DB_READ (Kore wakes us as rows
 * arrive) ->
 * DB_DONE (reply, or let the op's finish hook chain another query) or
 * DB_ERROR (map the SQLSTATE to a problem). One table drives every route.
 */
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../db/errors.h"
#include "../db/prepared.h"
#include "../lib/codec.h"
#include "../lib/header.h"
#include "../lib/path.h"
#include "../lib/problem.h"
#include "../lib/ratelimit.h"
#include "api.h"
#include "auth.h"
#include "metrics.h"
#include "reply.h"

enum api_state {
	API_START,
	API_DB_SETUP,
	API_DB_QUERY,
	API_DB_PREPARE,
	API_DB_WAIT,
	API_DB_READ,
	API_DB_DONE,
	API_DB_ERROR,
	API_TASK_WAIT
};

static int state_start(struct http_request *);
static int state_db_setup(struct http_request *);
static int state_db_query(struct http_request *);
static int state_db_prepare(struct http_request *);
static int state_db_wait(struct http_request *);
static int state_db_read(struct http_request *);
static int state_db_done(struct http_request *);
static int state_db_error(struct http_request *);
static int state_task_wait(struct http_request *);

static struct http_state api_states[] = {
	KORE_HTTP_STATE(state_start),
	KORE_HTTP_STATE(state_db_setup),
	KORE_HTTP_STATE(state_db_query),
	KORE_HTTP_STATE(state_db_prepare),
	KORE_HTTP_STATE(state_db_wait),
	KORE_HTTP_STATE(state_db_read),
	KORE_HTTP_STATE(state_db_done),
	KORE_HTTP_STATE(state_db_error),
	KORE_HTTP_STATE(state_task_wait),
};

struct api_request *
api_request_get(struct http_request *req)
{
	return (http_state_get(req));
}

void
api_meta(const struct api_request *ar, struct reply_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->request_id = ar->request_id;
	m->started = ar->started;
	m->route = ar->op != NULL ? ar->op->name : "unrouted";
	m->metric_id = ar->op != NULL ? ar->op->metric_id : -1;
	if (ar->who.kind == PRINCIPAL_USER)
		m->actor = ar->who.user_id;
	else if (ar->who.kind == PRINCIPAL_KEY)
		m->actor = "api_key";
}

void
api_fail(struct http_request *req, struct api_request *ar, int status,
    const char *detail)
{
	struct reply_meta m;

	api_meta(ar, &m);
	reply_problem(req, &m, status, detail, NULL, NULL);
}

static void
result_clear(struct api_request *ar)
{
	kore_free(ar->body);
	kore_free(ar->etag);
	kore_free(ar->location);
	ar->body = ar->etag = ar->location = NULL;
	ar->status = 0;
}

static void
sql_release(struct api_request *ar)
{
	if (!ar->sql_bound)
		return;
	if (ar->sql.conn != NULL) {
		/* A dropped server leaves a dead socket in Kore's pool:
		 * reconnect it so the pool heals when PostgreSQL is back. */
		if (PQstatus(ar->sql.conn->db) == CONNECTION_BAD)
			PQreset(ar->sql.conn->db);
		metrics_db_released();
	}
	kore_pgsql_cleanup(&ar->sql);
	ar->sql_bound = 0;
}

static void
request_free(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);

	if (ar == NULL)
		return;
	/* Kore frees the request again once the task ends; free then. */
	if (ar->task_running && !kore_task_finished(&ar->task))
		return;
	if (ar->task_running)
		kore_task_destroy(&ar->task);
	sql_release(ar);
	result_clear(ar);
	json_decref(ar->args);
	kore_free(ar->ctx_text);
	kore_free(ar->args_text);
	kore_free(ar->idem_key);
	if (ar->extra != NULL && ar->extra_free != NULL)
		ar->extra_free(ar->extra);
	http_state_cleanup(req);
}

void
api_request_id(struct http_request *req, char out[65])
{
	const char *given;

	if (http_request_header(req, "x-request-id", &given) &&
	    header_request_id(given)) {
		memcpy(out, given, strlen(given) + 1);
		return;
	}
	if (random_uuid(out) != 0)
		snprintf(out, 65, "%llu", (unsigned long long)kore_time_ms());
}

static void
client_ip(struct http_request *req, char *out, size_t len)
{
	struct connection *c = req->owner;

	snprintf(out, len, "0.0.0.0");
	if (c == NULL)
		return;
	if (c->family == AF_INET)
		inet_ntop(AF_INET, &c->addr.ipv4.sin_addr, out, len);
	else if (c->family == AF_INET6)
		inet_ntop(AF_INET6, &c->addr.ipv6.sin6_addr, out, len);
}

/* ctx for the SQL function: who is calling, from where, which request. */
static char *
ctx_render(struct http_request *req, struct api_request *ar)
{
	char ip[INET6_ADDRSTRLEN];
	json_t *ctx;
	char *text, *copy;

	client_ip(req, ip, sizeof(ip));
	ctx = json_pack("{s:s, s:s}", "request_id", ar->request_id, "ip", ip);
	if (ctx == NULL)
		return (NULL);
	if (ar->who.kind == PRINCIPAL_USER) {
		json_object_set_new(ctx, "user_id",
		    json_string(ar->who.user_id));
		json_object_set_new(ctx, "org_id", json_string(ar->who.org_id));
	} else if (ar->who.kind == PRINCIPAL_KEY) {
		json_object_set_new(ctx, "api_key_hash",
		    json_string(ar->who.key_hash));
	}
	text = json_dumps(ctx, JSON_COMPACT);
	json_decref(ctx);
	if (text == NULL)
		return (NULL);
	copy = kore_strdup(text);
	free(text);
	return (copy);
}

void
api_request_query(struct api_request *ar, const char *fn, json_t *args)
{
	if (args != ar->args) {
		json_decref(ar->args);
		ar->args = args;
	}
	ar->fn = fn;
}

static struct api_op *
route_op(struct http_request *req, struct api_op *ops, size_t nops, char *allow,
    size_t allow_len)
{
	size_t i;

	size_t used = 0;
	int n;

	allow[0] = '\0';
	for (i = 0; i < nops; i++) {
		if (ops[i].method == req->method)
			return (&ops[i]);
		n = snprintf(allow + used, allow_len - used, "%s%s",
		    used > 0 ? ", " : "", http_method_text(ops[i].method));
		if (n < 0 || (size_t)n >= allow_len - used)
			break;
		used += (size_t)n;
	}
	return (NULL);
}

/* The route template's {name} segments as args.name; -1: 404. */
static int
path_args(struct http_request *req, const char *tmpl, json_t *args)
{
	struct path_args pa;
	size_t i;

	if (path_match(tmpl, req->path, &pa) != PATH_MATCH)
		return (-1);
	for (i = 0; i < pa.n; i++)
		json_object_set_new(args, pa.arg[i].name,
		    json_string(pa.arg[i].value));
	return (0);
}

/* If-Match as args.if_match: the version, or -1 that never matches. */
static void
if_match_arg(struct http_request *req, json_t *args)
{
	const char *v = NULL;
	long long n;

	(void)http_request_header(req, "if-match", &v);
	if (header_if_match(v, &n))
		json_object_set_new(args, "if_match", json_integer(n));
}

static json_t *
parse_body(struct http_request *req, const struct api_op *op, struct check *chk)
{
	const char *ctype = NULL;
	const void *data = NULL;
	size_t len = 0;

	if (req->http_body != NULL) {
		data = req->http_body->data;
		len = req->http_body_length;
	}
	if (op->fields == NULL) {
		if (len > 0)
			check_fail(chk, 400, "this operation takes no body");
		return (len > 0 ? NULL : json_object());
	}
	(void)http_request_header(req, "content-type", &ctype);
	return (body_parse(ctype, data, len, config.body_max, op->fields,
	    op->nfields, op->body_mode, chk));
}

/*
 * Idempotency-Key: 1-255 visible ASCII characters. The request hash covers
 * the operation and its validated arguments (so key order and white space
 * do not matter), keyed with the server secret because the arguments may
 * hold a password.
 */
static int
idempotency_key(struct http_request *req, struct api_request *ar,
    struct check *chk)
{
	const char *key;
	char *canon;

	if (!ar->op->idempotent ||
	    !http_request_header(req, "idempotency-key", &key))
		return (0);
	if (!header_idempotency_key(key)) {
		check_field(chk, 400, "Idempotency-Key", "invalid_format",
		    "1 to 255 visible ASCII characters");
		return (-1);
	}
	canon = json_dumps(ar->args, JSON_COMPACT | JSON_SORT_KEYS);
	if (canon == NULL)
		return (-1);
	hmac_sha256_hex(config.secret, config.secret_len, canon, strlen(canon),
	    ar->idem_hash);
	free(canon);
	ar->idem_key = kore_strdup(key);
	return (0);
}

/* Builds args from path, query string, headers and body; 0 or replied. */
static int
build_args(struct http_request *req, struct api_request *ar)
{
	const struct api_op *op = ar->op;
	struct check chk;
	struct reply_meta m;
	json_t *args, *body;

	check_init(&chk);
	args = query_parse(req->query_string, op->params,
	    op->params != NULL ? op->nparams : 0, &chk);
	if (args == NULL)
		goto bad;
	ar->args = args;
	if (path_args(req, ar->tmpl, args) != 0) {
		api_fail(req, ar, 404, "no such record");
		return (-1);
	}
	if (op->if_match)
		if_match_arg(req, args);
	if ((body = parse_body(req, op, &chk)) == NULL)
		goto bad;
	if (op->body_key != NULL)
		json_object_set_new(args, op->body_key, body);
	else {
		json_object_update(args, body);
		json_decref(body);
	}
	if (idempotency_key(req, ar, &chk) != 0)
		goto bad;
	return (0);
bad:
	api_meta(ar, &m);
	reply_check(req, &m, &chk);
	return (-1);
}

/* Each caller (user or API key) has its own budget across all workers. */
static int
rate_limit(struct http_request *req, struct api_request *ar)
{
	const char *caller =
	    ar->who.kind == PRINCIPAL_KEY ? ar->who.key_hash : ar->who.user_id;
	unsigned wait;
	char retry[16];

	wait = ratelimit_take(caller, strlen(caller), kore_time_ms());
	if (wait == 0)
		return (0);
	snprintf(retry, sizeof(retry), "%u", wait);
	http_response_header(req, "retry-after", retry);
	api_fail(req, ar, 429, "too many requests; slow down");
	return (-1);
}

static int
authenticate(struct http_request *req, struct api_request *ar)
{
	const char *why, *challenge;
	struct reply_meta m;

	if (!ar->op->auth)
		return (0);
	if (auth_resolve(req, &ar->who, &why, &challenge) != 0) {
		http_response_header(req, "www-authenticate", challenge);
		api_meta(ar, &m);
		reply_problem(req, &m, 401, why, NULL, NULL);
		return (-1);
	}
	return (rate_limit(req, ar));
}

static int
task_entry(struct kore_task *t)
{
	struct api_request *ar = (struct api_request *)((char *)t -
	    offsetof(struct api_request, task));

	ar->work(ar->extra);
	return (KORE_RESULT_OK);
}

void
api_request_task(struct api_request *ar, void (*work)(void *),
    enum api_next (*then)(struct http_request *, struct api_request *))
{
	ar->work = work;
	ar->then = then;
}

/* Moves the state machine to what a hook asked for. */
static int
api_next_step(struct http_request *req, struct api_request *ar,
    enum api_next next)
{
	switch (next) {
	case API_NEXT_QUERY:
		req->fsm_state = API_DB_SETUP;
		return (HTTP_STATE_CONTINUE);
	case API_NEXT_TASK:
		kore_task_create(&ar->task, task_entry);
		kore_task_bind_request(&ar->task, req);
		ar->task_running = 1;
		kore_task_run(&ar->task);
		req->fsm_state = API_TASK_WAIT;
		return (HTTP_STATE_RETRY);
	case API_NEXT_DONE:
	default:
		return (HTTP_STATE_COMPLETE);
	}
}

static int
state_task_wait(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);

	if (kore_task_state(&ar->task) != KORE_TASK_STATE_FINISHED) {
		http_request_sleep(req);
		return (HTTP_STATE_RETRY);
	}
	kore_task_destroy(&ar->task);
	ar->task_running = 0;
	return (api_next_step(req, ar, ar->then(req, ar)));
}

static int
state_start(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);
	char allow[64];

	ar->started = req->start != 0 ? req->start : kore_time_ms();
	api_request_id(req, ar->request_id);

	ar->op = route_op(req, ar->ops, ar->nops, allow, sizeof(allow));
	if (ar->op == NULL) {
		http_response_header(req, "allow", allow);
		api_fail(req, ar, 405, "method not allowed on this resource");
		return (HTTP_STATE_COMPLETE);
	}
	if (authenticate(req, ar) != 0 || build_args(req, ar) != 0)
		return (HTTP_STATE_COMPLETE);

	api_request_query(ar, ar->op->fn, ar->args);
	if (ar->op->prepare != NULL)
		return (api_next_step(req, ar, ar->op->prepare(req, ar)));
	req->fsm_state = API_DB_SETUP;
	return (HTTP_STATE_CONTINUE);
}

static int
state_db_setup(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);

	if (!ar->sql_bound) {
		kore_pgsql_init(&ar->sql);
		kore_pgsql_bind_request(&ar->sql, req);
		ar->sql_bound = 1;
	}
	if (!kore_pgsql_setup(&ar->sql, "db", KORE_PGSQL_ASYNC)) {
		/* INIT: queued until a pooled connection frees up. */
		if (ar->sql.state == KORE_PGSQL_STATE_INIT)
			return (HTTP_STATE_RETRY);
		kore_pgsql_logerror(&ar->sql);
		metrics_db_failure();
		sql_release(ar);
		api_fail(req, ar, 503,
		    "the database is unavailable; retry later");
		return (HTTP_STATE_COMPLETE);
	}
	metrics_db_acquired();
	req->fsm_state = API_DB_QUERY;
	return (HTTP_STATE_CONTINUE);
}

/*
 * fn comes from the op tables, never from the client. The op's own call
 * goes through api.idempotent() when the request carries an
 * Idempotency-Key; follow-up queries of multi-step flows never do. Each
 * call is a prepared statement named after its function.
 */
static const char idempotent_call[] = "api.idempotent";

static const char *
call_name(const struct api_request *ar, int *nparams)
{
	if (ar->idem_key != NULL && ar->fn == ar->op->fn) {
		*nparams = 5;
		return (idempotent_call);
	}
	*nparams = 2;
	return (ar->fn);
}

static int
exec_call(struct http_request *req, struct api_request *ar)
{
	const char *values[5] = { ar->ctx_text, ar->args_text, ar->idem_key,
		ar->idem_hash, ar->fn };
	const char *name;
	int nparams;

	name = call_name(ar, &nparams);
	req->fsm_state = API_DB_WAIT;
	return (prepared_send_exec(&ar->sql, name, nparams, values));
}

static int
send_call(struct http_request *req, struct api_request *ar)
{
	const char *name;
	char sql[192];
	int nparams;

	name = call_name(ar, &nparams);
	if (prepared_has(&ar->sql, name))
		return (exec_call(req, ar));
	if (name == idempotent_call) {
		snprintf(sql, sizeof(sql),
		    "SELECT status, body, etag, location FROM "
		    "%s($1::jsonb, $3, $4, $5, $2::jsonb)",
		    idempotent_call);
	} else {
		snprintf(sql, sizeof(sql),
		    "SELECT status, body, etag, location FROM "
		    "%s($1::jsonb, $2::jsonb)",
		    name);
	}
	req->fsm_state = API_DB_PREPARE;
	return (prepared_send_prepare(&ar->sql, name, sql, nparams));
}

static int
state_db_query(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);
	char *args;

	kore_free(ar->ctx_text);
	kore_free(ar->args_text);
	ar->args_text = NULL;
	if ((ar->ctx_text = ctx_render(req, ar)) == NULL ||
	    (args = json_dumps(ar->args, JSON_COMPACT)) == NULL) {
		sql_release(ar);
		api_fail(req, ar, 500, "could not encode the request");
		return (HTTP_STATE_COMPLETE);
	}
	ar->args_text = kore_strdup(args);
	free(args);
	result_clear(ar);

	if (!send_call(req, ar)) {
		req->fsm_state = API_DB_WAIT; /* which sees the ERROR */
		return (HTTP_STATE_CONTINUE);
	}
	return (HTTP_STATE_RETRY);
}

static int
failed_with(struct kore_pgsql *sql, const char *sqlstate)
{
	const char *state;

	if (sql->result == NULL)
		return (0);
	state = PQresultErrorField(sql->result, PG_DIAG_SQLSTATE);
	return (state != NULL && strcmp(state, sqlstate) == 0);
}

/* The PREPARE's reply: then execute the statement on the same connection. */
static int
state_db_prepare(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);
	int nparams;

	switch (ar->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return (HTTP_STATE_RETRY);
	case KORE_PGSQL_STATE_DONE:
		break;
	case KORE_PGSQL_STATE_ERROR:
		/* 42P05: the session has it already (its entry was lost). */
		if (failed_with(&ar->sql, "42P05"))
			break;
		req->fsm_state = API_DB_ERROR;
		return (HTTP_STATE_CONTINUE);
	default:
		kore_pgsql_continue(&ar->sql);
		return (HTTP_STATE_CONTINUE);
	}
	if (!prepared_settle(&ar->sql))
		return (HTTP_STATE_CONTINUE);

	prepared_mark(&ar->sql, call_name(ar, &nparams));
	if (!exec_call(req, ar))
		return (HTTP_STATE_CONTINUE); /* state is ERROR now */
	return (HTTP_STATE_RETRY);
}

static int
state_db_wait(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);

	switch (ar->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
		return (HTTP_STATE_RETRY);
	case KORE_PGSQL_STATE_COMPLETE:
		req->fsm_state = API_DB_DONE;
		break;
	case KORE_PGSQL_STATE_ERROR:
		req->fsm_state = API_DB_ERROR;
		break;
	case KORE_PGSQL_STATE_RESULT:
		req->fsm_state = API_DB_READ;
		break;
	default:
		kore_pgsql_continue(&ar->sql);
		break;
	}
	return (HTTP_STATE_CONTINUE);
}

static char *
value_or_null(struct api_request *ar, int col)
{
	if (PQgetisnull(ar->sql.result, 0, col))
		return (NULL);
	return (kore_strdup(kore_pgsql_getvalue(&ar->sql, 0, col)));
}

static int
state_db_read(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);
	const char *status;

	if (kore_pgsql_ntuples(&ar->sql) == 1 &&
	    kore_pgsql_nfields(&ar->sql) == 4 &&
	    !PQgetisnull(ar->sql.result, 0, 0)) {
		status = kore_pgsql_getvalue(&ar->sql, 0, 0);
		ar->status = atoi(status);
		ar->body = value_or_null(ar, 1);
		ar->etag = value_or_null(ar, 2);
		ar->location = value_or_null(ar, 3);
	}
	kore_pgsql_continue(&ar->sql);
	req->fsm_state = API_DB_WAIT;
	return (HTTP_STATE_CONTINUE);
}

void
api_reply_result(struct http_request *req, struct api_request *ar)
{
	struct reply_meta m;
	const char *type = "application/json";

	api_meta(ar, &m);
	if (ar->etag != NULL)
		http_response_header(req, "etag", ar->etag);
	if (ar->location != NULL)
		http_response_header(req, "location", ar->location);
	if (ar->status == 204 || ar->body == NULL) {
		reply_empty(req, &m, ar->status);
		return;
	}
	if (ar->status >= 400)
		type = "application/problem+json";
	if (ar->status == 401)
		http_response_header(req, "www-authenticate",
		    "Bearer realm=\"crm\", error=\"invalid_token\"");
	reply_text(req, &m, ar->status, type, ar->body, strlen(ar->body));
}

static int
state_db_done(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);

	sql_release(ar);
	if (ar->status < 200 || ar->status > 599) {
		kore_log(LOG_ERR, "%s: %s returned no reply row",
		    ar->request_id, ar->fn);
		api_fail(req, ar, 500, "internal error");
		return (HTTP_STATE_COMPLETE);
	}
	if (ar->op->finish != NULL && ar->status < 300)
		return (api_next_step(req, ar, ar->op->finish(req, ar)));
	api_reply_result(req, ar);
	return (HTTP_STATE_COMPLETE);
}

static int
state_db_error(struct http_request *req)
{
	struct api_request *ar = http_state_get(req);
	struct db_error err;
	struct reply_meta m;

	db_error_read(&ar->sql, &err);
	if (failed_with(&ar->sql, "26000"))
		prepared_forget(&ar->sql); /* re-prepared on the next call */
	if (err.status >= 500)
		kore_log(LOG_ERR, "%s: %s failed: %s", ar->request_id, ar->fn,
		    ar->sql.error != NULL ? ar->sql.error : "unknown");
	if (err.status == 503)
		metrics_db_failure();
	sql_release(ar);
	api_meta(ar, &m);
	if (err.status == 401)
		http_response_header(req, "www-authenticate",
		    "Bearer realm=\"crm\", error=\"invalid_token\"");
	reply_problem(req, &m, err.status, err.detail,
	    err.chk.nerrors > 0 ? &err.chk : NULL, NULL);
	return (HTTP_STATE_COMPLETE);
}

int
api_serve(struct http_request *req, struct api_op *ops, size_t nops,
    const char *tmpl)
{
	struct api_request *ar;

	ar = http_state_create(req, sizeof(*ar), request_free);
	ar->ops = ops;
	ar->nops = nops;
	ar->tmpl = tmpl;
	req->fsm_state = API_START;
	return (api_resume(req));
}

int
api_resume(struct http_request *req)
{
	return (http_state_run(api_states, API_NOPS(api_states), req));
}

/* "campaigns.list" calls api.campaigns_list; -1 for a name without '.'. */
static int
derive_fn(const char *name, char *out, size_t len)
{
	const char *dot = strchr(name, '.');
	int n;

	if (dot == NULL || strchr(dot + 1, '.') != NULL)
		return (-1);
	n = snprintf(out, len, "api.%.*s_%s", (int)(dot - name), name, dot + 1);
	return (n > 0 && (size_t)n < len ? 0 : -1);
}

void
api_register_ops(struct api_op *ops, size_t nops)
{
	size_t i;
	int n;

	for (i = 0; i < nops; i++) {
		if (ops[i].sql != NULL) {
			n = snprintf(ops[i].fn, sizeof(ops[i].fn), "%s",
			    ops[i].sql);
			if (n < 0 || (size_t)n >= sizeof(ops[i].fn))
				fatal("%s: SQL function name too long",
				    ops[i].name);
		} else if (derive_fn(ops[i].name, ops[i].fn,
		               sizeof(ops[i].fn)) != 0) {
			fatal("%s: no SQL function derives from it",
			    ops[i].name);
		}
		ops[i].metric_id = metrics_route(ops[i].name);
	}
}
