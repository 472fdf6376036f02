/*
 * Pure format checks on len bytes of text (no NUL needed), shared by
 * request bodies, query strings and tokens. Each returns 1 if valid.
 */
#ifndef CRM_LIB_FORMAT_H
#define CRM_LIB_FORMAT_H

#include <stddef.h>

/* Length of a UUID in text form, without its NUL. */
#define FORMAT_UUID_LEN 36
/* Longest e-mail address accepted (RFC 5321 path limit). */
#define FORMAT_EMAIL_MAX 254
/* Room for any canonical decimal: '-', 16 digits, '.', 2 digits, NUL. */
#define FORMAT_DECIMAL_BUFSZ 21

/* Canonical 8-4-4-4-12 hex UUID, either case. */
int format_uuid(const char *s, size_t len);
/*
 * RFC 3339 date-time with seconds and an offset (Z or +hh:mm) that names a
 * real calendar day, year 0001..9999.
 */
int format_timestamp(const char *s, size_t len);
/* "YYYY-MM-DD" naming a real calendar day, year 0001..9999. */
int format_date(const char *s, size_t len);
/*
 * Money text: -?[0-9]{1,16}(\.[0-9]{1,2})? exactly. On success writes the
 * canonical form into out (at least FORMAT_DECIMAL_BUFSZ bytes): no leading
 * zeros, no trailing fraction zeros or '.', no "-0" ("007.50" -> "7.5",
 * "-0.00" -> "0") and returns 1; otherwise returns 0.
 */
int format_decimal(const char *s, size_t len, char *out, size_t outlen);
/*
 * local@domain of at most FORMAT_EMAIL_MAX bytes: one '@', no white space
 * or controls, a local part of 1..64 bytes, a dotted domain without empty
 * labels at its ends or inside.
 */
int format_email(const char *s, size_t len);
/*
 * http(s)://host[:port][/?#...]: no white space or controls, no user
 * information, host a name or a bracketed IPv6 literal, port 1..65535.
 */
int format_url(const char *s, size_t len);
/*
 * Decimal integer text: an optional '-' and one or more digits, nothing
 * else. Magnitudes past 10^17 saturate (they fail any sane range check).
 */
int format_int(const char *s, size_t len, long long *out);
/* s is one of the NULL-terminated choices (which may be NULL: none). */
int format_choice(const char *const *choices, const char *s, size_t len);

#endif
