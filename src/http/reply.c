/*
 * Every response leaves through reply_send(): it adds the headers all
 * answers share, writes one JSON access-log line and counts the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "reply.h"

static void
access_log(struct http_request *req, const struct reply_meta *m, int status,
    u_int64_t ms)
{
	json_t *line;
	char *text, ts[32];
	struct tm tm;
	time_t now;
	size_t len;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);

	line = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s?}", "ts", ts,
	    "request_id", m->request_id ? m->request_id : "", "method",
	    http_method_text(req->method), "path", req->path, "route",
	    m->route ? m->route : "", "status", status, "ms", (json_int_t)ms,
	    "actor", m->actor);
	if (line == NULL)
		return;
	text = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (text == NULL)
		return;
	len = strlen(text);
	text[len] = '\n'; /* replaces the NUL: one write per line */
	(void)write(STDOUT_FILENO, text, len + 1);
	free(text);
}

static void
reply_send(struct http_request *req, const struct reply_meta *m, int status,
    const char *content_type, const void *body, size_t len)
{
	u_int64_t ms;

	if (m->request_id != NULL)
		http_response_header(req, "x-request-id", m->request_id);
	if (content_type != NULL)
		http_response_header(req, "content-type", content_type);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, status, body, len);

	ms = kore_time_ms() - m->started;
	metrics_request(m->metric_id, status, ms);
	access_log(req, m, status, ms);
}

void
reply_json(struct http_request *req, const struct reply_meta *m, int status,
    const char *body, size_t len)
{
	reply_send(req, m, status, "application/json", body, len);
}

void
reply_text(struct http_request *req, const struct reply_meta *m, int status,
    const char *content_type, const char *body, size_t len)
{
	reply_send(req, m, status, content_type, body, len);
}

void
reply_empty(struct http_request *req, const struct reply_meta *m, int status)
{
	reply_send(req, m, status, NULL, NULL, 0);
}

void
reply_problem(struct http_request *req, const struct reply_meta *m, int status,
    const char *detail, const struct check *errors, json_t *extra)
{
	char *doc;

	doc = problem_render(status, detail, m->request_id, errors, extra);
	if (doc == NULL) {
		reply_send(req, m, 500, NULL, NULL, 0);
		return;
	}
	reply_send(req, m, status, "application/problem+json", doc,
	    strlen(doc));
	free(doc);
}

void
reply_check(struct http_request *req, const struct reply_meta *m,
    const struct check *chk)
{
	reply_problem(req, m, chk->status, chk->detail,
	    chk->nerrors > 0 ? chk : NULL, NULL);
}
