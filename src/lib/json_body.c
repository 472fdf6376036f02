/*
 * Strict JSON request bodies. Order of checks: content type (415), size
 * (413), nesting depth by a cheap scan before jansson allocates anything
 * (400), syntax and duplicate keys (400), top-level object (400), then every
 * member against the operation's field table (422, all errors collected).
 * Error messages never echo the submitted values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_body.h"
#include "password.h"

#define EMAIL_MAX_LEN   254
#define EMAIL_LOCAL_MAX 64

static int content_type_ok(const char *);
static int param_value_is_utf8(const char *, size_t);
static int depth_ok(const unsigned char *, size_t);
static void syntax_error(struct check *, const json_error_t *);
static const struct field_spec *spec_find(const struct field_spec *, size_t,
    const char *);
static void path_join(char *, size_t, const char *, const char *);
static void path_index(char *, size_t, const char *, size_t);
static json_t *check_object(const struct field_spec *, size_t, json_t *,
    enum body_mode, const char *, struct check *);
static json_t *check_member(const struct field_spec *, const char *, json_t *,
    enum body_mode, struct check *);
static json_t *check_string(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_email(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_uuid(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_int(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_enum(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_enum_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *check_timestamp(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *check_password(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_date(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_number(const struct field_spec *, const char *, json_t *,
    struct check *);
static int decimal_from_number(json_t *, char *, size_t);
static json_t *check_decimal(const struct field_spec *, const char *, json_t *,
    struct check *);
static int url_host_ok(const char *, size_t);
static int url_ok(const char *, size_t);
static json_t *check_url(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *check_string_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *check_object_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *check_json_object(const struct field_spec *, const char *,
    json_t *, struct check *);
static int has_bad_controls(const char *, size_t);
static int has_controls(const char *, size_t);
static void trim_ascii(const char **, size_t *);
static size_t utf8_count(const char *, size_t);
static int choice_index(const char *const *, const char *);
static void choice_error(const struct field_spec *, const char *,
    struct check *, const char *);
static int digits(const char *, size_t, int *);
static int days_in_month(int, int);
static void lower_ascii(char *, size_t);

/* Longest error path built here; check_field cuts it to its own buffer. */
#define FIELD_PATH_LEN 256

/* OWS per RFC 9110: space and horizontal tab. */
#define IS_OWS(c) ((c) == ' ' || (c) == '\t')
/* ASCII white space, independent of the locale (unlike isspace). */
#define IS_WS(c)                                                    \
	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || \
	    (c) == '\f' || (c) == '\v')
#define IS_HEX(c)                                                    \
	(((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'f') || \
	    ((c) >= 'A' && (c) <= 'F'))

/*
 * "application/json" with optional parameters; a charset parameter must
 * name UTF-8 (RFC 8259 allows nothing else). Other parameters are ignored.
 */
static int
content_type_ok(const char *ct)
{
	const char *p, *end, *name, *eq, *val;
	size_t n, vlen;

	if (ct == NULL)
		return (0);
	p = ct;
	while (IS_OWS(*p))
		p++;
	end = p + strcspn(p, ";");
	n = (size_t)(end - p);
	while (n > 0 && IS_OWS(p[n - 1]))
		n--;
	if (n != strlen("application/json") ||
	    strncasecmp(p, "application/json", n) != 0)
		return (0);

	while (*end == ';') {
		name = end + 1;
		while (IS_OWS(*name))
			name++;
		end = name + strcspn(name, ";");
		if (name == end)
			continue; /* "application/json;" */
		if ((eq = memchr(name, '=', (size_t)(end - name))) == NULL ||
		    eq == name)
			return (0);
		val = eq + 1;
		vlen = (size_t)(end - val);
		while (vlen > 0 && IS_OWS(val[vlen - 1]))
			vlen--;
		if ((size_t)(eq - name) == strlen("charset") &&
		    strncasecmp(name, "charset", 7) == 0 &&
		    !param_value_is_utf8(val, vlen))
			return (0);
	}
	return (1);
}

static int
param_value_is_utf8(const char *v, size_t len)
{
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	return (len == 5 && strncasecmp(v, "utf-8", 5) == 0);
}

/*
 * Counts [ and { outside strings. jansson recurses per level, so this
 * refuses deep documents before it allocates or recurses at all.
 */
static int
depth_ok(const unsigned char *p, size_t len)
{
	size_t i;
	int depth, in_str, esc;

	depth = in_str = esc = 0;
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (esc)
				esc = 0;
			else if (p[i] == '\\')
				esc = 1;
			else if (p[i] == '"')
				in_str = 0;
			continue;
		}
		switch (p[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > BODY_MAX_DEPTH)
				return (0);
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return (1);
}

/*
 * jansson's text quotes the offending token; only the duplicate key name
 * is passed on (short, printable), never other input.
 */
static void
syntax_error(struct check *chk, const json_error_t *err)
{
	const char *q;
	size_t n, i;

	if (json_error_code(err) == json_error_duplicate_key) {
		if ((q = strstr(err->text, "near '\"")) != NULL) {
			q += strlen("near '\"");
			n = strlen(q);
			if (n >= 2 && n <= 66 &&
			    strcmp(q + n - 2, "\"'") == 0) {
				n -= 2;
				for (i = 0; i < n; i++)
					if ((unsigned char)q[i] < 0x20)
						break;
				if (i == n) {
					check_fail(chk, 400,
					    "duplicate key \"%.*s\"", (int)n,
					    q);
					return;
				}
			}
		}
		check_fail(chk, 400, "duplicate key in object");
		return;
	}
	if (json_error_code(err) == json_error_null_character) {
		check_fail(chk, 400,
		    "\\u0000 is not allowed in strings "
		    "(line %d, column %d)",
		    err->line, err->column);
		return;
	}
	check_fail(chk, 400, "malformed JSON at line %d, column %d", err->line,
	    err->column);
}

static const struct field_spec *
spec_find(const struct field_spec *spec, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(spec[i].name, name) == 0)
			return (&spec[i]);
	return (NULL);
}

json_t *
body_parse(const char *content_type, const void *data, size_t len,
    size_t max_bytes, const struct field_spec *spec, size_t nspec,
    enum body_mode mode, struct check *chk)
{
	json_t *in, *out;
	json_error_t err;

	check_init(chk);
	if (!content_type_ok(content_type)) {
		check_fail(chk, 415, "request body must be application/json");
		return (NULL);
	}
	if (len > max_bytes) {
		check_fail(chk, 413, "request body exceeds %zu bytes",
		    max_bytes);
		return (NULL);
	}
	if (data == NULL)
		len = 0;
	if (!depth_ok(data, len)) {
		check_fail(chk, 400, "JSON nested deeper than %d levels",
		    BODY_MAX_DEPTH);
		return (NULL);
	}
	in = json_loadb(data != NULL ? data : "", len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (in == NULL) {
		syntax_error(chk, &err);
		return (NULL);
	}
	if (!json_is_object(in)) {
		json_decref(in);
		check_fail(chk, 400, "request body must be a JSON object");
		return (NULL);
	}
	if (mode == BODY_PATCH && json_object_size(in) == 0) {
		json_decref(in);
		check_fail(chk, 422, "empty patch");
		return (NULL);
	}
	out = check_object(spec, nspec, in, mode, NULL, chk);
	json_decref(in);

	if (chk->status != 0) {
		if (chk->status == 422 && chk->detail[0] == '\0')
			check_fail(chk, 422,
			    "request body has %d invalid "
			    "field%s",
			    chk->nerrors, chk->nerrors == 1 ? "" : "s");
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/* "key" at the top, "prefix.key" below it; cut to size if need be. */
static void
path_join(char *buf, size_t size, const char *prefix, const char *key)
{
	int n;

	if (prefix == NULL || prefix[0] == '\0')
		n = snprintf(buf, size, "%s", key);
	else
		n = snprintf(buf, size, "%s.%s", prefix, key);
	if (n < 0)
		buf[0] = '\0';
}

/* "name[i]"; cut to size if need be. */
static void
path_index(char *buf, size_t size, const char *name, size_t i)
{
	if (snprintf(buf, size, "%s[%zu]", name, i) < 0)
		buf[0] = '\0';
}

/*
 * Checks the members of in against spec; prefix (NULL at the top) names
 * the object in errors. Returns the normalized object, or NULL when
 * anything in it was wrong (all errors recorded, up to the cap).
 */
static json_t *
check_object(const struct field_spec *spec, size_t nspec, json_t *in,
    enum body_mode mode, const char *prefix, struct check *chk)
{
	json_t *out, *v, *nv;
	const char *key;
	const struct field_spec *fs;
	char path[FIELD_PATH_LEN];
	size_t i;
	int bad;

	if ((out = json_object()) == NULL) {
		check_fail(chk, 500, "out of memory");
		return (NULL);
	}
	bad = 0;
	/* jansson keeps insertion order, so errors follow the document. */
	json_object_foreach(in, key, v)
	{
		path_join(path, sizeof(path), prefix, key);
		if ((fs = spec_find(spec, nspec, key)) == NULL) {
			check_field(chk, 422, path, "unknown_field",
			    "unknown field");
			bad = 1;
			continue;
		}
		if ((nv = check_member(fs, path, v, mode, chk)) == NULL) {
			bad = 1;
			continue;
		}
		if (json_object_set_new(out, key, nv) == -1) {
			check_fail(chk, 500, "out of memory");
			bad = 1;
		}
	}
	if (mode == BODY_CREATE) {
		for (i = 0; i < nspec; i++) {
			if (!(spec[i].flags & F_REQUIRED) ||
			    (spec[i].flags & F_READ_ONLY))
				continue;
			if (json_object_get(in, spec[i].name) == NULL) {
				path_join(path, sizeof(path), prefix,
				    spec[i].name);
				check_field(chk, 422, path, "required",
				    "is required");
				bad = 1;
			}
		}
	}
	if (bad) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/*
 * Returns the normalized value (new reference) or NULL after an error.
 * name is the member's path for error messages.
 */
static json_t *
check_member(const struct field_spec *fs, const char *name, json_t *v,
    enum body_mode mode, struct check *chk)
{
	if (fs->flags & F_READ_ONLY) {
		check_field(chk, 422, name, "read_only", "is read-only");
		return (NULL);
	}
	if (json_is_null(v)) {
		if (fs->flags & F_NULLABLE)
			return (json_null());
		check_field(chk, 422, name, "type", "must not be null");
		return (NULL);
	}
	switch (fs->type) {
	case FT_STRING:
		return (check_string(fs, name, v, chk));
	case FT_EMAIL:
		return (check_email(fs, name, v, chk));
	case FT_UUID:
		return (check_uuid(fs, name, v, chk));
	case FT_INT:
		return (check_int(fs, name, v, chk));
	case FT_BOOL:
		if (!json_is_boolean(v)) {
			check_field(chk, 422, name, "type",
			    "must be a boolean");
			return (NULL);
		}
		return (json_incref(v));
	case FT_ENUM:
		return (check_enum(fs, name, v, chk));
	case FT_ENUM_ARRAY:
		return (check_enum_array(fs, name, v, chk));
	case FT_TIMESTAMP:
		return (check_timestamp(fs, name, v, chk));
	case FT_PASSWORD:
		return (check_password(fs, name, v, chk));
	case FT_DATE:
		return (check_date(fs, name, v, chk));
	case FT_NUMBER:
		return (check_number(fs, name, v, chk));
	case FT_DECIMAL:
		return (check_decimal(fs, name, v, chk));
	case FT_URL:
		return (check_url(fs, name, v, chk));
	case FT_STRING_ARRAY:
		return (check_string_array(fs, name, v, chk));
	case FT_OBJECT:
		if (!json_is_object(v)) {
			check_field(chk, 422, name, "type",
			    "must be an object");
			return (NULL);
		}
		/* Partial in a patch, like the top level. */
		return (check_object(fs->sub, fs->nsub, v, mode, name, chk));
	case FT_OBJECT_ARRAY:
		return (check_object_array(fs, name, v, chk));
	case FT_JSON_OBJECT:
		return (check_json_object(fs, name, v, chk));
	}
	check_field(chk, 422, name, "type", "unsupported field type");
	return (NULL);
}

/* C0 controls other than tab and newline; jansson already refused NUL. */
static int
has_bad_controls(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n')
			return (1);
	return (0);
}

static void
trim_ascii(const char **s, size_t *len)
{
	while (*len > 0 && IS_WS((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && IS_WS((*s)[*len - 1]))
		(*len)--;
}

/* jansson guarantees valid UTF-8: count the non-continuation bytes. */
static size_t
utf8_count(const char *s, size_t len)
{
	size_t i, n;

	for (i = n = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return (n);
}

static json_t *
check_string(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s;
	size_t len, cps;

	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (has_bad_controls(s, len)) {
		check_field(chk, 422, name, "invalid_characters",
		    "must not contain control characters");
		return (NULL);
	}
	trim_ascii(&s, &len);
	cps = utf8_count(s, len);
	if (cps == 0 && (fs->flags & F_REQUIRED)) {
		check_field(chk, 422, name, "required", "is required");
		return (NULL);
	}
	if (fs->min > 0 && cps < (unsigned long long)fs->min) {
		check_field(chk, 422, name, "too_short",
		    "must be at least %lld characters", fs->min);
		return (NULL);
	}
	if (fs->max > 0 && cps > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_long",
		    "must be at most %lld characters", fs->max);
		return (NULL);
	}
	return (json_stringn(s, len));
}

static void
lower_ascii(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/*
 * Deliberately simple: local@domain, one '@', no white space or
 * controls, a dot inside the domain, no empty domain labels. Deliverability
 * is proved by sending mail, not by a regex.
 */
static json_t *
check_email(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s, *at;
	char buf[EMAIL_MAX_LEN + 1];
	size_t len, i, local, dlen;
	const char *dom;

	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	trim_ascii(&s, &len);
	if (len == 0 && (fs->flags & F_REQUIRED)) {
		check_field(chk, 422, name, "required", "is required");
		return (NULL);
	}
	if (len > EMAIL_MAX_LEN)
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			goto bad;
	if ((at = memchr(s, '@', len)) == NULL ||
	    memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		goto bad;
	local = (size_t)(at - s);
	dom = at + 1;
	dlen = len - local - 1;
	if (local == 0 || local > EMAIL_LOCAL_MAX || dlen < 3 ||
	    dom[0] == '.' || dom[dlen - 1] == '.' ||
	    memchr(dom, '.', dlen) == NULL)
		goto bad;
	for (i = 0; i + 1 < dlen; i++)
		if (dom[i] == '.' && dom[i + 1] == '.')
			goto bad;
	memcpy(buf, s, len);
	lower_ascii(buf, len);
	return (json_stringn(buf, len));
bad:
	check_field(chk, 422, name, "invalid_format",
	    "must be an e-mail address");
	return (NULL);
}

int
body_is_uuid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len != 36)
		return (0);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!IS_HEX(s[i]))
			return (0);
	}
	return (1);
}

static json_t *
check_uuid(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	char buf[37];

	(void)fs;
	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	if (!body_is_uuid(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, name, "invalid_format", "must be a UUID");
		return (NULL);
	}
	memcpy(buf, json_string_value(v), 36);
	lower_ascii(buf, 36);
	return (json_stringn(buf, 36));
}

static json_t *
check_int(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_int_t n;

	if (!json_is_integer(v)) {
		check_field(chk, 422, name, "type", "must be an integer");
		return (NULL);
	}
	n = json_integer_value(v);
	if (n < fs->min || n > fs->max) {
		check_field(chk, 422, name, "out_of_range",
		    "must be between %lld and %lld", fs->min, fs->max);
		return (NULL);
	}
	return (json_integer(n));
}

static int
choice_index(const char *const *choices, const char *s)
{
	int i;

	if (choices == NULL)
		return (-1);
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], s) == 0)
			return (i);
	return (-1);
}

static void
choice_error(const struct field_spec *fs, const char *name, struct check *chk,
    const char *prefix)
{
	char list[140];
	size_t off, i;
	int n;

	list[0] = '\0';
	off = 0;
	for (i = 0; fs->choices != NULL && fs->choices[i] != NULL; i++) {
		n = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i == 0 ? "" : ", ", fs->choices[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - off)
			break; /* message is truncated, not the check */
		off += (size_t)n;
	}
	check_field(chk, 422, name, "invalid_choice", "%smust be one of: %s",
	    prefix, list);
}

static json_t *
check_enum(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	if (choice_index(fs->choices, json_string_value(v)) < 0) {
		choice_error(fs, name, chk, "");
		return (NULL);
	}
	return (json_incref(v));
}

/* One error per field: the first bad item, or the count. */
static json_t *
check_enum_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *item;
	size_t i, j;
	char prefix[32];

	if (!json_is_array(v)) {
		check_field(chk, 422, name, "type", "must be an array");
		return (NULL);
	}
	if (fs->max > 0 && json_array_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_many",
		    "must have at most %lld items", fs->max);
		return (NULL);
	}
	if (fs->min > 0 && json_array_size(v) < (unsigned long long)fs->min) {
		check_field(chk, 422, name, "too_few",
		    "must have at least %lld items", fs->min);
		return (NULL);
	}
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			check_field(chk, 422, name, "type",
			    "item %zu must be a string", i);
			return (NULL);
		}
		if (choice_index(fs->choices, json_string_value(item)) < 0) {
			snprintf(prefix, sizeof(prefix), "item %zu ", i);
			choice_error(fs, name, chk, prefix);
			return (NULL);
		}
		for (j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(v, j)),
			        json_string_value(item)) == 0) {
				check_field(chk, 422, name, "duplicate",
				    "item %zu repeats item %zu", i, j);
				return (NULL);
			}
		}
	}
	return (json_incref(v));
}

/* Parses exactly n ASCII digits. */
static int
digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v;

	for (i = v = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (1);
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (dm[m - 1]);
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm).
 * Upper-case T and Z only, seconds required, no leap second (PostgreSQL
 * would roll it over), 1 to 9 fraction digits, year 0001 to 9999.
 */
int
body_is_timestamp(const char *s, size_t len)
{
	int y, mo, d, h, mi, sec, oh, om;
	size_t i;

	if (s == NULL || len < 20)
		return (0);
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != 'T' ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &sec))
		return (0);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return (0);
	i = 19;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20 || i > 29)
			return (0);
	}
	if (i == len)
		return (0);
	if (s[i] == 'Z')
		return (i + 1 == len);
	if ((s[i] != '+' && s[i] != '-') || len - i != 6)
		return (0);
	if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
	    !digits(s + i + 4, 2, &om))
		return (0);
	return (oh <= 23 && om <= 59);
}

/* A string whose format is_valid() accepts, kept as it is. */
static json_t *
check_formatted(const char *name, json_t *v, struct check *chk,
    int (*is_valid)(const char *, size_t), const char *what)
{
	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	if (!is_valid(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, name, "invalid_format", "must be %s",
		    what);
		return (NULL);
	}
	return (json_incref(v));
}

static json_t *
check_timestamp(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	(void)fs;
	return (check_formatted(name, v, chk, body_is_timestamp,
	    "an RFC 3339 date-time with seconds and offset"));
}

/* Byte length, not trimmed: white space may be part of a password. */
static json_t *
check_password(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	size_t len;

	(void)fs;
	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	len = json_string_length(v);
	if (len < PASSWORD_MIN_LEN) {
		check_field(chk, 422, name, "too_short",
		    "must be at least %d bytes", PASSWORD_MIN_LEN);
		return (NULL);
	}
	if (len > PASSWORD_MAX_LEN) {
		check_field(chk, 422, name, "too_long",
		    "must be at most %d bytes", PASSWORD_MAX_LEN);
		return (NULL);
	}
	return (json_incref(v));
}

/* Any C0 control or DEL (stricter than has_bad_controls). */
static int
has_controls(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (1);
	return (0);
}

int
body_is_date(const char *s, size_t len)
{
	int y, m, d;

	if (s == NULL || len != 10)
		return (0);
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return (0);
	return (
	    y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m));
}

static json_t *
check_date(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	(void)fs;
	return (
	    check_formatted(name, v, chk, body_is_date, "a date YYYY-MM-DD"));
}

/* jansson refuses NaN and infinities when parsing, so comparisons hold. */
static json_t *
check_number(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	double d;

	if (!json_is_number(v)) {
		check_field(chk, 422, name, "type", "must be a number");
		return (NULL);
	}
	d = json_number_value(v);
	if ((fs->dmin != 0 || fs->dmax != 0) &&
	    (d < fs->dmin || d > fs->dmax)) {
		check_field(chk, 422, name, "out_of_range",
		    "must be between %g and %g", fs->dmin, fs->dmax);
		return (NULL);
	}
	return (json_incref(v));
}

int
body_decimal_canon(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, ip, is, fs, fp, o;
	int neg;

	if (s == NULL || out == NULL || outlen < BODY_DECIMAL_BUFSZ)
		return (0);
	i = 0;
	neg = (len > 0 && s[0] == '-');
	if (neg)
		i++;
	for (is = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	ip = i - is;
	if (ip < 1 || ip > 16)
		return (0);
	fs = fp = 0;
	if (i < len && s[i] == '.') {
		for (fs = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		fp = i - fs;
		if (fp < 1 || fp > 2)
			return (0);
	}
	if (i != len)
		return (0);

	/* Drop leading zeros (keep one digit) and trailing fraction zeros. */
	while (ip > 1 && s[is] == '0') {
		is++;
		ip--;
	}
	while (fp > 0 && s[fs + fp - 1] == '0')
		fp--;
	if (ip == 1 && s[is] == '0' && fp == 0)
		neg = 0; /* "-0", "-0.00" */
	o = 0;
	if (neg)
		out[o++] = '-';
	memcpy(out + o, s + is, ip);
	o += ip;
	if (fp > 0) {
		out[o++] = '.';
		memcpy(out + o, s + fs, fp);
		o += fp;
	}
	out[o] = '\0';
	return (1);
}

/*
 * A JSON number as money text: integers as printed; a real as the shortest
 * of 0, 1 or 2 decimals that reads back as the same double (12.5 -> "12.5",
 * 0.1 -> "0.1"); one needing more (0.125, 0.1 + 0.2) is refused.
 */
static int
decimal_from_number(json_t *v, char *out, size_t outlen)
{
	char tmp[64];
	double d;
	int prec, n;

	if (json_is_integer(v)) {
		n = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return (0);
		return (body_decimal_canon(tmp, (size_t)n, out, outlen));
	}
	d = json_real_value(v);
	if (!(d > -1e16 && d < 1e16))
		return (0);
	for (prec = 0; prec <= 2; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*f", prec, d);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return (0);
		if (strtod(tmp, NULL) == d)
			return (
			    body_decimal_canon(tmp, (size_t)n, out, outlen));
	}
	return (0);
}

static json_t *
check_decimal(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	char buf[BODY_DECIMAL_BUFSZ];
	int ok;

	if (json_is_string(v))
		ok = body_decimal_canon(json_string_value(v),
		    json_string_length(v), buf, sizeof(buf));
	else if (json_is_number(v))
		ok = decimal_from_number(v, buf, sizeof(buf));
	else {
		check_field(chk, 422, name, "type",
		    "must be a decimal string or number");
		return (NULL);
	}
	if (!ok) {
		check_field(chk, 422, name, "invalid_format",
		    "must be a decimal with at most 16 digits before "
		    "and 2 after the point");
		return (NULL);
	}
	if (fs->min >= 0 && buf[0] == '-') {
		check_field(chk, 422, name, "out_of_range",
		    "must not be negative");
		return (NULL);
	}
	return (json_string(buf));
}

/*
 * Host of an http(s) URL: a bracketed IPv6 literal, or a name of letters,
 * digits, '-', '_', '.' and non-ASCII (IDN) bytes, then an optional port
 * 1..65535. No user information: "http://good.example@evil.example" is a
 * phishing shape, and credentials do not belong in CRM records.
 */
static int
url_host_ok(const char *a, size_t len)
{
	size_t i, h;
	long port;

	if (len == 0)
		return (0);
	if (a[0] == '[') {
		for (i = 1; i < len && a[i] != ']'; i++)
			if (!IS_HEX(a[i]) && a[i] != ':' && a[i] != '.')
				return (0);
		if (i == len || i < 3)
			return (0);
		h = ++i;
	} else {
		for (i = 0; i < len && a[i] != ':'; i++) {
			if (((unsigned char)a[i] & 0x80) ||
			    (a[i] >= 'a' && a[i] <= 'z') ||
			    (a[i] >= 'A' && a[i] <= 'Z') ||
			    (a[i] >= '0' && a[i] <= '9') || a[i] == '-' ||
			    a[i] == '_' || a[i] == '.')
				continue;
			return (0);
		}
		if (i == 0 || a[0] == '.' || a[0] == '-')
			return (0);
		h = i;
	}
	if (h == len)
		return (1);
	if (a[h] != ':' || len - h < 2 || len - h > 6)
		return (0);
	for (port = 0, i = h + 1; i < len; i++) {
		if (a[i] < '0' || a[i] > '9')
			return (0);
		port = port * 10 + (a[i] - '0');
	}
	return (port >= 1 && port <= 65535);
}

static int
url_ok(const char *s, size_t len)
{
	size_t p, e;

	if (has_controls(s, len) || memchr(s, ' ', len) != NULL)
		return (0);
	if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		p = 7;
	else if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		p = 8;
	else
		return (0);
	for (e = p; e < len && s[e] != '/' && s[e] != '?' && s[e] != '#'; e++)
		;
	return (url_host_ok(s + p, e - p));
}

static json_t *
check_url(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s;
	size_t len, max;

	if (!json_is_string(v)) {
		check_field(chk, 422, name, "type", "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	trim_ascii(&s, &len);
	max = fs->max > 0 ? (size_t)fs->max : BODY_URL_MAX_DEFAULT;
	if (len > max || !url_ok(s, len)) {
		check_field(chk, 422, name, "invalid_format",
		    "must be an http or https URL of at most %zu bytes", max);
		return (NULL);
	}
	return (json_stringn(s, len));
}

/* One error per field, like FT_ENUM_ARRAY: the first bad item or count. */
static json_t *
check_string_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *out, *seen, *item, *nv;
	const char *s;
	size_t i, len, cps;

	if (!json_is_array(v)) {
		check_field(chk, 422, name, "type", "must be an array");
		return (NULL);
	}
	if (fs->max > 0 && json_array_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_many",
		    "must have at most %lld items", fs->max);
		return (NULL);
	}
	if (fs->min > 0 && json_array_size(v) < (unsigned long long)fs->min) {
		check_field(chk, 422, name, "too_few",
		    "must have at least %lld items", fs->min);
		return (NULL);
	}
	out = json_array();
	seen = json_object(); /* trimmed items as keys: linear duplicates */
	if (out == NULL || seen == NULL)
		goto nomem;
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			check_field(chk, 422, name, "type",
			    "item %zu must be a string", i);
			goto bad;
		}
		s = json_string_value(item);
		len = json_string_length(item);
		trim_ascii(&s, &len);
		if (has_controls(s, len)) {
			check_field(chk, 422, name, "invalid_characters",
			    "item %zu must not contain control characters", i);
			goto bad;
		}
		cps = utf8_count(s, len);
		if (cps == 0) {
			check_field(chk, 422, name, "too_short",
			    "item %zu must not be empty", i);
			goto bad;
		}
		if (fs->item_max > 0 &&
		    cps > (unsigned long long)fs->item_max) {
			check_field(chk, 422, name, "too_long",
			    "item %zu must be at most %lld characters", i,
			    fs->item_max);
			goto bad;
		}
		if ((nv = json_stringn(s, len)) == NULL ||
		    json_array_append_new(out, nv) == -1)
			goto nomem;
		/* No NUL inside: jansson refused \u0000 when parsing. */
		if ((nv = json_object_get(seen, json_string_value(nv))) !=
		    NULL) {
			check_field(chk, 422, name, "duplicate",
			    "item %zu repeats item %lld", i,
			    (long long)json_integer_value(nv));
			goto bad;
		}
		if (json_object_set_new(seen,
		        json_string_value(json_array_get(out, i)),
		        json_integer((json_int_t)i)) == -1)
			goto nomem;
	}
	json_decref(seen);
	return (out);
nomem:
	check_fail(chk, 500, "out of memory");
bad:
	json_decref(out);
	json_decref(seen);
	return (NULL);
}

/* Every item is checked, so errors name each bad "phones[1].number". */
static json_t *
check_object_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *out, *item, *nv;
	char path[FIELD_PATH_LEN];
	size_t i;
	int bad;

	if (!json_is_array(v)) {
		check_field(chk, 422, name, "type", "must be an array");
		return (NULL);
	}
	if (fs->max > 0 && json_array_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_many",
		    "must have at most %lld items", fs->max);
		return (NULL);
	}
	if (fs->min > 0 && json_array_size(v) < (unsigned long long)fs->min) {
		check_field(chk, 422, name, "too_few",
		    "must have at least %lld items", fs->min);
		return (NULL);
	}
	if ((out = json_array()) == NULL) {
		check_fail(chk, 500, "out of memory");
		return (NULL);
	}
	bad = 0;
	json_array_foreach(v, i, item)
	{
		path_index(path, sizeof(path), name, i);
		if (!json_is_object(item)) {
			check_field(chk, 422, path, "type",
			    "must be an object");
			bad = 1;
			continue;
		}
		/* Arrays are replaced whole: items are always complete. */
		if ((nv = check_object(fs->sub, fs->nsub, item, BODY_CREATE,
		         path, chk)) == NULL) {
			bad = 1;
			continue;
		}
		if (json_array_append_new(out, nv) == -1) {
			check_fail(chk, 500, "out of memory");
			bad = 1;
		}
	}
	if (bad) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/*
 * Free-form object (custom fields, metadata): only its member count, its
 * member names and its compact serialized size are bounded; values may be
 * anything (depth is bounded by BODY_MAX_DEPTH already). Names are never
 * echoed.
 */
static json_t *
check_json_object(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *item, *out;
	const char *key;
	size_t klen, n;
	char tmp[16];

	if (!json_is_object(v)) {
		check_field(chk, 422, name, "type", "must be an object");
		return (NULL);
	}
	if (fs->max > 0 && json_object_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_many",
		    "must have at most %lld members", fs->max);
		return (NULL);
	}
	json_object_foreach(v, key, item)
	{
		klen = strlen(key);
		if (klen == 0 || klen > BODY_JSON_KEY_MAX) {
			check_field(chk, 422, name, "invalid_key",
			    "member names must be 1 to %d bytes",
			    BODY_JSON_KEY_MAX);
			return (NULL);
		}
	}
	if (fs->item_max > 0) {
		/* Returns the full size even when tmp is too small. */
		n = json_dumpb(v, tmp, sizeof(tmp), JSON_COMPACT);
		if (n == 0) {
			check_fail(chk, 500, "out of memory");
			return (NULL);
		}
		if (n > (unsigned long long)fs->item_max) {
			check_field(chk, 422, name, "too_large",
			    "must be at most %lld bytes as compact JSON",
			    fs->item_max);
			return (NULL);
		}
	}
	if ((out = json_deep_copy(v)) == NULL)
		check_fail(chk, 500, "out of memory");
	return (out);
}
