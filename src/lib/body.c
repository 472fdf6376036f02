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

#include "body.h"

static int body_content_type_ok(const char *);
static int body_charset_is_utf8(const char *, size_t);
static int body_depth_ok(const unsigned char *, size_t);
static void body_syntax_error(struct check *, const json_error_t *);

/* OWS per RFC 9110: space and horizontal tab. */
#define IS_OWS(c) ((c) == ' ' || (c) == '\t')

/*
 * "application/json" with optional parameters; a charset parameter must
 * name UTF-8 (RFC 8259 allows nothing else). Other parameters are ignored.
 */
static int
body_content_type_ok(const char *ct)
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
		    !body_charset_is_utf8(val, vlen))
			return (0);
	}
	return (1);
}

static int
body_charset_is_utf8(const char *v, size_t len)
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
body_depth_ok(const unsigned char *p, size_t len)
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
body_syntax_error(struct check *chk, const json_error_t *err)
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

json_t *
body_parse(const char *content_type, const void *data, size_t len,
    size_t max_bytes, const struct field_spec *spec, size_t nspec,
    enum body_mode mode, struct check *chk)
{
	json_t *in, *out;
	json_error_t err;

	check_init(chk);
	if (!body_content_type_ok(content_type)) {
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
	if (!body_depth_ok(data, len)) {
		check_fail(chk, 400, "JSON nested deeper than %d levels",
		    BODY_MAX_DEPTH);
		return (NULL);
	}
	in = json_loadb(data != NULL ? data : "", len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (in == NULL) {
		body_syntax_error(chk, &err);
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
	out = schema_check(spec, nspec, in, mode, chk);
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
