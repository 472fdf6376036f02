/*
 * Custom field definitions: an organization adds typed fields to contacts
 * and companies; the values are checked against these in the database.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const entities[] = { "contact", "company", NULL };
static const char *const types[] = { "text", "number", "date", "boolean",
	"choice", NULL };

static const struct param_spec list_params[] = {
	{ "entity", PT_ENUM, 0, 0, entities },
};

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "entity",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = entities },
	{ .name = "key",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 40 },
	{ .name = "label",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 100 },
	{ .name = "type",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = types },
	{ .name = "choices",
	    .type = FT_STRING_ARRAY,
	    .flags = F_NULLABLE,
	    .max = 100,
	    .item_max = 100 },
	RECORD_READ_ONLY,
};

/* Key, entity and type are fixed once values may exist. */
static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "entity",
	    .type = FT_ENUM,
	    .flags = F_READ_ONLY,
	    .choices = entities },
	{ .name = "key", .type = FT_STRING, .flags = F_READ_ONLY },
	{ .name = "type",
	    .type = FT_ENUM,
	    .flags = F_READ_ONLY,
	    .choices = types },
	{ .name = "label", .type = FT_STRING, .min = 1, .max = 100 },
	{ .name = "choices",
	    .type = FT_STRING_ARRAY,
	    .flags = F_NULLABLE,
	    .max = 100,
	    .item_max = 100 },
	RECORD_READ_ONLY,
};

static struct api_op collection_ops[] = {
	{ .method = HTTP_METHOD_GET,
	    .name = "custom_fields.list",
	    .auth = 1,
	    .params = list_params,
	    .nparams = API_NOPS(list_params) },
	{ .method = HTTP_METHOD_POST,
	    .name = "custom_fields.create",
	    .auth = 1,
	    .fields = create_fields,
	    .nfields = API_NOPS(create_fields),
	    .body_mode = BODY_CREATE,
	    .idempotent = 1 },
};

static struct api_op item_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "custom_fields.get", .auth = 1 },
	{ .method = HTTP_METHOD_PATCH,
	    .name = "custom_fields.update",
	    .auth = 1,
	    .fields = patch_fields,
	    .nfields = API_NOPS(patch_fields),
	    .body_mode = BODY_PATCH,
	    .body_key = "patch",
	    .if_match = 1 },
	{ .method = HTTP_METHOD_DELETE,
	    .name = "custom_fields.delete",
	    .auth = 1,
	    .if_match = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/custom-fields", collection_ops),
	ROUTE_OPS("/v1/custom-fields/{id}", item_ops),
};

const struct resource custom_fields_resource = {
	.routes = routes,
	.nroutes = API_NOPS(routes),
};
