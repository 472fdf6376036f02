/*
 * libFuzzer harness for token_verify and token_issue.
 *
 * The input selects one of three modes:
 *   '{'  raw JSON: header up to the first '\n', payload after it. The
 *        harness base64url-encodes both and signs them with the key, so the
 *        fuzzer reaches libjwt's decoder and every claim check.
 *   '!'  "header.payload" (already encoded, any bytes): signed likewise.
 *   'R'  round trip: the next 41 bytes give sub, org, role, now, ttl and
 *        a signature position; the issued token must verify, give back
 *        the same claims, and stop verifying once expired, before nbf, or
 *        with one signature character changed. (A mode, not every run:
 *        issuing costs far more than refusing a malformed token.)
 * Every input, NUL-terminated, is also verified as a raw token
 * (forgeries), at a normal and at a zero clock.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec.h"
#include "format.h"
#include "token.h"

#define SECRET	"0123456789abcdef0123456789abcdef-fuzz"
#define NOW	1700000000L

static const struct token_key key = { (const unsigned char *)SECRET,
	sizeof(SECRET) - 1, "crm", "crm-api" };

static const char *const roles[] = { "admin", "manager", "rep" };

static int
lower_uuid(const char *s)
{
	size_t	i;

	if (!format_uuid(s, strlen(s)))
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			return (0);
	return (1);
}

/* A successful verify must hand back claims that pass every rule. */
static void
check_claims(const struct token_claims *c, long now)
{
	if (!lower_uuid(c->sub) || !lower_uuid(c->org) || !lower_uuid(c->jti))
		abort();
	if (strcmp(c->role, "admin") != 0 && strcmp(c->role, "manager") != 0 &&
	    strcmp(c->role, "rep") != 0)
		abort();
	if (c->exp < now - TOKEN_LEEWAY_SECONDS ||
	    c->nbf > now + TOKEN_LEEWAY_SECONDS ||
	    c->iat > now + TOKEN_LEEWAY_SECONDS || c->exp < 0 || c->nbf < 0 ||
	    c->iat < 0)
		abort();
}

static void
verify(const char *tok, long now)
{
	struct token_claims	 c;
	const char		*why = NULL;

	memset(&c, 0xa5, sizeof(c));
	if (token_verify(&key, tok, now, &c, &why) == 0) {
		if (why != NULL)
			abort();
		check_claims(&c, now);
	} else if (why == NULL)
		abort();
	/* NULL out and why are allowed. */
	(void)token_verify(&key, tok, now, NULL, NULL);
}

/* enc "." HMAC-SHA256(enc), as a fresh string. */
static char *
sign(const char *enc)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	size_t		 n;
	char		*t;

	n = strlen(enc);
	if ((t = malloc(n + 2 + 44)) == NULL)
		abort();
	memcpy(t, enc, n);
	if (HMAC(EVP_sha256(), SECRET, sizeof(SECRET) - 1,
	    (const unsigned char *)enc, n, mac, &maclen) == NULL)
		abort();
	t[n] = '.';
	b64url_encode(mac, maclen, t + n + 1);
	return (t);
}

static void
json_mode(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	size_t		 hl, pl;
	char		*enc, *tok;

	if ((nl = memchr(data, '\n', size)) == NULL)
		return;
	hl = (size_t)(nl - data);
	pl = size - hl - 1;
	if ((enc = malloc((hl + pl) / 3 * 4 + 16)) == NULL)
		abort();
	b64url_encode(data, hl, enc);
	strcat(enc, ".");
	b64url_encode(nl + 1, pl, enc + strlen(enc));
	tok = sign(enc);
	verify(tok, NOW);
	free(tok);
	free(enc);
}

static void
segments_mode(const uint8_t *data, size_t size)
{
	char	*enc, *tok;

	if ((enc = malloc(size + 1)) == NULL)
		abort();
	memcpy(enc, data, size);
	enc[size] = '\0';
	tok = sign(enc);
	verify(tok, NOW);
	free(tok);
	free(enc);
}

static void
round_trip(const uint8_t *data, size_t size)
{
	unsigned char		 b[40];
	char			 sub[37], org[37], *tok;
	const char		*role, *why;
	struct token_claims	 c;
	long			 now, ttl;
	size_t			 n, dot;

	memset(b, 0, sizeof(b));
	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	snprintf(sub, sizeof(sub), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	snprintf(org, sizeof(org), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[16], b[17], b[18], b[19],
	    b[20], b[21], b[22], b[23], b[24], b[25], b[26], b[27], b[28],
	    b[29], b[30], b[31]);
	role = roles[b[32] % 3];
	/* now in [0, 2^32), ttl in [1, 2^24]: all far from the year 9999. */
	now = (long)((uint32_t)b[33] << 24 | (uint32_t)b[34] << 16 |
	    (uint32_t)b[35] << 8 | b[36]);
	ttl = 1 + (long)((uint32_t)b[37] << 16 | (uint32_t)b[38] << 8 | b[39]);

	if ((tok = token_issue(&key, sub, org, role, now, ttl)) == NULL)
		abort();
	memset(&c, 0, sizeof(c));
	why = NULL;
	if (token_verify(&key, tok, now, &c, &why) != 0) {
		fprintf(stderr, "round trip refused: %s\n%s\n", why, tok);
		abort();
	}
	if (strcmp(c.sub, sub) != 0 || strcmp(c.org, org) != 0 ||
	    strcmp(c.role, role) != 0 || c.iat != now || c.nbf != now ||
	    c.exp != now + ttl || !lower_uuid(c.jti))
		abort();
	/* Within the leeway either side, then expired. */
	if (token_verify(&key, tok, now + ttl + TOKEN_LEEWAY_SECONDS, NULL,
	    NULL) != 0)
		abort();
	if (token_verify(&key, tok, now + ttl + TOKEN_LEEWAY_SECONDS + 1,
	    NULL, &why) == 0 || strcmp(why, "expired") != 0)
		abort();
	if (token_verify(&key, tok, now - TOKEN_LEEWAY_SECONDS - 1, NULL,
	    &why) == 0)
		abort();
	/* Any change to one signature character must be refused. */
	n = strlen(tok);
	dot = (size_t)(strrchr(tok, '.') - tok);
	if (size > 40 && n > dot + 1) {
		size_t	at = dot + 1 + data[40] % (n - dot - 1);
		char	was = tok[at];

		tok[at] = was == 'A' ? 'B' : 'A';
		if (token_verify(&key, tok, now, NULL, NULL) == 0)
			abort();
		tok[at] = was;
	}
	free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*tok;

	if (size > 0 && data[0] == '{')
		json_mode(data, size);
	else if (size > 0 && data[0] == '!')
		segments_mode(data + 1, size - 1);
	else if (size > 0 && data[0] == 'R')
		round_trip(data + 1, size - 1);

	/* Always also the raw input as a token, and at other times. */
	if ((tok = malloc(size + 1)) == NULL)
		abort();
	memcpy(tok, data, size);
	tok[size] = '\0';
	verify(tok, NOW);
	verify(tok, 0);
	free(tok);
	return (0);
}
