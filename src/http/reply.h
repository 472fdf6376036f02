/*
 * The only code that writes responses: common headers (request id,
 * content type, no-store), the access-log line and the metrics for every
 * reply go through here.
 */
#ifndef CRM_HTTP_REPLY_H
#define CRM_HTTP_REPLY_H

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "../lib/problem.h"

struct reply_meta {
	const char *request_id; /* echoed as X-Request-Id; may be NULL */
	const char *route; /* metrics/log label */
	int metric_id;
	u_int64_t started; /* kore_time_ms() at arrival */
	const char *actor; /* user id or "key"; may be NULL */
};

void reply_json(struct http_request *, const struct reply_meta *, int status,
    const char *body, size_t len);
void reply_text(struct http_request *, const struct reply_meta *, int status,
    const char *content_type, const char *body, size_t len);
void reply_empty(struct http_request *, const struct reply_meta *, int status);
void reply_problem(struct http_request *, const struct reply_meta *, int status,
    const char *detail, const struct check *errors, json_t *extra);
/* For a check that failed (status set by a parser). */
void reply_check(struct http_request *, const struct reply_meta *,
    const struct check *);

#endif
