#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec.h"
#include "token.h"
#include "unit.h"

#define SECRET "0123456789abcdef0123456789abcdef"
#define NOW    1700000000L
#define SUB    "0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
#define ORG    "11111111-2222-4333-8444-555555555555"
#define JTI    "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
#define HDR    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static const struct token_key key = { (const unsigned char *)SECRET,
	sizeof(SECRET) - 1, "crm", "crm-api" };

enum sig { SIG_NONE, SIG_EMPTY, SIG_256, SIG_384, SIG_512 };

/* Builds header.payload.signature from raw JSON, signed as asked. */
static char *
forge(const char *hdr, const char *payload, enum sig sig)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	const EVP_MD *md = NULL;
	size_t hl, pl, n;
	char *t;

	hl = strlen(hdr);
	pl = strlen(payload);
	if ((t = malloc(2 * (hl + pl) + 256)) == NULL)
		abort();
	b64url_encode((const unsigned char *)hdr, hl, t);
	n = strlen(t);
	t[n++] = '.';
	b64url_encode((const unsigned char *)payload, pl, t + n);
	n = strlen(t);
	if (sig == SIG_256)
		md = EVP_sha256();
	else if (sig == SIG_384)
		md = EVP_sha384();
	else if (sig == SIG_512)
		md = EVP_sha512();
	if (md != NULL)
		HMAC(md, SECRET, sizeof(SECRET) - 1, (unsigned char *)t, n, mac,
		    &maclen);
	if (sig == SIG_NONE)
		return (t);
	t[n++] = '.';
	b64url_encode(mac, maclen, t + n);
	return (t);
}

/* A payload with every claim valid at NOW, with one member replaced. */
static void
payload(char *buf, size_t len, const char *name, const char *raw)
{
	static const struct {
		const char *name, *val;
	} c[] = {
		{ "iss", "\"crm\"" },
		{ "aud", "\"crm-api\"" },
		{ "sub", "\"" SUB "\"" },
		{ "org", "\"" ORG "\"" },
		{ "role", "\"rep\"" },
		{ "jti", "\"" JTI "\"" },
		{ "iat", "1700000000" },
		{ "nbf", "1700000000" },
		{ "exp", "1700000900" },
		{ "token_use", "\"access\"" },
	};
	size_t i, off;
	int n;

	off = 0;
	buf[off++] = '{';
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *v = c[i].val;

		if (name != NULL && strcmp(name, c[i].name) == 0) {
			if (raw == NULL)
				continue; /* claim removed */
			v = raw;
		}
		n = snprintf(buf + off, len - off, "%s\"%s\":%s",
		    off > 1 ? "," : "", c[i].name, v);
		off += (size_t)n;
	}
	snprintf(buf + off, len - off, "}");
}

static void
expect_fail(const char *tok, time_t now, const char *reason)
{
	struct token_claims c;
	const char *why = NULL;

	CHECK_INT_EQ(token_verify(&key, tok, now, &c, &why), -1);
	CHECK_STR_EQ(why, reason);
}

static void
forged_fail(const char *hdr, const char *name, const char *raw, enum sig sig,
    const char *reason)
{
	char p[1024];
	char *t;

	payload(p, sizeof(p), name, raw);
	t = forge(hdr, p, sig);
	expect_fail(t, NOW, reason);
	free(t);
}

static void
test_roundtrip(void)
{
	struct token_claims c;
	const char *why = "unset";
	char *t, *t2;
	char p[1024];

	t = token_issue(&key, SUB, ORG, "manager", NOW, 900);
	CHECK(t != NULL);
	CHECK_INT_EQ(token_verify(&key, t, NOW, &c, &why), 0);
	CHECK(why == NULL);
	CHECK_STR_EQ(c.sub, SUB);
	CHECK_STR_EQ(c.org, ORG);
	CHECK_STR_EQ(c.role, "manager");
	CHECK_INT_EQ(strlen(c.jti), 36);
	CHECK_INT_EQ(c.iat, NOW);
	CHECK_INT_EQ(c.nbf, NOW);
	CHECK_INT_EQ(c.exp, NOW + 900);

	/* Leeway: accepted up to exp + 30, expired after. */
	CHECK_INT_EQ(token_verify(&key, t, NOW + 900 + TOKEN_LEEWAY_SECONDS, &c,
	                 &why),
	    0);
	expect_fail(t, NOW + 900 + TOKEN_LEEWAY_SECONDS + 1, "expired");
	/* nbf within leeway is fine, beyond it is not. */
	CHECK_INT_EQ(token_verify(&key, t, NOW - TOKEN_LEEWAY_SECONDS, &c,
	                 &why),
	    0);
	expect_fail(t, NOW - TOKEN_LEEWAY_SECONDS - 1, "not yet valid");

	/* Each issue gets a fresh jti. */
	t2 = token_issue(&key, SUB, ORG, "manager", NOW, 900);
	CHECK(t2 != NULL && strcmp(t, t2) != 0);
	free(t2);
	free(t);

	/* Our own forge with the same claims is accepted (sanity). */
	payload(p, sizeof(p), NULL, NULL);
	t = forge(HDR, p, SIG_256);
	CHECK_INT_EQ(token_verify(&key, t, NOW, &c, &why), 0);
	CHECK_STR_EQ(c.jti, JTI);
	free(t);
}

static void
test_issue_refuses(void)
{
	struct token_key k = key;

	CHECK(token_issue(&key, "nope", ORG, "rep", NOW, 900) == NULL);
	CHECK(token_issue(&key, SUB, ORG, "root", NOW, 900) == NULL);
	CHECK(token_issue(&key, SUB, ORG, "rep", NOW, 0) == NULL);
	k.len = 31;
	CHECK(token_issue(&k, SUB, ORG, "rep", NOW, 900) == NULL);
	k.secret = NULL;
	k.len = 32;
	CHECK(token_issue(&k, SUB, ORG, "rep", NOW, 900) == NULL);
}

static void
test_keys(void)
{
	struct token_key k = key;
	const char *why;
	char *t;

	t = token_issue(&key, SUB, ORG, "rep", NOW, 900);
	k.len = 31;
	CHECK_INT_EQ(token_verify(&k, t, NOW, NULL, &why), -1);
	CHECK_STR_EQ(why, "bad key");
	k.secret = NULL;
	k.len = 32;
	CHECK_INT_EQ(token_verify(&k, t, NOW, NULL, &why), -1);
	CHECK_INT_EQ(token_verify(NULL, t, NOW, NULL, &why), -1);
	/* Another secret of good length: signature fails. */
	k.secret = (const unsigned char *)"ffffffffffffffffffffffffffffffff";
	CHECK_INT_EQ(token_verify(&k, t, NOW, NULL, &why), -1);
	CHECK_STR_EQ(why, "bad signature");
	free(t);
}

static void
test_algorithms(void)
{
	/* alg none, unsigned: "h.p." and "h.p", and with a signature. */
	forged_fail("{\"alg\":\"none\",\"typ\":\"JWT\"}", NULL, NULL, SIG_EMPTY,
	    "malformed token");
	forged_fail("{\"alg\":\"none\",\"typ\":\"JWT\"}", NULL, NULL, SIG_NONE,
	    "malformed token");
	forged_fail("{\"alg\":\"none\",\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"None\",\"typ\":\"JWT\"}", NULL, NULL, SIG_EMPTY,
	    "malformed token");
	forged_fail("{\"alg\":\"None\",\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"NONE\",\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", NULL, NULL, SIG_384,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", NULL, NULL, SIG_512,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	forged_fail("{\"alg\":256,\"typ\":\"JWT\"}", NULL, NULL, SIG_256,
	    "wrong algorithm");
	/* HS256 header but an HS512 signature: length/signature mismatch. */
	forged_fail(HDR, NULL, NULL, SIG_512, "bad signature");
	/* Duplicate alg: libjwt would read the last one. */
	forged_fail("{\"alg\":\"HS256\",\"alg\":\"none\",\"typ\":\"JWT\"}",
	    NULL, NULL, SIG_256, "malformed header");
	forged_fail("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"x\"]}",
	    NULL, NULL, SIG_256, "unsupported critical header");
	forged_fail("[\"HS256\"]", NULL, NULL, SIG_256, "malformed header");
	forged_fail("not json", NULL, NULL, SIG_256, "malformed header");
}

static void
test_typ(void)
{
	forged_fail("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", NULL, NULL,
	    SIG_256, "wrong type");
	forged_fail("{\"alg\":\"HS256\"}", NULL, NULL, SIG_256, "wrong type");
	forged_fail("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", NULL, NULL, SIG_256,
	    "wrong type");
	/* Same key, same header, but not an access token. */
	forged_fail(HDR, "token_use", "\"refresh\"", SIG_256,
	    "wrong token use");
	forged_fail(HDR, "token_use", NULL, SIG_256, "wrong token use");
}

static void
test_signature(void)
{
	char *t;
	size_t n;

	t = token_issue(&key, SUB, ORG, "rep", NOW, 900);
	n = strlen(t);
	/* Middle of the signature: a real bit flip. */
	t[n - 10] = t[n - 10] == 'A' ? 'B' : 'A';
	expect_fail(t, NOW, "bad signature");
	free(t);

	/* Last char of a 32-byte MAC carries 2 unused bits: non-canonical. */
	t = token_issue(&key, SUB, ORG, "rep", NOW, 900);
	n = strlen(t);
	{
		static const char a[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_";
		int v = (int)(strchr(a, t[n - 1]) - a);

		CHECK((v & 3) == 0);
		t[n - 1] = a[v ^ 1];
	}
	expect_fail(t, NOW, "bad signature");
	free(t);

	/* Payload swapped under the original signature. */
	{
		char p[1024], *good, *evil, *dot2, *mix;
		size_t off;

		payload(p, sizeof(p), NULL, NULL);
		good = forge(HDR, p, SIG_256);
		payload(p, sizeof(p), "role", "\"admin\"");
		evil = forge(HDR, p, SIG_NONE);
		dot2 = strrchr(good, '.');
		off = strlen(evil);
		mix = malloc(off + strlen(dot2) + 1);
		memcpy(mix, evil, off);
		strcpy(mix + off, dot2);
		expect_fail(mix, NOW, "bad signature");
		free(mix);
		free(evil);
		free(good);
	}
}

static void
test_claims(void)
{
	forged_fail(HDR, "exp", NULL, SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "\"1700000900\"", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "1700000900.0", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "1.7e9", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "true", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "null", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "-1", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "99999999999999", SIG_256, "bad time claim");
	forged_fail(HDR, "exp", "1699999969", SIG_256, "expired");
	forged_fail(HDR, "nbf", "\"1700000000\"", SIG_256, "bad time claim");
	forged_fail(HDR, "nbf", "1700000031", SIG_256, "not yet valid");
	forged_fail(HDR, "iat", "1700000000.5", SIG_256, "bad time claim");
	forged_fail(HDR, "iat", "1700000031", SIG_256, "issued in the future");

	forged_fail(HDR, "aud", "\"other\"", SIG_256, "wrong audience");
	forged_fail(HDR, "aud", "[\"crm-api\"]", SIG_256, "wrong audience");
	forged_fail(HDR, "aud", NULL, SIG_256, "wrong audience");
	forged_fail(HDR, "aud", "\"crm-api \"", SIG_256, "wrong audience");
	forged_fail(HDR, "iss", "\"evil\"", SIG_256, "wrong issuer");
	forged_fail(HDR, "iss", NULL, SIG_256, "wrong issuer");
	forged_fail(HDR, "iss", "1", SIG_256, "wrong issuer");

	forged_fail(HDR, "sub", "1", SIG_256, "bad subject");
	forged_fail(HDR, "sub", NULL, SIG_256, "bad subject");
	forged_fail(HDR, "sub", "\"0E8F5C3A-1B2C-4D5E-8F90-A1B2C3D4E5F6\"",
	    SIG_256, "bad subject");
	forged_fail(HDR, "sub", "\"0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6x\"",
	    SIG_256, "bad subject");
	forged_fail(HDR, "org", "\"me\"", SIG_256, "bad organization");
	forged_fail(HDR, "org", "[]", SIG_256, "bad organization");
	forged_fail(HDR, "role", "\"superuser\"", SIG_256, "bad role");
	forged_fail(HDR, "role", "\"Admin\"", SIG_256, "bad role");
	forged_fail(HDR, "role", "1", SIG_256, "bad role");
	forged_fail(HDR, "role", "\"administrator-of-everything\"", SIG_256,
	    "bad role");
	forged_fail(HDR, "jti", NULL, SIG_256, "bad token id");
	forged_fail(HDR, "jti", "42", SIG_256, "bad token id");

	/* Payload that is not an object, or has duplicate claims. */
	{
		char *t;

		t = forge(HDR, "[1,2]", SIG_256);
		expect_fail(t, NOW, "malformed payload");
		free(t);
		t = forge(HDR, "{\"iss\":\"crm\",\"iss\":\"crm\"}", SIG_256);
		expect_fail(t, NOW, "malformed payload");
		free(t);
	}
}

static void
test_shape(void)
{
	char *t, *big;
	char buf[2048];
	size_t n;

	expect_fail(NULL, NOW, "missing token");
	expect_fail("", NOW, "missing token");
	expect_fail("abc", NOW, "malformed token");
	expect_fail("abc.def", NOW, "malformed token");
	expect_fail("abc.def.ghi.jkl", NOW, "malformed token");
	expect_fail("..", NOW, "malformed token");
	expect_fail("abc..ghi", NOW, "malformed token");
	expect_fail(".def.ghi", NOW, "malformed token");
	expect_fail("abc.def.", NOW, "malformed token");
	expect_fail("abc.d+f.ghi", NOW, "malformed token");
	expect_fail("abc.def.gh=", NOW, "malformed token");
	expect_fail("abc.def.ghi ", NOW, "malformed token");
	expect_fail(" abc.def.ghi", NOW, "malformed token");
	expect_fail("abcde.def.ghi", NOW, "malformed token");

	t = token_issue(&key, SUB, ORG, "rep", NOW, 900);
	n = strlen(t);
	/* 4 segments: a valid token with one more appended. */
	snprintf(buf, sizeof(buf), "%s.abcd", t);
	expect_fail(buf, NOW, "malformed token");
	/* Padding on the signature. */
	snprintf(buf, sizeof(buf), "%s=", t);
	expect_fail(buf, NOW, "malformed token");
	/* Whitespace and Bearer-prefix leftovers. */
	snprintf(buf, sizeof(buf), "%s\n", t);
	expect_fail(buf, NOW, "malformed token");
	free(t);
	CHECK(n < TOKEN_MAX_LEN);

	/* Over 4 KB, otherwise well-formed. */
	big = malloc(TOKEN_MAX_LEN + 64);
	memset(big, 'A', TOKEN_MAX_LEN + 10);
	big[10] = '.';
	big[20] = '.';
	big[TOKEN_MAX_LEN + 10] = '\0';
	expect_fail(big, NOW, "token too long");
	free(big);
}

static void
test_check_times(void)
{
	struct token_claims c;
	const long L = TOKEN_LEEWAY_SECONDS;

	memset(&c, 0, sizeof(c));
	c.iat = c.nbf = NOW;
	c.exp = NOW + 900;
	CHECK(token_check_times(&c, NOW) == NULL);
	CHECK(token_check_times(&c, NOW + 900 + L) == NULL);
	CHECK_STR_EQ(token_check_times(&c, NOW + 900 + L + 1), "expired");
	CHECK(token_check_times(&c, NOW - L) == NULL);
	CHECK_STR_EQ(token_check_times(&c, NOW - L - 1), "not yet valid");
	/* nbf absent (0): iat is checked on its own. */
	c.nbf = 0;
	CHECK_STR_EQ(token_check_times(&c, NOW - L - 1),
	    "issued in the future");
	/* Expiry is reported first. */
	c.nbf = c.iat = NOW + 10000;
	CHECK_STR_EQ(token_check_times(&c, NOW + 900 + L + 1), "expired");
	/* Extreme values do not overflow. */
	memset(&c, 0, sizeof(c));
	c.exp = 253402300799L;
	CHECK(token_check_times(&c, 0) == NULL);
	CHECK(token_check_times(&c, (time_t)253402300799LL) == NULL);
	c.exp = 0;
	CHECK(token_check_times(&c, L) == NULL);
	CHECK_STR_EQ(token_check_times(&c, L + 1), "expired");
}

int
main(void)
{
	test_roundtrip();
	test_issue_refuses();
	test_keys();
	test_algorithms();
	test_typ();
	test_signature();
	test_claims();
	test_shape();
	test_check_times();
	return (UNIT_DONE());
}
