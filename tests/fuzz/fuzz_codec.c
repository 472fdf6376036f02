/*
 * libFuzzer harness for the base64url codec and constraint_field.
 *
 * b64url_decode: the input (NUL-terminated) is decoded into an exact-size
 * buffer and into one a byte short; an accepted string must re-encode to
 * itself (one canonical encoding per byte string). b64url_encode: the raw
 * input must decode back to itself. constraint_field and sqlstate_status:
 * arbitrary strings, with output buffers of every small size.
 * sha256_hex and hmac_sha256_hex: 64 lower-case hex digits, always.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "sqlstate.h"

static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	return (p);
}

static void
decode_checks(const char *s, size_t len)
{
	unsigned char	*out;
	char		*enc;
	size_t		 need;
	long		 n;

	/* Enough for any accepted string (what the decoder itself needs). */
	need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	out = xmalloc(need);
	n = b64url_decode(s, out, need);
	if (n >= 0) {
		if (len % 4 == 1 || (size_t)n != need)
			abort();
		enc = xmalloc(len + 1);
		b64url_encode(out, (size_t)n, enc);
		if (strcmp(enc, s) != 0)
			abort();
		free(enc);
		/* One byte too small must be refused, never overflowed. */
		if (need > 0) {
			unsigned char *small = xmalloc(need - 1);

			if (b64url_decode(s, small, need - 1) != -1)
				abort();
			free(small);
		}
	}
	free(out);
}

static void
encode_checks(const uint8_t *data, size_t size)
{
	char		*enc;
	unsigned char	*dec;
	size_t		 elen;
	long		 n;

	elen = (size + 2) / 3 * 4;
	enc = xmalloc(elen + 1);
	b64url_encode(data, size, enc);
	if (strlen(enc) != (size * 4 + 2) / 3 ||
	    strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") != strlen(enc))
		abort();
	dec = xmalloc(size);
	n = b64url_decode(enc, dec, size);
	if (n < 0 || (size_t)n != size || memcmp(dec, data, size) != 0)
		abort();
	free(dec);
	free(enc);
}

static void
constraint_checks(const char *s)
{
	char	*field;
	size_t	 len, n;
	int	 st;

	for (len = 0; len <= 70; len += (len < 8 ? 1 : 31)) {
		field = xmalloc(len);
		if (constraint_field(s, field, len) == 0) {
			n = strlen(field);
			if (n == 0 || n >= len || strstr(field, "__") != NULL)
				abort();
			/* s is <table>__<field>__<suffix>. */
			const char *a = strstr(s, "__");

			if (a == NULL || a == s ||
			    strncmp(a + 2, field, n) != 0 ||
			    strncmp(a + 2 + n, "__", 2) != 0 ||
			    (strcmp(a + 4 + n, "uq") != 0 &&
			    strcmp(a + 4 + n, "fk") != 0 &&
			    strcmp(a + 4 + n, "ck") != 0))
				abort();
		}
		free(field);
	}
	(void)constraint_field(s, NULL, 10);
	(void)constraint_field(NULL, NULL, 0);
	st = sqlstate_status(s);
	if (st != 409 && st != 422 && st != 500 && st != 503 &&
	    !(st >= 400 && st <= 429))
		abort();
}

static void
digest_checks(const uint8_t *data, size_t size)
{
	char	*h;
	size_t	 klen;

	h = xmalloc(65);
	sha256_hex(data, size, h);
	if (strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
		abort();
	/* The first bytes as the key, the rest as the message. */
	klen = size > 0 ? data[0] % (size + 1) : 0;
	hmac_sha256_hex(data, klen, data + klen, size - klen, h);
	if (strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
		abort();
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';

	decode_checks(s, strlen(s));
	encode_checks(data, size);
	constraint_checks(s);
	digest_checks(data, size);

	free(s);
	return (0);
}
