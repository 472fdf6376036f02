/* The caller's own account: profile and password change. */
#include <string.h>

#include "../http/api.h"
#include "../http/reply.h"
#include "../lib/password.h"
#include "resources.h"

struct password_state {
	int changing; /* 0: checking the current password; 1: stored */
	char current[PASSWORD_MAX_LEN + 1];
	char next[PASSWORD_MAX_LEN + 1];
	char stored[PASSWORD_HASH_MAX]; /* the hash on file */
	char fresh[PASSWORD_HASH_MAX]; /* the new password's hash */
	int matched, failed; /* set by the task */
};

static void
password_state_free(void *p)
{
	explicit_bzero(p, sizeof(struct password_state));
	kore_free(p);
}

static void
take(struct api_request *ar, const char *member, char *out, size_t len)
{
	const char *v = json_string_value(json_object_get(ar->args, member));

	kore_strlcpy(out, v != NULL ? v : "", len);
	json_object_del(ar->args, member);
}

static enum api_next
password_prepare(struct http_request *req, struct api_request *ar)
{
	struct password_state *ps = kore_calloc(1, sizeof(*ps));

	(void)req;
	ar->extra = ps;
	ar->extra_free = password_state_free;
	take(ar, "current_password", ps->current, sizeof(ps->current));
	take(ar, "new_password", ps->next, sizeof(ps->next));
	return (API_NEXT_QUERY);
}

/* Task thread: check the current password, hash the new one. */
static void
password_work(void *p)
{
	struct password_state *ps = p;

	ps->matched = password_verify(ps->stored, ps->current);
	if (ps->matched)
		ps->failed = password_hash(ps->next, ps->fresh) != 0;
	explicit_bzero(ps->current, sizeof(ps->current));
	explicit_bzero(ps->next, sizeof(ps->next));
}

static enum api_next
password_checked(struct http_request *req, struct api_request *ar)
{
	struct password_state *ps = ar->extra;
	struct reply_meta m;
	struct check chk;

	if (!ps->matched) {
		check_init(&chk);
		check_field(&chk, 422, "current_password", "incorrect",
		    "does not match the current password");
		api_meta(ar, &m);
		reply_problem(req, &m, 422, "the current password is wrong",
		    &chk, NULL);
		return (API_NEXT_DONE);
	}
	if (ps->failed) {
		api_fail(req, ar, 500, "internal error");
		return (API_NEXT_DONE);
	}
	api_request_query(ar, "api.password_change",
	    json_pack("{s:s}", "password_hash", ps->fresh));
	ps->changing = 1;
	return (API_NEXT_QUERY);
}

static enum api_next
password_store(struct http_request *req, struct api_request *ar,
    struct password_state *ps)
{
	json_t *res;
	const char *hash;

	(void)req;
	res = json_loads(ar->body != NULL ? ar->body : "", 0, NULL);
	hash = json_string_value(json_object_get(res, "password_hash"));
	kore_strlcpy(ps->stored, hash != NULL ? hash : "", sizeof(ps->stored));
	json_decref(res);
	api_request_task(ar, password_work, password_checked);
	return (API_NEXT_TASK);
}

static enum api_next
password_finish(struct http_request *req, struct api_request *ar)
{
	struct password_state *ps = ar->extra;

	if (!ps->changing)
		return (password_store(req, ar, ps));
	api_reply_result(req, ar);
	return (API_NEXT_DONE);
}

static const struct field_spec password_fields[] = {
	{ "current_password", FT_PASSWORD, F_REQUIRED, 0, 0, NULL },
	{ "new_password", FT_PASSWORD, F_REQUIRED, 0, 0, NULL },
};

static struct api_op me_ops[] = {
	API_OP_GET("me.get", .sql = "api.me"),
};

static struct api_op password_ops[] = {
	{ .method = HTTP_METHOD_POST,
	    .name = "me.password",
	    .auth = 1,
	    .sql = "api.password_lookup",
	    .fields = password_fields,
	    .nfields = API_NOPS(password_fields),
	    .body_mode = BODY_CREATE,
	    .prepare = password_prepare,
	    .finish = password_finish },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/me", me_ops),
	ROUTE_OPS("/v1/me/password", password_ops),
};

ROUTE_RESOURCE(me_resource, routes);
