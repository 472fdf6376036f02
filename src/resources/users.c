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

static const char *const user_sorts[] = { "name", "email", "created_at",
	NULL };
static const char *const user_fields[] = { "id", "org_id", "email", "name",
	"role", "active", "created_at", "updated_at", "version", "teams",
	NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "role", PT_ENUM, 0, 0, role_choices },
	{ "active", PT_BOOL, 0, 0, NULL },
	{ "q", PT_STRING, 0, 100, NULL },
	{ "team_id", PT_UUID, 0, 0, NULL },
	{ "sort", PT_SORT, 0, 0, user_sorts },
	{ "fields", PT_FIELDS, 0, 0, user_fields },
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, user_fields },
};

#define USER_READ_ONLY                                          \
	{ "org_id", FT_UUID, F_READ_ONLY, 0, 0, NULL },         \
	{ "version", FT_INT, F_READ_ONLY, 0, 0, NULL },         \
	{ "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL }, \
	{ "updated_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL }, \
	{ "teams", FT_STRING, F_READ_ONLY, 0, 0, NULL }

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

/* Replaces args.password with args.password_hash. */
static enum api_next
hash_password(struct http_request *req, struct api_request *ar)
{
	char hash[PASSWORD_HASH_MAX];
	json_t *pw = json_object_get(ar->args, "password");

	(void)req;
	if (pw == NULL || password_hash(json_string_value(pw), hash) != 0)
		return (API_NEXT_QUERY); /* SQL refuses a missing hash */
	json_object_set_new(ar->args, "password_hash", json_string(hash));
	json_object_del(ar->args, "password");
	explicit_bzero(hash, sizeof(hash));
	return (API_NEXT_QUERY);
}

static struct api_op collection_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "users.list", .auth = 1,
	  .sql = "api.users_list", .params = list_params,
	  .nparams = API_NOPS(list_params) },
	{ .method = HTTP_METHOD_POST, .name = "users.create", .auth = 1,
	  .sql = "api.users_create", .fields = create_fields,
	  .nfields = API_NOPS(create_fields), .body_mode = BODY_CREATE,
	  .prepare = hash_password },
};

static struct api_op item_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "users.get", .auth = 1,
	  .sql = "api.users_get", .params = get_params,
	  .nparams = API_NOPS(get_params), .path_args = { "id" } },
	{ .method = HTTP_METHOD_PATCH, .name = "users.update", .auth = 1,
	  .sql = "api.users_update", .fields = patch_fields,
	  .nfields = API_NOPS(patch_fields), .body_mode = BODY_PATCH,
	  .body_key = "patch", .path_args = { "id" }, .if_match = 1 },
};

int
users_collection(struct http_request *req)
{
	return (api_serve(req, collection_ops, API_NOPS(collection_ops)));
}

int
users_item(struct http_request *req)
{
	return (api_serve(req, item_ops, API_NOPS(item_ops)));
}

void
users_register(void)
{
	api_register_ops(collection_ops, API_NOPS(collection_ops));
	api_register_ops(item_ops, API_NOPS(item_ops));
}
