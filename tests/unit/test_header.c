#include <string.h>

#include "header.h"
#include "unit.h"

static void
test_if_match(void)
{
	long long v = 99;

	CHECK_INT_EQ(header_if_match(NULL, &v), 0);
	CHECK_INT_EQ(header_if_match("*", &v), 0);
	CHECK_INT_EQ(v, 99);
	CHECK_INT_EQ(header_if_match("\"3\"", &v), 1);
	CHECK_INT_EQ(v, 3);
	CHECK_INT_EQ(header_if_match("W/\"12\"", &v), 1);
	CHECK_INT_EQ(v, 12);
	CHECK_INT_EQ(header_if_match("7", &v), 1);
	CHECK_INT_EQ(v, 7);
	CHECK_INT_EQ(header_if_match("\"0\"", &v), 1);
	CHECK_INT_EQ(v, 0);
	/* Anything else sets a condition no version meets. */
	CHECK_INT_EQ(header_if_match("\"abc\"", &v), 1);
	CHECK_INT_EQ(v, -1);
	CHECK_INT_EQ(header_if_match("\"-3\"", &v), 1);
	CHECK_INT_EQ(v, -1);
	CHECK_INT_EQ(header_if_match("\"3x\"", &v), 1);
	CHECK_INT_EQ(v, -1);
	/* Only the first tag counts: what follows its number is not read. */
	CHECK_INT_EQ(header_if_match("\"3\", \"4\"", &v), 1);
	CHECK_INT_EQ(v, 3);
	CHECK_INT_EQ(header_if_match("", &v), 1);
	CHECK_INT_EQ(v, -1);
	CHECK_INT_EQ(header_if_match("**", &v), 1);
	CHECK_INT_EQ(v, -1);
}

static void
test_idempotency_key(void)
{
	char key[300];

	CHECK_INT_EQ(header_idempotency_key("k-1"), 1);
	CHECK_INT_EQ(header_idempotency_key("!~"), 1);
	CHECK_INT_EQ(header_idempotency_key(""), 0);
	CHECK_INT_EQ(header_idempotency_key(NULL), 0);
	CHECK_INT_EQ(header_idempotency_key("a b"), 0);
	CHECK_INT_EQ(header_idempotency_key("a\tb"), 0);
	CHECK_INT_EQ(header_idempotency_key("a\x7f"), 0);
	CHECK_INT_EQ(header_idempotency_key("caf\xc3\xa9"), 0);
	memset(key, 'k', 255);
	key[255] = '\0';
	CHECK_INT_EQ(header_idempotency_key(key), 1);
	key[255] = 'k';
	key[256] = '\0';
	CHECK_INT_EQ(header_idempotency_key(key), 0);
}

static void
test_request_id(void)
{
	char id[80];

	CHECK_INT_EQ(header_request_id("req-1_a.b:c"), 1);
	CHECK_INT_EQ(header_request_id("0191f3a2-7c4e-7d2a-9b1e-3f5a6c7d8e9f"),
	    1);
	CHECK_INT_EQ(header_request_id(""), 0);
	CHECK_INT_EQ(header_request_id(NULL), 0);
	CHECK_INT_EQ(header_request_id("a b"), 0);
	CHECK_INT_EQ(header_request_id("a\"b"), 0);
	CHECK_INT_EQ(header_request_id("a\nb"), 0);
	CHECK_INT_EQ(header_request_id("caf\xc3\xa9"), 0);
	memset(id, 'r', 64);
	id[64] = '\0';
	CHECK_INT_EQ(header_request_id(id), 1);
	id[64] = 'r';
	id[65] = '\0';
	CHECK_INT_EQ(header_request_id(id), 0);
}

int
main(void)
{
	test_if_match();
	test_idempotency_key();
	test_request_id();
	return (UNIT_DONE());
}
