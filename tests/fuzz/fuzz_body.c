/*
 * libFuzzer harness for body_parse, body_is_uuid and body_is_timestamp.
 *
 * Input: one selector byte, then the request body.
 *   bits 0-3  content type (table below; 15 = the input up to the first
 *             '\n' is the header itself, the body follows it)
 *   bits 4-5  field table: users create/patch, api_keys, all types
 *   bit  6    max_bytes 64 instead of 65536 (reaches the 413 path)
 *   bit  7    unused (reserved so old corpora stay meaningful)
 * Every table is parsed in both BODY_CREATE and BODY_PATCH mode. Checked:
 * no memory errors or leaks, and the invariants documented in
 * json_body.h (status set on failure, only declared writable members in
 * the result, e-mails and UUIDs lowercased, strings trimmed, problem
 * document always renderable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_body.h"
#include "problem.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* From src/resources/users.c. */
static const char *const role_choices[] = { "admin", "manager", "rep", NULL };

static const struct field_spec users_create[] = {
	{ "id", FT_UUID, 0, 0, 0, NULL },
	{ "email", FT_EMAIL, F_REQUIRED, 0, 254, NULL },
	{ "name", FT_STRING, F_REQUIRED, 1, 200, NULL },
	{ "role", FT_ENUM, F_REQUIRED, 0, 0, role_choices },
	{ "password", FT_PASSWORD, F_REQUIRED, 0, 0, NULL },
	{ "active", FT_BOOL, F_READ_ONLY, 0, 0, NULL },
	{ "org_id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "version", FT_INT, F_READ_ONLY, 0, 0, NULL },
	{ "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "updated_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "teams", FT_STRING, F_READ_ONLY, 0, 0, NULL },
};

static const struct field_spec users_patch[] = {
	{ "id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "email", FT_EMAIL, 0, 0, 254, NULL },
	{ "name", FT_STRING, 0, 1, 200, NULL },
	{ "role", FT_ENUM, 0, 0, 0, role_choices },
	{ "active", FT_BOOL, 0, 0, 0, NULL },
	{ "password", FT_PASSWORD, F_READ_ONLY, 0, 0, NULL },
	{ "org_id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "version", FT_INT, F_READ_ONLY, 0, 0, NULL },
	{ "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "updated_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "teams", FT_STRING, F_READ_ONLY, 0, 0, NULL },
};

/* From src/resources/api_keys.c. */
static const char *const scope_choices[] = {
	"contacts:read", "contacts:write", "companies:read", "companies:write",
	"activities:read", "activities:write", "lookup:read", "deals:read",
	"deals:write", "tasks:read", "tasks:write", "tickets:read",
	"tickets:write", "reminders:read", "users:read", "teams:read",
	"audit:read", NULL
};

static const struct field_spec api_keys_create[] = {
	{ "name", FT_STRING, F_REQUIRED, 1, 120, NULL },
	{ "scopes", FT_ENUM_ARRAY, F_REQUIRED, 1, 32, scope_choices },
	{ "expires_at", FT_TIMESTAMP, F_NULLABLE, 0, 0, NULL },
	{ "id", FT_UUID, F_READ_ONLY, 0, 0, NULL },
	{ "prefix", FT_STRING, F_READ_ONLY, 0, 0, NULL },
	{ "key", FT_STRING, F_READ_ONLY, 0, 0, NULL },
	{ "revoked_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "last_used_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "created_at", FT_TIMESTAMP, F_READ_ONLY, 0, 0, NULL },
	{ "created_by", FT_UUID, F_READ_ONLY, 0, 0, NULL },
};

/* Every type and flag, including ones no resource uses yet. */
static const struct field_spec all_types[] = {
	{ "s", FT_STRING, F_REQUIRED, 2, 10, NULL },
	{ "sn", FT_STRING, F_NULLABLE, 0, 2000, NULL },
	{ "e", FT_EMAIL, 0, 0, 254, NULL },
	{ "u", FT_UUID, F_NULLABLE, 0, 0, NULL },
	{ "i", FT_INT, F_REQUIRED, -5, 100, NULL },
	{ "b", FT_BOOL, F_NULLABLE, 0, 0, NULL },
	{ "en", FT_ENUM, 0, 0, 0, role_choices },
	{ "ea", FT_ENUM_ARRAY, F_NULLABLE, 0, 3, role_choices },
	{ "t", FT_TIMESTAMP, F_REQUIRED | F_NULLABLE, 0, 0, NULL },
	{ "p", FT_PASSWORD, 0, 0, 0, NULL },
	{ "ro", FT_INT, F_READ_ONLY | F_REQUIRED, 0, 0, NULL },
	{ "", FT_STRING, 0, 0, 0, NULL },
};

struct table {
	const struct field_spec *spec;
	size_t n;
};

static const struct table tables[] = {
	{ users_create, LEN(users_create) },
	{ users_patch, LEN(users_patch) },
	{ api_keys_create, LEN(api_keys_create) },
	{ all_types, LEN(all_types) },
};

static const char *const content_types[] = {
	"application/json",
	"application/json; charset=utf-8",
	"Application/JSON;charset=\"UTF-8\"",
	"application/json;",
	" application/json ; foo=bar ; charset=UTF-8 ",
	"application/json; charset=latin1",
	"application/json; charset",
	"application/json;=x",
	"application/jsonx",
	"text/plain",
	"application/json-patch+json",
	"",
	NULL,
	"application/json;;;",
	"\tapplication/json\t;\tcharset=utf-8\t",
};

#define IS_WS(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' ||	\
			 (c) == '\r' || (c) == '\f' || (c) == '\v')

static void
check_result(json_t *out, const struct check *chk, const struct table *t,
    enum body_mode mode, size_t len, size_t max_bytes)
{
	const struct field_spec	*fs;
	const char		*key, *s;
	json_t			*v;
	size_t			 i, n;
	char			*doc;

	if (out == NULL) {
		if (chk->status != 400 && chk->status != 413 &&
		    chk->status != 415 && chk->status != 422 &&
		    chk->status != 500)
			abort();
		if (chk->nerrors < 0 || chk->nerrors > CHECK_MAX_ERRORS)
			abort();
		if (chk->status == 413 && len <= max_bytes)
			abort();
		/* The reply layer must always be able to send the problem. */
		doc = problem_render(chk->status, chk->detail, "/v1/x", chk,
		    NULL);
		if (doc == NULL)
			abort();
		free(doc);
		return;
	}
	if (chk->status != 0 || !json_is_object(out) || len > max_bytes)
		abort();
	if (mode == BODY_PATCH && json_object_size(out) == 0)
		abort();
	json_object_foreach(out, key, v) {
		fs = NULL;
		for (i = 0; i < t->n; i++)
			if (strcmp(t->spec[i].name, key) == 0)
				fs = &t->spec[i];
		if (fs == NULL || (fs->flags & F_READ_ONLY))
			abort();
		if (json_is_null(v)) {
			if (!(fs->flags & F_NULLABLE))
				abort();
			continue;
		}
		switch (fs->type) {
		case FT_STRING:
			if (!json_is_string(v))
				abort();
			s = json_string_value(v);
			n = json_string_length(v);
			if (n > 0 && (IS_WS(s[0]) || IS_WS(s[n - 1])))
				abort();
			break;
		case FT_EMAIL:
			s = json_string_value(v);
			n = json_string_length(v);
			if (s == NULL || n > 254 || memchr(s, '@', n) == NULL)
				abort();
			for (i = 0; i < n; i++)
				if (s[i] >= 'A' && s[i] <= 'Z')
					abort();
			break;
		case FT_UUID:
			s = json_string_value(v);
			n = json_string_length(v);
			if (s == NULL || !body_is_uuid(s, n))
				abort();
			for (i = 0; i < n; i++)
				if (s[i] >= 'A' && s[i] <= 'F')
					abort();
			break;
		case FT_INT:
			if (!json_is_integer(v) ||
			    json_integer_value(v) < fs->min ||
			    json_integer_value(v) > fs->max)
				abort();
			break;
		case FT_BOOL:
			if (!json_is_boolean(v))
				abort();
			break;
		case FT_ENUM:
			if (!json_is_string(v))
				abort();
			break;
		case FT_ENUM_ARRAY:
			if (!json_is_array(v) ||
			    (fs->max > 0 &&
			    json_array_size(v) > (size_t)fs->max))
				abort();
			break;
		case FT_TIMESTAMP:
			if (!json_is_string(v) ||
			    !body_is_timestamp(json_string_value(v),
			    json_string_length(v)))
				abort();
			break;
		case FT_PASSWORD:
			if (!json_is_string(v) ||
			    json_string_length(v) < 10 ||
			    json_string_length(v) > 128)
				abort();
			break;
		}
	}
	/* Required writable fields are present on create. */
	if (mode == BODY_CREATE)
		for (i = 0; i < t->n; i++)
			if ((t->spec[i].flags & F_REQUIRED) &&
			    !(t->spec[i].flags & F_READ_ONLY) &&
			    json_object_get(out, t->spec[i].name) == NULL)
				abort();
	/* The result must serialise (valid UTF-8 everywhere). */
	if ((doc = json_dumps(out, JSON_COMPACT)) == NULL)
		abort();
	free(doc);
}

/* The format checks on raw bytes, with and without surrounding garbage. */
static void
check_formats(const uint8_t *data, size_t size)
{
	char	 lower[64];
	size_t	 i, n;
	int	 u, t;

	for (n = 0; n <= size && n <= 40; n++) {
		/* Exact-size copies so ASan sees any over-read. */
		char *p = malloc(n ? n : 1);

		if (p == NULL)
			abort();
		memcpy(p, data, n);
		u = body_is_uuid(p, n);
		t = body_is_timestamp(p, n);
		if (u && n != 36)
			abort();
		if (t && (n < 20 || p[10] != 'T'))
			abort();
		if (u) {
			/* Case must not matter. */
			for (i = 0; i < n; i++)
				lower[i] = (p[i] >= 'A' && p[i] <= 'F') ?
				    (char)(p[i] - 'A' + 'a') : p[i];
			if (!body_is_uuid(lower, n))
				abort();
		}
		free(p);
	}
	(void)body_is_uuid(NULL, 36);
	(void)body_is_timestamp(NULL, 25);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check		 chk;
	const struct table	*t;
	const uint8_t		*body, *nl;
	char			*ct_buf = NULL, *body_buf;
	const char		*ct;
	size_t			 len, max_bytes;
	json_t			*out;
	uint8_t			 sel;
	int			 m;

	if (size == 0)
		return (0);
	sel = data[0];
	body = data + 1;
	len = size - 1;

	check_formats(body, len);

	if ((sel & 0x0f) == 15) {
		if ((nl = memchr(body, '\n', len)) == NULL)
			return (0);
		if ((ct_buf = malloc((size_t)(nl - body) + 1)) == NULL)
			abort();
		memcpy(ct_buf, body, (size_t)(nl - body));
		ct_buf[nl - body] = '\0';
		ct = ct_buf;
		len -= (size_t)(nl - body) + 1;
		body = nl + 1;
	} else
		ct = content_types[sel & 0x0f];
	t = &tables[(sel >> 4) & 3];
	max_bytes = (sel & 0x40) ? 64 : 65536;

	/* Exact-size copy of the body: no terminator to lean on. */
	if ((body_buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(body_buf, body, len);

	for (m = 0; m < 2; m++) {
		enum body_mode mode = m == 0 ? BODY_CREATE : BODY_PATCH;

		out = body_parse(ct, len ? body_buf : NULL, len, max_bytes,
		    t->spec, t->n, mode, &chk);
		check_result(out, &chk, t, mode, len, max_bytes);
		json_decref(out);
		/* Same body, data pointer always set. */
		out = body_parse(ct, body_buf, len, max_bytes, t->spec, t->n,
		    mode, &chk);
		check_result(out, &chk, t, mode, len, max_bytes);
		json_decref(out);
	}

	free(body_buf);
	free(ct_buf);
	return (0);
}
