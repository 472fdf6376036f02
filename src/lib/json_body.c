/*
 * Strict JSON request bodies. Order of checks: content type (415), size
 * (413), nesting depth by a cheap scan before jansson allocates anything
 * (400), syntax and duplicate keys (400), top-level object (400), then every
 * member against the operation's field table (422, all errors collected).
 * Error messages never echo the submitted values.
 */
#include <stdio.h>
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
static json_t *check_member(const struct field_spec *, json_t *,
    struct check *);
static json_t *check_string(const struct field_spec *, json_t *,
    struct check *);
static json_t *check_email(const struct field_spec *, json_t *, struct check *);
static json_t *check_uuid(const struct field_spec *, json_t *, struct check *);
static json_t *check_int(const struct field_spec *, json_t *, struct check *);
static json_t *check_enum(const struct field_spec *, json_t *, struct check *);
static json_t *check_enum_array(const struct field_spec *, json_t *,
    struct check *);
static json_t *check_timestamp(const struct field_spec *, json_t *,
    struct check *);
static json_t *check_password(const struct field_spec *, json_t *,
    struct check *);
static int has_bad_controls(const char *, size_t);
static void trim_ascii(const char **, size_t *);
static size_t utf8_count(const char *, size_t);
static int choice_index(const char *const *, const char *);
static void choice_error(const struct field_spec *, struct check *,
    const char *);
static int digits(const char *, size_t, int *);
static int days_in_month(int, int);
static void lower_ascii(char *, size_t);

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
	json_t *in, *out, *v, *nv;
	json_error_t err;
	const char *key;
	const struct field_spec *fs;
	size_t i;

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
	if ((out = json_object()) == NULL) {
		json_decref(in);
		check_fail(chk, 500, "out of memory");
		return (NULL);
	}

	/* jansson keeps insertion order, so errors follow the document. */
	json_object_foreach(in, key, v)
	{
		if ((fs = spec_find(spec, nspec, key)) == NULL) {
			check_field(chk, 422, key, "unknown_field",
			    "unknown field");
			continue;
		}
		if ((nv = check_member(fs, v, chk)) == NULL)
			continue;
		if (json_object_set_new(out, key, nv) == -1)
			check_fail(chk, 500, "out of memory");
	}
	if (mode == BODY_CREATE) {
		for (i = 0; i < nspec; i++) {
			if (!(spec[i].flags & F_REQUIRED) ||
			    (spec[i].flags & F_READ_ONLY))
				continue;
			if (json_object_get(in, spec[i].name) == NULL)
				check_field(chk, 422, spec[i].name, "required",
				    "is required");
		}
	}
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

/* Returns the normalized value (new reference) or NULL after an error. */
static json_t *
check_member(const struct field_spec *fs, json_t *v, struct check *chk)
{
	if (fs->flags & F_READ_ONLY) {
		check_field(chk, 422, fs->name, "read_only", "is read-only");
		return (NULL);
	}
	if (json_is_null(v)) {
		if (fs->flags & F_NULLABLE)
			return (json_null());
		check_field(chk, 422, fs->name, "type", "must not be null");
		return (NULL);
	}
	switch (fs->type) {
	case FT_STRING:
		return (check_string(fs, v, chk));
	case FT_EMAIL:
		return (check_email(fs, v, chk));
	case FT_UUID:
		return (check_uuid(fs, v, chk));
	case FT_INT:
		return (check_int(fs, v, chk));
	case FT_BOOL:
		if (!json_is_boolean(v)) {
			check_field(chk, 422, fs->name, "type",
			    "must be a boolean");
			return (NULL);
		}
		return (json_incref(v));
	case FT_ENUM:
		return (check_enum(fs, v, chk));
	case FT_ENUM_ARRAY:
		return (check_enum_array(fs, v, chk));
	case FT_TIMESTAMP:
		return (check_timestamp(fs, v, chk));
	case FT_PASSWORD:
		return (check_password(fs, v, chk));
	}
	check_field(chk, 422, fs->name, "type", "unsupported field type");
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
check_string(const struct field_spec *fs, json_t *v, struct check *chk)
{
	const char *s;
	size_t len, cps;

	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (has_bad_controls(s, len)) {
		check_field(chk, 422, fs->name, "invalid_characters",
		    "must not contain control characters");
		return (NULL);
	}
	trim_ascii(&s, &len);
	cps = utf8_count(s, len);
	if (cps == 0 && (fs->flags & F_REQUIRED)) {
		check_field(chk, 422, fs->name, "required", "is required");
		return (NULL);
	}
	if (fs->min > 0 && cps < (unsigned long long)fs->min) {
		check_field(chk, 422, fs->name, "too_short",
		    "must be at least %lld characters", fs->min);
		return (NULL);
	}
	if (fs->max > 0 && cps > (unsigned long long)fs->max) {
		check_field(chk, 422, fs->name, "too_long",
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
check_email(const struct field_spec *fs, json_t *v, struct check *chk)
{
	const char *s, *at;
	char buf[EMAIL_MAX_LEN + 1];
	size_t len, i, local, dlen;
	const char *dom;

	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	s = json_string_value(v);
	len = json_string_length(v);
	trim_ascii(&s, &len);
	if (len == 0 && (fs->flags & F_REQUIRED)) {
		check_field(chk, 422, fs->name, "required", "is required");
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
	check_field(chk, 422, fs->name, "invalid_format",
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
check_uuid(const struct field_spec *fs, json_t *v, struct check *chk)
{
	char buf[37];

	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	if (!body_is_uuid(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, fs->name, "invalid_format",
		    "must be a UUID");
		return (NULL);
	}
	memcpy(buf, json_string_value(v), 36);
	lower_ascii(buf, 36);
	return (json_stringn(buf, 36));
}

static json_t *
check_int(const struct field_spec *fs, json_t *v, struct check *chk)
{
	json_int_t n;

	if (!json_is_integer(v)) {
		check_field(chk, 422, fs->name, "type", "must be an integer");
		return (NULL);
	}
	n = json_integer_value(v);
	if (n < fs->min || n > fs->max) {
		check_field(chk, 422, fs->name, "out_of_range",
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
choice_error(const struct field_spec *fs, struct check *chk, const char *prefix)
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
	check_field(chk, 422, fs->name, "invalid_choice",
	    "%smust be one of: %s", prefix, list);
}

static json_t *
check_enum(const struct field_spec *fs, json_t *v, struct check *chk)
{
	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	if (choice_index(fs->choices, json_string_value(v)) < 0) {
		choice_error(fs, chk, "");
		return (NULL);
	}
	return (json_incref(v));
}

/* One error per field: the first bad item, or the count. */
static json_t *
check_enum_array(const struct field_spec *fs, json_t *v, struct check *chk)
{
	json_t *item;
	size_t i, j;
	char prefix[32];

	if (!json_is_array(v)) {
		check_field(chk, 422, fs->name, "type", "must be an array");
		return (NULL);
	}
	if (fs->max > 0 && json_array_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, fs->name, "too_many",
		    "must have at most %lld items", fs->max);
		return (NULL);
	}
	if (fs->min > 0 && json_array_size(v) < (unsigned long long)fs->min) {
		check_field(chk, 422, fs->name, "too_few",
		    "must have at least %lld items", fs->min);
		return (NULL);
	}
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			check_field(chk, 422, fs->name, "type",
			    "item %zu must be a string", i);
			return (NULL);
		}
		if (choice_index(fs->choices, json_string_value(item)) < 0) {
			snprintf(prefix, sizeof(prefix), "item %zu ", i);
			choice_error(fs, chk, prefix);
			return (NULL);
		}
		for (j = 0; j < i; j++) {
			if (strcmp(json_string_value(json_array_get(v, j)),
			        json_string_value(item)) == 0) {
				check_field(chk, 422, fs->name, "duplicate",
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

static json_t *
check_timestamp(const struct field_spec *fs, json_t *v, struct check *chk)
{
	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	if (!body_is_timestamp(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, fs->name, "invalid_format",
		    "must be an RFC 3339 date-time with seconds and offset");
		return (NULL);
	}
	return (json_incref(v));
}

/* Byte length, not trimmed: white space may be part of a password. */
static json_t *
check_password(const struct field_spec *fs, json_t *v, struct check *chk)
{
	size_t len;

	if (!json_is_string(v)) {
		check_field(chk, 422, fs->name, "type", "must be a string");
		return (NULL);
	}
	len = json_string_length(v);
	if (len < PASSWORD_MIN_LEN) {
		check_field(chk, 422, fs->name, "too_short",
		    "must be at least %d bytes", PASSWORD_MIN_LEN);
		return (NULL);
	}
	if (len > PASSWORD_MAX_LEN) {
		check_field(chk, 422, fs->name, "too_long",
		    "must be at most %d bytes", PASSWORD_MAX_LEN);
		return (NULL);
	}
	return (json_incref(v));
}
