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
	{ .method = HTTP_METHOD_GET, .name = "ticket_settings.get", .auth = 1 },
	{ .method = HTTP_METHOD_PATCH,
	    .name = "ticket_settings.update",
	    .auth = 1,
	    .fields = patch_fields,
	    .nfields = API_NOPS(patch_fields),
	    .body_mode = BODY_PATCH,
	    .body_key = "patch",
	    .if_match = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/ticket-settings", ops),
};

const struct resource ticket_settings_resource = {
	.routes = routes,
	.nroutes = API_NOPS(routes),
};
