/*
 * Sessions: log in with e-mail and password, rotate refresh tokens, log out.
 * Login is three steps in one request: the database lists the accounts
 * (and says whether the e-mail or IP is locked out), the password is
 * checked here, then the database records the failure or opens a session.
 * Unknown e-mail and wrong password answer alike and cost alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../config.h"
#include "../http/api.h"
#include "../http/reply.h"
#include "../lib/codec.h"
#include "../lib/password.h"
#include "../lib/token.h"
#include "resources.h"

#define REFRESH_RANDOM 32 /* bytes of entropy in a refresh token */
#define BAD_LOGIN      "invalid e-mail or password"

enum login_step { LOGIN_LOOKUP, LOGIN_FAILED, LOGIN_OPENED };

#define LOGIN_MAX_CANDIDATES 8 /* one e-mail in this many organizations */

struct login_state {
	enum login_step step;
	char password[PASSWORD_MAX_LEN + 1];
	char refresh[64];
	json_t *candidates; /* worker only: [{user_id, org_id, ...}] */
	/* Read by the task thread: */
	int ncandidates;
	char hashes[LOGIN_MAX_CANDIDATES][PASSWORD_HASH_MAX];
	int match; /* set by the task: index, -1 none, -2 several */
};

static void
login_state_free(void *p)
{
	struct login_state *ls = p;

	json_decref(ls->candidates);
	explicit_bzero(ls, sizeof(*ls));
	kore_free(ls);
}

static struct login_state *
login_state_new(struct api_request *ar)
{
	struct login_state *ls = kore_calloc(1, sizeof(*ls));

	ar->extra = ls;
	ar->extra_free = login_state_free;
	return (ls);
}

/* New refresh token into ls->refresh; its SHA-256 into hash. */
static int
new_refresh(struct login_state *ls, char hash[65])
{
	if (random_token(REFRESH_RANDOM, ls->refresh, sizeof(ls->refresh)))
		return (-1);
	sha256_hex(ls->refresh, strlen(ls->refresh), hash);
	return (0);
}

/* Moves the secret member out of args so it never reaches SQL. */
static void
take_secret(struct api_request *ar, const char *member, char *out, size_t len)
{
	const char *v = json_string_value(json_object_get(ar->args, member));

	kore_strlcpy(out, v != NULL ? v : "", len);
	json_object_del(ar->args, member);
}

/*
 * Answers {access_token, token_type, expires_in, refresh_token,
 * refresh_expires_at, user} from a body holding {user, refresh_expires_at}.
 */
static enum api_next
reply_session(struct http_request *req, struct api_request *ar,
    const char *refresh)
{
	struct reply_meta m;
	json_t *in, *user, *out;
	char *access, *text;
	const char *id, *org, *role;

	api_meta(ar, &m);
	in = json_loads(ar->body != NULL ? ar->body : "", 0, NULL);
	user = json_object_get(in, "user");
	id = json_string_value(json_object_get(user, "id"));
	org = json_string_value(json_object_get(user, "org_id"));
	role = json_string_value(json_object_get(user, "role"));
	access = (id && org && role) ? token_issue(&config.key, id, org, role,
	                                   time(NULL), config.access_ttl)
	                             : NULL;
	if (access == NULL) {
		json_decref(in);
		reply_problem(req, &m, 500, "internal error", NULL, NULL);
		return (API_NEXT_DONE);
	}
	out = json_pack("{s:s, s:s, s:I, s:s, s:O, s:O}", "access_token",
	    access, "token_type", "Bearer", "expires_in",
	    (json_int_t)config.access_ttl, "refresh_token", refresh,
	    "refresh_expires_at", json_object_get(in, "refresh_expires_at"),
	    "user", user);
	text = out != NULL ? json_dumps(out, JSON_COMPACT) : NULL;
	if (text != NULL)
		reply_json(req, &m, 200, text, strlen(text));
	else
		reply_problem(req, &m, 500, "internal error", NULL, NULL);
	free(text);
	free(access);
	json_decref(out);
	json_decref(in);
	return (API_NEXT_DONE);
}

static enum api_next
login_prepare(struct http_request *req, struct api_request *ar)
{
	struct login_state *ls = login_state_new(ar);

	(void)req;
	take_secret(ar, "password", ls->password, sizeof(ls->password));
	ls->step = LOGIN_LOOKUP;
	return (API_NEXT_QUERY);
}

static enum api_next
login_locked(struct http_request *req, struct api_request *ar,
    json_int_t seconds)
{
	struct reply_meta m;
	char retry[24];

	api_meta(ar, &m);
	snprintf(retry, sizeof(retry), "%lld", (long long)seconds);
	http_response_header(req, "retry-after", retry);
	reply_problem(req, &m, 429, "too many failed logins; retry later", NULL,
	    NULL);
	return (API_NEXT_DONE);
}

/*
 * Task thread: which candidate does the password open? -1 none, -2 several
 * (the same e-mail and password in two organizations). With no candidate a
 * dummy verification keeps unknown e-mails as slow as wrong passwords.
 */
static void
login_work(void *p)
{
	struct login_state *ls = p;
	int i;

	ls->match = -1;
	if (ls->ncandidates == 0)
		password_verify_dummy(ls->password);
	for (i = 0; i < ls->ncandidates; i++) {
		if (!password_verify(ls->hashes[i], ls->password))
			continue;
		if (ls->match >= 0) {
			ls->match = -2;
			break;
		}
		ls->match = i;
	}
	explicit_bzero(ls->password, sizeof(ls->password));
}

/* Back on the worker: record the failure or open the session. */
static enum api_next
login_checked(struct http_request *req, struct api_request *ar)
{
	struct login_state *ls = ar->extra;
	json_t *cand, *args;
	char hash[65];

	if (ls->match == -2) {
		api_fail(req, ar, 422,
		    "this e-mail belongs to several "
		    "organizations: send \"organization\" too");
		return (API_NEXT_DONE);
	}
	if (ls->match < 0) {
		args = json_pack("{s:O}", "email",
		    json_object_get(ar->args, "email"));
		ls->step = LOGIN_FAILED;
		api_request_query(ar, "api.login_fail", args);
		return (API_NEXT_QUERY);
	}
	cand = json_array_get(ls->candidates, (size_t)ls->match);
	if (new_refresh(ls, hash) != 0)
		hash[0] = '\0';
	args = json_pack("{s:O, s:O, s:s, s:I}", "user_id",
	    json_object_get(cand, "user_id"), "org_id",
	    json_object_get(cand, "org_id"), "refresh_hash", hash,
	    "refresh_ttl", (json_int_t)config.refresh_ttl);
	ls->step = LOGIN_OPENED;
	api_request_query(ar, "api.login_succeed", args);
	return (API_NEXT_QUERY);
}

/* After the lookup: answer 429, or hand the hashes to a task thread. */
static enum api_next
login_looked_up(struct http_request *req, struct api_request *ar,
    struct login_state *ls)
{
	json_t *res, *c;
	json_int_t locked;
	size_t i;
	const char *hash;

	res = json_loads(ar->body != NULL ? ar->body : "", 0, NULL);
	locked = json_integer_value(json_object_get(res, "locked_for"));
	if (locked > 0) {
		json_decref(res);
		return (login_locked(req, ar, locked));
	}
	ls->candidates = json_incref(json_object_get(res, "candidates"));
	json_decref(res);
	json_array_foreach(ls->candidates, i, c)
	{
		hash = json_string_value(json_object_get(c, "password_hash"));
		if (i >= LOGIN_MAX_CANDIDATES || hash == NULL)
			break;
		kore_strlcpy(ls->hashes[i], hash, sizeof(ls->hashes[i]));
		ls->ncandidates++;
	}
	api_request_task(ar, login_work, login_checked);
	return (API_NEXT_TASK);
}

static enum api_next
login_finish(struct http_request *req, struct api_request *ar)
{
	struct login_state *ls = ar->extra;
	struct reply_meta m;

	switch (ls->step) {
	case LOGIN_LOOKUP:
		return (login_looked_up(req, ar, ls));
	case LOGIN_FAILED:
		api_meta(ar, &m);
		http_response_header(req, "www-authenticate",
		    "Bearer realm=\"crm\"");
		reply_problem(req, &m, 401, BAD_LOGIN, NULL, NULL);
		return (API_NEXT_DONE);
	case LOGIN_OPENED:
	default:
		return (reply_session(req, ar, ls->refresh));
	}
}

/* refresh: swap the presented token's hash for a new one's. */
static enum api_next
refresh_prepare(struct http_request *req, struct api_request *ar)
{
	struct login_state *ls = login_state_new(ar);
	char old[256], old_hash[65], new_hash[65];

	(void)req;
	take_secret(ar, "refresh_token", old, sizeof(old));
	sha256_hex(old, strlen(old), old_hash);
	explicit_bzero(old, sizeof(old));
	if (new_refresh(ls, new_hash) != 0)
		new_hash[0] = '\0';
	json_object_set_new(ar->args, "old_hash", json_string(old_hash));
	json_object_set_new(ar->args, "new_hash", json_string(new_hash));
	json_object_set_new(ar->args, "refresh_ttl",
	    json_integer(config.refresh_ttl));
	return (API_NEXT_QUERY);
}

static enum api_next
refresh_finish(struct http_request *req, struct api_request *ar)
{
	struct login_state *ls = ar->extra;

	return (reply_session(req, ar, ls->refresh));
}

static enum api_next
logout_prepare(struct http_request *req, struct api_request *ar)
{
	char token[256], hash[65];

	(void)req;
	take_secret(ar, "refresh_token", token, sizeof(token));
	sha256_hex(token, strlen(token), hash);
	explicit_bzero(token, sizeof(token));
	json_object_set_new(ar->args, "refresh_hash", json_string(hash));
	return (API_NEXT_QUERY);
}

static const struct field_spec login_fields[] = {
	{ "email", FT_EMAIL, F_REQUIRED, 0, 254, NULL },
	{ "password", FT_PASSWORD, F_REQUIRED, 0, 0, NULL },
	{ "organization", FT_STRING, 0, 1, 63, NULL },
};

static const struct field_spec refresh_fields[] = {
	{ "refresh_token", FT_STRING, F_REQUIRED, 1, 200, NULL },
};

static struct api_op login_ops[] = {
	{ .method = HTTP_METHOD_POST,
	    .name = "auth.login",
	    .sql = "api.login_lookup",
	    .fields = login_fields,
	    .nfields = API_NOPS(login_fields),
	    .body_mode = BODY_CREATE,
	    .prepare = login_prepare,
	    .finish = login_finish },
};

static struct api_op refresh_ops[] = {
	{ .method = HTTP_METHOD_POST,
	    .name = "auth.refresh",
	    .sql = "api.refresh_rotate",
	    .fields = refresh_fields,
	    .nfields = API_NOPS(refresh_fields),
	    .body_mode = BODY_CREATE,
	    .prepare = refresh_prepare,
	    .finish = refresh_finish },
};

static struct api_op logout_ops[] = {
	{ .method = HTTP_METHOD_POST,
	    .name = "auth.logout",
	    .sql = "api.logout",
	    .fields = refresh_fields,
	    .nfields = API_NOPS(refresh_fields),
	    .body_mode = BODY_CREATE,
	    .prepare = logout_prepare },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/auth/login", login_ops),
	ROUTE_OPS("/v1/auth/refresh", refresh_ops),
	ROUTE_OPS("/v1/auth/logout", logout_ops),
};

ROUTE_RESOURCE(auth_resource, routes);
