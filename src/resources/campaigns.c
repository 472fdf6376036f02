/*
 * Campaigns: what brought a lead in (cost, channel, period). Contacts and
 * deals point at the campaign; admins and managers write.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const channels[] = { "sms", "email", "phone", "social",
	"web", "event", "referral", "other", NULL };
static const char *const sorts[] = { "name", "starts_on", "created_at", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	{ "channel", PT_ENUM, 0, 0, channels },
	{ "active_on", PT_DATE, 0, 0, NULL },
	{ "sort", PT_SORT, 0, 0, sorts },
};

#define CAMPAIGN_FIELDS                                                        \
	{ .name = "cost", .type = FT_DECIMAL, .flags = F_NULLABLE, .min = 0 }, \
	    { .name = "currency",                                              \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .min = 3,                                                  \
		    .max = 3 },                                                \
	    { .name = "starts_on", .type = FT_DATE, .flags = F_NULLABLE },     \
	    { .name = "ends_on", .type = FT_DATE, .flags = F_NULLABLE },       \
	    RECORD_NOTES, RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "name",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 200 },
	{ .name = "channel",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = channels },
	CAMPAIGN_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 200 },
	{ .name = "channel", .type = FT_ENUM, .choices = channels },
	CAMPAIGN_FIELDS,
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("campaigns.list", list_params),
	API_OP_CREATE("campaigns.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("campaigns.get"),
	API_OP_PATCH("campaigns.update", patch_fields),
	API_OP_DELETE("campaigns.delete"),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/campaigns", collection_ops),
	ROUTE_OPS("/v1/campaigns/{id}", item_ops),
};

ROUTE_RESOURCE(campaigns_resource, routes);
