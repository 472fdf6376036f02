/*
 * The walk of a parsed JSON object against a field table: unknown,
 * read-only and missing members, types, bounds and formats, with every
 * error collected (up to the cap) and named by its path. Values come out
 * normalized so the SQL layer sees one spelling of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "password.h"
#include "schema.h"
#include "text.h"

/* Longest error path built here; check_field cuts it to its own buffer. */
#define FIELD_PATH_LEN 256

typedef json_t *(*schema_fn)(const struct field_spec *, const char *, json_t *,
    struct check *);

static const struct field_spec *schema_find(const struct field_spec *, size_t,
    const char *);
static void schema_path_join(char *, size_t, const char *, const char *);
static void schema_path_index(char *, size_t, const char *, size_t);
static json_t *schema_object(const struct field_spec *, size_t, json_t *,
    enum body_mode, const char *, struct check *);
static json_t *schema_member(const struct field_spec *, const char *, json_t *,
    enum body_mode, struct check *);
static schema_fn schema_checker(enum field_type);
static json_t *schema_result(json_t *, int);
static int schema_is_string(const char *, json_t *, struct check *);
static int schema_items(const struct field_spec *, const char *, json_t *,
    struct check *);
static int schema_bad_controls(const char *, size_t);
static void schema_choice_error(const struct field_spec *, const char *,
    struct check *, const char *);
static json_t *schema_formatted(const char *, json_t *, struct check *,
    int (*)(const char *, size_t), const char *);
static int schema_decimal_number(json_t *, char *, size_t);
static json_t *schema_string(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_email(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_uuid(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_int(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_bool(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_enum(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_enum_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *schema_timestamp(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *schema_password(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *schema_date(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_number(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_decimal(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_url(const struct field_spec *, const char *, json_t *,
    struct check *);
static json_t *schema_string_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *schema_object_array(const struct field_spec *, const char *,
    json_t *, struct check *);
static json_t *schema_json_object(const struct field_spec *, const char *,
    json_t *, struct check *);

json_t *
schema_check(const struct field_spec *spec, size_t nspec, json_t *in,
    enum body_mode mode, struct check *chk)
{
	return (schema_object(spec, nspec, in, mode, NULL, chk));
}

static const struct field_spec *
schema_find(const struct field_spec *spec, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(spec[i].name, name) == 0)
			return (&spec[i]);
	return (NULL);
}

/* "key" at the top, "prefix.key" below it; cut to size if need be. */
static void
schema_path_join(char *buf, size_t size, const char *prefix, const char *key)
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
schema_path_index(char *buf, size_t size, const char *name, size_t i)
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
schema_object(const struct field_spec *spec, size_t nspec, json_t *in,
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
		schema_path_join(path, sizeof(path), prefix, key);
		if ((fs = schema_find(spec, nspec, key)) == NULL) {
			check_field(chk, 422, path, "unknown_field",
			    "unknown field");
			bad = 1;
			continue;
		}
		if ((nv = schema_member(fs, path, v, mode, chk)) == NULL) {
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
				schema_path_join(path, sizeof(path), prefix,
				    spec[i].name);
				check_field(chk, 422, path, "required",
				    "is required");
				bad = 1;
			}
		}
	}
	return (schema_result(out, bad));
}

/*
 * Returns the normalized value (new reference) or NULL after an error.
 * name is the member's path for error messages.
 */
static json_t *
schema_member(const struct field_spec *fs, const char *name, json_t *v,
    enum body_mode mode, struct check *chk)
{
	schema_fn fn;

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
	if (fs->type == FT_OBJECT) {
		if (!json_is_object(v)) {
			check_field(chk, 422, name, "type",
			    "must be an object");
			return (NULL);
		}
		/* Partial in a patch, like the top level. */
		return (schema_object(fs->sub, fs->nsub, v, mode, name, chk));
	}
	if ((fn = schema_checker(fs->type)) == NULL) {
		check_field(chk, 422, name, "type", "unsupported field type");
		return (NULL);
	}
	return (fn(fs, name, v, chk));
}

/* The check for each type but FT_OBJECT, which needs the mode. */
static schema_fn
schema_checker(enum field_type type)
{
	switch (type) {
	case FT_STRING:
		return (schema_string);
	case FT_EMAIL:
		return (schema_email);
	case FT_UUID:
		return (schema_uuid);
	case FT_INT:
		return (schema_int);
	case FT_BOOL:
		return (schema_bool);
	case FT_ENUM:
		return (schema_enum);
	case FT_ENUM_ARRAY:
		return (schema_enum_array);
	case FT_TIMESTAMP:
		return (schema_timestamp);
	case FT_PASSWORD:
		return (schema_password);
	case FT_DATE:
		return (schema_date);
	case FT_NUMBER:
		return (schema_number);
	case FT_DECIMAL:
		return (schema_decimal);
	case FT_URL:
		return (schema_url);
	case FT_STRING_ARRAY:
		return (schema_string_array);
	case FT_OBJECT_ARRAY:
		return (schema_object_array);
	case FT_JSON_OBJECT:
		return (schema_json_object);
	case FT_OBJECT:
		break;
	}
	return (NULL);
}

/* An array within the field's min..max item count; 1 if so. */
static int
schema_items(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	if (!json_is_array(v)) {
		check_field(chk, 422, name, "type", "must be an array");
		return (0);
	}
	if (fs->max > 0 && json_array_size(v) > (unsigned long long)fs->max) {
		check_field(chk, 422, name, "too_many",
		    "must have at most %lld items", fs->max);
		return (0);
	}
	if (fs->min > 0 && json_array_size(v) < (unsigned long long)fs->min) {
		check_field(chk, 422, name, "too_few",
		    "must have at least %lld items", fs->min);
		return (0);
	}
	return (1);
}

/* out when nothing in it was bad; otherwise it is dropped. */
static json_t *
schema_result(json_t *out, int bad)
{
	if (bad) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static int
schema_is_string(const char *name, json_t *v, struct check *chk)
{
	if (json_is_string(v))
		return (1);
	check_field(chk, 422, name, "type", "must be a string");
	return (0);
}

/*
 * C0 controls other than tab and newline, which free text may hold;
 * jansson already refused NUL.
 */
static int
schema_bad_controls(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n')
			return (1);
	return (0);
}

static json_t *
schema_string(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s;
	size_t len, cps;

	if (!schema_is_string(name, v, chk))
		return (NULL);
	s = json_string_value(v);
	len = json_string_length(v);
	if (schema_bad_controls(s, len)) {
		check_field(chk, 422, name, "invalid_characters",
		    "must not contain control characters");
		return (NULL);
	}
	text_trim(&s, &len);
	cps = text_utf8_count(s, len);
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

static json_t *
schema_email(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s;
	char buf[FORMAT_EMAIL_MAX];
	size_t len;

	if (!schema_is_string(name, v, chk))
		return (NULL);
	s = json_string_value(v);
	len = json_string_length(v);
	text_trim(&s, &len);
	if (len == 0 && (fs->flags & F_REQUIRED)) {
		check_field(chk, 422, name, "required", "is required");
		return (NULL);
	}
	if (!format_email(s, len)) {
		check_field(chk, 422, name, "invalid_format",
		    "must be an e-mail address");
		return (NULL);
	}
	memcpy(buf, s, len);
	text_lower(buf, len);
	return (json_stringn(buf, len));
}

static json_t *
schema_uuid(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	char buf[FORMAT_UUID_LEN];

	(void)fs;
	if (!schema_is_string(name, v, chk))
		return (NULL);
	if (!format_uuid(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, name, "invalid_format", "must be a UUID");
		return (NULL);
	}
	memcpy(buf, json_string_value(v), FORMAT_UUID_LEN);
	text_lower(buf, FORMAT_UUID_LEN);
	return (json_stringn(buf, FORMAT_UUID_LEN));
}

static json_t *
schema_int(const struct field_spec *fs, const char *name, json_t *v,
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

static json_t *
schema_bool(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	(void)fs;
	if (!json_is_boolean(v)) {
		check_field(chk, 422, name, "type", "must be a boolean");
		return (NULL);
	}
	return (json_incref(v));
}

static void
schema_choice_error(const struct field_spec *fs, const char *name,
    struct check *chk, const char *prefix)
{
	char list[140];

	text_join(list, sizeof(list), fs->choices);
	check_field(chk, 422, name, "invalid_choice", "%smust be one of: %s",
	    prefix, list);
}

/* jansson refused \u0000 when parsing, so string lengths are exact. */
static json_t *
schema_enum(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	if (!schema_is_string(name, v, chk))
		return (NULL);
	if (!format_choice(fs->choices, json_string_value(v),
	        json_string_length(v))) {
		schema_choice_error(fs, name, chk, "");
		return (NULL);
	}
	return (json_incref(v));
}

/* One error per field: the first bad item, or the count. */
static json_t *
schema_enum_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *item;
	size_t i, j;
	char prefix[32];

	if (!schema_items(fs, name, v, chk))
		return (NULL);
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			check_field(chk, 422, name, "type",
			    "item %zu must be a string", i);
			return (NULL);
		}
		if (!format_choice(fs->choices, json_string_value(item),
		        json_string_length(item))) {
			snprintf(prefix, sizeof(prefix), "item %zu ", i);
			schema_choice_error(fs, name, chk, prefix);
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

/* A string whose format is_valid() accepts, kept as it is. */
static json_t *
schema_formatted(const char *name, json_t *v, struct check *chk,
    int (*is_valid)(const char *, size_t), const char *what)
{
	if (!schema_is_string(name, v, chk))
		return (NULL);
	if (!is_valid(json_string_value(v), json_string_length(v))) {
		check_field(chk, 422, name, "invalid_format", "must be %s",
		    what);
		return (NULL);
	}
	return (json_incref(v));
}

static json_t *
schema_timestamp(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	(void)fs;
	return (schema_formatted(name, v, chk, format_timestamp,
	    "an RFC 3339 date-time with seconds and offset"));
}

static json_t *
schema_date(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	(void)fs;
	return (
	    schema_formatted(name, v, chk, format_date, "a date YYYY-MM-DD"));
}

/* Byte length, not trimmed: white space may be part of a password. */
static json_t *
schema_password(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	size_t len;

	(void)fs;
	if (!schema_is_string(name, v, chk))
		return (NULL);
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

/* jansson refuses NaN and infinities when parsing, so comparisons hold. */
static json_t *
schema_number(const struct field_spec *fs, const char *name, json_t *v,
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

/*
 * A JSON number as money text: integers as printed; a real as the shortest
 * of 0, 1 or 2 decimals that reads back as the same double (12.5 -> "12.5",
 * 0.1 -> "0.1"); one needing more (0.125, 0.1 + 0.2) is refused.
 */
static int
schema_decimal_number(json_t *v, char *out, size_t outlen)
{
	char tmp[64];
	double d;
	int prec, n;

	if (json_is_integer(v)) {
		n = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return (0);
		return (format_decimal(tmp, (size_t)n, out, outlen));
	}
	d = json_real_value(v);
	if (!(d > -1e16 && d < 1e16))
		return (0);
	for (prec = 0; prec <= 2; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*f", prec, d);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return (0);
		if (strtod(tmp, NULL) == d)
			return (format_decimal(tmp, (size_t)n, out, outlen));
	}
	return (0);
}

static json_t *
schema_decimal(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	char buf[FORMAT_DECIMAL_BUFSZ];
	int ok;

	if (json_is_string(v))
		ok = format_decimal(json_string_value(v), json_string_length(v),
		    buf, sizeof(buf));
	else if (json_is_number(v))
		ok = schema_decimal_number(v, buf, sizeof(buf));
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

static json_t *
schema_url(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	const char *s;
	size_t len, max;

	if (!schema_is_string(name, v, chk))
		return (NULL);
	s = json_string_value(v);
	len = json_string_length(v);
	text_trim(&s, &len);
	max = fs->max > 0 ? (size_t)fs->max : SCHEMA_URL_MAX_DEFAULT;
	if (len > max || !format_url(s, len)) {
		check_field(chk, 422, name, "invalid_format",
		    "must be an http or https URL of at most %zu bytes", max);
		return (NULL);
	}
	return (json_stringn(s, len));
}

/* One error per field, like FT_ENUM_ARRAY: the first bad item or count. */
static json_t *
schema_string_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *out, *seen, *item, *nv;
	const char *s;
	size_t i, len, cps;

	if (!schema_items(fs, name, v, chk))
		return (NULL);
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
		text_trim(&s, &len);
		if (text_has_controls(s, len)) {
			check_field(chk, 422, name, "invalid_characters",
			    "item %zu must not contain control characters", i);
			goto bad;
		}
		cps = text_utf8_count(s, len);
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
schema_object_array(const struct field_spec *fs, const char *name, json_t *v,
    struct check *chk)
{
	json_t *out, *item, *nv;
	char path[FIELD_PATH_LEN];
	size_t i;
	int bad;

	if (!schema_items(fs, name, v, chk))
		return (NULL);
	if ((out = json_array()) == NULL) {
		check_fail(chk, 500, "out of memory");
		return (NULL);
	}
	bad = 0;
	json_array_foreach(v, i, item)
	{
		schema_path_index(path, sizeof(path), name, i);
		if (!json_is_object(item)) {
			check_field(chk, 422, path, "type",
			    "must be an object");
			bad = 1;
			continue;
		}
		/* Arrays are replaced whole: items are always complete. */
		if ((nv = schema_object(fs->sub, fs->nsub, item, BODY_CREATE,
		         path, chk)) == NULL) {
			bad = 1;
			continue;
		}
		if (json_array_append_new(out, nv) == -1) {
			check_fail(chk, 500, "out of memory");
			bad = 1;
		}
	}
	return (schema_result(out, bad));
}

/*
 * Free-form object (custom fields, metadata): only its member count, its
 * member names and its compact serialized size are bounded; values may be
 * anything (the body's depth limit bounds them already). Names are never
 * echoed.
 */
static json_t *
schema_json_object(const struct field_spec *fs, const char *name, json_t *v,
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
		if (klen == 0 || klen > SCHEMA_JSON_KEY_MAX) {
			check_field(chk, 422, name, "invalid_key",
			    "member names must be 1 to %d bytes",
			    SCHEMA_JSON_KEY_MAX);
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
