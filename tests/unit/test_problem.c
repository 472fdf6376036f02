#include <stdlib.h>

#include <jansson.h>

#include "problem.h"
#include "unit.h"

static void
test_titles(void)
{
	static const struct {
		int s;
		const char *title, *slug;
	} v[] = {
		{ 400, "Bad Request", "bad-request" },
		{ 401, "Unauthorized", "unauthorized" },
		{ 403, "Forbidden", "forbidden" },
		{ 404, "Not Found", "not-found" },
		{ 405, "Method Not Allowed", "method-not-allowed" },
		{ 409, "Conflict", "conflict" },
		{ 412, "Precondition Failed", "precondition-failed" },
		{ 413, "Content Too Large", "content-too-large" },
		{ 415, "Unsupported Media Type", "unsupported-media-type" },
		{ 422, "Unprocessable Content", "validation" },
		{ 428, "Precondition Required", "precondition-required" },
		{ 429, "Too Many Requests", "too-many-requests" },
		{ 500, "Internal Server Error", "internal" },
		{ 503, "Service Unavailable", "unavailable" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK_STR_EQ(problem_title(v[i].s), v[i].title);
		CHECK_STR_EQ(problem_slug(v[i].s), v[i].slug);
	}
	CHECK_STR_EQ(problem_slug(502), "internal");
	CHECK_STR_EQ(problem_slug(418), "bad-request");
}

static void
test_check(void)
{
	struct check chk;
	char big[400];
	json_t *t;
	int i;

	check_init(&chk);
	CHECK_INT_EQ(chk.status, 0);
	check_field(&chk, 422, "name", "required", "is %s", "required");
	CHECK_INT_EQ(chk.status, 422);
	CHECK_INT_EQ(chk.nerrors, 1);
	CHECK_STR_EQ(chk.errors[0].message, "is required");
	check_field(&chk, 400, "x", "type", "t");
	CHECK_INT_EQ(chk.status, 422);
	for (i = 0; i < 40; i++)
		check_field(&chk, 422, "f", "c", "m %d", i);
	CHECK_INT_EQ(chk.nerrors, CHECK_MAX_ERRORS);

	check_fail(&chk, 400, "bad %d", 7);
	CHECK_INT_EQ(chk.status, 400);
	CHECK_STR_EQ(chk.detail, "bad 7");

	/* Truncation must not split a UTF-8 sequence ("é" is 2 bytes). */
	check_init(&chk);
	memset(big, 0, sizeof(big));
	for (i = 0; i + 2 < (int)sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[0] = 'a';
	big[1] = 'b';
	check_field(&chk, 422, big, "c", "%s", big);
	CHECK(strlen(chk.errors[0].field) < sizeof(chk.errors[0].field));
	t = json_string(chk.errors[0].field);
	CHECK(t != NULL);
	json_decref(t);
	check_fail(&chk, 400, "%s", big);
	CHECK(strlen(chk.detail) < 200);
}

static void
test_render(void)
{
	struct check chk;
	json_t *doc, *extra, *errs;
	json_error_t err;
	char *s;

	s = problem_render(404, "contact not found", "req-1", NULL, NULL);
	CHECK(s != NULL);
	doc = json_loads(s, 0, &err);
	CHECK(doc != NULL);
	CHECK_STR_EQ(json_string_value(json_object_get(doc, "type")),
	    "urn:crm:problem:not-found");
	CHECK_STR_EQ(json_string_value(json_object_get(doc, "title")),
	    "Not Found");
	CHECK_INT_EQ(json_integer_value(json_object_get(doc, "status")), 404);
	CHECK_STR_EQ(json_string_value(json_object_get(doc, "detail")),
	    "contact not found");
	CHECK_STR_EQ(json_string_value(json_object_get(doc, "instance")),
	    "req-1");
	CHECK(json_object_get(doc, "errors") == NULL);
	CHECK_INT_EQ(json_object_size(doc), 5);
	CHECK(strchr(s, '\n') == NULL && strstr(s, ": ") == NULL);
	json_decref(doc);
	free(s);

	check_init(&chk);
	s = problem_render(422, "invalid", NULL, &chk, NULL);
	doc = json_loads(s, 0, &err);
	CHECK(json_object_get(doc, "errors") == NULL);
	CHECK(json_object_get(doc, "instance") == NULL);
	json_decref(doc);
	free(s);

	check_field(&chk, 422, "email", "invalid_format", "must be an e-mail");
	check_field(&chk, 422, "name", "required", "is required");
	extra = json_pack("{s:i, s:s}", "current", 3, "status", "hijack");
	s = problem_render(422, "validation failed", "r", &chk, extra);
	doc = json_loads(s, 0, &err);
	errs = json_object_get(doc, "errors");
	CHECK_INT_EQ(json_array_size(errs), 2);
	CHECK_STR_EQ(json_string_value(
	                 json_object_get(json_array_get(errs, 0), "field")),
	    "email");
	CHECK_STR_EQ(json_string_value(
	                 json_object_get(json_array_get(errs, 1), "code")),
	    "required");
	CHECK_INT_EQ(json_integer_value(json_object_get(doc, "current")), 3);
	CHECK_INT_EQ(json_integer_value(json_object_get(doc, "status")), 422);
	json_decref(doc);
	json_decref(extra);
	free(s);

	/* Invalid UTF-8 from a caller: member dropped, document still valid. */
	s = problem_render(400, "bad \xff byte", NULL, NULL, NULL);
	CHECK(s != NULL);
	doc = json_loads(s, 0, &err);
	CHECK(doc != NULL && json_object_get(doc, "detail") == NULL);
	json_decref(doc);
	free(s);
}

int
main(void)
{
	test_titles();
	test_check();
	test_render();
	return (UNIT_DONE());
}
