#include <string.h>
#include <time.h>

#include "../config.h"
#include "../lib/codec.h"
#include "../lib/token.h"
#include "../lib/token_cache.h"
#include "auth.h"
#include "metrics.h"

#define CHALLENGE_MISSING "Bearer realm=\"crm\""
#define CHALLENGE_INVALID "Bearer realm=\"crm\", error=\"invalid_token\""
#define API_KEY_MAX_LEN   128

static int
resolve_key(const char *key, struct principal *who)
{
	size_t len = strlen(key);

	if (len > API_KEY_MAX_LEN)
		return (-1);
	who->kind = PRINCIPAL_KEY;
	sha256_hex(key, len, who->key_hash);
	return (0);
}

/*
 * token_verify() through this worker's cache of tokens it already
 * verified: clients resend one token until it expires, and a hit skips
 * the HMAC and both JSON parses. Workers are single-threaded processes,
 * so the cache needs no lock; without memory for it, every call verifies.
 */
static int
verify_cached(const char *jwt, time_t now, struct token_claims *claims,
    const char **why)
{
	static struct token_cache *cache;

	if (cache == NULL)
		cache = token_cache_new();
	switch (token_cache_get(cache, jwt, now, claims, why)) {
	case TOKEN_CACHE_HIT:
		metrics_token_cache_hit();
		return (0);
	case TOKEN_CACHE_REFUSED: /* expired since: *why as verify says it */
		metrics_token_cache_hit();
		return (-1);
	case TOKEN_CACHE_MISS:
		break;
	}
	metrics_token_cache_miss();
	if (token_verify(&config.key, jwt, now, claims, why) != 0)
		return (-1);
	token_cache_put(cache, jwt, claims);
	return (0);
}

static int
resolve_token(const char *jwt, struct principal *who, const char **why)
{
	struct token_claims claims;

	if (verify_cached(jwt, time(NULL), &claims, why) != 0)
		return (-1);
	who->kind = PRINCIPAL_USER;
	memcpy(who->user_id, claims.sub, sizeof(who->user_id));
	memcpy(who->org_id, claims.org, sizeof(who->org_id));
	memcpy(who->role, claims.role, sizeof(who->role));
	return (0);
}

int
auth_resolve(struct http_request *req, struct principal *who, const char **why,
    const char **challenge)
{
	const char *header, *cred;

	memset(who, 0, sizeof(*who));
	*challenge = CHALLENGE_INVALID;

	if (!http_request_header(req, "authorization", &header)) {
		*why = "missing credentials";
		*challenge = CHALLENGE_MISSING;
		return (-1);
	}
	if (strncasecmp(header, "Bearer ", 7) != 0) {
		*why = "use the Bearer scheme";
		return (-1);
	}
	cred = header + 7;
	while (*cred == ' ')
		cred++;
	if (*cred == '\0') {
		*why = "missing credentials";
		return (-1);
	}
	if (strncmp(cred, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0) {
		if (resolve_key(cred, who) == 0)
			return (0);
		*why = "invalid API key";
		return (-1);
	}
	return (resolve_token(cred, who, why));
}
