/*
 * Tickets: a customer's problem from first contact to its resolution, with
 * the SLA clocks of the policy it was opened under, the conversation
 * (public replies and internal notes) and the customer's ratings. Numbers,
 * transitions, clocks and breach flags live in the SQL functions; this
 * file declares what each route accepts.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const statuses[] = { "new", "open", "pending", "resolved",
	"closed", NULL };
static const char *const create_statuses[] = { "new", "open", "pending", NULL };
static const char *const channels[] = { "phone", "email", "sms", "web",
	"social", "in_person", "api", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent",
	NULL };
static const char *const types[] = { "question", "problem", "incident",
	"request", NULL };
static const char *const breaches[] = { "first_response", "resolution", NULL };
static const char *const kinds[] = { "reply", "note", NULL };
static const char *const sorts[] = { "created_at", "updated_at", "number",
	"priority", "due_at", NULL };
static const char *const fields[] = { "id", "number", "subject", "description",
	"contact_id", "contact", "company_id", "deal_id", "channel", "status",
	"priority", "type", "assignee_id", "assignee", "team_id", "tags",
	"custom_fields", "external_id", "sla", "first_response_at",
	"resolved_at", "closed_at", "reopen_count", "created_at", "updated_at",
	"created_by", "updated_by", "version", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	/* Several statuses as a comma list: status=new,open. */
	{ "status", PT_FIELDS, 0, 0, statuses },
	{ "priority", PT_ENUM, 0, 0, priorities },
	{ "assignee_id", PT_UUID, 0, 0, NULL },
	{ "team_id", PT_UUID, 0, 0, NULL },
	{ "contact_id", PT_UUID, 0, 0, NULL },
	{ "company_id", PT_UUID, 0, 0, NULL },
	{ "channel", PT_ENUM, 0, 0, channels },
	{ "type", PT_ENUM, 0, 0, types },
	{ "tag", PT_STRING, 0, 50, NULL },
	{ "breached", PT_ENUM, 0, 0, breaches },
	{ "due_before", PT_TIMESTAMP, 0, 0, NULL },
	{ "created_from", PT_TIMESTAMP, 0, 0, NULL },
	{ "created_to", PT_TIMESTAMP, 0, 0, NULL },
	{ "resolved_from", PT_TIMESTAMP, 0, 0, NULL },
	{ "resolved_to", PT_TIMESTAMP, 0, 0, NULL },
	LIST_SORT_FIELDS(sorts, fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, fields },
};

static const struct param_spec page_params[] = {
	LIST_PARAMS,
};

/* Members both create and patch accept, and those only answered. */
#define TICKET_FIELDS                                                         \
	{ .name = "description",                                              \
		.type = FT_STRING,                                            \
		.flags = F_NULLABLE,                                          \
		.max = 100000 },                                              \
	    { .name = "company_id", .type = FT_UUID, .flags = F_NULLABLE },   \
	    { .name = "deal_id", .type = FT_UUID, .flags = F_NULLABLE },      \
	    { .name = "channel", .type = FT_ENUM, .choices = channels },      \
	    { .name = "priority", .type = FT_ENUM, .choices = priorities },   \
	    { .name = "type",                                                 \
		    .type = FT_ENUM,                                          \
		    .flags = F_NULLABLE,                                      \
		    .choices = types },                                       \
	    { .name = "assignee_id", .type = FT_UUID },                       \
	    { .name = "team_id", .type = FT_UUID, .flags = F_NULLABLE },      \
	    RECORD_TAGS_CUSTOM_FIELDS,                                        \
	    { .name = "external_id",                                          \
		    .type = FT_STRING,                                        \
		    .flags = F_NULLABLE,                                      \
		    .min = 1,                                                 \
		    .max = 200 },                                             \
	    { .name = "number", .type = FT_STRING, .flags = F_READ_ONLY },    \
	    { .name = "contact", .type = FT_STRING, .flags = F_READ_ONLY },   \
	    { .name = "assignee", .type = FT_STRING, .flags = F_READ_ONLY },  \
	    { .name = "sla", .type = FT_STRING, .flags = F_READ_ONLY },       \
	    { .name = "first_response_at",                                    \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_READ_ONLY },                                   \
	    { .name = "resolved_at",                                          \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_READ_ONLY },                                   \
	    { .name = "closed_at",                                            \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_READ_ONLY },                                   \
	    { .name = "reopen_count", .type = FT_INT, .flags = F_READ_ONLY }, \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "subject",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 500 },
	{ .name = "status", .type = FT_ENUM, .choices = create_statuses },
	{ .name = "contact_id", .type = FT_UUID, .flags = F_REQUIRED },
	TICKET_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "subject", .type = FT_STRING, .min = 1, .max = 500 },
	{ .name = "status", .type = FT_ENUM, .choices = statuses },
	{ .name = "contact_id", .type = FT_UUID },
	TICKET_FIELDS,
};

/* Attachments are links to files kept elsewhere. */
static const struct field_spec attachment_fields[] = {
	{ .name = "url", .type = FT_URL, .flags = F_REQUIRED, .max = 2000 },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 255 },
	{ .name = "content_type", .type = FT_STRING, .min = 3, .max = 255 },
	{ .name = "size", .type = FT_INT, .min = 0, .max = 999999999999999LL },
};

static const struct field_spec comment_fields[] = {
	{ .name = "kind",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = kinds },
	{ .name = "body",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 100000 },
	{ .name = "attachments",
	    .type = FT_OBJECT_ARRAY,
	    .max = 20,
	    .sub = attachment_fields,
	    .nsub = API_NOPS(attachment_fields) },
	/* The customer's message, posted by an integration. */
	{ .name = "author_contact_id", .type = FT_UUID },
};

static const struct field_spec rating_fields[] = {
	{ .name = "rating",
	    .type = FT_INT,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 5 },
	{ .name = "comment",
	    .type = FT_STRING,
	    .flags = F_NULLABLE,
	    .max = 10000 },
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("tickets.list", list_params),
	API_OP_CREATE("tickets.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("tickets.get", get_params),
	API_OP_PATCH("tickets.update", patch_fields),
	API_OP_DELETE("tickets.delete"),
};

static struct api_op comment_ops[] = {
	API_OP_QUERY("tickets.comments", page_params),
	API_OP_CREATE("tickets.comments_create", comment_fields),
};

static struct api_op satisfaction_ops[] = {
	API_OP_GET("tickets.ratings"),
	API_OP_CREATE("tickets.satisfaction", rating_fields),
};

static struct api_op history_ops[] = {
	API_OP_QUERY("tickets.history", page_params),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/tickets", collection_ops),
	ROUTE_OPS("/v1/tickets/{id}", item_ops),
	ROUTE_OPS("/v1/tickets/{id}/comments", comment_ops),
	ROUTE_OPS("/v1/tickets/{id}/satisfaction", satisfaction_ops),
	ROUTE_OPS("/v1/tickets/{id}/history", history_ops),
};

ROUTE_RESOURCE(tickets_resource, routes);
