/*
 * Access tokens: HS256 JWTs issued and verified through libjwt 1.10, which
 * checks only the signature. Everything else (algorithm pinning, typ, iss,
 * aud, exp, nbf, claim types, size) is checked here.
 */
#ifndef CRM_LIB_TOKEN_H
#define CRM_LIB_TOKEN_H

#include <stddef.h>
#include <time.h>

#define TOKEN_MAX_LEN        4096
#define TOKEN_LEEWAY_SECONDS 30
#define TOKEN_TYP            "JWT" /* header typ: all libjwt 1.10 can write */
#define TOKEN_USE            "access" /* payload token_use: tells access tokens apart */

struct token_key {
	const unsigned char *secret; /* never NULL; >= 32 bytes */
	size_t len;
	const char *issuer;
	const char *audience;
};

struct token_claims {
	char sub[37]; /* user id */
	char org[37]; /* organization id */
	char role[16];
	char jti[37];
	long iat, nbf, exp;
};

/* Signs claims (sub, org, role, token_use; iat=now, nbf=now, exp=now+ttl,
 * random jti).
 * Returns a malloc'd token or NULL. */
char *token_issue(const struct token_key *, const char *sub, const char *org,
    const char *role, time_t now, long ttl_seconds);

/*
 * Verifies a compact JWT. Returns 0 and fills out, or -1 with *why set to a
 * short static reason ("expired", "bad signature", "wrong algorithm", ...).
 */
int token_verify(const struct token_key *, const char *jwt, time_t now,
    struct token_claims *out, const char **why);

/*
 * The time rules of token_verify on claims it accepted earlier: exp, nbf
 * and iat against now, each with TOKEN_LEEWAY_SECONDS. Returns NULL or
 * "expired", "not yet valid" or "issued in the future".
 */
const char *token_check_times(const struct token_claims *, time_t now);

#endif
