/*
 * Kore 4.1 names a route's handler by its symbol (looked up with dlsym)
 * and compiles route regexes with REG_NOSUB, so a Kore route per template
 * would need an exported function per route and still could not hand over
 * the ids. Kore therefore gets one catch-all route to router_serve(), and
 * the table is matched here: literal paths first, then templates in list
 * order, then the fallback, so a literal /v1/reminders/due would win over
 * a template /v1/reminders/{id} wherever either is listed.
 */
#include <stdio.h>

#include "../lib/path.h"
#include "router.h"

static const struct resource *const *router_list;
static const struct route *router_fallback;

static void
router_attach(struct kore_domain *dom)
{
	if (!kore_module_handler_new(dom, "^/", "router_serve", NULL,
	        HANDLER_TYPE_DYNAMIC))
		fatal("cannot route domain %s", dom->domain);
}

static int
router_check(const struct route *r)
{
	if (r->path == ROUTE_FALLBACK) {
		if (router_fallback != NULL || r->handler == NULL)
			return (-1);
		router_fallback = r;
	}
	if (r->ops != NULL) {
		api_register_ops(r->ops, r->nops);
		return (0);
	}
	return (r->handler != NULL ? 0 : -1);
}

int
router_init(const struct resource *const *list)
{
	const struct resource *const *res;
	size_t i;

	for (res = list; *res != NULL; res++) {
		if ((*res)->init != NULL)
			(*res)->init();
		for (i = 0; i < (*res)->nroutes; i++) {
			if (router_check(&(*res)->routes[i]) != 0) {
				fprintf(stderr, "crm: bad route %s\n",
				    (*res)->routes[i].path != ROUTE_FALLBACK
				        ? (*res)->routes[i].path
				        : "(fallback)");
				return (-1);
			}
		}
	}
	if (router_fallback == NULL) {
		fprintf(stderr, "crm: no fallback route\n");
		return (-1);
	}
	router_list = list;
	kore_domain_callback(router_attach);
	return (0);
}

/* The first route of the kind (literal or template) path matches. */
static const struct route *
router_find(const char *path, int templates)
{
	const struct resource *const *res;
	const struct route *r;
	size_t i;

	for (res = router_list; *res != NULL; res++) {
		for (i = 0; i < (*res)->nroutes; i++) {
			r = &(*res)->routes[i];
			if (r->path == ROUTE_FALLBACK ||
			    path_is_template(r->path) != templates)
				continue;
			/* A bad id is still this route's: its 404 comes
			 * after authentication, as for a missing record. */
			if (path_match(r->path, path, NULL) != PATH_NO_MATCH)
				return (r);
		}
	}
	return (NULL);
}

int
router_serve(struct http_request *req)
{
	const struct route *r;

	/* The pipeline's requests come back here after every wait. */
	if (http_state_exists(req))
		return (api_resume(req));
	if ((r = router_find(req->path, 0)) == NULL &&
	    (r = router_find(req->path, 1)) == NULL)
		r = router_fallback;
	if (r->ops != NULL)
		return (api_serve(req, r->ops, r->nops, r->path));
	return (r->handler(req));
}
