/*
 * SLA policies: the first-response and resolution targets a new ticket
 * gets, matched by priority (and optionally channel, type and tag),
 * counted around the clock or in business hours. Admins write them; a
 * change applies to tickets opened afterwards.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const channels[] = { "phone", "email", "sms", "web",
	"social", "in_person", "api", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };
static const char *const types[] = { "question", "problem", "incident",
	"request", NULL };

/* Targets: one minute up to a year. */
#define SLA_POLICY_FIELDS                   \
	{ .name = "channel",                \
		.type = FT_ENUM,            \
		.flags = F_NULLABLE,        \
		.choices = channels },      \
	    { .name = "type",               \
		    .type = FT_ENUM,        \
		    .flags = F_NULLABLE,    \
		    .choices = types },     \
	    { .name = "tag",                \
		    .type = FT_STRING,      \
		    .flags = F_NULLABLE,    \
		    .min = 1,               \
		    .max = 50 },            \
	    { .name = "business_hours",     \
		    .type = FT_JSON_OBJECT, \
		    .flags = F_NULLABLE,    \
		    .max = 3,               \
		    .item_max = 16384 },    \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 200 },
	{ .name = "priority",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = priorities },
	{ .name = "first_response_minutes",
	    .type = FT_INT,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 525600 },
	{ .name = "resolution_minutes",
	    .type = FT_INT,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 525600 },
	SLA_POLICY_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 200 },
	{ .name = "priority", .type = FT_ENUM, .choices = priorities },
	{ .name = "first_response_minutes",
	    .type = FT_INT,
	    .min = 1,
	    .max = 525600 },
	{ .name = "resolution_minutes",
	    .type = FT_INT,
	    .min = 1,
	    .max = 525600 },
	SLA_POLICY_FIELDS,
};

static struct api_op collection_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "sla_policies.list", .auth = 1 },
	{ .method = HTTP_METHOD_POST,
	    .name = "sla_policies.create",
	    .auth = 1,
	    .fields = create_fields,
	    .nfields = API_NOPS(create_fields),
	    .body_mode = BODY_CREATE,
	    .idempotent = 1 },
};

static struct api_op item_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "sla_policies.get", .auth = 1 },
	{ .method = HTTP_METHOD_PATCH,
	    .name = "sla_policies.update",
	    .auth = 1,
	    .fields = patch_fields,
	    .nfields = API_NOPS(patch_fields),
	    .body_mode = BODY_PATCH,
	    .body_key = "patch",
	    .if_match = 1 },
	{ .method = HTTP_METHOD_DELETE,
	    .name = "sla_policies.delete",
	    .auth = 1,
	    .if_match = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/sla-policies", collection_ops),
	ROUTE_OPS("/v1/sla-policies/{id}", item_ops),
};

const struct resource sla_policies_resource = {
	.routes = routes,
	.nroutes = API_NOPS(routes),
};
