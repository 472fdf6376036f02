/*
 * Strict JSON request bodies: content type, size, depth, duplicate keys,
 * unknown and read-only members, types and bounds, all checked against a
 * per-operation field table before anything reaches the database.
 */
#ifndef CRM_LIB_JSON_BODY_H
#define CRM_LIB_JSON_BODY_H

#include <stddef.h>
#include <jansson.h>

#include "problem.h"

#define BODY_MAX_DEPTH 16

enum field_type {
	FT_STRING, /* UTF-8 string, min_len..max_len code points */
	FT_EMAIL, /* string with one '@', no spaces, <= 254 bytes; lowercased on output */
	FT_UUID, /* canonical 8-4-4-4-12 hex UUID, lowercased on output */
	FT_INT, /* JSON integer within min..max */
	FT_BOOL,
	FT_ENUM, /* string, one of choices */
	FT_ENUM_ARRAY, /* array of distinct strings, each one of choices, min..max items */
	FT_TIMESTAMP, /* RFC 3339 date-time with offset (Z or +hh:mm) */
	FT_PASSWORD /* string of 10..128 bytes (not trimmed, never echoed) */
};

#define F_REQUIRED  0x01 /* must be present on create (ignored for patches) */
#define F_READ_ONLY 0x02 /* present in responses; 422 read_only if sent */
#define F_NULLABLE  0x04 /* JSON null accepted (clears the value) */

struct field_spec {
	const char *name;
	enum field_type type;
	unsigned flags;
	long long min; /* FT_INT bounds; FT_STRING min length */
	long long max; /* FT_INT bounds; FT_STRING/ARRAY max length */
	const char *const *choices; /* FT_ENUM/FT_ENUM_ARRAY: NULL-terminated */
};

enum body_mode { BODY_CREATE, BODY_PATCH };

/*
 * Parses and validates a request body. content_type is the raw header (may be
 * NULL). Returns a new object holding only the validated members (strings
 * trimmed of surrounding white space, e-mails and UUIDs lowercased), or NULL
 * with chk filled: 415 wrong content type, 413 over max_bytes, 400 malformed /
 * duplicate keys / too deep / not an object, 422 field errors (all of them,
 * up to CHECK_MAX_ERRORS). A PATCH body must hold at least one member.
 */
json_t *body_parse(const char *content_type, const void *data, size_t len,
    size_t max_bytes, const struct field_spec *spec, size_t nspec,
    enum body_mode mode, struct check *chk);

/*
 * Format checks shared with query.c and token.c (len bytes, no NUL needed):
 * canonical 8-4-4-4-12 hex UUID (either case), and an RFC 3339 date-time
 * with seconds and an offset that names a real calendar day. 1 if valid.
 */
int body_is_uuid(const char *s, size_t len);
int body_is_timestamp(const char *s, size_t len);

#endif
