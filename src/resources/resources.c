/*
 * The one list of resources: a new resource is its file, which exports
 * <name>_resource, plus its name here. The order is the order of metric
 * labels and of template matching (literal paths always come first).
 */
#include "resources.h"

#define RESOURCES(X)     \
	X(ops)           \
	X(auth)          \
	X(me)            \
	X(users)         \
	X(teams)         \
	X(api_keys)      \
	X(audit)         \
	X(contacts)      \
	X(companies)     \
	X(campaigns)     \
	X(custom_fields) \
	X(activities)    \
	X(lookup)        \
	X(pipelines)     \
	X(deals)         \
	X(tasks)

#define RESOURCE_DECLARE(name) extern const struct resource name##_resource;
#define RESOURCE_ENTRY(name)   &name##_resource,

RESOURCES(RESOURCE_DECLARE)

const struct resource *const resources[] = { RESOURCES(RESOURCE_ENTRY) NULL };
