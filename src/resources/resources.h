/* Route handlers (named in conf/crm.conf) and their start-up registration. */
#ifndef CRM_RESOURCES_H
#define CRM_RESOURCES_H

#include <kore/kore.h>
#include <kore/http.h>

#include "../lib/json_body.h"
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

/* Shared field and parameter choices. */
extern const char *const role_choices[];
extern const char *const scope_choices[];

#define LIST_PARAMS                                    \
	{ "limit", PT_INT, 1, QUERY_LIMIT_MAX, NULL }, \
	{                                              \
		"cursor", PT_CURSOR, 0, 0, NULL        \
	}

#endif
