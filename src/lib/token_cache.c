/*
 * Verified access tokens, 2-way set associative. The hash only picks a
 * set; a hit needs the same hash, the same length and every byte equal.
 * Only token_verify()'s successes are put here, so a client can make a
 * token miss but never make an unverified one hit. Entries are malloc'd
 * with their token inline on first use and freed when replaced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token_cache.h"

_Static_assert(TOKEN_CACHE_WAYS == 2, "a victim index is LRU for two ways");
_Static_assert((TOKEN_CACHE_SETS & (TOKEN_CACHE_SETS - 1)) == 0,
    "TOKEN_CACHE_SETS must be a power of two");

struct cached_token {
	uint64_t hash;
	size_t len;
	struct token_claims claims;
	char token[]; /* len bytes and a NUL */
};

struct cache_set {
	struct cached_token *way[TOKEN_CACHE_WAYS];
	unsigned victim; /* the way used least recently: replaced next */
};

struct token_cache {
	struct cache_set sets[TOKEN_CACHE_SETS];
	size_t count;
};

struct token_cache *
token_cache_new(void)
{
	return (calloc(1, sizeof(struct token_cache)));
}

void
token_cache_free(struct token_cache *tc)
{
	size_t s, w;

	if (tc == NULL)
		return;
	for (s = 0; s < TOKEN_CACHE_SETS; s++)
		for (w = 0; w < TOKEN_CACHE_WAYS; w++)
			free(tc->sets[s].way[w]);
	free(tc);
}

size_t
token_cache_count(const struct token_cache *tc)
{
	return (tc == NULL ? 0 : tc->count);
}

/*
 * Eight bytes a step (a bytewise hash costs more than the rest of a hit on
 * a 430-byte token), then a murmur3 finaliser so the low bits that pick
 * the set depend on every word.
 */
static uint64_t
token_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h ^= w;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (h);
}

/* 0 for a string that is never cached: empty, NULL or too long. */
static size_t
cacheable_len(const char *token)
{
	size_t len;

	if (token == NULL)
		return (0);
	len = strnlen(token, TOKEN_MAX_LEN + 1);
	return (len > TOKEN_MAX_LEN ? 0 : len);
}

/*
 * The way holding exactly this token, or -1. Comparing the hash first
 * also means the early-exit memcmp only ever runs against a token whose
 * 64-bit hash the caller already matched, so its timing cannot be used to
 * guess another client's token byte by byte.
 */
static int
find_way(const struct cache_set *set, uint64_t hash, const char *token,
    size_t len)
{
	const struct cached_token *e;
	int w;

	for (w = 0; w < TOKEN_CACHE_WAYS; w++) {
		e = set->way[w];
		if (e != NULL && e->hash == hash && e->len == len &&
		    memcmp(e->token, token, len) == 0)
			return (w);
	}
	return (-1);
}

static void
mark_used(struct cache_set *set, int w)
{
	set->victim = (unsigned)(w ^ 1);
}

static void
drop_way(struct token_cache *tc, struct cache_set *set, int w)
{
	free(set->way[w]);
	set->way[w] = NULL;
	tc->count--;
	set->victim = (unsigned)w; /* refill the empty way first */
}

enum token_cache_result
token_cache_get(struct token_cache *tc, const char *token, time_t now,
    struct token_claims *out, const char **why)
{
	struct cache_set *set;
	const char *bad;
	uint64_t hash;
	size_t len;
	int w;

	if (why != NULL)
		*why = NULL;
	if (tc == NULL || (len = cacheable_len(token)) == 0)
		return (TOKEN_CACHE_MISS);
	hash = token_hash(token, len);
	set = &tc->sets[hash & (TOKEN_CACHE_SETS - 1)];
	if ((w = find_way(set, hash, token, len)) == -1)
		return (TOKEN_CACHE_MISS);
	/* The same rules as token_verify, with the time of this request. */
	if ((bad = token_check_times(&set->way[w]->claims, now)) != NULL) {
		drop_way(tc, set, w);
		if (why != NULL)
			*why = bad;
		return (TOKEN_CACHE_REFUSED);
	}
	if (out != NULL)
		*out = set->way[w]->claims;
	mark_used(set, w);
	return (TOKEN_CACHE_HIT);
}

static struct cached_token *
new_entry(const char *token, size_t len, uint64_t hash,
    const struct token_claims *claims)
{
	struct cached_token *e;

	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		return (NULL);
	e->hash = hash;
	e->len = len;
	e->claims = *claims;
	memcpy(e->token, token, len);
	e->token[len] = '\0';
	return (e);
}

void
token_cache_put(struct token_cache *tc, const char *token,
    const struct token_claims *claims)
{
	struct cached_token *e;
	struct cache_set *set;
	uint64_t hash;
	size_t len;
	int w;

	if (tc == NULL || claims == NULL || (len = cacheable_len(token)) == 0)
		return;
	hash = token_hash(token, len);
	set = &tc->sets[hash & (TOKEN_CACHE_SETS - 1)];
	if ((w = find_way(set, hash, token, len)) != -1) {
		set->way[w]->claims = *claims;
		mark_used(set, w);
		return;
	}
	if ((e = new_entry(token, len, hash, claims)) == NULL)
		return;
	w = (int)set->victim;
	if (set->way[w] != NULL)
		drop_way(tc, set, w);
	set->way[w] = e;
	tc->count++;
	mark_used(set, w);
}
