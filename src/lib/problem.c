/*
 * Field errors and RFC 9457 problem documents. The document only ever
 * contains the strings the caller passes; nothing internal is added.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

/* status, title, slug: one table so the three never drift apart. */
/* The table reads best laid out as a table. */
/* clang-format off */
#define PROBLEM_TABLE(X)						\
	X(400, "Bad Request",		 "bad-request")			\
	X(401, "Unauthorized",		 "unauthorized")		\
	X(403, "Forbidden",		 "forbidden")			\
	X(404, "Not Found",		 "not-found")			\
	X(405, "Method Not Allowed",	 "method-not-allowed")		\
	X(409, "Conflict",		 "conflict")			\
	X(412, "Precondition Failed",	 "precondition-failed")		\
	X(413, "Content Too Large",	 "content-too-large")		\
	X(415, "Unsupported Media Type", "unsupported-media-type")	\
	X(422, "Unprocessable Content",	 "validation")			\
	X(428, "Precondition Required",	 "precondition-required")	\
	X(429, "Too Many Requests",	 "too-many-requests")		\
	X(500, "Internal Server Error",	 "internal")			\
	X(503, "Service Unavailable",	 "unavailable")
/* clang-format on */

struct problem_kind {
	int status;
	const char *title;
	const char *slug;
};

#define PROBLEM_ROW(s, t, g) { s, t, g },
static const struct problem_kind problem_kinds[] = { PROBLEM_TABLE(
    PROBLEM_ROW) };
#undef PROBLEM_ROW

static const struct problem_kind *problem_kind(int);
static void copy_trunc(char *, size_t, const char *);
static void utf8_fix_tail(char *);
static int set_str(json_t *, const char *, const char *);
static json_t *render_errors(const struct check *);

void
check_init(struct check *chk)
{
	memset(chk, 0, sizeof(*chk));
}

/*
 * Truncation may cut a multi-byte sequence in half, and jansson refuses
 * invalid UTF-8 when rendering; drop an incomplete trailing sequence.
 */
static void
utf8_fix_tail(char *s)
{
	size_t n, i, need;
	unsigned char c;

	if ((n = strlen(s)) == 0)
		return;
	i = n - 1;
	while (i > 0 && n - i < 4 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	c = (unsigned char)s[i];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - i < need)
		s[i] = '\0';
}

static void
copy_trunc(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
	utf8_fix_tail(dst);
}

void
check_field(struct check *chk, int status, const char *field, const char *code,
    const char *fmt, ...)
{
	struct field_error *fe;
	va_list ap;

	if (chk->status == 0)
		chk->status = status;
	/* Beyond the cap the status still stands; extra errors are dropped. */
	if (chk->nerrors >= CHECK_MAX_ERRORS)
		return;
	fe = &chk->errors[chk->nerrors++];
	copy_trunc(fe->field, sizeof(fe->field), field);
	copy_trunc(fe->code, sizeof(fe->code), code);
	va_start(ap, fmt);
	vsnprintf(fe->message, sizeof(fe->message), fmt, ap);
	va_end(ap);
	utf8_fix_tail(fe->message);
}

void
check_fail(struct check *chk, int status, const char *fmt, ...)
{
	va_list ap;

	chk->status = status;
	va_start(ap, fmt);
	vsnprintf(chk->detail, sizeof(chk->detail), fmt, ap);
	va_end(ap);
	utf8_fix_tail(chk->detail);
}

static const struct problem_kind *
problem_kind(int status)
{
	size_t i;

	for (i = 0; i < sizeof(problem_kinds) / sizeof(problem_kinds[0]); i++)
		if (problem_kinds[i].status == status)
			return (&problem_kinds[i]);
	return (NULL);
}

const char *
problem_title(int status)
{
	const struct problem_kind *k;

	if ((k = problem_kind(status)) != NULL)
		return (k->title);
	return (status >= 500 ? "Internal Server Error" : "Bad Request");
}

const char *
problem_slug(int status)
{
	const struct problem_kind *k;

	if ((k = problem_kind(status)) != NULL)
		return (k->slug);
	return (status >= 500 ? "internal" : "bad-request");
}

/*
 * Adds a string member. NULL is skipped, and so is a string jansson
 * refuses (invalid UTF-8): a problem document must still go out.
 */
static int
set_str(json_t *obj, const char *key, const char *val)
{
	json_t *s;

	if (val == NULL || (s = json_string(val)) == NULL)
		return (0);
	return (json_object_set_new(obj, key, s));
}

static json_t *
render_errors(const struct check *chk)
{
	json_t *arr, *e;
	int i;

	if ((arr = json_array()) == NULL)
		return (NULL);
	for (i = 0; i < chk->nerrors && i < CHECK_MAX_ERRORS; i++) {
		/* Appended first so arr owns e on every path. */
		if ((e = json_object()) == NULL ||
		    json_array_append_new(arr, e) == -1 ||
		    set_str(e, "field", chk->errors[i].field) == -1 ||
		    set_str(e, "code", chk->errors[i].code) == -1 ||
		    set_str(e, "message", chk->errors[i].message) == -1) {
			json_decref(arr);
			return (NULL);
		}
	}
	return (arr);
}

char *
problem_render(int status, const char *detail, const char *instance,
    const struct check *errors, json_t *extra)
{
	json_t *doc, *arr;
	char type[80];
	char *out;
	const char *key;
	json_t *val;

	if ((doc = json_object()) == NULL)
		return (NULL);
	snprintf(type, sizeof(type), "urn:crm:problem:%s",
	    problem_slug(status));
	if (set_str(doc, "type", type) == -1 ||
	    set_str(doc, "title", problem_title(status)) == -1 ||
	    json_object_set_new(doc, "status", json_integer(status)) == -1 ||
	    set_str(doc, "detail", detail) == -1 ||
	    set_str(doc, "instance", instance) == -1)
		goto fail;
	if (errors != NULL && errors->nerrors > 0) {
		if ((arr = render_errors(errors)) == NULL ||
		    json_object_set_new(doc, "errors", arr) == -1)
			goto fail;
	}
	/* Extra members (e.g. "current" on 412) never replace the core ones. */
	if (extra != NULL && json_is_object(extra)) {
		json_object_foreach(extra, key, val)
		{
			if (json_object_get(doc, key) != NULL)
				continue;
			if (json_object_set(doc, key, val) == -1)
				goto fail;
		}
	}
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return (out);
fail:
	json_decref(doc);
	return (NULL);
}
