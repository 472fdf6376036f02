/*
 * Checks of the request headers the pipeline reads itself: If-Match,
 * Idempotency-Key and X-Request-Id. Pure: no Kore headers.
 */
#ifndef CRM_LIB_HEADER_H
#define CRM_LIB_HEADER_H

#define HEADER_IDEMPOTENCY_KEY_MAX 255
#define HEADER_REQUEST_ID_MAX      64

/*
 * If-Match: "N", W/"N" or *. 0 when it sets no condition (absent or *);
 * else 1 with *version = N, or -1 when the value can never match.
 */
int header_if_match(const char *value, long long *version);

/* 1 if key is 1-255 visible ASCII characters. */
int header_idempotency_key(const char *key);

/* 1 if id is 1-64 of [A-Za-z0-9-_.:], safe to echo and log. */
int header_request_id(const char *id);

#endif
