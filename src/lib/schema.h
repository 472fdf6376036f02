/*
 * Field tables for JSON request bodies: each operation declares its
 * members (type, flags, bounds, choices, nested tables) and schema_check()
 * walks a parsed object against them before anything reaches the database.
 */
#ifndef CRM_LIB_SCHEMA_H
#define CRM_LIB_SCHEMA_H

#include <stddef.h>
#include <jansson.h>

#include "problem.h"

enum field_type {
	FT_STRING, /* UTF-8 string, min_len..max_len code points */
	FT_EMAIL, /* string with one '@', no spaces, <= 254 bytes; lowercased on output */
	FT_UUID, /* canonical 8-4-4-4-12 hex UUID, lowercased on output */
	FT_INT, /* JSON integer within min..max */
	FT_BOOL,
	FT_ENUM, /* string, one of choices */
	FT_ENUM_ARRAY, /* array of distinct strings, each one of choices, min..max items */
	FT_TIMESTAMP, /* RFC 3339 date-time with offset (Z or +hh:mm) */
	FT_PASSWORD, /* string of 10..128 bytes (not trimmed, never echoed) */
	FT_DATE, /* "YYYY-MM-DD", a real calendar day, years 0001..9999 */
	FT_NUMBER, /* JSON integer or real within dmin..dmax (0, 0: unbounded) */
	FT_DECIMAL, /* money: string or number, -?d{1,16}(.d{1,2})?; out string */
	FT_URL, /* http(s) URL of at most max bytes (default 2000) */
	FT_STRING_ARRAY, /* distinct trimmed strings, 1..item_max code points */
	FT_OBJECT, /* object checked against sub/nsub, errors "a.b.c" */
	FT_OBJECT_ARRAY, /* min..max objects checked against sub/nsub */
	FT_JSON_OBJECT /* free-form object: max members, item_max bytes */
};

#define F_REQUIRED  0x01 /* must be present on create (ignored for patches) */
#define F_READ_ONLY 0x02 /* present in responses; 422 read_only if sent */
#define F_NULLABLE  0x04 /* JSON null accepted (clears the value) */

/* Where a URL field sets no max. */
#define SCHEMA_URL_MAX_DEFAULT 2000
/* Member names of an FT_JSON_OBJECT: 1..SCHEMA_JSON_KEY_MAX bytes. */
#define SCHEMA_JSON_KEY_MAX 64

struct field_spec {
	const char *name;
	enum field_type type;
	unsigned flags;
	long long min; /* FT_INT bounds; FT_STRING min length; ARRAY min items;
	                  FT_DECIMAL: >= 0 refuses negatives */
	long long max; /* FT_INT bounds; FT_STRING/ARRAY max length; FT_URL
	                  max bytes; FT_JSON_OBJECT max members */
	const char *const *choices; /* FT_ENUM/FT_ENUM_ARRAY: NULL-terminated */
	/* Members below are zero in tables that do not need them. */
	double dmin, dmax; /* FT_NUMBER bounds, inclusive; both 0: none */
	long long item_max; /* FT_STRING_ARRAY: code points per item;
	                       FT_JSON_OBJECT: compact serialized bytes */
	const struct field_spec *sub; /* FT_OBJECT/FT_OBJECT_ARRAY members */
	size_t nsub;
};

enum body_mode { BODY_CREATE, BODY_PATCH };

/*
 * Checks every member of the object in against spec and adds a 422 field
 * error to chk for each bad one (up to CHECK_MAX_ERRORS), in document
 * order, then one per missing F_REQUIRED member in BODY_CREATE mode.
 * Returns a new object holding only the validated members (strings trimmed
 * of surrounding white space, e-mails and UUIDs lowercased, decimals
 * canonical), or NULL if anything was wrong. Errors inside FT_OBJECT /
 * FT_OBJECT_ARRAY members name their path ("consent.sms.granted",
 * "phones[1].number"). In BODY_PATCH mode nested FT_OBJECT members are
 * partial like the top level; FT_OBJECT_ARRAY items are always complete
 * objects (an array is replaced whole). Error messages never echo values.
 */
json_t *schema_check(const struct field_spec *spec, size_t nspec, json_t *in,
    enum body_mode mode, struct check *chk);

#endif
