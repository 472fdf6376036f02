#include <stdlib.h>

#include "password.h"
#include "samples.h"
#include "schema.h"
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

/*
 * Loads body (the envelope is body_parse's business, tested on its own)
 * and checks it against the table.
 */
static json_t *
check_doc(const struct field_spec *tab, size_t n, const char *body,
    enum body_mode mode, struct check *chk)
{
	json_error_t err;
	json_t *doc, *out;

	check_init(chk);
	if ((doc = json_loads(body, JSON_REJECT_DUPLICATES, &err)) == NULL) {
		CHECK(doc != NULL);
		fprintf(stderr, "  unparsable test body: %s\n", body);
		check_fail(chk, 400, "unparsable");
		return (NULL);
	}
	out = schema_check(tab, n, doc, mode, chk);
	json_decref(doc);
	return (out);
}

static json_t *
parse(const char *body, enum body_mode mode, struct check *chk)
{
	return (check_doc(spec, NSPEC, body, mode, chk));
}

/* Checks a body expected to fail with one field error. */
static void
expect_field_in(const struct field_spec *tab, size_t n, const char *body,
    enum body_mode mode, const char *field, const char *code)
{
	struct check chk;
	json_t *j;

	j = check_doc(tab, n, body, mode, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK_STR_EQ(chk.errors[0].field, field);
	CHECK_STR_EQ(chk.errors[0].code, code);
	if (chk.nerrors != 1 || strcmp(chk.errors[0].code, code) != 0 ||
	    strcmp(chk.errors[0].field, field) != 0)
		fprintf(stderr, "  body: %s -> %s %s\n", body,
		    chk.errors[0].field, chk.errors[0].code);
	json_decref(j);
}

static json_t *
expect_ok_in(const struct field_spec *tab, size_t n, const char *body,
    enum body_mode mode)
{
	struct check chk;
	json_t *j;

	j = check_doc(tab, n, body, mode, &chk);
	CHECK(j != NULL);
	CHECK_INT_EQ(chk.status, 0);
	if (j == NULL)
		fprintf(stderr, "  body: %s -> %d %s %s %s\n", body, chk.status,
		    chk.detail, chk.nerrors ? chk.errors[0].field : "",
		    chk.nerrors ? chk.errors[0].code : "");
	return (j);
}

static void
expect_field(const char *body, enum body_mode mode, const char *field,
    const char *code)
{
	expect_field_in(spec, NSPEC, body, mode, field, code);
}

static json_t *
expect_ok(const char *body, enum body_mode mode)
{
	return (expect_ok_in(spec, NSPEC, body, mode));
}

/* A body refused with one error, named by field and code. */
struct refusal {
	const char *body;
	enum body_mode mode;
	const char *field;
	const char *code;
};

static void
expect_refusals(const struct field_spec *tab, size_t n,
    const struct refusal *cases, size_t ncases)
{
	size_t i;

	for (i = 0; i < ncases; i++)
		expect_field_in(tab, n, cases[i].body, cases[i].mode,
		    cases[i].field, cases[i].code);
}

/*
 * PATCHes {"<member>":<value>} for each value (quoted: as a JSON string's
 * contents); each is refused at member with code.
 */
static void
expect_values_refused(const struct field_spec *tab, size_t n,
    const char *member, const char *const *values, size_t nvalues, int quoted,
    const char *code)
{
	const char *q = quoted ? "\"" : "";
	char body[4096];
	size_t i;

	for (i = 0; i < nvalues; i++) {
		snprintf(body, sizeof(body), "{\"%s\":%s%s%s}", member, q,
		    values[i], q);
		expect_field_in(tab, n, body, BODY_PATCH, member, code);
	}
}

static void
test_fields(void)
{
	/* PATCH bodies that pass as they are. */
	static const char *const accepted[] = {
		/* Code points, not bytes: 10 Persian letters fit max 10. */
		"{\"name\":\"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3"
		"\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\"}",
		"{\"notes\":\"a\\tb\\nc\"}",
		"{\"tags\":[]}",
	};
	static const char *const bad_emails[] = { "nobody", "a@@b.com",
		"a@b@c.com", "a b@c.com", "@c.com", "a@localhost", "a@c..com" };
	static const char *const bad_uuids[] = { "not-a-uuid",
		"0e8f5c3a1b2c4d5e8f90a1b2c3d4e5f6",
		"0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5fg" };
	static const struct refusal refused[] = {
		/* 11 letters do not. */
		{ "{\"name\":\"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3"
		  "\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\xd8\xa7\"}",
		    BODY_PATCH, "name", "too_long" },

		{ "{\"name\":\"a\",\"stage\":\"won\",\"bogus\":1}", BODY_CREATE,
		    "bogus", "unknown_field" },
		{ "{\"version\":3}", BODY_PATCH, "version", "read_only" },
		{ "{\"name\":5}", BODY_PATCH, "name", "type" },
		{ "{\"name\":null}", BODY_PATCH, "name", "type" },
		{ "{\"name\":\"   \"}", BODY_PATCH, "name", "required" },
		{ "{\"name\":\"a\\u0001\"}", BODY_PATCH, "name",
		    "invalid_characters" },
		{ "{\"name\":\"a\\rb\"}", BODY_PATCH, "name",
		    "invalid_characters" },
		{ "{\"title\":\" a \"}", BODY_PATCH, "title", "too_short" },
		{ "{\"title\":\"   \"}", BODY_PATCH, "title", "too_short" },
		{ "{\"title\":\"abcdef\"}", BODY_PATCH, "title", "too_long" },

		{ "{\"email\":1}", BODY_PATCH, "email", "type" },

		{ "{\"amount\":1001}", BODY_PATCH, "amount", "out_of_range" },
		{ "{\"amount\":-1}", BODY_PATCH, "amount", "out_of_range" },
		{ "{\"amount\":1.0}", BODY_PATCH, "amount", "type" },
		{ "{\"amount\":\"5\"}", BODY_PATCH, "amount", "type" },
		{ "{\"amount\":true}", BODY_PATCH, "amount", "type" },
		{ "{\"active\":1}", BODY_PATCH, "active", "type" },

		{ "{\"stage\":\"WON\"}", BODY_PATCH, "stage",
		    "invalid_choice" },
		{ "{\"tags\":\"won\"}", BODY_PATCH, "tags", "type" },
		{ "{\"tags\":[\"won\",\"won\"]}", BODY_PATCH, "tags",
		    "duplicate" },
		{ "{\"tags\":[\"won\",\"x\"]}", BODY_PATCH, "tags",
		    "invalid_choice" },
		{ "{\"tags\":[\"won\",1]}", BODY_PATCH, "tags", "type" },
		{ "{\"tags\":[\"won\",\"lost\",\"lead\"]}", BODY_PATCH, "tags",
		    "too_many" },

		{ "{\"password\":\"short\"}", BODY_PATCH, "password",
		    "too_short" },
	};
	json_t *j;
	size_t i;

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

	for (i = 0; i < NSAMPLES(accepted); i++)
		json_decref(expect_ok(accepted[i], BODY_PATCH));
	expect_refusals(spec, NSPEC, refused, NSAMPLES(refused));
	expect_values_refused(spec, NSPEC, "email", bad_emails,
	    NSAMPLES(bad_emails), 1, "invalid_format");
	expect_values_refused(spec, NSPEC, "company_id", bad_uuids,
	    NSAMPLES(bad_uuids), 1, "invalid_format");

	j = expect_ok("{\"notes\":\"\"}", BODY_PATCH);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "notes")), "");
	json_decref(j);
	j = expect_ok("{\"company_id\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "company_id")));
	json_decref(j);

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

	j = parse("{\"stage\":\"secretvalue\"}", BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_STR_EQ(chk.errors[0].message, "must be one of: lead, won, lost");
}

static void
test_timestamps(void)
{
	size_t i;
	char body[128];
	json_t *j;

	for (i = 0; i < NSAMPLES(good_timestamps); i++) {
		snprintf(body, sizeof(body), "{\"due_at\":\"%s\"}",
		    good_timestamps[i]);
		j = expect_ok(body, BODY_PATCH);
		json_decref(j);
	}
	expect_values_refused(spec, NSPEC, "due_at", bad_timestamps,
	    NSAMPLES(bad_timestamps), 1, "invalid_format");
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
	j = parse("{\"zzz\":1,\"amount\":\"x\",\"version\":1}", BODY_CREATE,
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

	/* PATCH does not require anything. */
	j = expect_ok("{\"amount\":3}", BODY_PATCH);
	json_decref(j);

	/* Required but empty is reported once, not twice. */
	j = parse("{\"name\":\" \",\"stage\":\"won\"}", BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK_STR_EQ(chk.errors[0].code, "required");

	/* Error list is capped. */
	off = (size_t)snprintf(body, sizeof(body), "{");
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "%s\"u%d\":1", i ? "," : "", i);
	snprintf(body + off, sizeof(body) - off, "}");
	j = parse(body, BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, CHECK_MAX_ERRORS);
	CHECK_INT_EQ(chk.status, 422);
}

/* The newer types, with nested tables (designated: most members unused). */
static const char *const kinds[] = { "work", "home", NULL };

static const struct field_spec sms_spec[] = {
	{ .name = "granted", .type = FT_BOOL, .flags = F_REQUIRED },
	{ .name = "at", .type = FT_TIMESTAMP, .flags = F_NULLABLE },
};

static const struct field_spec consent_spec[] = {
	{ .name = "sms",
	    .type = FT_OBJECT,
	    .flags = F_REQUIRED,
	    .sub = sms_spec,
	    .nsub = 2 },
	{ .name = "email", .type = FT_BOOL },
	{ .name = "source", .type = FT_STRING, .max = 20 },
	{ .name = "updated_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
};

static const struct field_spec phone_spec[] = {
	{ "number", FT_STRING, F_REQUIRED, 3, 20, NULL },
	{ "kind", FT_ENUM, 0, 0, 0, kinds },
	{ "primary", FT_BOOL, 0, 0, 0, NULL },
};

static const struct field_spec xspec[] = {
	{ .name = "born", .type = FT_DATE, .flags = F_NULLABLE },
	{ .name = "score", .type = FT_NUMBER, .dmin = -1.5, .dmax = 100 },
	{ .name = "ratio", .type = FT_NUMBER },
	{ .name = "price", .type = FT_DECIMAL, .flags = F_REQUIRED },
	{ .name = "delta", .type = FT_DECIMAL, .min = -1 },
	{ .name = "site", .type = FT_URL, .flags = F_NULLABLE },
	{ .name = "short_url", .type = FT_URL, .max = 30 },
	{ .name = "labels", .type = FT_STRING_ARRAY, .max = 3, .item_max = 5 },
	{ .name = "consent",
	    .type = FT_OBJECT,
	    .flags = F_NULLABLE,
	    .sub = consent_spec,
	    .nsub = 4 },
	{ .name = "phones",
	    .type = FT_OBJECT_ARRAY,
	    .min = 1,
	    .max = 3,
	    .sub = phone_spec,
	    .nsub = 3 },
	{ .name = "custom",
	    .type = FT_JSON_OBJECT,
	    .flags = F_NULLABLE,
	    .max = 3,
	    .item_max = 60 },
	{ .name = "meta", .type = FT_JSON_OBJECT },
	{ .name = "sealed",
	    .type = FT_OBJECT,
	    .sub = sms_spec,
	    .nsub = 2,
	    .flags = F_READ_ONLY },
};
#define NXSPEC (sizeof(xspec) / sizeof(xspec[0]))

static json_t *
xparse(const char *body, enum body_mode mode, struct check *chk)
{
	return (check_doc(xspec, NXSPEC, body, mode, chk));
}

static json_t *
xexpect_ok(const char *body, enum body_mode mode)
{
	return (expect_ok_in(xspec, NXSPEC, body, mode));
}

/* PATCH unless the body needs CREATE; one error expected. */
static void
xexpect_field(const char *body, enum body_mode mode, const char *field,
    const char *code)
{
	expect_field_in(xspec, NXSPEC, body, mode, field, code);
}

/* The member's value after a successful PATCH of {"<name>":<json>}. */
static const char *
xvalue_str(const char *name, const char *json, char *buf, size_t size)
{
	char body[4096];
	json_t *j;
	const char *s;

	snprintf(body, sizeof(body), "{\"%s\":%s}", name, json);
	buf[0] = '\0';
	if ((j = xexpect_ok(body, BODY_PATCH)) == NULL)
		return ("(error)");
	s = json_string_value(json_object_get(j, name));
	snprintf(buf, size, "%s", s != NULL ? s : "(not a string)");
	json_decref(j);
	return (buf);
}

/* A member's value as JSON and the string it comes back as. */
struct value_case {
	const char *in, *out;
};

static void
expect_values(const char *member, const struct value_case *cases, size_t n)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK_STR_EQ(xvalue_str(member, cases[i].in, buf, sizeof(buf)),
		    cases[i].out);
		if (strcmp(buf, cases[i].out) != 0)
			fprintf(stderr, "  %s %s\n", member, cases[i].in);
	}
}

/* Each value, a JSON string's contents, comes back as it is. */
static void
expect_strings_kept(const char *member, const char *const *values, size_t n)
{
	char json[4096], buf[4096];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(json, sizeof(json), "\"%s\"", values[i]);
		CHECK_STR_EQ(xvalue_str(member, json, buf, sizeof(buf)),
		    values[i]);
	}
}

static void
test_date(void)
{
	json_t *j;

	expect_strings_kept("born", good_dates, NSAMPLES(good_dates));
	expect_values_refused(xspec, NXSPEC, "born", bad_dates,
	    NSAMPLES(bad_dates), 1, "invalid_format");
	xexpect_field("{\"born\":20240101}", BODY_PATCH, "born", "type");
	j = xexpect_ok("{\"born\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "born")));
	json_decref(j);
}

static void
test_number(void)
{
	static const struct refusal refused[] = {
		{ "{\"score\":100.0001}", BODY_PATCH, "score", "out_of_range" },
		{ "{\"score\":-2}", BODY_PATCH, "score", "out_of_range" },
		{ "{\"score\":1e5}", BODY_PATCH, "score", "out_of_range" },
		{ "{\"score\":\"5\"}", BODY_PATCH, "score", "type" },
		{ "{\"score\":true}", BODY_PATCH, "score", "type" },
		{ "{\"score\":null}", BODY_PATCH, "score", "type" },
		{ "{\"ratio\":[1]}", BODY_PATCH, "ratio", "type" },
	};
	json_t *j;

	/* Integer stays integer, real stays real; bounds inclusive. */
	j = xexpect_ok("{\"score\":100,\"ratio\":-7}", BODY_PATCH);
	CHECK(json_is_integer(json_object_get(j, "score")));
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "score")), 100);
	CHECK(json_is_integer(json_object_get(j, "ratio")));
	json_decref(j);
	j = xexpect_ok("{\"score\":-1.5,\"ratio\":1e300}", BODY_PATCH);
	CHECK(json_is_real(json_object_get(j, "score")));
	CHECK(json_real_value(json_object_get(j, "score")) == -1.5);
	CHECK(json_real_value(json_object_get(j, "ratio")) == 1e300);
	json_decref(j);
	j = xexpect_ok("{\"score\":99.999,\"ratio\":0.0}", BODY_PATCH);
	json_decref(j);

	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));
}

static void
test_decimal(void)
{
	static const struct value_case good[] = {
		{ "\"12.5\"", "12.5" },
		{ "12.5", "12.5" },
		{ "\"007\"", "7" },
		{ "\"12.50\"", "12.5" },
		{ "\"12.00\"", "12" },
		{ "\"0\"", "0" },
		{ "\"0.05\"", "0.05" },
		{ "\"00.10\"", "0.1" },
		{ "0.1", "0.1" },
		{ "0.10", "0.1" },
		{ "0.07", "0.07" },
		{ "42", "42" },
		{ "0", "0" },
		{ "1e2", "100" },
		{ "1.0", "1" },
		{ "19.99", "19.99" },
		{ "\"9999999999999999.99\"", "9999999999999999.99" },
		{ "\"0000000000000001\"", "1" },
		{ "9007199254740991", "9007199254740991" },
		{ "\"-0\"", "0" },
		{ "-0.0", "0" },
	};
	static const char *const bad[] = { "\"12.345\"", "0.125",
		"0.30000000000000004", "\"1e3\"", "\" 1\"", "\"1 \"", "\"+1\"",
		"\"1.\"", "\".5\"", "\"\"", "\"-\"", "\"1,5\"", "\"0x10\"",
		"\"12345678901234567\"", "12345678901234567", "1e17", "1e300",
		"\"1.2.3\"", "\"--1\"", "\"\xd9\xa1\"" };
	/* min >= 0 (the zero default) refuses negatives; min < 0 allows. */
	static const struct value_case negative[] = {
		{ "\"-007.50\"", "-7.5" },
		{ "-3.25", "-3.25" },
		{ "-12", "-12" },
		{ "\"-0.00\"", "0" },
	};
	static const struct refusal refused[] = {
		{ "{\"price\":true}", BODY_PATCH, "price", "type" },
		{ "{\"price\":[\"1\"]}", BODY_PATCH, "price", "type" },
		{ "{\"price\":null}", BODY_PATCH, "price", "type" },
		{ "{\"price\":\"-1\"}", BODY_PATCH, "price", "out_of_range" },
		{ "{\"price\":-0.01}", BODY_PATCH, "price", "out_of_range" },
		{ "{\"delta\":\"-1.001\"}", BODY_PATCH, "delta",
		    "invalid_format" },
	};
	json_t *j;

	expect_values("price", good, NSAMPLES(good));
	expect_values_refused(xspec, NXSPEC, "price", bad, NSAMPLES(bad), 0,
	    "invalid_format");
	expect_values("delta", negative, NSAMPLES(negative));
	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));

	/* Output is always a string. */
	j = xexpect_ok("{\"price\":5}", BODY_CREATE);
	CHECK(json_is_string(json_object_get(j, "price")));
	json_decref(j);
}

static void
test_url(void)
{
	char body[2100], buf[2100];
	int n;
	json_t *j;

	expect_strings_kept("site", good_urls, NSAMPLES(good_urls));
	expect_values_refused(xspec, NXSPEC, "site", bad_urls,
	    NSAMPLES(bad_urls), 1, "invalid_format");
	/* Surrounding white space is trimmed like other strings. */
	CHECK_STR_EQ(xvalue_str("site", "\"  https://x.io/p \\n\"", buf,
	                 sizeof(buf)),
	    "https://x.io/p");
	xexpect_field("{\"site\":5}", BODY_PATCH, "site", "type");
	j = xexpect_ok("{\"site\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "site")));
	json_decref(j);

	/* Own max (30 bytes), then the 2000-byte default. */
	CHECK_STR_EQ(xvalue_str("short_url",
	                 "\"https://example.com/123456789\"", buf, sizeof(buf)),
	    "https://example.com/123456789");
	xexpect_field("{\"short_url\":\"https://example.com/12345678901\"}",
	    BODY_PATCH, "short_url", "invalid_format");
	n = snprintf(body, sizeof(body), "{\"site\":\"https://x.io/");
	memset(body + n, 'a', SCHEMA_URL_MAX_DEFAULT - 13);
	strcpy(body + n + SCHEMA_URL_MAX_DEFAULT - 13, "\"}");
	j = xexpect_ok(body, BODY_PATCH);
	CHECK_INT_EQ(json_string_length(json_object_get(j, "site")),
	    SCHEMA_URL_MAX_DEFAULT);
	json_decref(j);
	strcpy(body + n + SCHEMA_URL_MAX_DEFAULT - 13, "a\"}");
	xexpect_field(body, BODY_PATCH, "site", "invalid_format");
}

static void
test_string_array(void)
{
	static const struct refusal refused[] = {
		{ "{\"labels\":\"a\"}", BODY_PATCH, "labels", "type" },
		{ "{\"labels\":null}", BODY_PATCH, "labels", "type" },
		{ "{\"labels\":[\"a\",1]}", BODY_PATCH, "labels", "type" },
		{ "{\"labels\":[\"a\",\"b\",\"c\",\"d\"]}", BODY_PATCH,
		    "labels", "too_many" },
		{ "{\"labels\":[\"a\",\"abcdef\"]}", BODY_PATCH, "labels",
		    "too_long" },
		{ "{\"labels\":[\"a\",\"\"]}", BODY_PATCH, "labels",
		    "too_short" },
		{ "{\"labels\":[\"   \"]}", BODY_PATCH, "labels", "too_short" },
		{ "{\"labels\":[\"a\\tb\"]}", BODY_PATCH, "labels",
		    "invalid_characters" },
		{ "{\"labels\":[\"a\\u007fb\"]}", BODY_PATCH, "labels",
		    "invalid_characters" },
		{ "{\"labels\":[\"a\",\" a \"]}", BODY_PATCH, "labels",
		    "duplicate" },
	};
	struct check chk;
	json_t *j, *a;

	j = xexpect_ok("{\"labels\":[\"  vip \",\"b\",\"\xd8\xb3\xd9\x84"
	               "\xd8\xa7\xd9\x85\xd8\xb3\"]}",
	    BODY_PATCH);
	a = json_object_get(j, "labels");
	CHECK_INT_EQ(json_array_size(a), 3);
	CHECK_STR_EQ(json_string_value(json_array_get(a, 0)), "vip");
	CHECK_STR_EQ(json_string_value(json_array_get(a, 1)), "b");
	json_decref(j);
	j = xexpect_ok("{\"labels\":[]}", BODY_PATCH);
	CHECK_INT_EQ(json_array_size(json_object_get(j, "labels")), 0);
	json_decref(j);
	/* Case matters for duplicates. */
	j = xexpect_ok("{\"labels\":[\"a\",\"A\"]}", BODY_PATCH);
	json_decref(j);

	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));

	/* Messages name the index, never the value. */
	j = xparse("{\"labels\":[\"x\",\"secret\"]}", BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK(strstr(chk.errors[0].message, "item 1") != NULL);
	CHECK(strstr(chk.errors[0].message, "secret") == NULL);
	j = xparse("{\"labels\":[\"k\",\"x\",\" k\"]}", BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_STR_EQ(chk.errors[0].message, "item 2 repeats item 0");
}

static void
test_object(void)
{
	/* Paths name the member. */
	static const struct refusal refused[] = {
		{ "{\"price\":\"1\",\"consent\":{\"sms\":"
		  "{\"granted\":\"yes\"}}}",
		    BODY_CREATE, "consent.sms.granted", "type" },
		{ "{\"price\":\"1\",\"consent\":{}}", BODY_CREATE,
		    "consent.sms", "required" },
		{ "{\"price\":\"1\",\"consent\":{\"sms\":{}}}", BODY_CREATE,
		    "consent.sms.granted", "required" },
		{ "{\"consent\":{\"sms\":{\"bogus\":1}}}", BODY_PATCH,
		    "consent.sms.bogus", "unknown_field" },
		{ "{\"consent\":{\"updated_at\":\"2024-01-01T00:00:00Z\"}}",
		    BODY_PATCH, "consent.updated_at", "read_only" },
		{ "{\"consent\":{\"source\":\"012345678901234567890\"}}",
		    BODY_PATCH, "consent.source", "too_long" },
		{ "{\"consent\":[]}", BODY_PATCH, "consent", "type" },
		{ "{\"consent\":\"x\"}", BODY_PATCH, "consent", "type" },
		{ "{\"sealed\":{\"granted\":true}}", BODY_PATCH, "sealed",
		    "read_only" },
		/* Null where the member is not nullable, with its path. */
		{ "{\"consent\":{\"sms\":null}}", BODY_PATCH, "consent.sms",
		    "type" },
		{ "{\"consent\":{\"sms\":{\"granted\":null}}}", BODY_PATCH,
		    "consent.sms.granted", "type" },
	};
	struct check chk;
	json_t *j, *c;

	/* Complete on create, normalized inside. */
	j = xexpect_ok("{\"price\":\"1\",\"consent\":{\"sms\":{\"granted\":"
	               "true,"
	               "\"at\":\"2024-01-01T00:00:00Z\"},\"email\":false,"
	               "\"source\":\"  web  \"}}",
	    BODY_CREATE);
	c = json_object_get(j, "consent");
	CHECK(json_is_true(
	    json_object_get(json_object_get(c, "sms"), "granted")));
	CHECK_STR_EQ(json_string_value(json_object_get(c, "source")), "web");
	CHECK_INT_EQ(json_object_size(c), 3);
	json_decref(j);

	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));

	/* PATCH: nested objects are partial too. */
	j = xexpect_ok("{\"consent\":{\"sms\":{\"at\":null}}}", BODY_PATCH);
	c = json_object_get(json_object_get(j, "consent"), "sms");
	CHECK(json_is_null(json_object_get(c, "at")));
	CHECK(json_object_get(c, "granted") == NULL);
	json_decref(j);
	j = xexpect_ok("{\"consent\":{\"email\":true}}", BODY_PATCH);
	CHECK_INT_EQ(json_object_size(json_object_get(j, "consent")), 1);
	json_decref(j);
	j = xexpect_ok("{\"consent\":{}}", BODY_PATCH);
	CHECK_INT_EQ(json_object_size(json_object_get(j, "consent")), 0);
	json_decref(j);

	/* Null: allowed where nullable (refused elsewhere, in refused). */
	j = xexpect_ok("{\"consent\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "consent")));
	json_decref(j);

	/* All nested errors are collected, in document order. */
	j = xparse("{\"consent\":{\"sms\":{\"granted\":1,\"x\":2},"
	           "\"source\":5},\"born\":\"x\"}",
	    BODY_CREATE, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 5);
	CHECK_STR_EQ(chk.errors[0].field, "consent.sms.granted");
	CHECK_STR_EQ(chk.errors[1].field, "consent.sms.x");
	CHECK_STR_EQ(chk.errors[2].field, "consent.source");
	CHECK_STR_EQ(chk.errors[3].field, "born");
	CHECK_STR_EQ(chk.errors[4].field, "price");
	CHECK_STR_EQ(chk.errors[4].code, "required");
}

static void
test_object_array(void)
{
	static const struct refusal refused[] = {
		{ "{\"phones\":[]}", BODY_PATCH, "phones", "too_few" },
		{ "{\"phones\":[{\"number\":\"111\"},{\"number\":\"222\"},"
		  "{\"number\":\"333\"},{\"number\":\"444\"}]}",
		    BODY_PATCH, "phones", "too_many" },
		{ "{\"phones\":{}}", BODY_PATCH, "phones", "type" },
		{ "{\"phones\":null}", BODY_PATCH, "phones", "type" },
		/* Items are complete even in a patch: the array is replaced. */
		{ "{\"phones\":[{\"kind\":\"work\"}]}", BODY_PATCH,
		    "phones[0].number", "required" },
		{ "{\"phones\":[{\"number\":\"555\",\"x\":1}]}", BODY_PATCH,
		    "phones[0].x", "unknown_field" },
		{ "{\"phones\":[{\"number\":\"555\",\"kind\":\"cell\"}]}",
		    BODY_PATCH, "phones[0].kind", "invalid_choice" },
	};
	struct check chk;
	json_t *j, *a;
	char body[2048];
	size_t off;
	int i;

	j = xexpect_ok("{\"phones\":[{\"number\":\" 555-1234 \","
	               "\"kind\":\"work\"},{\"number\":\"777\"}]}",
	    BODY_PATCH);
	a = json_object_get(j, "phones");
	CHECK_INT_EQ(json_array_size(a), 2);
	CHECK_STR_EQ(json_string_value(
	                 json_object_get(json_array_get(a, 0), "number")),
	    "555-1234");
	CHECK(json_object_get(json_array_get(a, 1), "kind") == NULL);
	json_decref(j);

	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));

	j = xparse("{\"phones\":[{\"number\":\"555\"},5,{\"number\":\"1\"}]}",
	    BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 2);
	CHECK_STR_EQ(chk.errors[0].field, "phones[1]");
	CHECK_STR_EQ(chk.errors[0].code, "type");
	CHECK_STR_EQ(chk.errors[1].field, "phones[2].number");
	CHECK_STR_EQ(chk.errors[1].code, "too_short");

	/* Many bad members in items: capped, status kept. */
	off = (size_t)snprintf(body, sizeof(body), "{\"phones\":[");
	for (i = 0; i < 3; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "%s{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
		    "\"g\":7}",
		    i ? "," : "");
	snprintf(body + off, sizeof(body) - off, "]}");
	j = xparse(body, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, CHECK_MAX_ERRORS);
	CHECK_STR_EQ(chk.errors[0].field, "phones[0].a");
	/* Seven unknown members and a missing number per item. */
	CHECK_STR_EQ(chk.errors[7].field, "phones[0].number");
	CHECK_STR_EQ(chk.errors[8].field, "phones[1].a");
}

static void
test_json_object(void)
{
	static const struct refusal refused[] = {
		{ "{\"custom\":[]}", BODY_PATCH, "custom", "type" },
		{ "{\"custom\":\"{}\"}", BODY_PATCH, "custom", "type" },
		{ "{\"meta\":null}", BODY_PATCH, "meta", "type" },
		{ "{\"custom\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}", BODY_PATCH,
		    "custom", "too_many" },
		{ "{\"custom\":{\"\":1}}", BODY_PATCH, "custom",
		    "invalid_key" },
	};
	struct check chk;
	json_t *j, *want;
	char body[256];

	j = xexpect_ok("{\"custom\":{\"a\":1,\"b\":{\"\":[1,2.5,\"x\"]},"
	               "\"c\":null}}",
	    BODY_PATCH);
	want = json_loads("{\"a\":1,\"b\":{\"\":[1,2.5,\"x\"]},\"c\":null}", 0,
	    NULL);
	CHECK(json_equal(json_object_get(j, "custom"), want));
	json_decref(want);
	json_decref(j);
	j = xexpect_ok("{\"custom\":{}}", BODY_PATCH);
	json_decref(j);
	j = xexpect_ok("{\"custom\":null}", BODY_PATCH);
	CHECK(json_is_null(json_object_get(j, "custom")));
	json_decref(j);

	expect_refusals(xspec, NXSPEC, refused, NSAMPLES(refused));

	/* Keys: 64 bytes pass, 65 do not. */
	snprintf(body, sizeof(body), "{\"meta\":{\"%0*d\":1}}", 64, 0);
	j = xexpect_ok(body, BODY_PATCH);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"meta\":{\"%0*d\":1}}", 65, 0);
	xexpect_field(body, BODY_PATCH, "meta", "invalid_key");
	j = xparse(body, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK(strstr(chk.errors[0].message, "00000") == NULL);

	/* Size: {"a":"<n x>"} is n + 8 compact bytes; 60 pass, 61 do not. */
	snprintf(body, sizeof(body), "{\"custom\" : { \"a\" : \"%0*d\" }}", 52,
	    0);
	j = xexpect_ok(body, BODY_PATCH);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"custom\":{\"a\":\"%0*d\"}}", 53, 0);
	xexpect_field(body, BODY_PATCH, "custom", "too_large");
	/* No item_max: no size bound. */
	snprintf(body, sizeof(body), "{\"meta\":{\"a\":\"%0*d\"}}", 200, 0);
	j = xexpect_ok(body, BODY_PATCH);
	json_decref(j);
}

static void
test_nested_limits(void)
{
	struct check chk;
	json_t *j;
	char body[512];

	/* A path longer than the error's field buffer is cut, still UTF-8. */
	snprintf(body, sizeof(body),
	    "{\"consent\":{\"sms\":{\"%0*d\xc3\xa9\":1}}}",
	    (int)sizeof(chk.errors[0].field), 0);
	j = xparse(body, BODY_PATCH, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK(strncmp(chk.errors[0].field, "consent.sms.000", 15) == 0);
	CHECK(strlen(chk.errors[0].field) < sizeof(chk.errors[0].field));
	j = json_string(chk.errors[0].field);
	CHECK(j != NULL);
	json_decref(j);
}

int
main(void)
{
	test_fields();
	test_enum_message();
	test_timestamps();
	test_collect();
	test_date();
	test_number();
	test_decimal();
	test_url();
	test_string_array();
	test_object();
	test_object_array();
	test_json_object();
	test_nested_limits();
	return (UNIT_DONE());
}
