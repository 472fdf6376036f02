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
	API_OP_GET("sla_policies.list"),
	API_OP_CREATE("sla_policies.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("sla_policies.get"),
	API_OP_PATCH("sla_policies.update", patch_fields),
	API_OP_DELETE("sla_policies.delete"),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/sla-policies", collection_ops),
	ROUTE_OPS("/v1/sla-policies/{id}", item_ops),
};

ROUTE_RESOURCE(sla_policies_resource, routes);
