/*
 * Caller lookup for call-center screens and telephony integrations: any
 * phone format in, a compact profile out; and the organization's tags.
 */
#include "../http/api.h"
#include "../http/reply.h"
#include "resources.h"

static const struct param_spec lookup_params[] = {
	{ "number", PT_STRING, 0, 64, NULL },
};

static const struct param_spec tags_params[] = {
	{ "q", PT_STRING, 0, 50, NULL },
};

/* The number is the whole question: refuse a lookup without one. */
static enum api_next
require_number(struct http_request *req, struct api_request *ar)
{
	struct reply_meta m;
	struct check chk;

	if (json_object_get(ar->args, "number") != NULL)
		return (API_NEXT_QUERY);
	check_init(&chk);
	check_field(&chk, 400, "number", "required", "give the phone number");
	api_meta(ar, &m);
	reply_check(req, &m, &chk);
	return (API_NEXT_DONE);
}

static struct api_op lookup_ops[] = {
	API_OP_QUERY("lookup.phone", lookup_params, .prepare = require_number),
};

static struct api_op tags_ops[] = {
	API_OP_QUERY("tags.list", tags_params),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/lookup/phone", lookup_ops),
	ROUTE_OPS("/v1/tags", tags_ops),
};

ROUTE_RESOURCE(lookup_resource, routes);
