/*
 * libFuzzer harness for query_parse. The input, NUL-terminated, is the raw
 * query string (what follows '?'). The parameter table covers every PT_*
 * type with the bounds the resources use. Checked: no memory errors or
 * leaks, and the documented contract (400 with at least one error on
 * failure, only declared parameters with well-typed, bounded values on
 * success, limit defaulted, problem document always renderable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "format.h"
#include "query.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const role_choices[] = { "admin", "manager", "rep", NULL };
static const char *const sorts[] = { "name", "email", "created_at", NULL };
static const char *const fields[] = { "id", "org_id", "email", "name",
	"role", "active", "created_at", NULL };

static const struct param_spec spec[] = {
	/* LIST_PARAMS from src/resources/resources.h */
	{ "limit", PT_INT, 1, QUERY_LIMIT_MAX, NULL },
	{ "cursor", PT_CURSOR, 0, 0, NULL },
	/* users.list */
	{ "role", PT_ENUM, 0, 0, role_choices },
	{ "active", PT_BOOL, 0, 0, NULL },
	{ "q", PT_STRING, 0, 100, NULL },
	{ "team_id", PT_UUID, 0, 0, NULL },
	{ "sort", PT_SORT, 0, 0, sorts },
	{ "fields", PT_FIELDS, 0, 0, fields },
	/* audit.list */
	{ "since", PT_TIMESTAMP, 0, 0, NULL },
	{ "until", PT_TIMESTAMP, 0, 0, NULL },
	/* campaigns.list and money filters */
	{ "active_on", PT_DATE, 0, 0, NULL },
	{ "min_cost", PT_DECIMAL, 0, 0, NULL },
	{ "balance", PT_DECIMAL, -1, 0, NULL },
	/* odd bounds, no choices, unbounded string */
	{ "offset", PT_INT, -1000000, 9223372036854775807LL, NULL },
	{ "n", PT_INT, -5, -1, NULL },
	{ "any", PT_STRING, 0, 0, NULL },
	{ "nochoice", PT_ENUM, 0, 0, NULL },
	{ "nosort", PT_SORT, 0, 0, NULL },
	{ "nofields", PT_FIELDS, 0, 0, NULL },
	{ "caf\xc3\xa9", PT_BOOL, 0, 0, NULL },
};

static const struct param_spec *
find(const char *name)
{
	size_t	i;

	for (i = 0; i < LEN(spec); i++)
		if (strcmp(spec[i].name, name) == 0)
			return (&spec[i]);
	return (NULL);
}

static void
check_value(const struct param_spec *ps, json_t *v)
{
	const char	*s;
	size_t		 n, i;
	json_t		*it;

	switch (ps->type) {
	case PT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < ps->min ||
		    json_integer_value(v) > ps->max)
			abort();
		break;
	case PT_BOOL:
		if (!json_is_boolean(v))
			abort();
		break;
	case PT_UUID:
		s = json_string_value(v);
		if (s == NULL || !format_uuid(s, json_string_length(v)))
			abort();
		for (i = 0; s[i] != '\0'; i++)
			if (s[i] >= 'A' && s[i] <= 'F')
				abort();
		break;
	case PT_TIMESTAMP:
		if (!json_is_string(v) || !format_timestamp(
		    json_string_value(v), json_string_length(v)))
			abort();
		break;
	case PT_STRING:
	case PT_ENUM:
	case PT_SORT:
	case PT_CURSOR:
		if ((s = json_string_value(v)) == NULL)
			abort();
		n = json_string_length(v);
		if (n == 0 || strlen(s) != n)
			abort();
		for (i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
		if (ps->type == PT_CURSOR && (n > 512 || n % 4 == 1))
			abort();
		break;
	case PT_DATE:
		if (!json_is_string(v) || !format_date(json_string_value(v),
		    json_string_length(v)))
			abort();
		break;
	case PT_DECIMAL: {
		char	 canon[FORMAT_DECIMAL_BUFSZ];

		/* Canonical: canonicalising again changes nothing. */
		if ((s = json_string_value(v)) == NULL ||
		    !format_decimal(s, strlen(s), canon, sizeof(canon)) ||
		    strcmp(canon, s) != 0 || (ps->min >= 0 && s[0] == '-'))
			abort();
		break;
	}
	case PT_FIELDS:
		if (!json_is_array(v) || json_array_size(v) == 0)
			abort();
		json_array_foreach(v, i, it)
			if (!json_is_string(it) ||
			    json_string_length(it) == 0)
				abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check	 chk;
	char		*qs, *doc;
	json_t		*out, *v;
	const char	*key;
	const struct param_spec *ps;

	if ((qs = malloc(size + 1)) == NULL)
		abort();
	memcpy(qs, data, size);
	qs[size] = '\0';

	out = query_parse(qs, spec, LEN(spec), &chk);
	if (out == NULL) {
		if (chk.status != 400 && chk.status != 500)
			abort();
		if (chk.status == 400 && chk.nerrors == 0)
			abort();
		if ((doc = problem_render(chk.status, chk.detail, "/v1/x",
		    &chk, NULL)) == NULL)
			abort();
		free(doc);
	} else {
		if (chk.status != 0 || !json_is_object(out))
			abort();
		if (json_object_get(out, "limit") == NULL)
			abort();
		json_object_foreach(out, key, v) {
			if ((ps = find(key)) == NULL)
				abort();
			check_value(ps, v);
		}
		if ((doc = json_dumps(out, JSON_COMPACT)) == NULL)
			abort();
		free(doc);
		json_decref(out);
	}

	/* An operation without parameters accepts only the empty string. */
	out = query_parse(qs, NULL, 0, &chk);
	if (out != NULL) {
		if (json_object_size(out) != 0)
			abort();
		json_decref(out);
	}

	free(qs);
	return (0);
}
