/* Byte-level text helpers shared by the body, query and format checks. */
#ifndef CRM_LIB_TEXT_H
#define CRM_LIB_TEXT_H

#include <stddef.h>

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
int text_utf8_valid(const char *s, size_t len);
/* Code points in valid UTF-8 (the bytes that do not continue one). */
size_t text_utf8_count(const char *s, size_t len);
/* 1 if s holds any C0 control or DEL. */
int text_has_controls(const char *s, size_t len);
/* Narrows s/len past ASCII white space at both ends (locale-free). */
void text_trim(const char **s, size_t *len);
/* ASCII A-Z to a-z in place; other bytes are left alone. */
void text_lower(char *s, size_t len);
/*
 * Joins the NULL-terminated list (may be NULL) with ", " into buf for
 * messages. An item that does not fit ends the list where buf is full.
 */
void text_join(char *buf, size_t size, const char *const *list);

#endif
