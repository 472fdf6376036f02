#include "body.h"
#include "unit.h"

static const char *const stages[] = { "lead", "won", "lost", NULL };

/* Enough of a table to reach every envelope path; schema.c has the rest. */
static const struct field_spec spec[] = {
	{ "name", FT_STRING, F_REQUIRED, 1, 10, NULL },
	{ "amount", FT_INT, 0, 0, 1000, NULL },
	{ "stage", FT_ENUM, F_REQUIRED, 0, 0, stages },
	{ "notes", FT_STRING, F_NULLABLE, 0, 20, NULL },
	{ "title", FT_STRING, 0, 2, 5, NULL },
	{ "version", FT_INT, F_READ_ONLY, 0, 0, NULL },
	{ "meta", FT_JSON_OBJECT, 0, 0, 0, NULL },
};
#define NSPEC (sizeof(spec) / sizeof(spec[0]))

#define CT "application/json"

static json_t *
parse(const char *ct, const char *body, enum body_mode mode, struct check *chk)
{
	return (
	    body_parse(ct, body, strlen(body), 4096, spec, NSPEC, mode, chk));
}

/* Parses a body expected to fail with status. */
static void
expect_status(const char *ct, const char *body, int status)
{
	struct check chk;
	json_t *j;

	j = parse(ct, body, BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, status);
	if (chk.status != status)
		fprintf(stderr, "  %s body: %s\n", ct ? ct : "(no type)", body);
	json_decref(j);
}

/* {"notes":[[...]]}: the object and levels - 1 arrays, levels deep. */
static void
nested_notes(char *buf, size_t size, int levels)
{
	size_t off;
	int i;

	off = (size_t)snprintf(buf, size, "{\"notes\":");
	for (i = 1; i < levels && off + 2 < size; i++)
		buf[off++] = '[';
	for (i = 1; i < levels && off + 2 < size; i++)
		buf[off++] = ']';
	snprintf(buf + off, size - off, "}");
}

static void
test_content_type(void)
{
	static const char *const good[] = { "application/json",
		"Application/JSON; charset=UTF-8",
		"application/json;charset=\"utf-8\"",
		" application/json ; charset=utf-8 " };
	static const char *const bad[] = { NULL, "", "text/plain",
		"application/jsonx", "application/json-patch+json",
		"application/x-www-form-urlencoded",
		"application/json; charset=latin1",
		"application/json; charset=utf-16", "application/json; charset",
		"application/json; charset=" };
	const char *ok = "{\"name\":\"a\",\"stage\":\"won\"}";
	json_t *j;
	struct check chk;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		j = parse(good[i], ok, BODY_CREATE, &chk);
		CHECK(j != NULL);
		if (j == NULL)
			fprintf(stderr, "  content type: %s\n", good[i]);
		json_decref(j);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], ok, 415);
}

static void
test_envelope(void)
{
	static const char *const malformed[] = { "", "{", "{\"name\":}",
		"{\"name\":\"a\",}", "{\"name\":\"a\"} x", "[]", "\"str\"",
		"42", "null", "{\"name\":\"\xff\"}" };
	struct check chk;
	json_t *j;
	char deep[128];
	size_t i;

	/* Size: over max_bytes is 413 before anything is parsed. */
	j = body_parse(CT, "{\"name\":\"a\"}", 12, 11, spec, NSPEC, BODY_CREATE,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 413);

	/* Not JSON, not one object, not UTF-8: 400. */
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		expect_status(CT, malformed[i], 400);

	/* Malformed: position given, input not echoed. */
	j = parse(CT, "{\"name\": secretvalue}", BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK(strstr(chk.detail, "secretvalue") == NULL);
	CHECK(strstr(chk.detail, "line 1") != NULL);

	/* Duplicate keys name the key. */
	j = parse(CT, "{\"name\":\"a\",\"stage\":\"won\",\"name\":\"b\"}",
	    BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);
	CHECK(strstr(chk.detail, "duplicate") != NULL);
	CHECK(strstr(chk.detail, "\"name\"") != NULL);

	/* NUL inside a string is refused by jansson. */
	j = parse(CT, "{\"name\":\"a\\u0000b\",\"stage\":\"won\"}", BODY_CREATE,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);

	/* Depth: 16 levels pass the scan, 17 do not. */
	nested_notes(deep, sizeof(deep), 16);
	j = parse(CT, deep, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422); /* parsed; array is wrong type */
	nested_notes(deep, sizeof(deep), 17);
	j = parse(CT, deep, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);
	CHECK(strstr(chk.detail, "deeper") != NULL);

	/* Brackets inside strings (and after escaped quotes) don't count. */
	j = parse(CT,
	    "{\"notes\":\"[[[[[[[[[[[[[[[[[[\",\"title\":\"\\\"[[[\"}",
	    BODY_PATCH, &chk);
	CHECK(j != NULL);
	CHECK_INT_EQ(chk.status, 0);
	json_decref(j);

	/* Empty patch. */
	j = parse(CT, "{}", BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_STR_EQ(chk.detail, "empty patch");
}

/* Field errors are summed up in the detail; schema.c names them. */
static void
test_summary(void)
{
	struct check chk;
	json_t *j;

	j = parse(CT, "{\"zzz\":1,\"amount\":\"x\",\"version\":1}", BODY_CREATE,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 5);
	CHECK(chk.detail[0] != '\0');
	CHECK_STR_EQ(chk.detail, "request body has 5 invalid fields");

	j = parse(CT, "{\"name\":\"a\",\"stage\":\"x\"}", BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_STR_EQ(chk.detail, "request body has 1 invalid field");
}

/* Depth is bounded before parsing, whatever the member's type allows. */
static void
test_nested_depth(void)
{
	struct check chk;
	json_t *j;

	j = parse(CT, "{\"meta\":{\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}}",
	    BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);
	j = parse(CT, "{\"meta\":{\"a\":[[[[[[[[[[[[[[1]]]]]]]]]]]]]]}}",
	    BODY_PATCH, &chk);
	CHECK(j != NULL);
	CHECK_INT_EQ(chk.status, 0);
	json_decref(j);
}

int
main(void)
{
	test_content_type();
	test_envelope();
	test_summary();
	test_nested_depth();
	return (UNIT_DONE());
}
