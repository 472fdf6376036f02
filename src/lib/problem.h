/*
 * Validation errors and RFC 9457 problem documents, shared by the body and
 * query parsers and by the reply layer. Pure: no Kore headers.
 */
#ifndef CRM_LIB_PROBLEM_H
#define CRM_LIB_PROBLEM_H

#include <stddef.h>
#include <jansson.h>

#define CHECK_MAX_ERRORS 16

struct field_error {
	char field[96]; /* member path ("phones[1].number") or parameter */
	char code[32]; /* machine code: required, type, too_long, ... */
	char message[160];
};

/*
 * Outcome of a parse/validation step. status 0 means success; otherwise an
 * HTTP status (400, 413, 415, 422) with a detail and, for field problems,
 * the list of errors.
 */
struct check {
	int status;
	char detail[200];
	struct field_error errors[CHECK_MAX_ERRORS];
	int nerrors;
};

void check_init(struct check *);
/* Records a field error; sets status if still 0. */
void check_field(struct check *, int status, const char *field,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Sets status and detail (no field). */
void check_fail(struct check *, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "Not Found", "Unprocessable Content", ... */
const char *problem_title(int status);
/* Short slug used in the type URN: "not-found", "validation", ... */
const char *problem_slug(int status);

/*
 * Builds a problem+json document. errors may be NULL; extra (may be NULL)
 * members are merged in. Returns a malloc'd NUL-terminated string.
 */
char *problem_render(int status, const char *detail, const char *instance,
    const struct check *errors, json_t *extra);

#endif
