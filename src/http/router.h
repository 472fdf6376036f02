/*
 * Routes as data: each resource file exports one descriptor listing its
 * path templates and what serves each; src/resources/resources.c lists the
 * resources. Kore gets a single route to router_serve(), which matches the
 * request path against the table.
 */
#ifndef CRM_HTTP_ROUTER_H
#define CRM_HTTP_ROUTER_H

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"

struct route {
	/* "/v1/contacts/{id}/timeline"; NULL: what no other route takes */
	const char *path;
	/* Served by the pipeline (one operation per method), or ... */
	struct api_op *ops;
	size_t nops;
	/* ... by a handler of its own. */
	int (*handler)(struct http_request *);
};

struct resource {
	const struct route *routes;
	size_t nroutes;
	void (*init)(void); /* optional start-up work of its own */
};

#define ROUTE_FALLBACK NULL

/* A resource file's public table: ROUTE_RESOURCE(tasks_resource, routes); */
#define ROUTE_RESOURCE(var, r) \
	const struct resource var = { .routes = (r), .nroutes = API_NOPS(r) }

#define ROUTE_OPS(p, o)                                                     \
	{                                                                   \
		.path = (p), .ops = (o), .nops = sizeof(o) / sizeof((o)[0]) \
	}
#define ROUTE_FN(p, fn)                      \
	{                                    \
		.path = (p), .handler = (fn) \
	}

/*
 * Once, in the parent before the workers fork: derives the operations' SQL
 * functions, registers their metrics, runs the resources' init hooks and
 * hands Kore its route. list ends with NULL. -1 on a malformed table.
 */
int router_init(const struct resource *const *list);

/* The Kore handler of every request. */
int router_serve(struct http_request *);

#endif
