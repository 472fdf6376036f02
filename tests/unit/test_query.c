#include <stdlib.h>

#include "query.h"
#include "unit.h"

static const char *const statuses[] = { "open", "closed", NULL };
static const char *const sorts[] = { "name", "created_at", NULL };
static const char *const fields[] = { "id", "name", "email", NULL };

static const struct param_spec spec[] = {
	{ "q", PT_STRING, 0, 5, NULL },
	{ "owner_id", PT_UUID, 0, 0, NULL },
	{ "limit", PT_INT, 1, QUERY_LIMIT_MAX, NULL },
	{ "archived", PT_BOOL, 0, 0, NULL },
	{ "status", PT_ENUM, 0, 0, statuses },
	{ "updated_since", PT_TIMESTAMP, 0, 0, NULL },
	{ "cursor", PT_CURSOR, 0, 0, NULL },
	{ "sort", PT_SORT, 0, 0, sorts },
	{ "fields", PT_FIELDS, 0, 0, fields },
	{ "offset", PT_INT, -5, 5, NULL },
	{ "due", PT_DATE, 0, 0, NULL },
	{ "amount_min", PT_DECIMAL, 0, 0, NULL },
	{ "delta", PT_DECIMAL, -1, 0, NULL },
};
#define NSPEC (sizeof(spec) / sizeof(spec[0]))

static json_t *
expect_ok(const char *qs)
{
	struct check chk;
	json_t *j;

	j = query_parse(qs, spec, NSPEC, &chk);
	CHECK(j != NULL);
	CHECK_INT_EQ(chk.status, 0);
	if (j == NULL)
		fprintf(stderr, "  qs: %s -> %s %s\n", qs,
		    chk.nerrors ? chk.errors[0].field : "",
		    chk.nerrors ? chk.errors[0].code : "");
	return (j);
}

static void
expect_err(const char *qs, const char *field, const char *code)
{
	struct check chk;
	json_t *j;

	j = query_parse(qs, spec, NSPEC, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.status, 400);
	CHECK(chk.nerrors >= 1);
	CHECK_STR_EQ(chk.errors[0].field, field);
	CHECK_STR_EQ(chk.errors[0].code, code);
	if (chk.nerrors < 1 || strcmp(chk.errors[0].code, code) != 0)
		fprintf(stderr, "  qs: %s\n", qs);
	json_decref(j);
}

static void
test_basic(void)
{
	json_t *j, *f;

	j = expect_ok(NULL);
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "limit")),
	    QUERY_LIMIT_DEFAULT);
	CHECK_INT_EQ(json_object_size(j), 1);
	json_decref(j);
	j = expect_ok("");
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "limit")), 50);
	json_decref(j);

	j = expect_ok(
	    "q=a%20b&limit=10&archived=true&status=open"
	    "&owner_id=0E8F5C3A-1B2C-4D5E-8F90-A1B2C3D4E5F6"
	    "&updated_since=2024-01-01T00:00:00%2B03:30&cursor=abc_-Zz"
	    "&sort=-name&fields=id,email&offset=-5");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "q")), "a b");
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "limit")), 10);
	CHECK(json_is_true(json_object_get(j, "archived")));
	CHECK_STR_EQ(json_string_value(json_object_get(j, "status")), "open");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "owner_id")),
	    "0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "updated_since")),
	    "2024-01-01T00:00:00+03:30");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "cursor")),
	    "abc_-Zz");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "sort")), "-name");
	f = json_object_get(j, "fields");
	CHECK_INT_EQ(json_array_size(f), 2);
	CHECK_STR_EQ(json_string_value(json_array_get(f, 1)), "email");
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "offset")), -5);
	json_decref(j);

	j = expect_ok("q=a+b&archived=false&sort=created_at&");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "q")), "a b");
	CHECK(json_is_false(json_object_get(j, "archived")));
	json_decref(j);

	/* Code points: five Persian letters fit max 5. */
	j = expect_ok("q=%D8%B3%D9%84%D8%A7%D9%85%D8%B3");
	json_decref(j);
}

static void
test_errors(void)
{
	struct check chk;
	json_t *j;

	expect_err("limit=1&limit=2", "limit", "duplicate");
	expect_err("limit=1&li%6Dit=2", "limit", "duplicate");
	expect_err("bogus=1", "bogus", "unknown_parameter");
	expect_err("limit=", "limit", "empty");
	expect_err("limit", "limit", "empty");
	expect_err("q=%zz", "q", "invalid_encoding");
	expect_err("q=%4", "q", "invalid_encoding");
	expect_err("q=%", "q", "invalid_encoding");
	expect_err("q=%00", "q", "invalid_encoding");
	expect_err("q=%FF", "q", "invalid_encoding");
	expect_err("q=%C0%AF", "q", "invalid_encoding"); /* overlong */
	expect_err("q=%ED%A0%80", "q", "invalid_encoding"); /* surrogate */
	expect_err("q=%D8", "q", "invalid_encoding");
	expect_err("q%=1", "q%", "invalid_encoding");
	expect_err("q=abcdef", "q", "too_long");
	expect_err("q=a%0Ab", "q", "invalid_characters");
	expect_err("owner_id=nope", "owner_id", "invalid_format");
	expect_err("limit=0", "limit", "out_of_range");
	expect_err("limit=201", "limit", "out_of_range");
	expect_err("limit=99999999999999999999999", "limit", "out_of_range");
	expect_err("limit=-99999999999999999999999", "limit", "out_of_range");
	expect_err("limit=1x", "limit", "invalid_format");
	expect_err("limit=+1", "limit", "invalid_format");
	expect_err("limit=-", "limit", "invalid_format");
	expect_err("limit=0x10", "limit", "invalid_format");
	expect_err("limit=%201", "limit", "invalid_format");
	expect_err("archived=1", "archived", "invalid_format");
	expect_err("archived=TRUE", "archived", "invalid_format");
	expect_err("status=pending", "status", "invalid_choice");
	expect_err("updated_since=2024-01-01", "updated_since",
	    "invalid_format");
	expect_err("updated_since=2024-01-01T00:00:00+03:30", "updated_since",
	    "invalid_format"); /* '+' became a space */
	expect_err("cursor=a%2Bb", "cursor", "invalid_format");
	expect_err("cursor=a=", "cursor", "invalid_format");
	expect_err("cursor=abcde", "cursor", "invalid_format");
	expect_err("sort=-email", "sort", "invalid_choice");
	expect_err("sort=--name", "sort", "invalid_choice");
	expect_err("sort=-", "sort", "invalid_choice");
	expect_err("fields=id,id", "fields", "duplicate");
	expect_err("fields=id,,name", "fields", "empty");
	expect_err("fields=id,", "fields", "empty");
	expect_err("fields=id,phone", "fields", "invalid_choice");

	/* One error per bad parameter, in order; values never echoed. */
	j = query_parse("limit=abc&zzz=1&status=secretvalue", spec, NSPEC,
	    &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 3);
	CHECK_STR_EQ(chk.errors[0].field, "limit");
	CHECK_STR_EQ(chk.errors[1].field, "zzz");
	CHECK_STR_EQ(chk.errors[2].field, "status");
	CHECK(strstr(chk.errors[2].message, "secretvalue") == NULL);
	CHECK(chk.detail[0] != '\0');
}

static void
test_cursor_len(void)
{
	char qs[600];
	json_t *j;

	strcpy(qs, "cursor=");
	memset(qs + 7, 'A', 512);
	qs[7 + 512] = '\0';
	j = expect_ok(qs);
	json_decref(j);
	strcpy(qs + 7 + 512, "AAAA");
	expect_err(qs, "cursor", "invalid_format");
}

static void
test_no_limit(void)
{
	static const struct param_spec s[] = {
		{ "q", PT_STRING, 0, 10, NULL },
	};
	struct check chk;
	json_t *j;

	j = query_parse("", s, 1, &chk);
	CHECK(j != NULL && json_object_size(j) == 0);
	json_decref(j);
}

static void
test_date_decimal(void)
{
	struct check chk;
	json_t *j;

	j = expect_ok("due=2024-02-29&amount_min=007.50&delta=-1.5");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "due")),
	    "2024-02-29");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "amount_min")),
	    "7.5");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "delta")), "-1.5");
	json_decref(j);
	j = expect_ok("due=0001-01-01&amount_min=9999999999999999.99&delta=-0");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "amount_min")),
	    "9999999999999999.99");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "delta")), "0");
	json_decref(j);
	j = expect_ok("amount_min=0.00");
	CHECK_STR_EQ(json_string_value(json_object_get(j, "amount_min")), "0");
	json_decref(j);

	expect_err("due=2024-02-30", "due", "invalid_format");
	expect_err("due=2023-02-29", "due", "invalid_format");
	expect_err("due=0000-01-01", "due", "invalid_format");
	expect_err("due=2024-1-01", "due", "invalid_format");
	expect_err("due=2024-01-01T00:00:00Z", "due", "invalid_format");
	expect_err("due=2024-01-01+", "due", "invalid_format");
	expect_err("due=", "due", "empty");
	expect_err("amount_min=-1", "amount_min", "out_of_range");
	expect_err("amount_min=1.234", "amount_min", "invalid_format");
	expect_err("amount_min=1e3", "amount_min", "invalid_format");
	expect_err("amount_min=%2B1", "amount_min", "invalid_format");
	expect_err("amount_min=+1", "amount_min", "invalid_format");
	expect_err("amount_min=1.", "amount_min", "invalid_format");
	expect_err("amount_min=.5", "amount_min", "invalid_format");
	expect_err("amount_min=1,5", "amount_min", "invalid_format");
	expect_err("amount_min=12345678901234567", "amount_min",
	    "invalid_format");
	expect_err("delta=--1", "delta", "invalid_format");
	expect_err("delta=-", "delta", "invalid_format");

	/* Both reported, values not echoed. */
	j = query_parse("due=secret&amount_min=secret", spec, NSPEC, &chk);
	CHECK(j == NULL);
	CHECK_INT_EQ(chk.nerrors, 2);
	CHECK(strstr(chk.errors[0].message, "secret") == NULL);
	CHECK(strstr(chk.errors[1].message, "secret") == NULL);
}

int
main(void)
{
	test_basic();
	test_errors();
	test_cursor_len();
	test_no_limit();
	test_date_decimal();
	return (UNIT_DONE());
}
