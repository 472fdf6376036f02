/* Settings from the environment (see conf/dev.env and conf/test.env), read once at start-up. */
#ifndef CRM_CONFIG_H
#define CRM_CONFIG_H

#include <stddef.h>

#include "lib/token.h"

struct crm_config {
	char *database; /* libpq conninfo */
	unsigned char *secret; /* JWT HMAC secret */
	size_t secret_len;
	char *issuer;
	char *audience;
	long access_ttl; /* seconds */
	long refresh_ttl; /* seconds */
	size_t body_max; /* bytes; larger bodies get 413 */
	int pool_max; /* pgsql_conn_max per worker */
	long rate_per_minute; /* per caller, all workers; 0: no limit */
	long rate_burst;
	char *openapi; /* the served OpenAPI document (JSON) */
	size_t openapi_len;
	struct token_key key;
};

extern struct crm_config config;

/* Loads and checks the settings; returns 0, or -1 after logging why. */
int config_load(void);

#endif
