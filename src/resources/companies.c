/* Companies: the organizations contacts work for, owned like contacts. */
#include "../http/api.h"
#include "resources.h"

static const char *const sorts[] = { "name", "created_at", "updated_at", NULL };
static const char *const fields[] = { "id", "name", "domain", "phones", "email",
	"city", "address", "industry", "owner_id", "owner", "tags",
	"custom_fields", "notes", "created_at", "updated_at", "created_by",
	"updated_by", "version", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	{ "owner_id", PT_UUID, 0, 0, NULL },
	{ "city", PT_STRING, 0, 100, NULL },
	{ "industry", PT_STRING, 0, 100, NULL },
	{ "tag", PT_STRING, 0, 50, NULL },
	LIST_TIME_PARAMS,
	LIST_SORT_FIELDS(sorts, fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, fields },
};

static const struct param_spec history_params[] = {
	LIST_PARAMS,
};

static const struct field_spec phone_fields[] = { PHONE_MEMBERS };

#define COMPANY_FIELDS                                                    \
	{ .name = "domain",                                               \
		.type = FT_STRING,                                        \
		.flags = F_NULLABLE,                                      \
		.max = 253 },                                             \
	    { .name = "phones",                                           \
		    .type = FT_OBJECT_ARRAY,                              \
		    .max = 10,                                            \
		    .sub = phone_fields,                                  \
		    .nsub = API_NOPS(phone_fields) },                     \
	    { .name = "email",                                            \
		    .type = FT_EMAIL,                                     \
		    .flags = F_NULLABLE,                                  \
		    .max = 254 },                                         \
	    { .name = "city",                                             \
		    .type = FT_STRING,                                    \
		    .flags = F_NULLABLE,                                  \
		    .max = 100 },                                         \
	    { .name = "address",                                          \
		    .type = FT_STRING,                                    \
		    .flags = F_NULLABLE,                                  \
		    .max = 500 },                                         \
	    { .name = "industry",                                         \
		    .type = FT_STRING,                                    \
		    .flags = F_NULLABLE,                                  \
		    .max = 100 },                                         \
	    { .name = "owner_id", .type = FT_UUID },                      \
	    RECORD_TAGS_CUSTOM_FIELDS, RECORD_NOTES,                      \
	    { .name = "owner", .type = FT_STRING, .flags = F_READ_ONLY }, \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 200 },
	COMPANY_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 200 },
	COMPANY_FIELDS,
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("companies.list", list_params),
	API_OP_CREATE("companies.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("companies.get", get_params),
	API_OP_PATCH("companies.update", patch_fields),
	API_OP_DELETE("companies.delete"),
};

static struct api_op history_ops[] = {
	API_OP_QUERY("companies.history", history_params),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/companies", collection_ops),
	ROUTE_OPS("/v1/companies/{id}", item_ops),
	ROUTE_OPS("/v1/companies/{id}/history", history_ops),
};

ROUTE_RESOURCE(companies_resource, routes);
