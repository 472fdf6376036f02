/*
 * Tasks and calendar events, a user's agenda, and the reminders a push or
 * SMS integration delivers (GET due, then ack each exactly once).
 */
#include "../http/api.h"
#include "resources.h"

static const char *const kinds[] = { "call", "meeting", "follow_up", "todo",
	"event", NULL };
static const char *const statuses[] = { "open", "done", "cancelled", NULL };
static const char *const sorts[] = { "due_at", "created_at", "updated_at",
	NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "assignee_id", PT_UUID, 0, 0, NULL },
	{ "status", PT_ENUM, 0, 0, statuses },
	{ "kind", PT_ENUM, 0, 0, kinds },
	{ "overdue", PT_BOOL, 0, 0, NULL },
	{ "due_from", PT_TIMESTAMP, 0, 0, NULL },
	{ "due_to", PT_TIMESTAMP, 0, 0, NULL },
	{ "contact_id", PT_UUID, 0, 0, NULL },
	{ "company_id", PT_UUID, 0, 0, NULL },
	{ "deal_id", PT_UUID, 0, 0, NULL },
	{ "sort", PT_SORT, 0, 0, sorts },
};

static const struct param_spec agenda_params[] = {
	{ "from", PT_TIMESTAMP, 0, 0, NULL },
	{ "to", PT_TIMESTAMP, 0, 0, NULL },
	{ "user_id", PT_UUID, 0, 0, NULL },
};

static const struct param_spec due_params[] = {
	{ "limit", PT_INT, 1, QUERY_LIMIT_MAX, NULL },
};

#define TASK_FIELDS                                                           \
	RECORD_NOTES,                                                         \
	    { .name = "due_at", .type = FT_TIMESTAMP, .flags = F_NULLABLE },  \
	    { .name = "starts_at",                                            \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_NULLABLE },                                    \
	    { .name = "ends_at", .type = FT_TIMESTAMP, .flags = F_NULLABLE }, \
	    { .name = "all_day", .type = FT_BOOL },                           \
	    { .name = "assignee_id", .type = FT_UUID },                       \
	    { .name = "contact_id", .type = FT_UUID, .flags = F_NULLABLE },   \
	    { .name = "company_id", .type = FT_UUID, .flags = F_NULLABLE },   \
	    { .name = "deal_id", .type = FT_UUID, .flags = F_NULLABLE },      \
	    { .name = "reminder_at",                                          \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_NULLABLE },                                    \
	    { .name = "status", .type = FT_ENUM, .choices = statuses },       \
	    { .name = "assignee", .type = FT_STRING, .flags = F_READ_ONLY },  \
	    { .name = "reminder_delivered_at",                                \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_READ_ONLY },                                   \
	    { .name = "completed_at",                                         \
		    .type = FT_TIMESTAMP,                                     \
		    .flags = F_READ_ONLY },                                   \
	    { .name = "overdue", .type = FT_BOOL, .flags = F_READ_ONLY },     \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "title",
	    .type = FT_STRING,
	    .flags = F_REQUIRED,
	    .min = 1,
	    .max = 200 },
	{ .name = "kind",
	    .type = FT_ENUM,
	    .flags = F_REQUIRED,
	    .choices = kinds },
	TASK_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "title", .type = FT_STRING, .min = 1, .max = 200 },
	{ .name = "kind", .type = FT_ENUM, .choices = kinds },
	TASK_FIELDS,
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("tasks.list", list_params),
	API_OP_CREATE("tasks.create", create_fields),
};

static struct api_op item_ops[] = {
	API_OP_GET("tasks.get"),
	API_OP_PATCH("tasks.update", patch_fields),
	API_OP_DELETE("tasks.delete"),
};

static struct api_op agenda_ops[] = {
	API_OP_QUERY("agenda.get", agenda_params, .sql = "api.agenda"),
};

static struct api_op due_ops[] = {
	API_OP_QUERY("reminders.due", due_params),
};

static struct api_op ack_ops[] = {
	{ .method = HTTP_METHOD_POST, .name = "reminders.ack", .auth = 1 },
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/tasks", collection_ops),
	ROUTE_OPS("/v1/tasks/{id}", item_ops),
	ROUTE_OPS("/v1/agenda", agenda_ops),
	ROUTE_OPS("/v1/reminders/due", due_ops),
	ROUTE_OPS("/v1/reminders/{id}/ack", ack_ops),
};

ROUTE_RESOURCE(tasks_resource, routes);
