/*
 * The request pipeline every endpoint shares: pick the operation by method,
 * authenticate, parse the query string and the body against the operation's
 * tables, then run ONE SQL function call through the generic async job and
 * reply with what PostgreSQL built. Resources declare operations as data.
 */
#ifndef CRM_HTTP_API_H
#define CRM_HTTP_API_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include <jansson.h>

#include "../lib/body.h"
#include "../lib/query.h"

enum principal_kind { PRINCIPAL_NONE, PRINCIPAL_USER, PRINCIPAL_KEY };

struct principal {
	enum principal_kind kind;
	char user_id[37];
	char org_id[37];
	char role[16];
	char key_hash[65];
};

struct api_request;

#define API_FN_MAX 64

/* What an operation's hook tells the pipeline to do next. */
enum api_next {
	API_NEXT_QUERY, /* run (another) query: api_request_query() was called */
	API_NEXT_TASK, /* run CPU work off the event loop: api_request_task() */
	API_NEXT_DONE /* a reply was sent */
};

struct api_op {
	int method; /* HTTP_METHOD_GET, ... */
	const char *name; /* "users.list": metrics and logs */
	int auth; /* 1: a token or API key is required */
	/* Only where it differs from the one derived from name:
	 * "users.list" calls api.users_list. */
	const char *sql;

	const struct param_spec *params; /* query string; NULL: none allowed */
	size_t nparams;

	const struct field_spec *fields; /* body; NULL: no body allowed */
	size_t nfields;
	enum body_mode body_mode;
	const char *body_key; /* non-NULL: nest the body under this member */

	int if_match; /* pass If-Match as args.if_match */
	/* POST honours Idempotency-Key: the reply is stored and replayed. */
	int idempotent;

	/* Optional: adjust args before the first query (hash a password...). */
	enum api_next (*prepare)(struct http_request *, struct api_request *);
	/* Optional: consume the result instead of replying with it. */
	enum api_next (*finish)(struct http_request *, struct api_request *);

	/* Filled in at start-up: */
	char fn[API_FN_MAX]; /* the api.* function called */
	int metric_id;
};

struct api_request {
	char request_id[65];
	u_int64_t started;
	const struct api_op *op;
	struct api_op *ops; /* the route's operations, one per method */
	size_t nops;
	const char *tmpl; /* the route's path template: where args come from */
	struct principal who;
	json_t *args;

	/* The current query and its single-row result. */
	struct kore_pgsql sql;
	int sql_bound;
	const char *fn;
	char *ctx_text;
	char *args_text;
	char *idem_key; /* Idempotency-Key, when the op honours it */
	char idem_hash[65]; /* HMAC of the operation and its arguments */
	int status;
	char *body;
	char *etag;
	char *location;

	void *extra; /* an operation's own state for multi-step flows */
	void (*extra_free)(void *);

	/* CPU-heavy work (Argon2) runs in a Kore task thread so the worker
	 * keeps serving other requests; then() resumes the pipeline. */
	struct kore_task task;
	int task_running;
	void (*work)(void *extra);
	enum api_next (*then)(struct http_request *, struct api_request *);
};

/*
 * Serves a request on a route: tmpl is its path template, whose {name}
 * segments become args.name (a UUID, else 404).
 */
int api_serve(struct http_request *, struct api_op *ops, size_t nops,
    const char *tmpl);
/* Resumes a request api_serve() started (Kore calls again after a wait). */
int api_resume(struct http_request *);

/* Queue a call of fn(ctx, args) as the next step; args is taken over. */
void api_request_query(struct api_request *, const char *fn, json_t *args);

/*
 * Queue work(ar->extra) for a task thread, then then() back on the worker.
 * work must touch only plain memory in extra: no Kore allocator, no
 * request, no shared JSON.
 */
void api_request_task(struct api_request *, void (*work)(void *),
    enum api_next (*then)(struct http_request *, struct api_request *));

/* Reply with the current query's result (status, body, ETag, Location). */
void api_reply_result(struct http_request *, struct api_request *);

/* The accepted X-Request-Id (1-64 of [A-Za-z0-9-_.:]) or a new UUID. */
void api_request_id(struct http_request *, char out[65]);

struct reply_meta;
/* Reply metadata (request id, route, timing) of a request. */
void api_meta(const struct api_request *, struct reply_meta *);
/* Replies with a problem carrying only a status and a detail. */
void api_fail(struct http_request *, struct api_request *, int status,
    const char *detail);

/* The request context of a request inside api_serve. */
struct api_request *api_request_get(struct http_request *);

/*
 * Derives every operation's SQL function and registers its metric label;
 * called once at start-up.
 */
void api_register_ops(struct api_op *ops, size_t nops);

#define API_NOPS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Initialisers for the usual operation shapes, all authenticated. Members
 * that differ follow the last argument:
 *   API_OP_CREATE("users.create", create_fields, .prepare = hash_password)
 * QUERY: GET with a query string; CREATE: POST body, Idempotency-Key;
 * PATCH: body nested under "patch", If-Match; DELETE: If-Match.
 */
#define API_OP(m, n, ...)                                          \
	{                                                          \
		.method = (m), .name = (n), .auth = 1, __VA_ARGS__ \
	}
#define API_OP_GET(n, ...) API_OP(HTTP_METHOD_GET, n, __VA_ARGS__)
#define API_OP_QUERY(n, p, ...)                                           \
	API_OP(HTTP_METHOD_GET, n, .params = (p), .nparams = API_NOPS(p), \
	    __VA_ARGS__)
#define API_OP_CREATE(n, f, ...)                                           \
	API_OP(HTTP_METHOD_POST, n, .fields = (f), .nfields = API_NOPS(f), \
	    .body_mode = BODY_CREATE, .idempotent = 1, __VA_ARGS__)
#define API_OP_PATCH(n, f, ...)                                             \
	API_OP(HTTP_METHOD_PATCH, n, .fields = (f), .nfields = API_NOPS(f), \
	    .body_mode = BODY_PATCH, .body_key = "patch", .if_match = 1,    \
	    __VA_ARGS__)
#define API_OP_DELETE(n, ...) \
	API_OP(HTTP_METHOD_DELETE, n, .if_match = 1, __VA_ARGS__)

#endif
