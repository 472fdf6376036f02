/*
 * API keys for integrations (telephony, SMS gateways...). The server makes
 * the key, stores only its SHA-256 (keys carry 256 random bits, so a slow
 * hash adds nothing) and shows it once, in the 201 answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/api.h"
#include "../http/auth.h"
#include "../lib/codec.h"
#include "resources.h"

#define KEY_PREFIX_RANDOM 6 /* bytes -> 8 base64url characters */
#define KEY_SECRET_RANDOM 32 /* bytes -> 43 base64url characters */

const char *const scope_choices[] = { "contacts:read", "contacts:write",
	"companies:read", "companies:write", "activities:read",
	"activities:write", "lookup:read", "deals:read", "deals:write",
	"tasks:read", "tasks:write", "tickets:read", "tickets:write",
	"tickets:csat", "reminders:read", "users:read", "teams:read",
	"audit:read", NULL };

static const struct field_spec create_fields[] = {
	{ "name", FT_STRING, F_REQUIRED, 1, 120, NULL },
	{ "scopes", FT_ENUM_ARRAY, F_REQUIRED, 1, 32, scope_choices },
	{ "expires_at", FT_TIMESTAMP, F_NULLABLE, 0, 0, NULL },
	{ "id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "prefix", FT_STRING, F_READ_ONLY, 0, 0, NULL },
	{ "key", FT_STRING, F_READ_ONLY, 0, 0, NULL },
	{ "revoked_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "last_used_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "created_by", FT_UUID, F_READ_ONLY, 0, 0, NULL },
};

static const struct param_spec list_params[] = {
	LIST_PARAMS,
};

/* crm_<8 chars>_<43 chars>; the first 12 characters are its public prefix. */
static enum api_next
make_key(struct http_request *req, struct api_request *ar)
{
	char prefix[16], secret[64], key[96], hash[65];

	(void)req;
	if (random_token(KEY_PREFIX_RANDOM, prefix, sizeof(prefix)) != 0 ||
	    random_token(KEY_SECRET_RANDOM, secret, sizeof(secret)) != 0)
		return (API_NEXT_QUERY); /* no key_hash: SQL refuses */
	snprintf(key, sizeof(key), "%s%s_%s", API_KEY_PREFIX, prefix, secret);
	sha256_hex(key, strlen(key), hash);
	key[strlen(API_KEY_PREFIX) + strlen(prefix)] = '\0';
	json_object_set_new(ar->args, "prefix", json_string(key));
	json_object_set_new(ar->args, "key_hash", json_string(hash));
	key[strlen(API_KEY_PREFIX) + strlen(prefix)] = '_';
	ar->extra = kore_strdup(key);
	ar->extra_free = kore_free;
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(key, sizeof(key));
	return (API_NEXT_QUERY);
}

/* Adds the plaintext key to the 201 body: the only time it is shown. */
static enum api_next
show_key(struct http_request *req, struct api_request *ar)
{
	json_t *body;
	char *text;

	body = json_loads(ar->body, 0, NULL);
	if (body != NULL && ar->extra != NULL) {
		json_object_set_new(body, "key", json_string(ar->extra));
		if ((text = json_dumps(body, JSON_COMPACT)) != NULL) {
			kore_free(ar->body);
			ar->body = kore_strdup(text);
			free(text);
		}
	}
	json_decref(body);
	api_reply_result(req, ar);
	return (API_NEXT_DONE);
}

static struct api_op collection_ops[] = {
	API_OP_QUERY("api_keys.list", list_params),
	{ .method = HTTP_METHOD_POST,
	    .name = "api_keys.create",
	    .auth = 1,
	    .fields = create_fields,
	    .nfields = API_NOPS(create_fields),
	    .body_mode = BODY_CREATE,
	    .prepare = make_key,
	    .finish = show_key },
};

static struct api_op item_ops[] = {
	API_OP_GET("api_keys.get"),
	{ .method = HTTP_METHOD_DELETE, .name = "api_keys.revoke", .auth = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/api-keys", collection_ops),
	ROUTE_OPS("/v1/api-keys/{id}", item_ops),
};

ROUTE_RESOURCE(api_keys_resource, routes);
