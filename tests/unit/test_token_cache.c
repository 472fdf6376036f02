#include <stdio.h>
#include <stdlib.h>

#include "token.h"
#include "token_cache.h"
#include "unit.h"

#define SECRET "0123456789abcdef0123456789abcdef"
#define NOW    1700000000L
#define SUB    "0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
#define ORG    "11111111-2222-4333-8444-555555555555"

static const struct token_key key = { (const unsigned char *)SECRET,
	sizeof(SECRET) - 1, "crm", "crm-api" };

/* Claims valid from NOW for 900 s, told apart by jti. */
static struct token_claims
claims(int n)
{
	struct token_claims c;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", SUB);
	snprintf(c.org, sizeof(c.org), "%s", ORG);
	snprintf(c.role, sizeof(c.role), "rep");
	snprintf(c.jti, sizeof(c.jti), "aaaaaaaa-bbbb-4ccc-8ddd-%012d", n);
	c.iat = c.nbf = NOW;
	c.exp = NOW + 900;
	return (c);
}

/* A token-sized string (~430 bytes) that differs from others in n. */
static void
fake_token(char *buf, size_t len, int n)
{
	size_t off;

	off = (size_t)snprintf(buf, len, "eyJhbGciOiJIUzI1NiJ9.%08d.", n);
	for (; off < 430 && off + 1 < len; off++)
		buf[off] = (char)('A' + (n + (int)off) % 26);
	buf[off] = '\0';
}

static int
same_claims(const struct token_claims *a, const struct token_claims *b)
{
	return (strcmp(a->sub, b->sub) == 0 && strcmp(a->org, b->org) == 0 &&
	    strcmp(a->role, b->role) == 0 && strcmp(a->jti, b->jti) == 0 &&
	    a->iat == b->iat && a->nbf == b->nbf && a->exp == b->exp);
}

static enum token_cache_result
get(struct token_cache *tc, const char *t, time_t now)
{
	struct token_claims c;
	const char *why;

	return (token_cache_get(tc, t, now, &c, &why));
}

static void
test_miss_then_hit(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims in, out;
	const char *why = "unset";
	char *t;

	t = token_issue(&key, SUB, ORG, "manager", NOW, 900);
	CHECK(tc != NULL && t != NULL);
	CHECK_INT_EQ(token_cache_get(tc, t, NOW, &out, &why), TOKEN_CACHE_MISS);
	CHECK(why == NULL);
	CHECK_INT_EQ(token_verify(&key, t, NOW, &in, &why), 0);
	token_cache_put(tc, t, &in);
	CHECK_INT_EQ(token_cache_count(tc), 1);

	memset(&out, 0, sizeof(out));
	why = "unset";
	CHECK_INT_EQ(token_cache_get(tc, t, NOW + 60, &out, &why),
	    TOKEN_CACHE_HIT);
	CHECK(why == NULL);
	CHECK(same_claims(&in, &out));
	CHECK_STR_EQ(out.role, "manager");
	/* Putting it again keeps one entry. */
	token_cache_put(tc, t, &in);
	CHECK_INT_EQ(token_cache_count(tc), 1);
	CHECK_INT_EQ(get(tc, t, NOW), TOKEN_CACHE_HIT);

	/* A NULL cache (out of memory) just misses; NULL out/why are fine. */
	CHECK_INT_EQ(get(NULL, t, NOW), TOKEN_CACHE_MISS);
	token_cache_put(NULL, t, &in);
	CHECK_INT_EQ(token_cache_get(tc, t, NOW, NULL, NULL), TOKEN_CACHE_HIT);
	free(t);
	token_cache_free(tc);
	token_cache_free(NULL);
}

static void
test_exact_match_only(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c = claims(1);
	char t[512], other[520];
	size_t n;

	fake_token(t, sizeof(t), 1);
	n = strlen(t);
	token_cache_put(tc, t, &c);
	CHECK_INT_EQ(get(tc, t, NOW), TOKEN_CACHE_HIT);

	/* One byte changed at the start, middle and end. */
	memcpy(other, t, n + 1);
	other[0] = 'x';
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	memcpy(other, t, n + 1);
	other[n / 2] ^= 1;
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	memcpy(other, t, n + 1);
	other[n - 1] ^= 1;
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	/* One byte longer (a trailing space, another char) or shorter. */
	snprintf(other, sizeof(other), "%s ", t);
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	snprintf(other, sizeof(other), "%sA", t);
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	memcpy(other, t, n - 1);
	other[n - 1] = '\0';
	CHECK_INT_EQ(get(tc, other, NOW), TOKEN_CACHE_MISS);
	CHECK_INT_EQ(get(tc, "", NOW), TOKEN_CACHE_MISS);
	CHECK_INT_EQ(get(tc, NULL, NOW), TOKEN_CACHE_MISS);
	/* The original is still there. */
	CHECK_INT_EQ(get(tc, t, NOW), TOKEN_CACHE_HIT);
	token_cache_free(tc);
}

static void
test_expired_is_refused_and_dropped(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c = claims(2), out;
	const char *why;
	char t[512];

	fake_token(t, sizeof(t), 2);
	token_cache_put(tc, t, &c);
	/* Leeway: still a hit at exp + 30. */
	CHECK_INT_EQ(get(tc, t, NOW + 900 + TOKEN_LEEWAY_SECONDS),
	    TOKEN_CACHE_HIT);
	why = NULL;
	CHECK_INT_EQ(token_cache_get(tc, t,
	                 NOW + 900 + TOKEN_LEEWAY_SECONDS + 1, &out, &why),
	    TOKEN_CACHE_REFUSED);
	CHECK_STR_EQ(why, "expired");
	CHECK_INT_EQ(token_cache_count(tc), 0);
	/* Dropped: even an earlier time no longer finds it. */
	CHECK_INT_EQ(get(tc, t, NOW), TOKEN_CACHE_MISS);
	token_cache_free(tc);
}

/* A real token: the reason on a hit is the one token_verify gives. */
static void
test_same_reason_as_verify(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c;
	const char *why_verify = NULL, *why_cache = NULL;
	time_t late = NOW + 900 + TOKEN_LEEWAY_SECONDS + 1;
	char *t;

	t = token_issue(&key, SUB, ORG, "rep", NOW, 900);
	CHECK_INT_EQ(token_verify(&key, t, NOW, &c, NULL), 0);
	token_cache_put(tc, t, &c);
	CHECK_INT_EQ(token_verify(&key, t, late, &c, &why_verify), -1);
	CHECK_INT_EQ(token_cache_get(tc, t, late, &c, &why_cache),
	    TOKEN_CACHE_REFUSED);
	CHECK_STR_EQ(why_cache, why_verify);
	CHECK_STR_EQ(why_cache, "expired");
	free(t);
	token_cache_free(tc);
}

static void
test_not_yet_valid_on_a_hit(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c = claims(3);
	const char *why = NULL;
	char t[512];

	fake_token(t, sizeof(t), 3);
	c.iat = NOW - 100;
	c.nbf = NOW + 100;
	token_cache_put(tc, t, &c);
	CHECK_INT_EQ(token_cache_get(tc, t, NOW, NULL, &why),
	    TOKEN_CACHE_REFUSED);
	CHECK_STR_EQ(why, "not yet valid");
	CHECK_INT_EQ(token_cache_count(tc), 0);

	/* The clock went back since it was verified: nbf, then iat. */
	c = claims(3);
	token_cache_put(tc, t, &c);
	CHECK_INT_EQ(token_cache_get(tc, t, NOW - TOKEN_LEEWAY_SECONDS - 1,
	                 NULL, &why),
	    TOKEN_CACHE_REFUSED);
	CHECK_STR_EQ(why, "not yet valid");
	c = claims(3);
	c.nbf = 0;
	token_cache_put(tc, t, &c);
	CHECK_INT_EQ(token_cache_get(tc, t, NOW - TOKEN_LEEWAY_SECONDS - 1,
	                 NULL, &why),
	    TOKEN_CACHE_REFUSED);
	CHECK_STR_EQ(why, "issued in the future");
	token_cache_free(tc);
}

static void
test_bounded(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c, out;
	char t[512];
	int i, n = 20 * TOKEN_CACHE_SLOTS, found;
	size_t most = 0;

	for (i = 0; i < n; i++) {
		fake_token(t, sizeof(t), i);
		c = claims(i);
		token_cache_put(tc, t, &c);
		if (token_cache_count(tc) > most)
			most = token_cache_count(tc);
	}
	CHECK_INT_EQ(most, TOKEN_CACHE_SLOTS);
	/* Nearly every slot ends up used. */
	CHECK(token_cache_count(tc) > TOKEN_CACHE_SLOTS * 9 / 10);
	/* The last two inserted always survive (two ways per set)... */
	for (i = n - 2; i < n; i++) {
		fake_token(t, sizeof(t), i);
		c = claims(i);
		CHECK_INT_EQ(token_cache_get(tc, t, NOW, &out, NULL),
		    TOKEN_CACHE_HIT);
		CHECK(same_claims(&c, &out));
	}
	/* ...most of the last few hundred do, and very old ones are gone. */
	found = 0;
	for (i = n - 256; i < n; i++) {
		fake_token(t, sizeof(t), i);
		found += get(tc, t, NOW) == TOKEN_CACHE_HIT;
	}
	CHECK(found > 256 * 9 / 10);
	found = 0;
	for (i = 0; i < 256; i++) {
		fake_token(t, sizeof(t), i);
		found += get(tc, t, NOW) == TOKEN_CACHE_HIT;
	}
	CHECK_INT_EQ(found, 0);
	token_cache_free(tc);
}

/* A hit makes its entry the one kept when its set fills up. */
static void
test_recently_used_is_kept(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c = claims(4);
	char keep[512], t[512];
	int i, misses = 0;

	fake_token(keep, sizeof(keep), 4);
	token_cache_put(tc, keep, &c);
	for (i = 1000; i < 1000 + 20 * TOKEN_CACHE_SLOTS; i++) {
		misses += get(tc, keep, NOW) != TOKEN_CACHE_HIT;
		fake_token(t, sizeof(t), i);
		token_cache_put(tc, t, &c);
	}
	CHECK_INT_EQ(misses, 0);
	CHECK_INT_EQ(get(tc, keep, NOW), TOKEN_CACHE_HIT);
	token_cache_free(tc);
}

static void
test_too_long_not_cached(void)
{
	struct token_cache *tc = token_cache_new();
	struct token_claims c = claims(5);
	char *big;

	big = malloc(TOKEN_MAX_LEN + 2);
	memset(big, 'A', TOKEN_MAX_LEN + 1);
	big[TOKEN_MAX_LEN + 1] = '\0';
	token_cache_put(tc, big, &c);
	CHECK_INT_EQ(token_cache_count(tc), 0);
	CHECK_INT_EQ(get(tc, big, NOW), TOKEN_CACHE_MISS);
	/* Exactly TOKEN_MAX_LEN is still kept. */
	big[TOKEN_MAX_LEN] = '\0';
	token_cache_put(tc, big, &c);
	CHECK_INT_EQ(token_cache_count(tc), 1);
	CHECK_INT_EQ(get(tc, big, NOW), TOKEN_CACHE_HIT);
	/* Its prefix is another string. */
	big[TOKEN_MAX_LEN - 1] = '\0';
	CHECK_INT_EQ(get(tc, big, NOW), TOKEN_CACHE_MISS);
	token_cache_put(tc, "", &c);
	token_cache_put(tc, NULL, &c);
	CHECK_INT_EQ(token_cache_count(tc), 1);
	free(big);
	token_cache_free(tc);
}

int
main(void)
{
	test_miss_then_hit();
	test_exact_match_only();
	test_expired_is_refused_and_dropped();
	test_same_reason_as_verify();
	test_not_yet_valid_on_a_hit();
	test_bounded();
	test_recently_used_is_kept();
	test_too_long_not_cached();
	return (UNIT_DONE());
}
