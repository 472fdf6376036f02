/*
 * Deals: an amount in a currency moving through a pipeline's stages. A
 * move is a PATCH of stage_id; the database records every move (from, to,
 * when, by whom, time spent) and puts it on the contact's timeline.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const statuses[] = { "open", "won", "lost", NULL };
static const char *const sorts[] = { "created_at", "updated_at", "amount",
	"expected_close_date", "title", NULL };
static const char *const fields[] = { "id", "title", "amount", "currency",
	"pipeline_id", "stage_id", "stage", "status", "expected_close_date",
	"owner_id", "owner", "contact_id", "contact", "company_id", "company",
	"campaign_id", "lost_reason", "won_at", "lost_at", "stage_entered_at",
	"is_stale", "weighted_amount", "notes", "created_at", "updated_at",
	"created_by", "updated_by", "version", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	{ "pipeline_id", PT_UUID, 0, 0, NULL },
	{ "stage_id", PT_UUID, 0, 0, NULL },
	{ "owner_id", PT_UUID, 0, 0, NULL },
	{ "status", PT_ENUM, 0, 0, statuses },
	{ "stale", PT_BOOL, 0, 0, NULL },
	{ "close_from", PT_DATE, 0, 0, NULL },
	{ "close_to", PT_DATE, 0, 0, NULL },
	{ "amount_min", PT_DECIMAL, 0, 0, NULL },
	{ "amount_max", PT_DECIMAL, 0, 0, NULL },
	{ "contact_id", PT_UUID, 0, 0, NULL },
	{ "company_id", PT_UUID, 0, 0, NULL },
	LIST_SORT_FIELDS(sorts, fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, fields },
};

static const struct param_spec history_params[] = {
	LIST_PARAMS,
};

#define DEAL_FIELDS                                                            \
	{ .name = "amount", .type = FT_DECIMAL, .flags = F_NULLABLE },         \
	    { .name = "currency",                                              \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .min = 3,                                                  \
		    .max = 3 },                                                \
	    { .name = "stage_id", .type = FT_UUID },                           \
	    { .name = "expected_close_date",                                   \
		    .type = FT_DATE,                                           \
		    .flags = F_NULLABLE },                                     \
	    { .name = "owner_id", .type = FT_UUID },                           \
	    { .name = "contact_id", .type = FT_UUID, .flags = F_NULLABLE },    \
	    { .name = "company_id", .type = FT_UUID, .flags = F_NULLABLE },    \
	    { .name = "campaign_id", .type = FT_UUID, .flags = F_NULLABLE },   \
	    { .name = "lost_reason",                                           \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 500 },                                              \
	    RECORD_NOTES,                                                      \
	    { .name = "stage", .type = FT_STRING, .flags = F_READ_ONLY },      \
	    { .name = "status", .type = FT_STRING, .flags = F_READ_ONLY },     \
	    { .name = "owner", .type = FT_STRING, .flags = F_READ_ONLY },      \
	    { .name = "contact", .type = FT_STRING, .flags = F_READ_ONLY },    \
	    { .name = "company", .type = FT_STRING, .flags = F_READ_ONLY },    \
	    { .name = "won_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },  \
	    { .name = "lost_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY }, \
	    { .name = "stage_entered_at",                                      \
		    .type = FT_TIMESTAMP,                                      \
		    .flags = F_READ_ONLY },                                    \
	    { .name = "is_stale", .type = FT_BOOL, .flags = F_READ_ONLY },     \
	    { .name = "weighted_amount",                                       \
		    .type = FT_STRING,                                         \
		    .flags = F_READ_ONLY },                                    \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "title",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 200 },
	{ .name = "pipeline_id", .type = FT_UUID, .flags = F_REQUIRED },
	DEAL_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "title", .type = FT_STRING, .min = 1, .max = 200 },
	{ .name = "pipeline_id", .type = FT_UUID },
	DEAL_FIELDS,
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("deals.list", list_params),
	API_OP_CREATE("deals.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("deals.get", get_params),
	API_OP_PATCH("deals.update", patch_fields),
	API_OP_DELETE("deals.delete"),
};

static struct api_op history_ops[] = {
	API_OP_QUERY("deals.history", history_params),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/deals", collection_ops),
	ROUTE_OPS("/v1/deals/{id}", item_ops),
	ROUTE_OPS("/v1/deals/{id}/history", history_ops),
};

ROUTE_RESOURCE(deals_resource, routes);
