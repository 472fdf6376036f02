/* Route handlers (named in conf/crm.conf) and their start-up registration. */
#ifndef CRM_RESOURCES_H
#define CRM_RESOURCES_H

#include <kore/kore.h>
#include <kore/http.h>

#include "../lib/schema.h"
#include "../lib/query.h"

int ops_healthz(struct http_request *);
int ops_readyz(struct http_request *);
int ops_metrics(struct http_request *);
int ops_openapi(struct http_request *);
int ops_not_found(struct http_request *);
void ops_register(void);

int auth_login(struct http_request *);
int auth_refresh(struct http_request *);
int auth_logout(struct http_request *);
void auth_register(void);

int me_item(struct http_request *);
int me_password(struct http_request *);
void me_register(void);

int users_collection(struct http_request *);
int users_item(struct http_request *);
void users_register(void);

int teams_collection(struct http_request *);
int teams_item(struct http_request *);
int team_members_collection(struct http_request *);
int team_members_item(struct http_request *);
void teams_register(void);

int api_keys_collection(struct http_request *);
int api_keys_item(struct http_request *);
void api_keys_register(void);

int audit_collection(struct http_request *);
void audit_register(void);

int contacts_collection(struct http_request *);
int contacts_item(struct http_request *);
int contacts_timeline(struct http_request *);
int contacts_history(struct http_request *);
int contacts_merge(struct http_request *);
void contacts_register(void);

int companies_collection(struct http_request *);
int companies_item(struct http_request *);
int companies_history(struct http_request *);
void companies_register(void);

int campaigns_collection(struct http_request *);
int campaigns_item(struct http_request *);
void campaigns_register(void);

int custom_fields_collection(struct http_request *);
int custom_fields_item(struct http_request *);
void custom_fields_register(void);

int activities_collection(struct http_request *);
int activities_item(struct http_request *);
void activities_register(void);

int lookup_phone(struct http_request *);
int tags_collection(struct http_request *);
void lookup_register(void);

int pipelines_collection(struct http_request *);
int pipelines_item(struct http_request *);
int stages_collection(struct http_request *);
int stages_item(struct http_request *);
int stages_reorder(struct http_request *);
void pipelines_register(void);

int deals_collection(struct http_request *);
int deals_item(struct http_request *);
int deals_history(struct http_request *);
void deals_register(void);

int tasks_collection(struct http_request *);
int tasks_item(struct http_request *);
int agenda_get(struct http_request *);
int reminders_due(struct http_request *);
int reminders_ack(struct http_request *);
void tasks_register(void);

/* A route handler that serves an operation table. */
#define API_HANDLER(fn, ops)                                 \
	int fn(struct http_request *req)                     \
	{                                                    \
		return (api_serve(req, ops, API_NOPS(ops))); \
	}

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

#endif
