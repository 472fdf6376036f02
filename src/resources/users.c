/*
 * Users of an organization. Everyone in the organization may read them
 * (reps assign records to colleagues); only admins create and change them.
 * Passwords are hashed here, before the query, so the database never sees
 * one in clear.
 */
#include <string.h>

#include "../http/api.h"
#include "../lib/password.h"
#include "resources.h"

const char *const role_choices[] = { "admin", "manager", "rep", NULL };

static const char *const user_sorts[] = { "name", "email", "created_at", NULL };
static const char *const user_list_fields[] = { "id", "org_id", "email", "name",
	"role", "active", "created_at", "updated_at", "version", NULL };
static const char *const user_fields[] = { "id", "org_id", "email", "name",
	"role", "active", "created_at", "updated_at", "version", "teams",
	NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "role", PT_ENUM, 0, 0, role_choices },
	{ "active", PT_BOOL, 0, 0, NULL },
	{ "q", PT_STRING, 0, 100, NULL },
	{ "team_id", PT_UUID, 0, 0, NULL },
	LIST_SORT_FIELDS(user_sorts, user_list_fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, user_fields },
};

#define USER_READ_ONLY                                               \
	{ "org_id", FT_UUID, F_READ_ONLY, 0, 0, NULL },              \
	    { "version", FT_INT, F_READ_ONLY, 0, 0, NULL },          \
	    { "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL }, \
	    { "updated_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL }, \
	{                                                            \
		"teams", FT_STRING, F_READ_ONLY, 0, 0, NULL          \
	}

static const struct field_spec create_fields[] = {
	{ "id", FT_UUID, 0, 0, 0, NULL },
	{ "email", FT_EMAIL, F_REQUIRED, 0, 254, NULL },
	{ "name", FT_STRING, F_REQUIRED, 1, 200, NULL },
	{ "role", FT_ENUM, F_REQUIRED, 0, 0, role_choices },
	{ "password", FT_PASSWORD, F_REQUIRED, 0, 0, NULL },
	{ "active", FT_BOOL, F_READ_ONLY, 0, 0, NULL },
	USER_READ_ONLY,
};

static const struct field_spec patch_fields[] = {
	{ "id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "email", FT_EMAIL, 0, 0, 254, NULL },
	{ "name", FT_STRING, 0, 1, 200, NULL },
	{ "role", FT_ENUM, 0, 0, 0, role_choices },
	{ "active", FT_BOOL, 0, 0, 0, NULL },
	{ "password", FT_PASSWORD, F_READ_ONLY, 0, 0, NULL },
	USER_READ_ONLY,
};

struct hash_job {
	char password[PASSWORD_MAX_LEN + 1];
	char hash[PASSWORD_HASH_MAX];
	int failed;
};

static void
hash_job_free(void *p)
{
	explicit_bzero(p, sizeof(struct hash_job));
	kore_free(p);
}

/* Runs in a task thread: Argon2id takes tens of milliseconds. */
static void
hash_work(void *p)
{
	struct hash_job *job = p;

	job->failed = password_hash(job->password, job->hash) != 0;
	explicit_bzero(job->password, sizeof(job->password));
}

/* Back on the worker: args.password_hash replaces args.password. */
static enum api_next
hash_done(struct http_request *req, struct api_request *ar)
{
	struct hash_job *job = ar->extra;

	if (job->failed) {
		api_fail(req, ar, 500, "internal error");
		return (API_NEXT_DONE);
	}
	json_object_set_new(ar->args, "password_hash", json_string(job->hash));
	return (API_NEXT_QUERY);
}

static enum api_next
hash_password(struct http_request *req, struct api_request *ar)
{
	struct hash_job *job = kore_calloc(1, sizeof(*job));
	const char *pw =
	    json_string_value(json_object_get(ar->args, "password"));

	(void)req;
	ar->extra = job;
	ar->extra_free = hash_job_free;
	kore_strlcpy(job->password, pw != NULL ? pw : "",
	    sizeof(job->password));
	json_object_del(ar->args, "password");
	api_request_task(ar, hash_work, hash_done);
	return (API_NEXT_TASK);
}

static struct api_op collection_ops[] = {
	API_OP_QUERY("users.list", list_params),
	API_OP_CREATE("users.create", create_fields, .prepare = hash_password),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("users.get", get_params),
	API_OP_PATCH("users.update", patch_fields),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/users", collection_ops),
	ROUTE_OPS("/v1/users/{id}", item_ops),
};

ROUTE_RESOURCE(users_resource, routes);
