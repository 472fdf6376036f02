/*
 * libFuzzer harness for body_parse and the format checks it relies on.
 *
 * Input: one selector byte, then the request body.
 *   bits 0-3  content type (table below; 15 = the input up to the first
 *             '\n' is the header itself, the body follows it)
 *   bits 4-5  field table: users create/patch, api_keys, all types
 *   bit  6    max_bytes 64 instead of 65536 (reaches the 413 path)
 *   bit  7    adds 4 to the table number: contacts-like nested table,
 *             companies-like table (the other two repeat 0 and 3)
 * Every table is parsed in both BODY_CREATE and BODY_PATCH mode. Checked:
 * no memory errors or leaks, and the invariants documented in body.h
 * and schema.h, recursively through nested objects (status set on
 * failure, only declared writable members in the result, e-mails and UUIDs
 * lowercased, strings trimmed, decimals canonical, problem document always
 * renderable). The raw input also goes to format_uuid, format_timestamp,
 * format_date, format_decimal, format_email, format_url and format_int.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "body.h"
#include "format.h"
#include "problem.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* From src/resources/users.c. */
static const char *const role_choices[] = { "admin", "manager", "rep", NULL };

static const struct field_spec users_create[] = {
	{ .name = "id", .type = FT_UUID },
	{ .name = "email", .type = FT_EMAIL, .flags = F_REQUIRED, .max = 254 },
	{ .name = "name", .type = FT_STRING, .flags = F_REQUIRED, .min = 1,
	    .max = 200 },
	{ .name = "role", .type = FT_ENUM, .flags = F_REQUIRED,
	    .choices = role_choices },
	{ .name = "password", .type = FT_PASSWORD, .flags = F_REQUIRED },
	{ .name = "active", .type = FT_BOOL, .flags = F_READ_ONLY },
	{ .name = "org_id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "version", .type = FT_INT, .flags = F_READ_ONLY },
	{ .name = "created_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "updated_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "teams", .type = FT_STRING, .flags = F_READ_ONLY },
};

static const struct field_spec users_patch[] = {
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "email", .type = FT_EMAIL, .max = 254 },
	{ .name = "name", .type = FT_STRING, .min = 1, .max = 200 },
	{ .name = "role", .type = FT_ENUM, .choices = role_choices },
	{ .name = "active", .type = FT_BOOL },
	{ .name = "password", .type = FT_PASSWORD, .flags = F_READ_ONLY },
	{ .name = "org_id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "version", .type = FT_INT, .flags = F_READ_ONLY },
	{ .name = "created_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "updated_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "teams", .type = FT_STRING, .flags = F_READ_ONLY },
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
	{ .name = "name", .type = FT_STRING, .flags = F_REQUIRED, .min = 1,
	    .max = 120 },
	{ .name = "scopes", .type = FT_ENUM_ARRAY, .flags = F_REQUIRED,
	    .min = 1, .max = 32, .choices = scope_choices },
	{ .name = "expires_at", .type = FT_TIMESTAMP, .flags = F_NULLABLE },
	{ .name = "id", .type = FT_UUID, .flags = F_READ_ONLY },
	{ .name = "prefix", .type = FT_STRING, .flags = F_READ_ONLY },
	{ .name = "key", .type = FT_STRING, .flags = F_READ_ONLY },
	{ .name = "revoked_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "last_used_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "created_at", .type = FT_TIMESTAMP, .flags = F_READ_ONLY },
	{ .name = "created_by", .type = FT_UUID, .flags = F_READ_ONLY },
};

/* Every type and flag, including ones no resource uses yet. */
static const struct field_spec all_types[] = {
	{ .name = "s", .type = FT_STRING, .flags = F_REQUIRED, .min = 2,
	    .max = 10 },
	{ .name = "sn", .type = FT_STRING, .flags = F_NULLABLE, .max = 2000 },
	{ .name = "e", .type = FT_EMAIL, .max = 254 },
	{ .name = "u", .type = FT_UUID, .flags = F_NULLABLE },
	{ .name = "i", .type = FT_INT, .flags = F_REQUIRED, .min = -5,
	    .max = 100 },
	{ .name = "b", .type = FT_BOOL, .flags = F_NULLABLE },
	{ .name = "en", .type = FT_ENUM, .choices = role_choices },
	{ .name = "ea", .type = FT_ENUM_ARRAY, .flags = F_NULLABLE,
	    .max = 3, .choices = role_choices },
	{ .name = "t", .type = FT_TIMESTAMP,
	    .flags = F_REQUIRED | F_NULLABLE },
	{ .name = "p", .type = FT_PASSWORD },
	{ .name = "ro", .type = FT_INT, .flags = F_READ_ONLY | F_REQUIRED },
	{ .name = "", .type = FT_STRING },
};

/* Every newer type, nested the way src/resources/contacts.c nests them. */
static const struct field_spec consent_channel[] = {
	{ .name = "granted", .type = FT_BOOL, .flags = F_REQUIRED },
	{ .name = "at", .type = FT_TIMESTAMP, .flags = F_NULLABLE },
	{ .name = "source", .type = FT_STRING, .flags = F_NULLABLE,
	    .max = 200 },
};

static const struct field_spec consent_fields[] = {
	{ .name = "sms", .type = FT_OBJECT, .flags = F_NULLABLE,
	    .sub = consent_channel, .nsub = LEN(consent_channel) },
	{ .name = "email", .type = FT_OBJECT, .flags = F_NULLABLE,
	    .sub = consent_channel, .nsub = LEN(consent_channel) },
};

static const struct field_spec phone_fields[] = {
	{ .name = "label", .type = FT_STRING, .flags = F_NULLABLE, .max = 40 },
	{ .name = "number", .type = FT_STRING, .flags = F_REQUIRED, .min = 3,
	    .max = 40 },
	{ .name = "primary", .type = FT_BOOL },
};

static const struct field_spec deep_fields[] = {
	{ .name = "a", .type = FT_OBJECT, .sub = deep_fields, .nsub = 3 },
	{ .name = "n", .type = FT_NUMBER, .dmin = -1.5, .dmax = 1e6 },
	{ .name = "l", .type = FT_OBJECT_ARRAY, .max = 3, .sub = deep_fields,
	    .nsub = 3 },
};

static const struct field_spec contacts_like[] = {
	{ .name = "first_name", .type = FT_STRING, .flags = F_NULLABLE,
	    .max = 100 },
	{ .name = "phones", .type = FT_OBJECT_ARRAY, .max = 10,
	    .sub = phone_fields, .nsub = LEN(phone_fields) },
	{ .name = "birthday", .type = FT_DATE, .flags = F_NULLABLE },
	{ .name = "tags", .type = FT_STRING_ARRAY, .max = 30, .item_max = 50 },
	{ .name = "custom_fields", .type = FT_JSON_OBJECT, .max = 100,
	    .item_max = 16384 },
	{ .name = "preferences", .type = FT_JSON_OBJECT, .max = 3,
	    .item_max = 40 },
	{ .name = "consent", .type = FT_OBJECT, .flags = F_REQUIRED,
	    .sub = consent_fields, .nsub = LEN(consent_fields) },
	{ .name = "lead_score", .type = FT_INT, .min = 0, .max = 100 },
	{ .name = "owner_id", .type = FT_UUID },
	{ .name = "company", .type = FT_STRING, .flags = F_READ_ONLY },
	{ .name = "deep", .type = FT_OBJECT, .sub = deep_fields,
	    .nsub = LEN(deep_fields) },
};

static const struct field_spec companies_like[] = {
	{ .name = "name", .type = FT_STRING, .flags = F_REQUIRED, .min = 1,
	    .max = 200 },
	{ .name = "website", .type = FT_URL, .flags = F_NULLABLE },
	{ .name = "logo", .type = FT_URL, .max = 30 },
	{ .name = "revenue", .type = FT_DECIMAL, .flags = F_NULLABLE },
	{ .name = "cost", .type = FT_DECIMAL, .min = 0 },
	{ .name = "balance", .type = FT_DECIMAL, .min = -1 },
	{ .name = "lat", .type = FT_NUMBER, .dmin = -90, .dmax = 90 },
	{ .name = "weight", .type = FT_NUMBER },
	{ .name = "founded", .type = FT_DATE },
	{ .name = "aliases", .type = FT_STRING_ARRAY, .min = 1, .max = 5 },
	{ .name = "meta", .type = FT_JSON_OBJECT },
	{ .name = "people", .type = FT_OBJECT_ARRAY, .min = 1, .max = 2,
	    .flags = F_NULLABLE, .sub = phone_fields,
	    .nsub = LEN(phone_fields) },
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
	{ contacts_like, LEN(contacts_like) },
	{ companies_like, LEN(companies_like) },
	{ users_create, LEN(users_create) },
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

static void check_members(json_t *, const struct field_spec *, size_t,
    enum body_mode);

/* The canonical money text format_decimal promises. */
static void
check_decimal_text(const char *s)
{
	const char	*p = s, *dot;
	size_t		 ip;

	if (*p == '-')
		p++;
	dot = strchr(p, '.');
	ip = dot ? (size_t)(dot - p) : strlen(p);
	if (ip < 1 || ip > 16 || strspn(p, "0123456789") != ip)
		abort();
	if (ip > 1 && p[0] == '0')
		abort();
	if (dot != NULL) {
		size_t fp = strlen(dot + 1);

		if (fp < 1 || fp > 2 || strspn(dot + 1, "0123456789") != fp ||
		    dot[fp] == '0')
			abort();
	}
	if (s[0] == '-' && strcmp(s, "-0") == 0)
		abort();
}

static void
check_value(const struct field_spec *fs, json_t *v, enum body_mode mode)
{
	const char	*s;
	json_t		*it, *it2;
	size_t		 i, j, n;

	if (json_is_null(v)) {
		if (!(fs->flags & F_NULLABLE))
			abort();
		return;
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
		if (s == NULL || !format_uuid(s, n))
			abort();
		for (i = 0; i < n; i++)
			if (s[i] >= 'A' && s[i] <= 'F')
				abort();
		break;
	case FT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < fs->min ||
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
		    (fs->max > 0 && json_array_size(v) > (size_t)fs->max))
			abort();
		break;
	case FT_TIMESTAMP:
		if (!json_is_string(v) || !format_timestamp(
		    json_string_value(v), json_string_length(v)))
			abort();
		break;
	case FT_PASSWORD:
		if (!json_is_string(v) || json_string_length(v) < 10 ||
		    json_string_length(v) > 128)
			abort();
		break;
	case FT_DATE:
		if (!json_is_string(v) || !format_date(json_string_value(v),
		    json_string_length(v)))
			abort();
		break;
	case FT_NUMBER:
		if (!json_is_number(v))
			abort();
		if ((fs->dmin != 0 || fs->dmax != 0) &&
		    (json_number_value(v) < fs->dmin ||
		    json_number_value(v) > fs->dmax))
			abort();
		break;
	case FT_DECIMAL:
		if ((s = json_string_value(v)) == NULL)
			abort();
		check_decimal_text(s);
		if (fs->min >= 0 && s[0] == '-')
			abort();
		break;
	case FT_URL:
		if ((s = json_string_value(v)) == NULL ||
		    (strncasecmp(s, "http://", 7) != 0 &&
		    strncasecmp(s, "https://", 8) != 0) ||
		    json_string_length(v) > (size_t)(fs->max > 0 ? fs->max :
		    SCHEMA_URL_MAX_DEFAULT) || strchr(s, ' ') != NULL)
			abort();
		/* No user information in the authority. */
		s += strncasecmp(s, "http://", 7) == 0 ? 7 : 8;
		n = strcspn(s, "/?#");
		if (n == 0 || memchr(s, '@', n) != NULL)
			abort();
		break;
	case FT_STRING_ARRAY:
		if (!json_is_array(v) ||
		    (fs->max > 0 && json_array_size(v) > (size_t)fs->max) ||
		    (fs->min > 0 && json_array_size(v) < (size_t)fs->min))
			abort();
		json_array_foreach(v, i, it) {
			s = json_string_value(it);
			n = json_string_length(it);
			if (s == NULL || n == 0 || IS_WS(s[0]) ||
			    IS_WS(s[n - 1]))
				abort();
			for (j = 0; j < i; j++) {
				it2 = json_array_get(v, j);
				if (json_equal(it, it2))
					abort();
			}
		}
		break;
	case FT_OBJECT:
		if (!json_is_object(v))
			abort();
		check_members(v, fs->sub, fs->nsub, mode);
		break;
	case FT_OBJECT_ARRAY:
		if (!json_is_array(v) ||
		    (fs->max > 0 && json_array_size(v) > (size_t)fs->max) ||
		    (fs->min > 0 && json_array_size(v) < (size_t)fs->min))
			abort();
		json_array_foreach(v, i, it) {
			if (!json_is_object(it))
				abort();
			/* Items are always complete objects. */
			check_members(it, fs->sub, fs->nsub, BODY_CREATE);
		}
		break;
	case FT_JSON_OBJECT:
		if (!json_is_object(v) ||
		    (fs->max > 0 && json_object_size(v) > (size_t)fs->max))
			abort();
		if (fs->item_max > 0) {
			char *d = json_dumps(v, JSON_COMPACT);

			if (d == NULL || strlen(d) > (size_t)fs->item_max)
				abort();
			free(d);
		}
		break;
	}
}

/* obj holds only declared writable members, each well-formed. */
static void
check_members(json_t *obj, const struct field_spec *spec, size_t n,
    enum body_mode mode)
{
	const struct field_spec	*fs;
	const char		*key;
	json_t			*v;
	size_t			 i;

	json_object_foreach(obj, key, v) {
		fs = NULL;
		for (i = 0; i < n; i++)
			if (strcmp(spec[i].name, key) == 0)
				fs = &spec[i];
		if (fs == NULL || (fs->flags & F_READ_ONLY))
			abort();
		check_value(fs, v, mode);
	}
	if (mode == BODY_CREATE)
		for (i = 0; i < n; i++)
			if ((spec[i].flags & F_REQUIRED) &&
			    !(spec[i].flags & F_READ_ONLY) &&
			    json_object_get(obj, spec[i].name) == NULL)
				abort();
}

static void
check_result(json_t *out, const struct check *chk, const struct table *t,
    enum body_mode mode, size_t len, size_t max_bytes)
{
	char	*doc;

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
	check_members(out, t->spec, t->n, mode);
	/* The result must serialise (valid UTF-8 everywhere). */
	if ((doc = json_dumps(out, JSON_COMPACT)) == NULL)
		abort();
	free(doc);
}

/* The format checks on raw bytes, with and without surrounding garbage. */
static void
check_formats(const uint8_t *data, size_t size)
{
	char		 lower[64];
	size_t		 i, n;
	long long	 iv;
	int		 u, t;

	for (n = 0; n <= size && n <= 40; n++) {
		/* Exact-size copies so ASan sees any over-read. */
		char *p = malloc(n ? n : 1);

		if (p == NULL)
			abort();
		memcpy(p, data, n);
		u = format_uuid(p, n);
		t = format_timestamp(p, n);
		if (format_date(p, n) && (n != 10 || p[4] != '-'))
			abort();
		if (format_email(p, n) && memchr(p, '@', n) == NULL)
			abort();
		if (format_url(p, n) && (n < 8 || memchr(p, ' ', n) != NULL))
			abort();
		if (format_int(p, n, &iv) && (n == 0 || (iv < 0 && p[0] != '-')))
			abort();
		/* Exact-size output buffer: the documented minimum. */
		{
			char *dec = malloc(FORMAT_DECIMAL_BUFSZ);

			if (dec == NULL)
				abort();
			if (format_decimal(p, n, dec, FORMAT_DECIMAL_BUFSZ))
				check_decimal_text(dec);
			if (format_decimal(p, n, dec,
			    FORMAT_DECIMAL_BUFSZ - 1))
				abort();
			free(dec);
		}
		if (u && n != 36)
			abort();
		if (t && (n < 20 || p[10] != 'T'))
			abort();
		if (u) {
			/* Case must not matter. */
			for (i = 0; i < n; i++)
				lower[i] = (p[i] >= 'A' && p[i] <= 'F') ?
				    (char)(p[i] - 'A' + 'a') : p[i];
			if (!format_uuid(lower, n))
				abort();
		}
		free(p);
	}
	(void)format_uuid(NULL, 36);
	(void)format_timestamp(NULL, 25);
	(void)format_date(NULL, 10);
	(void)format_email(NULL, 5);
	(void)format_url(NULL, 10);
	(void)format_int(NULL, 1, &iv);
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
	t = &tables[((sel >> 4) & 3) | ((sel & 0x80) ? 4 : 0)];
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
