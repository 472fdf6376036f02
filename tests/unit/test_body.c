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
		fprintf(stderr, "  body: %s\n", body);
	json_decref(j);
}

static json_t *
expect_ok(const char *body, enum body_mode mode)
{
	struct check chk;
	json_t *j;

	j = parse(CT, body, mode, &chk);
	CHECK(j != NULL);
	CHECK_INT_EQ(chk.status, 0);
	if (j == NULL)
		fprintf(stderr, "  body: %s -> %d %s %s\n", body, chk.status,
		    chk.detail, chk.nerrors ? chk.errors[0].code : "");
	return (j);
}

static void
test_content_type(void)
{
	const char *ok = "{\"name\":\"a\",\"stage\":\"won\"}";
	json_t *j;
	struct check chk;

	j = parse("application/json", ok, BODY_CREATE, &chk);
	CHECK(j != NULL);
	json_decref(j);
	j = parse("Application/JSON; charset=UTF-8", ok, BODY_CREATE, &chk);
	CHECK(j != NULL);
	json_decref(j);
	j = parse("application/json;charset=\"utf-8\"", ok, BODY_CREATE, &chk);
	CHECK(j != NULL);
	json_decref(j);
	j = parse(" application/json ; charset=utf-8 ", ok, BODY_CREATE, &chk);
	CHECK(j != NULL);
	json_decref(j);

	expect_status(NULL, ok, 415);
	expect_status("", ok, 415);
	expect_status("text/plain", ok, 415);
	expect_status("application/jsonx", ok, 415);
	expect_status("application/json-patch+json", ok, 415);
	expect_status("application/x-www-form-urlencoded", ok, 415);
	expect_status("application/json; charset=latin1", ok, 415);
	expect_status("application/json; charset=utf-16", ok, 415);
	expect_status("application/json; charset", ok, 415);
	expect_status("application/json; charset=", ok, 415);
}

static void
test_envelope(void)
{
	struct check chk;
	json_t *j;
	char deep[128];
	int i;

	/* Size: over max_bytes is 413 before anything is parsed. */
	j = body_parse(CT, "{\"name\":\"a\"}", 12, 11, spec, NSPEC, BODY_CREATE,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 413);

	expect_status(CT, "", 400);
	expect_status(CT, "{", 400);
	expect_status(CT, "{\"name\":}", 400);
	expect_status(CT, "{\"name\":\"a\",}", 400);
	expect_status(CT, "{\"name\":\"a\"} x", 400);
	expect_status(CT, "[]", 400);
	expect_status(CT, "\"str\"", 400);
	expect_status(CT, "42", 400);
	expect_status(CT, "null", 400);
	expect_status(CT, "{\"name\":\"\xff\"}", 400);

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
	memset(deep, 0, sizeof(deep));
	strcpy(deep, "{\"notes\":");
	for (i = 0; i < 15; i++)
		strcat(deep, "[");
	for (i = 0; i < 15; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	j = parse(CT, deep, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422); /* parsed; array is wrong type */
	strcpy(deep, "{\"notes\":");
	for (i = 0; i < 16; i++)
		strcat(deep, "[");
	for (i = 0; i < 16; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	j = parse(CT, deep, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);
	CHECK(strstr(chk.detail, "deeper") != NULL);

	/* Brackets inside strings (and after escaped quotes) don't count. */
	j = expect_ok("{\"notes\":\"[[[[[[[[[[[[[[[[[[\","
	              "\"title\":\"\\\"[[[\"}",
	    BODY_PATCH);
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
