/*
 * HS256 access tokens through libjwt 1.10, which checks only the
 * signature and would take the algorithm from the token itself. So before
 * libjwt sees a token we check its size and shape and parse its header
 * ourselves with alg pinned to "HS256" and typ exact; libjwt then checks
 * the signature with our key (never NULL), jwt_get_alg() must say HS256
 * again, and every claim is checked from the authenticated payload with
 * JSON types enforced (5, "5" and 5.0 are different things).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>

#include "codec.h"
#include "format.h"
#include "token.h"

#define TOKEN_MIN_SECRET 32
/* 9999-12-31T23:59:59Z: later NumericDates are refused, not wrapped. */
#define TOKEN_MAX_TIME 253402300799LL
#define B64URL_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static const char *const token_roles[] = { "admin", "manager", "rep", NULL };

static int key_ok(const struct token_key *);
static int uuid_ok(const char *);
static int role_ok(const char *);
static int split(const char *, size_t[3]);
static json_t *segment_json(const char *, size_t);
static const char *check_header(const char *, size_t);
static const char *check_claims(const struct token_key *, json_t *, time_t,
    struct token_claims *);
static int int_claim(json_t *, const char *, int, long *);
static int str_claim(json_t *, const char *, char *, size_t);

static int
key_ok(const struct token_key *key)
{
	return (key != NULL && key->secret != NULL &&
	    key->len >= TOKEN_MIN_SECRET && key->len <= 4096 &&
	    key->issuer != NULL && key->audience != NULL);
}

/* Canonical: lower-case, as PostgreSQL prints uuids. */
static int
uuid_ok(const char *s)
{
	size_t i;

	if (s == NULL || !format_uuid(s, strlen(s)))
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			return (0);
	return (1);
}

static int
role_ok(const char *s)
{
	return (s != NULL && format_choice(token_roles, s, strlen(s)));
}

char *
token_issue(const struct token_key *key, const char *sub, const char *org,
    const char *role, time_t now, long ttl_seconds)
{
	jwt_t *jwt = NULL;
	char *out = NULL;
	char jti[37];

	if (!key_ok(key) || !uuid_ok(sub) || !uuid_ok(org) || !role_ok(role) ||
	    ttl_seconds <= 0 || (long long)now + ttl_seconds > TOKEN_MAX_TIME ||
	    random_uuid(jti) != 0 || jwt_new(&jwt) != 0)
		return (NULL);
	if (jwt_add_grant(jwt, "iss", key->issuer) == 0 &&
	    jwt_add_grant(jwt, "aud", key->audience) == 0 &&
	    jwt_add_grant(jwt, "sub", sub) == 0 &&
	    jwt_add_grant(jwt, "org", org) == 0 &&
	    jwt_add_grant(jwt, "role", role) == 0 &&
	    jwt_add_grant(jwt, "jti", jti) == 0 &&
	    jwt_add_grant(jwt, "token_use", TOKEN_USE) == 0 &&
	    jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
	    jwt_add_grant_int(jwt, "nbf", (long)now) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)now + ttl_seconds) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, key->secret, (int)key->len) == 0)
		out = jwt_encode_str(jwt);
	jwt_free(jwt);
	if (out != NULL && strlen(out) > TOKEN_MAX_LEN) {
		free(out);
		out = NULL;
	}
	return (out);
}

/*
 * Exactly three non-empty base64url segments; fills their lengths.
 * Anything else is refused before any decoding.
 */
static int
split(const char *t, size_t seg[3])
{
	const char *p;
	int i;

	p = t;
	for (i = 0; i < 3; i++) {
		seg[i] = strspn(p, B64URL_CHARS);
		if (seg[i] == 0 || seg[i] % 4 == 1)
			return (-1);
		p += seg[i];
		if (i < 2 && *p++ != '.')
			return (-1);
	}
	return (*p == '\0' ? 0 : -1);
}

/* base64url-decodes one segment and parses it as a JSON object. */
static json_t *
segment_json(const char *s, size_t len)
{
	char enc[TOKEN_MAX_LEN + 1];
	unsigned char dec[TOKEN_MAX_LEN];
	long n;
	json_t *j;

	if (len > TOKEN_MAX_LEN)
		return (NULL);
	memcpy(enc, s, len);
	enc[len] = '\0';
	if ((n = b64url_decode(enc, dec, sizeof(dec))) <= 0)
		return (NULL);
	/* Duplicate members are ambiguous (first or last wins?): refused. */
	j = json_loadb((const char *)dec, (size_t)n, JSON_REJECT_DUPLICATES,
	    NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return (NULL);
	}
	return (j);
}

/* libjwt checks the signature; the algorithm must still be ours. */
static int
signature_ok(const struct token_key *key, const char *token)
{
	jwt_t *jwt = NULL;
	int ok;

	if (jwt_decode(&jwt, token, key->secret, (int)key->len) != 0)
		return (0);
	ok = jwt_get_alg(jwt) == JWT_ALG_HS256;
	jwt_free(jwt);
	return (ok);
}

static const char *
check_header(const char *seg, size_t len)
{
	json_t *h;
	const char *alg, *typ, *why;

	if ((h = segment_json(seg, len)) == NULL)
		return ("malformed header");
	why = NULL;
	alg = json_string_value(json_object_get(h, "alg"));
	typ = json_string_value(json_object_get(h, "typ"));
	if (alg == NULL || strcmp(alg, "HS256") != 0)
		why = "wrong algorithm";
	else if (typ == NULL || strcmp(typ, TOKEN_TYP) != 0)
		why = "wrong type";
	else if (json_object_get(h, "crit") != NULL)
		why = "unsupported critical header";
	json_decref(h);
	return (why);
}

/*
 * A NumericDate claim: a JSON integer (jansson keeps 5.0 as a real and
 * "5" as a string, so both are refused). Absent is 0 unless required.
 */
static int
int_claim(json_t *p, const char *name, int required, long *out)
{
	json_t *v;
	json_int_t n;

	if ((v = json_object_get(p, name)) == NULL) {
		*out = 0;
		return (required ? -1 : 0);
	}
	if (!json_is_integer(v))
		return (-1);
	n = json_integer_value(v);
	if (n < 0 || n > TOKEN_MAX_TIME)
		return (-1);
	*out = (long)n;
	return (0);
}

static int
str_claim(json_t *p, const char *name, char *out, size_t len)
{
	const char *s;
	size_t n;

	if ((s = json_string_value(json_object_get(p, name))) == NULL)
		return (-1);
	n = json_string_length(json_object_get(p, name));
	if (n >= len || strlen(s) != n)
		return (-1);
	memcpy(out, s, n + 1);
	return (0);
}

const char *
token_check_times(const struct token_claims *c, time_t now)
{
	/* In long long so huge values and the leeway cannot overflow. */
	if ((long long)now - TOKEN_LEEWAY_SECONDS > (long long)c->exp)
		return ("expired");
	if ((long long)c->nbf > (long long)now + TOKEN_LEEWAY_SECONDS)
		return ("not yet valid");
	if ((long long)c->iat > (long long)now + TOKEN_LEEWAY_SECONDS)
		return ("issued in the future");
	return (NULL);
}

static const char *
check_claims(const struct token_key *key, json_t *p, time_t now,
    struct token_claims *c)
{
	const char *iss, *aud, *why;
	char use[16];

	iss = json_string_value(json_object_get(p, "iss"));
	if (iss == NULL || strcmp(iss, key->issuer) != 0)
		return ("wrong issuer");
	/* aud: a single string only; arrays are refused (we never issue them). */
	aud = json_string_value(json_object_get(p, "aud"));
	if (aud == NULL || strcmp(aud, key->audience) != 0)
		return ("wrong audience");
	if (int_claim(p, "exp", 1, &c->exp) == -1 ||
	    int_claim(p, "nbf", 0, &c->nbf) == -1 ||
	    int_claim(p, "iat", 0, &c->iat) == -1)
		return ("bad time claim");
	if ((why = token_check_times(c, now)) != NULL)
		return (why);
	if (str_claim(p, "sub", c->sub, sizeof(c->sub)) == -1 ||
	    !uuid_ok(c->sub))
		return ("bad subject");
	if (str_claim(p, "org", c->org, sizeof(c->org)) == -1 ||
	    !uuid_ok(c->org))
		return ("bad organization");
	if (str_claim(p, "role", c->role, sizeof(c->role)) == -1 ||
	    !role_ok(c->role))
		return ("bad role");
	if (str_claim(p, "token_use", use, sizeof(use)) == -1 ||
	    strcmp(use, TOKEN_USE) != 0)
		return ("wrong token use");
	if (str_claim(p, "jti", c->jti, sizeof(c->jti)) == -1 ||
	    !uuid_ok(c->jti))
		return ("bad token id");
	return (NULL);
}

int
token_verify(const struct token_key *key, const char *token, time_t now,
    struct token_claims *out, const char **why)
{
	struct token_claims c;
	size_t seg[3], len;
	json_t *payload = NULL;
	const char *reason;

	memset(&c, 0, sizeof(c));
	reason = NULL;
	if (!key_ok(key)) {
		reason = "bad key";
		goto done;
	}
	if (token == NULL || (len = strnlen(token, TOKEN_MAX_LEN + 1)) == 0) {
		reason = "missing token";
		goto done;
	}
	if (len > TOKEN_MAX_LEN) {
		reason = "token too long";
		goto done;
	}
	if (split(token, seg) == -1) {
		reason = "malformed token";
		goto done;
	}
	if ((reason = check_header(token, seg[0])) != NULL)
		goto done;
	if (!signature_ok(key, token)) {
		reason = "bad signature";
		goto done;
	}
	if ((payload = segment_json(token + seg[0] + 1, seg[1])) == NULL) {
		reason = "malformed payload";
		goto done;
	}
	reason = check_claims(key, payload, now, &c);
done:
	json_decref(payload);
	if (why != NULL)
		*why = reason;
	if (reason != NULL)
		return (-1);
	if (out != NULL)
		*out = c;
	return (0);
}
