/*
 * base64url (RFC 4648 §5, unpadded), SHA-256 hex and CSPRNG helpers.
 * Decoding is strict: no padding, no white space, no non-canonical
 * trailing bits, so one byte string has exactly one accepted encoding.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "codec.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64url_value(unsigned char);

void
b64url_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i, o;
	uint32_t v;

	o = 0;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64url_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64url_alphabet[(v >> 6) & 0x3f];
		out[o++] = b64url_alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64url_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(v >> 12) & 0x3f];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64url_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64url_alphabet[(v >> 6) & 0x3f];
	}
	out[o] = '\0';
}

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

long
b64url_decode(const char *in, unsigned char *out, size_t outlen)
{
	size_t len, i, o, need, rem;
	uint32_t v;
	int d, k, nd;

	len = strlen(in);
	rem = len % 4;
	if (rem == 1)
		return (-1); /* no byte count encodes to 4n+1 chars */
	need = len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	if (need > outlen || need > (size_t)LONG_MAX)
		return (-1);

	o = 0;
	for (i = 0; i < len; i += 4) {
		nd = (len - i >= 4) ? 4 : (int)(len - i);
		v = 0;
		for (k = 0; k < 4; k++) {
			if (k < nd) {
				if ((d = b64url_value(
				         (unsigned char)in[i + k])) < 0)
					return (-1);
			} else
				d = 0;
			v = v << 6 | (uint32_t)d;
		}
		out[o++] = (v >> 16) & 0xff;
		if (nd == 2) {
			if (v & 0xffff) /* non-canonical trailing bits */
				return (-1);
			break;
		}
		out[o++] = (v >> 8) & 0xff;
		if (nd == 3) {
			if (v & 0xff)
				return (-1);
			break;
		}
		out[o++] = v & 0xff;
	}
	return ((long)o);
}

static void
hex_encode(const unsigned char *md, unsigned int len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < len; i++) {
		out[i * 2] = hex[md[i] >> 4];
		out[i * 2 + 1] = hex[md[i] & 0x0f];
	}
	out[len * 2] = '\0';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		/* Should never happen; never leave out uninitialised. */
		memset(out, '0', 64);
		out[64] = '\0';
		return;
	}
	hex_encode(md, mdlen, out);
	OPENSSL_cleanse(md, sizeof(md));
}

void
hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t len,
    char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (HMAC(EVP_sha256(), key, (int)klen, data, len, md, &mdlen) == NULL ||
	    mdlen != 32) {
		memset(out, '0', 64);
		out[64] = '\0';
		return;
	}
	hex_encode(md, mdlen, out);
	OPENSSL_cleanse(md, sizeof(md));
}

int
random_token(size_t nbytes, char *out, size_t outlen)
{
	unsigned char buf[256];

	if (nbytes == 0 || nbytes > sizeof(buf) ||
	    outlen < (nbytes * 4 + 2) / 3 + 1)
		return (-1);
	if (RAND_bytes(buf, (int)nbytes) != 1)
		return (-1);
	b64url_encode(buf, nbytes, out);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (0);
}

int
random_uuid(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return (-1);
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
	return (0);
}

/* Returns 1 when equal, 0 otherwise, in time independent of the contents. */
int
timingsafe_eq(const void *a, const void *b, size_t len)
{
	return (CRYPTO_memcmp(a, b, len) == 0);
}
