/*
 * Strict query strings: name=value pairs split on '&', percent-decoded
 * ('+' is a space), each declared, given once, non-empty and well typed.
 * All bad parameters are reported (400), never their values.
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "query.h"
#include "text.h"

#define CURSOR_MAX_LEN 512

static int pct_decode(const char *, size_t, char **, size_t *);
static int hexval(char);
static const struct param_spec *param_find(const struct param_spec *, size_t,
    const char *);
static void query_pair(const char *, size_t, const struct param_spec *, size_t,
    json_t *, json_t *, struct check *);
static json_t *param_value(const struct param_spec *, const char *, size_t,
    struct check *);
static json_t *param_string(const struct param_spec *, const char *, size_t,
    struct check *);
static json_t *param_int(const struct param_spec *, const char *, size_t,
    struct check *);
static json_t *param_decimal(const struct param_spec *, const char *, size_t,
    struct check *);
static json_t *param_fields(const struct param_spec *, const char *, size_t,
    struct check *);
static void choice_error(const struct param_spec *, struct check *);

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decodes into a new NUL-terminated buffer. A decoded NUL, a bad escape
 * or invalid UTF-8 fails: C strings and PostgreSQL text cannot hold them.
 */
static int
pct_decode(const char *s, size_t len, char **out, size_t *olen)
{
	char *buf;
	size_t i, o;
	int hi, lo;

	if ((buf = malloc(len + 1)) == NULL)
		return (-1);
	for (i = o = 0; i < len; i++) {
		if (s[i] == '+') {
			buf[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				goto bad;
			buf[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
	if (memchr(buf, '\0', o) != NULL || !text_utf8_valid(buf, o))
		goto bad;
	*out = buf;
	*olen = o;
	return (0);
bad:
	free(buf);
	return (-1);
}

static const struct param_spec *
param_find(const struct param_spec *spec, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(spec[i].name, name) == 0)
			return (&spec[i]);
	return (NULL);
}

json_t *
query_parse(const char *qs, const struct param_spec *spec, size_t n,
    struct check *chk)
{
	json_t *out, *seen;
	const char *p, *amp;
	size_t plen;

	check_init(chk);
	out = json_object();
	seen = json_object();
	if (out == NULL || seen == NULL)
		goto nomem;

	for (p = qs; p != NULL && *p != '\0'; p = amp ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		plen = amp ? (size_t)(amp - p) : strlen(p);
		if (plen == 0)
			continue; /* "a=1&&b=2", trailing '&' */
		query_pair(p, plen, spec, n, out, seen, chk);
	}

	if (chk->status == 0 && param_find(spec, n, "limit") != NULL &&
	    json_object_get(out, "limit") == NULL &&
	    json_object_set_new(out, "limit",
	        json_integer(QUERY_LIMIT_DEFAULT)) == -1)
		goto nomem;
	json_decref(seen);
	if (chk->status != 0) {
		if (chk->detail[0] == '\0')
			check_fail(chk, chk->status, "invalid query string");
		json_decref(out);
		return (NULL);
	}
	return (out);
nomem:
	json_decref(out);
	json_decref(seen);
	check_fail(chk, 500, "out of memory");
	return (NULL);
}

/* One name[=value] piece; errors go to chk, values to out. */
static void
query_pair(const char *p, size_t plen, const struct param_spec *spec, size_t n,
    json_t *out, json_t *seen, struct check *chk)
{
	const struct param_spec *ps;
	const char *eq;
	char *name, *val, raw[64];
	size_t nlen, vlen;
	json_t *v;

	name = val = NULL;
	eq = memchr(p, '=', plen);
	nlen = eq ? (size_t)(eq - p) : plen;
	if (pct_decode(p, nlen, &name, &nlen) == -1) {
		/* Name undecodable: show it raw, cut to the field size. */
		snprintf(raw, sizeof(raw), "%.*s", (int)nlen, p);
		check_field(chk, 400, raw, "invalid_encoding",
		    "invalid percent-encoding or UTF-8");
		return;
	}
	if (json_object_get(seen, name) != NULL) {
		check_field(chk, 400, name, "duplicate",
		    "given more than once");
		goto done;
	}
	json_object_set_new(seen, name, json_true());
	if ((ps = param_find(spec, n, name)) == NULL) {
		check_field(chk, 400, name, "unknown_parameter",
		    "unknown parameter");
		goto done;
	}
	if (eq == NULL || eq + 1 == p + plen) {
		check_field(chk, 400, name, "empty", "must not be empty");
		goto done;
	}
	if (pct_decode(eq + 1, (size_t)(p + plen - eq - 1), &val, &vlen) ==
	    -1) {
		check_field(chk, 400, name, "invalid_encoding",
		    "invalid percent-encoding or UTF-8");
		goto done;
	}
	if (vlen == 0) {
		check_field(chk, 400, name, "empty", "must not be empty");
		goto done;
	}
	if ((v = param_value(ps, val, vlen, chk)) != NULL &&
	    json_object_set_new(out, ps->name, v) == -1)
		check_fail(chk, 500, "out of memory");
done:
	free(name);
	free(val);
}

static void
choice_error(const struct param_spec *ps, struct check *chk)
{
	char list[140];

	text_join(list, sizeof(list), ps->choices);
	check_field(chk, 400, ps->name, "invalid_choice", "must be one of: %s",
	    list);
}

static json_t *
param_value(const struct param_spec *ps, const char *v, size_t len,
    struct check *chk)
{
	char buf[FORMAT_UUID_LEN];

	switch (ps->type) {
	case PT_STRING:
		return (param_string(ps, v, len, chk));
	case PT_UUID:
		if (!format_uuid(v, len))
			break;
		memcpy(buf, v, FORMAT_UUID_LEN);
		text_lower(buf, FORMAT_UUID_LEN);
		return (json_stringn(buf, FORMAT_UUID_LEN));
	case PT_INT:
		return (param_int(ps, v, len, chk));
	case PT_BOOL:
		if (strcmp(v, "true") == 0)
			return (json_true());
		if (strcmp(v, "false") == 0)
			return (json_false());
		check_field(chk, 400, ps->name, "invalid_format",
		    "must be true or false");
		return (NULL);
	case PT_ENUM:
		if (format_choice(ps->choices, v, len))
			return (json_stringn(v, len));
		choice_error(ps, chk);
		return (NULL);
	case PT_TIMESTAMP:
		if (format_timestamp(v, len))
			return (json_stringn(v, len));
		check_field(chk, 400, ps->name, "invalid_format",
		    "must be an RFC 3339 date-time with seconds and offset "
		    "(encode '+' as %%2B)");
		return (NULL);
	case PT_CURSOR:
		if (len > CURSOR_MAX_LEN || len % 4 == 1 ||
		    strspn(v,
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		        "qrstuvwxyz0123456789-_") != len)
			break;
		return (json_stringn(v, len));
	case PT_SORT:
		if (format_choice(ps->choices, v[0] == '-' ? v + 1 : v,
		        v[0] == '-' ? len - 1 : len))
			return (json_stringn(v, len));
		choice_error(ps, chk);
		return (NULL);
	case PT_FIELDS:
		return (param_fields(ps, v, len, chk));
	case PT_DATE:
		if (format_date(v, len))
			return (json_stringn(v, len));
		check_field(chk, 400, ps->name, "invalid_format",
		    "must be a date YYYY-MM-DD");
		return (NULL);
	case PT_DECIMAL:
		return (param_decimal(ps, v, len, chk));
	}
	check_field(chk, 400, ps->name, "invalid_format", "invalid value");
	return (NULL);
}

static json_t *
param_string(const struct param_spec *ps, const char *v, size_t len,
    struct check *chk)
{
	if (text_has_controls(v, len)) {
		check_field(chk, 400, ps->name, "invalid_characters",
		    "must not contain control characters");
		return (NULL);
	}
	if (ps->max > 0 &&
	    text_utf8_count(v, len) > (unsigned long long)ps->max) {
		check_field(chk, 400, ps->name, "too_long",
		    "must be at most %lld characters", ps->max);
		return (NULL);
	}
	return (json_stringn(v, len));
}

static json_t *
param_int(const struct param_spec *ps, const char *v, size_t len,
    struct check *chk)
{
	long long n;

	if (!format_int(v, len, &n)) {
		check_field(chk, 400, ps->name, "invalid_format",
		    "must be an integer");
		return (NULL);
	}
	if (n < ps->min || n > ps->max) {
		check_field(chk, 400, ps->name, "out_of_range",
		    "must be between %lld and %lld", ps->min, ps->max);
		return (NULL);
	}
	return (json_integer(n));
}

static json_t *
param_decimal(const struct param_spec *ps, const char *v, size_t len,
    struct check *chk)
{
	char dec[FORMAT_DECIMAL_BUFSZ];

	if (!format_decimal(v, len, dec, sizeof(dec))) {
		check_field(chk, 400, ps->name, "invalid_format",
		    "must be a decimal with at most 16 digits before "
		    "and 2 after the point");
		return (NULL);
	}
	if (ps->min >= 0 && dec[0] == '-') {
		check_field(chk, 400, ps->name, "out_of_range",
		    "must not be negative");
		return (NULL);
	}
	return (json_string(dec));
}

static json_t *
param_fields(const struct param_spec *ps, const char *v, size_t len,
    struct check *chk)
{
	json_t *arr, *it;
	const char *p, *end, *comma;
	size_t n, i;

	if ((arr = json_array()) == NULL)
		return (NULL);
	end = v + len;
	for (p = v; p <= end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		n = (size_t)(comma - p);
		if (!format_choice(ps->choices, p, n)) {
			json_decref(arr);
			if (n == 0)
				check_field(chk, 400, ps->name, "empty",
				    "must not contain empty items");
			else
				choice_error(ps, chk);
			return (NULL);
		}
		json_array_foreach(arr, i, it)
		{
			if (strlen(json_string_value(it)) == n &&
			    memcmp(json_string_value(it), p, n) == 0) {
				json_decref(arr);
				check_field(chk, 400, ps->name, "duplicate",
				    "lists a field more than once");
				return (NULL);
			}
		}
		if (json_array_append_new(arr, json_stringn(p, n)) == -1) {
			json_decref(arr);
			return (NULL);
		}
	}
	return (arr);
}
