/*
 * Strict JSON request bodies: content type, size, depth and duplicate keys
 * are checked here, then the members against the operation's field table
 * (schema.h).
 */
#ifndef CRM_LIB_BODY_H
#define CRM_LIB_BODY_H

#include <stddef.h>
#include <jansson.h>

#include "problem.h"
#include "schema.h"

#define BODY_MAX_DEPTH 16

/*
 * Parses and validates a request body. content_type is the raw header (may be
 * NULL). Returns what schema_check() returns for the document, or NULL with
 * chk filled: 415 wrong content type, 413 over max_bytes, 400 malformed /
 * duplicate keys / too deep / not an object, 422 field errors (all of them,
 * up to CHECK_MAX_ERRORS). A PATCH body must hold at least one member.
 */
json_t *body_parse(const char *content_type, const void *data, size_t len,
    size_t max_bytes, const struct field_spec *spec, size_t nspec,
    enum body_mode mode, struct check *chk);

#endif
