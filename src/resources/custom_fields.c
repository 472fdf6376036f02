/*
 * Custom field definitions: an organization adds typed fields to contacts,
 * companies and tickets; the values are checked against these in the database.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const entities[] = { "contact", "company", "ticket", NULL };
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
	API_OP_QUERY("custom_fields.list", list_params),
	API_OP_CREATE("custom_fields.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("custom_fields.get"),
	API_OP_PATCH("custom_fields.update", patch_fields),
	API_OP_DELETE("custom_fields.delete"),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/custom-fields", collection_ops),
	ROUTE_OPS("/v1/custom-fields/{id}", item_ops),
};

ROUTE_RESOURCE(custom_fields_resource, routes);
