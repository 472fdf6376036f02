/* The audit trail: admins (and keys scoped audit:read) page through it. */
#include "../http/api.h"
#include "resources.h"

static const char *const audit_tables[] = { "organizations", "users", "teams",
	"team_members", "api_keys", "custom_fields", "campaigns", "companies",
	"contacts", "activities", "pipelines", "stages", "deals", "tasks",
	"tickets", "ticket_comments", "ticket_ratings", "sla_policies",
	"ticket_settings", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "table", PT_ENUM, 0, 0, audit_tables },
	{ "record_id", PT_UUID, 0, 0, NULL },
	{ "actor_user_id", PT_UUID, 0, 0, NULL },
	{ "actor_api_key_id", PT_UUID, 0, 0, NULL },
	{ "since", PT_TIMESTAMP, 0, 0, NULL },
	{ "until", PT_TIMESTAMP, 0, 0, NULL },
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("audit.list", list_params),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/audit", collection_ops),
};

ROUTE_RESOURCE(audit_resource, routes);
