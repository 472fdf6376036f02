/*
 * libFuzzer harness for the request header checks. The input,
 * NUL-terminated, is one header value. Checked: no memory errors, and
 * each answer against a restatement of its rule: If-Match sets no
 * condition only for "*", else a version of -1 or more; an accepted
 * Idempotency-Key is 1-255 visible ASCII characters; an accepted
 * X-Request-Id is 1-64 of [A-Za-z0-9-_.:].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"

static void
check_if_match(const char *s)
{
	long long v = -7;
	int r;

	r = header_if_match(s, &v);
	if (r == 0 && strcmp(s, "*") != 0)
		abort();
	if (r == 1 && v < -1)
		abort();
	if (r != 0 && r != 1)
		abort();
}

static void
check_idempotency_key(const char *s)
{
	size_t i, len = strlen(s);
	int ok = len >= 1 && len <= 255;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			ok = 0;
	if (header_idempotency_key(s) != ok)
		abort();
}

static void
check_request_id(const char *s)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                              "abcdefghijklmnopqrstuvwxyz"
	                              "0123456789-_.:";
	size_t len = strlen(s);
	int ok = len >= 1 && len <= 64 && strspn(s, allowed) == len;

	if (header_request_id(s) != ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	check_if_match(s);
	check_idempotency_key(s);
	check_request_id(s);
	free(s);
	return (0);
}
