/*
 * Contacts: the people in the customer file, with their phones, e-mails,
 * consent and custom fields, owned by a user; plus their timeline, their
 * change history and merging of duplicates. Visibility, owner rules,
 * duplicate detection and folding for search all live in the SQL
 * functions; this file declares what each route accepts.
 */
#include "../http/api.h"
#include "resources.h"

static const char *const stages[] = { "lead", "prospect", "customer",
	"inactive", NULL };
static const char *const channels[] = { "sms", "email", "phone", NULL };
static const char *const sorts[] = { "created_at", "updated_at", "display_name",
	"last_name", "lead_score", NULL };
static const char *const fields[] = { "id", "first_name", "last_name",
	"display_name", "phones", "emails", "birthday", "city", "address",
	"job_title", "company_id", "company", "lifecycle_stage", "lead_source",
	"campaign_id", "lead_score", "tags", "custom_fields", "consent",
	"preferences", "notes", "owner_id", "owner", "merged_into",
	"created_at", "updated_at", "created_by", "updated_by", "version",
	NULL };
static const char *const activity_types[] = { "call", "email", "sms", "meeting",
	"note", "visit", "system", NULL };

static const struct param_spec list_params[] = {
	LIST_PARAMS,
	{ "q", PT_STRING, 0, 100, NULL },
	{ "stage", PT_ENUM, 0, 0, stages },
	{ "tag", PT_STRING, 0, 50, NULL },
	{ "owner_id", PT_UUID, 0, 0, NULL },
	{ "city", PT_STRING, 0, 100, NULL },
	{ "company_id", PT_UUID, 0, 0, NULL },
	{ "campaign_id", PT_UUID, 0, 0, NULL },
	{ "source", PT_STRING, 0, 100, NULL },
	{ "consent", PT_ENUM, 0, 0, channels },
	{ "birthday_within", PT_INT, 0, 366, NULL },
	LIST_TIME_PARAMS,
	LIST_SORT_FIELDS(sorts, fields),
};

static const struct param_spec get_params[] = {
	{ "fields", PT_FIELDS, 0, 0, fields },
};

static const struct param_spec create_params[] = {
	{ "allow_duplicate", PT_BOOL, 0, 0, NULL },
};

static const struct param_spec timeline_params[] = {
	LIST_PARAMS,
	{ "type", PT_ENUM, 0, 0, activity_types },
};

static const struct param_spec history_params[] = {
	LIST_PARAMS,
};

static const struct field_spec phone_fields[] = { PHONE_MEMBERS };

static const struct field_spec email_fields[] = {
	{ .name = "label", .type = FT_STRING, .flags = F_NULLABLE, .max = 40 },
	{ .name = "address",
	    .type = FT_EMAIL,
	    .flags = F_REQUIRED,
	    .max = 254 },
};

static const struct field_spec consent_channel[] = {
	{ .name = "granted", .type = FT_BOOL, .flags = F_REQUIRED },
	{ .name = "at", .type = FT_TIMESTAMP, .flags = F_NULLABLE },
	{ .name = "source",
	    .type = FT_STRING,
	    .flags = F_NULLABLE,
	    .max = 200 },
};

#define CONSENT(ch)                                                       \
	{                                                                 \
		.name = ch, .type = FT_OBJECT, .flags = F_NULLABLE,       \
		.sub = consent_channel, .nsub = API_NOPS(consent_channel) \
	}

static const struct field_spec consent_fields[] = {
	CONSENT("sms"),
	CONSENT("email"),
	CONSENT("phone"),
};

/* Members both create and patch accept. */
#define CONTACT_FIELDS                                                         \
	{ .name = "first_name",                                                \
		.type = FT_STRING,                                             \
		.flags = F_NULLABLE,                                           \
		.max = 100 },                                                  \
	    { .name = "last_name",                                             \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 100 },                                              \
	    { .name = "display_name",                                          \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 200 },                                              \
	    { .name = "phones",                                                \
		    .type = FT_OBJECT_ARRAY,                                   \
		    .max = 10,                                                 \
		    .sub = phone_fields,                                       \
		    .nsub = API_NOPS(phone_fields) },                          \
	    { .name = "emails",                                                \
		    .type = FT_OBJECT_ARRAY,                                   \
		    .max = 10,                                                 \
		    .sub = email_fields,                                       \
		    .nsub = API_NOPS(email_fields) },                          \
	    { .name = "birthday", .type = FT_DATE, .flags = F_NULLABLE },      \
	    { .name = "city",                                                  \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 100 },                                              \
	    { .name = "address",                                               \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 500 },                                              \
	    { .name = "job_title",                                             \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 100 },                                              \
	    { .name = "company_id", .type = FT_UUID, .flags = F_NULLABLE },    \
	    { .name = "lifecycle_stage", .type = FT_ENUM, .choices = stages }, \
	    { .name = "lead_source",                                           \
		    .type = FT_STRING,                                         \
		    .flags = F_NULLABLE,                                       \
		    .max = 100 },                                              \
	    { .name = "campaign_id", .type = FT_UUID, .flags = F_NULLABLE },   \
	    { .name = "lead_score", .type = FT_INT, .min = 0, .max = 100 },    \
	    RECORD_TAGS_CUSTOM_FIELDS,                                         \
	    { .name = "consent",                                               \
		    .type = FT_OBJECT,                                         \
		    .sub = consent_fields,                                     \
		    .nsub = API_NOPS(consent_fields) },                        \
	    { .name = "preferences",                                           \
		    .type = FT_JSON_OBJECT,                                    \
		    .max = 50,                                                 \
		    .item_max = 4096 },                                        \
	    RECORD_NOTES, { .name = "owner_id", .type = FT_UUID },             \
	    { .name = "company", .type = FT_STRING, .flags = F_READ_ONLY },    \
	    { .name = "owner", .type = FT_STRING, .flags = F_READ_ONLY },      \
	    { .name = "merged_into", .type = FT_UUID, .flags = F_READ_ONLY },  \
	    RECORD_READ_ONLY

static const struct field_spec create_fields[] = {
	{ .name = "id", .type = FT_UUID },
	CONTACT_FIELDS,
};

static const struct field_spec patch_fields[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	CONTACT_FIELDS,
};

static const struct field_spec merge_fields[] = {
	{ .name = "source_id", .type = FT_UUID, .flags = F_REQUIRED },
};

static struct api_op collection_ops[] = {
	API_OP_QUERY("contacts.list", list_params),
	API_OP_CREATE("contacts.create", create_fields, .params = create_params,
	    .nparams = API_NOPS(create_params)),
};

static struct api_op item_ops[] = {
	API_OP_QUERY("contacts.get", get_params),
	API_OP_PATCH("contacts.update", patch_fields, .params = create_params,
	    .nparams = API_NOPS(create_params)),
	API_OP_DELETE("contacts.delete"),
};

static struct api_op timeline_ops[] = {
	API_OP_QUERY("contacts.timeline", timeline_params),
};

static struct api_op history_ops[] = {
	API_OP_QUERY("contacts.history", history_params),
};

static struct api_op merge_ops[] = {
	API_OP_CREATE("contacts.merge", merge_fields),
};

static const struct route routes[] = {
	ROUTE_OPS("/v1/contacts", collection_ops),
	ROUTE_OPS("/v1/contacts/{id}", item_ops),
	ROUTE_OPS("/v1/contacts/{id}/timeline", timeline_ops),
	ROUTE_OPS("/v1/contacts/{id}/history", history_ops),
	ROUTE_OPS("/v1/contacts/{id}/merge", merge_ops),
};

ROUTE_RESOURCE(contacts_resource, routes);
