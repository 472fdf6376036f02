/*
 * The support desk's settings: how many days after its resolution a
 * customer's reply reopens a ticket. One document per organization.
 */
#include "../http/api.h"
#include "resources.h"

static const struct field_spec patch_fields[] = {
	{ .name = "reopen_days", .type = FT_INT, .min = 0, .max = 365 },
	{ .name = "updated_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "updated_by", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "version", .type = FT_INT, .flags = F_READ_ONLY },
};

static struct api_op ops[] = {
	API_OP_GET("ticket_settings.get"),
	API_OP_PATCH("ticket_settings.update", patch_fields),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/ticket-settings", ops),
};

ROUTE_RESOURCE(ticket_settings_resource, routes);
