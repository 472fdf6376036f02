#include <stdlib.h>

#include "json_body.h"
#include "password.h"
#include "unit.h"

static const char *const stages[] = { "lead", "won", "lost", NULL };

static const struct field_spec spec[] = {
	{ "name", FT_STRING, F_REQUIRED, 1, 10, NULL },
	{ "email", FT_EMAIL, 0, 0, 0, NULL },
	{ "company_id", FT_UUID, F_NULLABLE, 0, 0, NULL },
	{ "amount", FT_INT, 0, 0, 1000, NULL },
	{ "active", FT_BOOL, 0, 0, 0, NULL },
	{ "stage", FT_ENUM, F_REQUIRED, 0, 0, stages },
	{ "tags", FT_ENUM_ARRAY, 0, 0, 2, stages },
	{ "due_at", FT_TIMESTAMP, F_NULLABLE, 0, 0, NULL },
	{ "password", FT_PASSWORD, 0, 0, 0, NULL },
	{ "notes", FT_STRING, F_NULLABLE, 0, 20, NULL },
	{ "title", FT_STRING, 0, 2, 5, NULL },
	{ "version", FT_INT, F_READ_ONLY, 0, 0, NULL },
};
#define NSPEC (sizeof(spec) / sizeof(spec[0]))

#define CT "application/json"

static json_t *
parse(const char *ct, const char *body, enum body_mode mode, struct check *chk)
{
	return (
	    body_parse(ct, body, strlen(body), 4096, spec, NSPEC, mode, chk));
}

/* Parses a body expected to fail with one field error. */
static void
expect_field(const char *body, enum body_mode mode, const char *field,
    const char *code)
{
	struct check chk;
	json_t *j;

	j = parse(CT, body, mode, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK_STR_EQ(chk.errors[0].field, field);
	CHECK_STR_EQ(chk.errors[0].code, code);
	if (chk.nerrors != 1 || strcmp(chk.errors[0].code, code) != 0)
		fprintf(stderr, "  body: %s\n", body);
	json_decref(j);
}

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

static void
test_fields(void)
{
	json_t *j;

	/* Whole valid document, normalized. */
	j = expect_ok("{\"name\":\"  Ann  \",\"email\":\" Ann@Example.COM \","
	              "\"company_id\":\"0E8F5C3A-1B2C-4D5E-8F90-A1B2C3D4E5F6\","
	              "\"amount\":1000,\"active\":false,\"stage\":\"won\","
	              "\"tags\":[\"lead\",\"lost\"],"
	              "\"due_at\":\"2024-02-29T23:59:59.123+03:30\","
	              "\"password\":\" spaces kept \",\"notes\":null}",
	    BODY_CREATE);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "name")), "Ann");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "email")),
	    "ann@example.com");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "company_id")),
	    "0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "amount")), 1000);
	CHECK(json_is_false(json_object_get(j, "active")));
	CHECK_INT_EQ(json_array_size(json_object_get(j, "tags")), 2);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "password")),
	    " spaces kept ");
	CHECK(json_is_null(json_object_get(j, "notes")));
	CHECK_INT_EQ(json_object_size(j), 10);
	json_decref(j);

	/* Code points, not bytes: 10 Persian letters fit max 10. */
	j = expect_ok("{\"name\":\"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3"
	              "\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\"}",
	    BODY_PATCH);
	json_decref(j);
	expect_field("{\"name\":\"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3"
	             "\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\xd8\xa7\"}",
	    BODY_PATCH, "name", "too_long");

	expect_field("{\"name\":\"a\",\"stage\":\"won\",\"bogus\":1}",
	    BODY_CREATE, "bogus", "unknown_field");
	expect_field("{\"version\":3}", BODY_PATCH, "version", "read_only");
	expect_field("{\"name\":5}", BODY_PATCH, "name", "type");
	expect_field("{\"name\":null}", BODY_PATCH, "name", "type");
	expect_field("{\"name\":\"   \"}", BODY_PATCH, "name", "required");
	expect_field("{\"name\":\"a\\u0001\"}", BODY_PATCH, "name",
	    "invalid_characters");
	expect_field("{\"name\":\"a\\rb\"}", BODY_PATCH, "name",
	    "invalid_characters");
	j = expect_ok("{\"notes\":\"a\\tb\\nc\"}", BODY_PATCH);
	json_decref(j);
	expect_field("{\"title\":\" a \"}", BODY_PATCH, "title", "too_short");
	expect_field("{\"title\":\"   \"}", BODY_PATCH, "title", "too_short");
	expect_field("{\"title\":\"abcdef\"}", BODY_PATCH, "title", "too_long");
	j = expect_ok("{\"notes\":\"\"}", BODY_PATCH);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "notes")), "");
	json_decref(j);

	expect_field("{\"email\":\"nobody\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"a@@b.com\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"a@b@c.com\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"a b@c.com\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"@c.com\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"a@localhost\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":\"a@c..com\"}", BODY_PATCH, "email",
	    "invalid_format");
	expect_field("{\"email\":1}", BODY_PATCH, "email", "type");

	expect_field("{\"company_id\":\"not-a-uuid\"}", BODY_PATCH,
	    "company_id", "invalid_format");
	expect_field("{\"company_id\":\"0e8f5c3a1b2c4d5e8f90a1b2c3d4e5f6\"}",
	    BODY_PATCH, "company_id", "invalid_format");
	expect_field("{\"company_id\":\"0e8f5c3a-1b2c-4d5e-8f90-"
	             "a1b2c3d4e5fg\"}",
	    BODY_PATCH, "company_id", "invalid_format");
	j = expect_ok("{\"company_id\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "company_id")));
	json_decref(j);

	expect_field("{\"amount\":1001}", BODY_PATCH, "amount", "out_of_range");
	expect_field("{\"amount\":-1}", BODY_PATCH, "amount", "out_of_range");
	expect_field("{\"amount\":1.0}", BODY_PATCH, "amount", "type");
	expect_field("{\"amount\":\"5\"}", BODY_PATCH, "amount", "type");
	expect_field("{\"amount\":true}", BODY_PATCH, "amount", "type");
	expect_field("{\"active\":1}", BODY_PATCH, "active", "type");

	expect_field("{\"stage\":\"WON\"}", BODY_PATCH, "stage",
	    "invalid_choice");
	expect_field("{\"tags\":\"won\"}", BODY_PATCH, "tags", "type");
	expect_field("{\"tags\":[\"won\",\"won\"]}", BODY_PATCH, "tags",
	    "duplicate");
	expect_field("{\"tags\":[\"won\",\"x\"]}", BODY_PATCH, "tags",
	    "invalid_choice");
	expect_field("{\"tags\":[\"won\",1]}", BODY_PATCH, "tags", "type");
	expect_field("{\"tags\":[\"won\",\"lost\",\"lead\"]}", BODY_PATCH,
	    "tags", "too_many");
	j = expect_ok("{\"tags\":[]}", BODY_PATCH);
	json_decref(j);

	expect_field("{\"password\":\"short\"}", BODY_PATCH, "password",
	    "too_short");
	{
		char body[PASSWORD_MAX_LEN + 64];
		int n;

		n = snprintf(body, sizeof(body), "{\"password\":\"");
		memset(body + n, 'x', PASSWORD_MAX_LEN + 1);
		strcpy(body + n + PASSWORD_MAX_LEN + 1, "\"}");
		expect_field(body, BODY_PATCH, "password", "too_long");
		strcpy(body + n + PASSWORD_MAX_LEN, "\"}");
		j = expect_ok(body, BODY_PATCH);
		json_decref(j);
	}
}

static void
test_enum_message(void)
{
	struct check chk;
	json_t *j;

	j = parse(CT, "{\"stage\":\"secretvalue\"}", BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_STR_EQ(chk.errors[0].message, "must be one of: lead, won, lost");
}

static void
test_timestamps(void)
{
	static const char *const good[] = {
		"2024-01-01T00:00:00Z",
		"2024-02-29T12:30:45+03:30",
		"2000-02-29T00:00:00-08:00",
		"1999-12-31T23:59:59.999999Z",
		"2024-06-30T10:00:00.1+00:00",
		"0001-01-01T00:00:00Z",
	};
	static const char *const bad[] = {
		"2024-01-01",
		"2024-01-01T00:00Z",
		"2024-01-01T00:00:00",
		"2024-01-01 00:00:00Z",
		"2024-01-01t00:00:00z",
		"2023-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2024-02-30T00:00:00Z",
		"2024-04-31T00:00:00Z",
		"2024-13-01T00:00:00Z",
		"2024-00-10T00:00:00Z",
		"2024-01-00T00:00:00Z",
		"2024-01-01T24:00:00Z",
		"2024-01-01T00:60:00Z",
		"2024-01-01T00:00:60Z",
		"2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00.1234567890Z",
		"2024-01-01T00:00:00+0330",
		"2024-01-01T00:00:00+03:30x",
		"2024-01-01T00:00:00Zx",
		"2024-01-01T00:00:00+24:00",
		"0000-01-01T00:00:00Z",
		"+2024-01-01T00:00:00Z",
		"2024-1-01T00:00:00Z",
		"2024-01-01T00:00:00+3:30",
		"",
	};
	size_t i;
	char body[128];
	json_t *j;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK(body_is_timestamp(good[i], strlen(good[i])));
		snprintf(body, sizeof(body), "{\"due_at\":\"%s\"}", good[i]);
		j = expect_ok(body, BODY_PATCH);
		json_decref(j);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!body_is_timestamp(bad[i], strlen(bad[i])));
		if (body_is_timestamp(bad[i], strlen(bad[i])))
			fprintf(stderr, "  accepted %s\n", bad[i]);
		snprintf(body, sizeof(body), "{\"due_at\":\"%s\"}", bad[i]);
		expect_field(body, BODY_PATCH, "due_at", "invalid_format");
	}
	expect_field("{\"due_at\":5}", BODY_PATCH, "due_at", "type");
}

static void
test_collect(void)
{
	struct check chk;
	json_t *j;
	int i;
	char body[2048];
	size_t off;

	/* Member errors in document order, then missing required ones. */
	j = parse(CT, "{\"zzz\":1,\"amount\":\"x\",\"version\":1}", BODY_CREATE,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 5);
	CHECK_STR_EQ(chk.errors[0].field, "zzz");
	CHECK_STR_EQ(chk.errors[1].field, "amount");
	CHECK_STR_EQ(chk.errors[2].field, "version");
	CHECK_STR_EQ(chk.errors[3].field, "name");
	CHECK_STR_EQ(chk.errors[3].code, "required");
	CHECK_STR_EQ(chk.errors[4].field, "stage");
	CHECK(chk.detail[0] != '\0');

	/* PATCH does not require anything. */
	j = expect_ok("{\"amount\":3}", BODY_PATCH);
	json_decref(j);

	/* Required but empty is reported once, not twice. */
	j = parse(CT, "{\"name\":\" \",\"stage\":\"won\"}", BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK_STR_EQ(chk.errors[0].code, "required");

	/* Error list is capped. */
	off = (size_t)snprintf(body, sizeof(body), "{");
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "%s\"u%d\":1", i ? "," : "", i);
	snprintf(body + off, sizeof(body) - off, "}");
	j = parse(CT, body, BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, CHECK_MAX_ERRORS);
	CHECK_INT_EQ(chk.status, 422);
}

static void
test_uuid_helper(void)
{
	CHECK(body_is_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6", 36));
	CHECK(!body_is_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f", 35));
	CHECK(!body_is_uuid("0e8f5c3a-1b2c-4d5e-8f90+a1b2c3d4e5f6", 36));
	CHECK(!body_is_uuid(NULL, 36));
}

int
main(void)
{
	test_content_type();
	test_envelope();
	test_fields();
	test_enum_message();
	test_timestamps();
	test_collect();
	test_uuid_helper();
	return (UNIT_DONE());
}
