/*
 * Strict query strings: every parameter must be declared by the operation;
 * values are percent-decoded, typed and bounded. Errors are 400 naming the
 * parameter.
 */
#ifndef CRM_LIB_QUERY_H
#define CRM_LIB_QUERY_H

#include <jansson.h>

#include "problem.h"

enum param_type {
	PT_STRING, /* max_len code points; output string */
	PT_UUID, /* output lowercased string */
	PT_INT, /* min..max; output integer */
	PT_BOOL, /* true|false; output boolean */
	PT_ENUM, /* one of choices; output string */
	PT_TIMESTAMP, /* RFC 3339; output string */
	PT_CURSOR, /* base64url, <= 512 chars; output string */
	PT_SORT, /* one of choices, optional leading '-'; output string */
	PT_FIELDS, /* comma list, each one of choices; output array */
	PT_DATE, /* "YYYY-MM-DD", a real calendar day; output string */
	PT_DECIMAL /* as FT_DECIMAL (min >= 0 refuses negatives); output the
	              canonical string */
};

struct param_spec {
	const char *name;
	enum param_type type;
	long long min; /* PT_INT bound; PT_DECIMAL: >= 0 refuses negatives */
	long long max; /* PT_INT bound, PT_STRING max length */
	const char *const *choices;
};

/* The list parameters every collection accepts. */
#define QUERY_LIMIT_DEFAULT 50
#define QUERY_LIMIT_MAX     200

/*
 * Parses qs (may be NULL or empty) into an object of typed values. A
 * parameter given twice, an undeclared one, or an invalid value gives NULL
 * and chk->status 400 with one error per bad parameter. When the spec
 * declares "limit" and the query omits it, QUERY_LIMIT_DEFAULT is filled in.
 */
json_t *query_parse(const char *qs, const struct param_spec *spec, size_t n,
    struct check *chk);

#endif
