/*
 * Configuration comes from the environment so the same build runs in dev,
 * tests, Docker and production; conf/dev.env and conf/test.env hold the defaults the scripts
 * export. Read in the parent, before the workers fork.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define SECRET_MIN_LEN 32
#define SECRET_MAX_LEN 4096
#define OPENAPI_MAX    (4 * 1024 * 1024)

struct crm_config config;

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return (v != NULL && *v != '\0') ? v : fallback;
}

static int
env_long(const char *name, long fallback, long min, long max, long *out)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0') {
		*out = fallback;
		return (0);
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "crm: %s must be an integer in %ld..%ld\n",
		    name, min, max);
		return (-1);
	}
	*out = n;
	return (0);
}

/* Reads a whole small file; returns a malloc'd NUL-terminated buffer. */
static char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE *fp;
	char *buf;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(fp);
		return (NULL);
	}
	n = fread(buf, 1, max + 1, fp);
	fclose(fp);
	if (n > max) {
		free(buf);
		return (NULL);
	}
	buf[n] = '\0';
	*len = n;
	return (buf);
}

static int
load_secret(void)
{
	const char *path = getenv("CRM_JWT_SECRET_FILE");
	const char *value = getenv("CRM_JWT_SECRET");
	size_t len = 0;
	char *buf = NULL;

	if (path != NULL && *path != '\0') {
		if ((buf = read_file(path, SECRET_MAX_LEN, &len)) == NULL) {
			fprintf(stderr,
			    "crm: cannot read CRM_JWT_SECRET_FILE "
			    "%s\n",
			    path);
			return (-1);
		}
		while (
		    len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
	} else if (value != NULL) {
		len = strlen(value);
		if ((buf = strdup(value)) == NULL)
			return (-1);
	}
	if (buf == NULL || len < SECRET_MIN_LEN) {
		fprintf(stderr,
		    "crm: refusing to start: the JWT secret "
		    "(CRM_JWT_SECRET or CRM_JWT_SECRET_FILE) must be at least "
		    "%d bytes\n",
		    SECRET_MIN_LEN);
		free(buf);
		return (-1);
	}
	config.secret = (unsigned char *)buf;
	config.secret_len = len;
	return (0);
}

int
config_load(void)
{
	long body_max, pool_max;
	const char *openapi;

	config.database =
	    strdup(env_or("CRM_DATABASE_URL", "dbname=crm user=crm_app"));
	config.issuer = strdup(env_or("CRM_JWT_ISSUER", "crm-api"));
	config.audience = strdup(env_or("CRM_JWT_AUDIENCE", "crm-clients"));
	if (config.database == NULL || config.issuer == NULL ||
	    config.audience == NULL)
		return (-1);

	if (env_long("CRM_ACCESS_TTL", 900, 60, 86400, &config.access_ttl) ||
	    env_long("CRM_REFRESH_TTL", 30L * 86400, 3600, 365L * 86400,
	        &config.refresh_ttl) ||
	    env_long("CRM_BODY_MAX", 1024 * 1024, 1024, 8 * 1024 * 1024,
	        &body_max) ||
	    env_long("CRM_DB_POOL", 16, 1, 500, &pool_max) ||
	    env_long("CRM_RATE_PER_MINUTE", 1200, 0, 1000000,
	        &config.rate_per_minute) ||
	    env_long("CRM_RATE_BURST", 200, 1, 100000, &config.rate_burst))
		return (-1);
	config.body_max = (size_t)body_max;
	config.pool_max = (int)pool_max;

	if (load_secret() != 0)
		return (-1);

	openapi = env_or("CRM_OPENAPI_FILE", "build/openapi.json");
	config.openapi = read_file(openapi, OPENAPI_MAX, &config.openapi_len);
	if (config.openapi == NULL) {
		fprintf(stderr, "crm: cannot read the OpenAPI document %s\n",
		    openapi);
		return (-1);
	}

	config.key.secret = config.secret;
	config.key.len = config.secret_len;
	config.key.issuer = config.issuer;
	config.key.audience = config.audience;
	return (0);
}
