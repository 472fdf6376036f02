/* Operations endpoints: liveness, readiness, metrics, the API contract. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../http/api.h"
#include "../http/metrics.h"
#include "../http/reply.h"
#include "resources.h"

static int metric_healthz, metric_metrics, metric_openapi, metric_unrouted;

static void
plain_meta(struct http_request *req, struct reply_meta *m, char *rid,
    const char *route, int id)
{
	memset(m, 0, sizeof(*m));
	api_request_id(req, rid);
	m->request_id = rid;
	m->route = route;
	m->metric_id = id;
	m->started = req->start != 0 ? req->start : kore_time_ms();
}

static int
only_get(struct http_request *req, struct reply_meta *m)
{
	if (req->method == HTTP_METHOD_GET || req->method == HTTP_METHOD_HEAD)
		return (1);
	http_response_header(req, "allow", "GET");
	reply_problem(req, m, 405, "method not allowed on this resource", NULL,
	    NULL);
	return (0);
}

static int
ops_healthz(struct http_request *req)
{
	static const char body[] = "{\"status\":\"ok\"}";
	struct reply_meta m;
	char rid[65];

	plain_meta(req, &m, rid, "healthz", metric_healthz);
	if (only_get(req, &m))
		reply_json(req, &m, 200, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}

static int
ops_metrics(struct http_request *req)
{
	struct reply_meta m;
	char rid[65];
	size_t len;
	char *text;

	plain_meta(req, &m, rid, "metrics", metric_metrics);
	if (!only_get(req, &m))
		return (KORE_RESULT_OK);
	if ((text = metrics_render(&len, config.pool_max)) == NULL) {
		reply_problem(req, &m, 500, "internal error", NULL, NULL);
		return (KORE_RESULT_OK);
	}
	reply_text(req, &m, 200, "text/plain; version=0.0.4", text, len);
	free(text);
	return (KORE_RESULT_OK);
}

static int
ops_openapi(struct http_request *req)
{
	struct reply_meta m;
	char rid[65];

	plain_meta(req, &m, rid, "openapi", metric_openapi);
	if (only_get(req, &m))
		reply_json(req, &m, 200, config.openapi, config.openapi_len);
	return (KORE_RESULT_OK);
}

static int
ops_not_found(struct http_request *req)
{
	struct reply_meta m;
	char rid[65];

	plain_meta(req, &m, rid, "unrouted", metric_unrouted);
	reply_problem(req, &m, 404, "no such resource", NULL, NULL);
	return (KORE_RESULT_OK);
}

static struct api_op readyz_ops[] = {
	{ .method = HTTP_METHOD_GET, .name = "readyz", .sql = "api.ready" },
};

/* Labels for the handlers that are not operations; before fork. */
static void
ops_init(void)
{
	metric_healthz = metrics_route("healthz");
	metric_metrics = metrics_route("metrics");
	metric_openapi = metrics_route("openapi");
	metric_unrouted = metrics_route("unrouted");
}

static const struct route routes[] = {
	ROUTE_FN("/healthz", ops_healthz),
	ROUTE_OPS("/readyz", readyz_ops),
	ROUTE_FN("/metrics", ops_metrics),
	ROUTE_FN("/openapi.json", ops_openapi),
	/* Anything else: a problem+json 404 rather than Kore's HTML one. */
	ROUTE_FN(ROUTE_FALLBACK, ops_not_found),
};

const struct resource ops_resource = {
	.routes = routes,
	.nroutes = API_NOPS(routes),
	.init = ops_init,
};
