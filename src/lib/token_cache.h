/*
 * A bounded cache of access tokens that token_verify() accepted, so a
 * client sending the same token on every request pays for the signature
 * and JSON parsing once. The key is the exact token string (a hit needs
 * every byte equal); the time rules are applied again on every hit.
 *
 * TOKEN_CACHE_SETS sets of TOKEN_CACHE_WAYS entries, least recently used
 * way replaced: O(1) lookups, at most TOKEN_CACHE_SLOTS tokens held. Not
 * thread-safe: one cache per process (a Kore worker is single-threaded).
 */
#ifndef CRM_LIB_TOKEN_CACHE_H
#define CRM_LIB_TOKEN_CACHE_H

#include <stddef.h>
#include <time.h>

#include "token.h"

#define TOKEN_CACHE_SETS  1024
#define TOKEN_CACHE_WAYS  2
#define TOKEN_CACHE_SLOTS (TOKEN_CACHE_SETS * TOKEN_CACHE_WAYS)

struct token_cache;

enum token_cache_result {
	TOKEN_CACHE_MISS, /* not cached: verify it */
	TOKEN_CACHE_HIT, /* cached and still valid: claims filled */
	TOKEN_CACHE_REFUSED /* cached but now outside its times: dropped */
};

/* Returns an empty cache, or NULL when out of memory. */
struct token_cache *token_cache_new(void);

/* Frees every entry and the cache itself; NULL is fine. */
void token_cache_free(struct token_cache *);

/*
 * Looks up token. On a hit the claims pass token_check_times(now) into
 * *out; when they fail, the entry is dropped and *why gets the same reason
 * token_verify would give. A NULL cache always misses.
 */
enum token_cache_result token_cache_get(struct token_cache *, const char *token,
    time_t now, struct token_claims *out, const char **why);

/*
 * Remembers a token that token_verify() has just accepted, with its
 * claims; never put anything else here. Tokens longer than TOKEN_MAX_LEN
 * are not kept, nor anything when memory runs out.
 */
void token_cache_put(struct token_cache *, const char *token,
    const struct token_claims *);

/* Tokens held now (at most TOKEN_CACHE_SLOTS). */
size_t token_cache_count(const struct token_cache *);

#endif
