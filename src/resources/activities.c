/*
 * Activities: the interaction history (calls, e-mails, SMS, meetings,
 * notes, on-site visits) shown on a contact's timeline. Telephony
 * integrations post call records here with a key scoped activities:write.
 * Which members fit which type is checked in the database.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const writable_types[] = { "call", "email", "sms", "meeting",
	"note", "visit", NULL };
static const char *const all_types[] = { "call", "email", "sms", "meeting",
	"note", "visit", "system", NULL };
static const char *const directions[] = { "inbound", "outbound", NULL };
static const char *const outcomes[] = { "answered", "no_answer", "busy",
	"voicemail", "failed", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "contact_id", PT_UUID, 0, 0, NULL },
	{ "type", PT_ENUM, 0, 0, all_types },
	{ "owner_id", PT_UUID, 0, 0, NULL },
	{ "since", PT_TIMESTAMP, 0, 0, NULL },
	{ "until", PT_TIMESTAMP, 0, 0, NULL },
};

/* What may change after the fact (type and contact may not). */
#define ACTIVITY_DETAILS                                                      \
	{ .name = "occurred_at", .type = FT_TIMESTAMP },                      \
	    { .name = "subject",                                              \
		    .type = FT_STRING,                                        \
		    .flags = F_NULLABLE,                                      \
		    .max = 200 },                                             \
	    { .name = "body",                                                 \
		    .type = FT_STRING,                                        \
		    .flags = F_NULLABLE,                                      \
		    .max = 20000 },                                           \
	    { .name = "direction",                                            \
		    .type = FT_ENUM,                                          \
		    .flags = F_NULLABLE,                                      \
		    .choices = directions },                                  \
	    { .name = "duration_seconds",                                     \
		    .type = FT_INT,                                           \
		    .flags = F_NULLABLE,                                      \
		    .min = 0,                                                 \
		    .max = 86400 },                                           \
	    { .name = "outcome",                                              \
		    .type = FT_ENUM,                                          \
		    .flags = F_NULLABLE,                                      \
		    .choices = outcomes },                                    \
	    { .name = "recording_url",                                        \
		    .type = FT_URL,                                           \
		    .flags = F_NULLABLE,                                      \
		    .max = 2000 },                                            \
	    { .name = "starts_at",                                            \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_NULLABLE },                                    \
	    { .name = "ends_at", .type = FT_TIMESTAMP, .flags = F_NULLABLE }, \
	    { .name = "place",                                                \
		    .type = FT_STRING,                                        \
		    .flags = F_NULLABLE,                                      \
		    .max = 200 },                                             \
	    { .name = "latitude",                                             \
		    .type = FT_NUMBER,                                        \
		    .flags = F_NULLABLE,                                      \
		    .dmin = -90,                                              \
		    .dmax = 90 },                                             \
	    { .name = "longitude",                                            \
		    .type = FT_NUMBER,                                        \
		    .flags = F_NULLABLE,                                      \
		    .dmin = -180,                                             \
		    .dmax = 180 },                                            \
	    { .name = "accuracy_m",                                           \
		    .type = FT_NUMBER,                                        \
		    .flags = F_NULLABLE,                                      \
		    .dmin = 0,                                                \
		    .dmax = 100000 },                                         \
	    { .name = "company_id", .type = FT_UUID, .flags = F_READ_ONLY },  \
	    { .name = "event", .type = FT_STRING, .flags = F_READ_ONLY },     \
	    { .name = "data", .type = FT_STRING, .flags = F_READ_ONLY },      \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "contact_id", .type = FT_UUID },
	{ .name = "type",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = writable_types },
	{ .name = "owner_id", .type = FT_UUID },
	{ .name = "phone_number",
	    .type = FT_STRING,
	    .flags = F_NULLABLE,
	    .min = 3,
	    .max = 40 },
	{ .name = "external_call_id",
	    .type = FT_STRING,
	    .flags = F_NULLABLE,
	    .max = 200 },
	ACTIVITY_DETAILS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "contact_id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "type",
	    .type = FT_ENUM,
	    .flags = F_READ_ONLY,
	    .choices = all_types },
	{ .name = "owner_id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "phone_number", .type = FT_STRING, .flags = F_READ_ONLY },
	{ .name = "external_call_id", .type = FT_STRING, .flags = F_READ_ONLY },
	ACTIVITY_DETAILS,
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("activities.list", list_params),
	API_OP_CREATE("activities.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("activities.get"),
	API_OP_PATCH("activities.update", patch_fields),
	API_OP_DELETE("activities.delete"),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/activities", collection_ops),
	ROUTE_OPS("/v1/activities/{id}", item_ops),
};

ROUTE_RESOURCE(activities_resource, routes);
