/*
 * What resource files share: the route table types, the list of resources
 * and common field and parameter tables.
 */
#ifndef CRM_RESOURCES_H
#define CRM_RESOURCES_H

#include <kore/kore.h>
#include <kore/http.h>

#include "../http/router.h"
#include "../lib/schema.h"
#include "../lib/query.h"

/* Every resource, ending with NULL (resources.c). */
extern const struct resource *const resources[];

/* Bookkeeping members every record answers with and no client may set. */
#define RECORD_READ_ONLY                                                     \
	{ .name = "org_id", .type = FT_UUID, .flags = F_READ_ONLY },         \
	    { .name = "version", .type = FT_INT, .flags = F_READ_ONLY },     \
	    { .name = "created_at",                                          \
		    .type = FT_TIMESTAMP,                                    \
		    .flags = F_READ_ONLY },                                  \
	    { .name = "updated_at",                                          \
		    .type = FT_TIMESTAMP,                                    \
		    .flags = F_READ_ONLY },                                  \
	    { .name = "created_by", .type = FT_UUID, .flags = F_READ_ONLY }, \
	{                                                                    \
		.name = "updated_by", .type = FT_UUID, .flags = F_READ_ONLY  \
	}

/* Free text most records carry. */
#define RECORD_NOTES                                                     \
	{                                                                \
		.name = "notes", .type = FT_STRING, .flags = F_NULLABLE, \
		.max = 10000                                             \
	}

/* Labels to filter on and values of the org's custom fields. */
#define RECORD_TAGS_CUSTOM_FIELDS                                            \
	{ .name = "tags",                                                    \
		.type = FT_STRING_ARRAY,                                     \
		.max = 30,                                                   \
		.item_max = 50 },                                            \
	{                                                                    \
		.name = "custom_fields", .type = FT_JSON_OBJECT, .max = 100, \
		.item_max = 16384                                            \
	}

/* {label, number} phones of contacts and companies; key is derived. */
#define PHONE_MEMBERS                                                  \
	{ .name = "label",                                             \
		.type = FT_STRING,                                     \
		.flags = F_NULLABLE,                                   \
		.max = 40 },                                           \
	    { .name = "number",                                        \
		    .type = FT_STRING,                                 \
		    .flags = F_REQUIRED,                               \
		    .min = 3,                                          \
		    .max = 40 },                                       \
	{                                                              \
		.name = "key", .type = FT_STRING, .flags = F_READ_ONLY \
	}

/* Shared field and parameter choices. */
extern const char *const role_choices[];
extern const char *const scope_choices[];

#define LIST_PARAMS                                    \
	{ "limit", PT_INT, 1, QUERY_LIMIT_MAX, NULL }, \
	{                                              \
		"cursor", PT_CURSOR, 0, 0, NULL        \
	}

/* Created and updated windows over the bookkeeping timestamps. */
#define LIST_TIME_PARAMS                                   \
	{ "created_since", PT_TIMESTAMP, 0, 0, NULL },     \
	    { "created_until", PT_TIMESTAMP, 0, 0, NULL }, \
	{                                                  \
		"updated_since", PT_TIMESTAMP, 0, 0, NULL  \
	}

/* The sort keys (s) and the members ?fields= may pick (f), NULL-ended. */
#define LIST_SORT_FIELDS(s, f)                 \
	{ "sort", PT_SORT, 0, 0, (s) },        \
	{                                      \
		"fields", PT_FIELDS, 0, 0, (f) \
	}

#endif
