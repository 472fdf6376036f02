/*
 * Which statements each pooled connection has prepared, and the libpq
 * calls Kore 4.1 does not wrap. The registry is per worker process (each
 * has its own pool). A connection is known by its PGconn and its backend's
 * pid: a reset or a new connection at a recycled address is a new session
 * with nothing prepared. Losing an entry is harmless: PREPARE then answers
 * 42P05 (already exists), which the pipeline takes as success.
 */
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include "prepared.h"

#define REGISTRY_MAX 256

struct session_statements {
	const PGconn *db;
	int pid;
	const char **names;
	size_t count;
	size_t cap;
};

static struct session_statements registry[REGISTRY_MAX];
static size_t registry_used;
static size_t registry_next_evict;

static struct session_statements *
session_of(struct kore_pgsql *pgsql, int create)
{
	PGconn *db = pgsql->conn->db;
	int pid = PQbackendPID(db);
	struct session_statements *s;
	size_t i;

	for (i = 0; i < registry_used; i++) {
		s = &registry[i];
		if (s->db != db)
			continue;
		if (s->pid != pid) {
			s->pid = pid;
			s->count = 0;
		}
		return (s);
	}
	if (!create)
		return (NULL);
	if (registry_used < REGISTRY_MAX) {
		s = &registry[registry_used++];
	} else {
		/* Full (connections keep moving): recycle an entry. */
		s = &registry[registry_next_evict++ % REGISTRY_MAX];
	}
	s->db = db;
	s->pid = pid;
	s->count = 0;
	return (s);
}

int
prepared_has(struct kore_pgsql *pgsql, const char *name)
{
	struct session_statements *s = session_of(pgsql, 0);
	size_t i;

	if (s == NULL)
		return (0);
	for (i = 0; i < s->count; i++) {
		if (strcmp(s->names[i], name) == 0)
			return (1);
	}
	return (0);
}

void
prepared_mark(struct kore_pgsql *pgsql, const char *name)
{
	struct session_statements *s = session_of(pgsql, 1);

	if (prepared_has(pgsql, name))
		return;
	if (s->count == s->cap) {
		s->cap = s->cap == 0 ? 32 : s->cap * 2;
		s->names = kore_realloc(s->names, s->cap * sizeof(*s->names));
	}
	s->names[s->count++] = name;
}

void
prepared_forget(struct kore_pgsql *pgsql)
{
	struct session_statements *s;

	if (pgsql->conn == NULL || (s = session_of(pgsql, 0)) == NULL)
		return;
	s->count = 0;
}

static int
send_failed(struct kore_pgsql *pgsql)
{
	kore_free(pgsql->error);
	pgsql->error = kore_strdup(PQerrorMessage(pgsql->conn->db));
	pgsql->state = KORE_PGSQL_STATE_ERROR;
	return (KORE_RESULT_ERROR);
}

/* What Kore's static pgsql_schedule() does after each query it sends. */
static int
schedule_read(struct kore_pgsql *pgsql)
{
	int fd = PQsocket(pgsql->conn->db);

	if (fd < 0)
		return (send_failed(pgsql));
	kore_platform_schedule_read(fd, pgsql->conn);
	pgsql->state = KORE_PGSQL_STATE_WAIT;
	pgsql->flags |= KORE_PGSQL_SCHEDULED;
	if (pgsql->req != NULL)
		http_request_sleep(pgsql->req);
	return (KORE_RESULT_OK);
}

int
prepared_send_prepare(struct kore_pgsql *pgsql, const char *name,
    const char *sql, int nparams)
{
	if (!PQsendPrepare(pgsql->conn->db, name, sql, nparams, NULL))
		return (send_failed(pgsql));
	return (schedule_read(pgsql));
}

int
prepared_send_exec(struct kore_pgsql *pgsql, const char *name, int nparams,
    const char *const *values)
{
	if (!PQsendQueryPrepared(pgsql->conn->db, name, nparams, values, NULL,
	        NULL, 0))
		return (send_failed(pgsql));
	return (schedule_read(pgsql));
}

int
prepared_settle(struct kore_pgsql *pgsql)
{
	PGresult *extra;

	if (pgsql->result != NULL) {
		PQclear(pgsql->result);
		pgsql->result = NULL;
	}
	kore_free(pgsql->error);
	pgsql->error = NULL;
	/* Not busy: PQgetResult() returns at once, NULL at the reply's end. */
	while (!PQisBusy(pgsql->conn->db)) {
		if ((extra = PQgetResult(pgsql->conn->db)) == NULL)
			return (1);
		PQclear(extra);
	}
	/* The end of the reply is still in flight: Kore reads it (RESULT
	 * makes kore_pgsql_continue() read on instead of releasing). */
	pgsql->state = KORE_PGSQL_STATE_RESULT;
	kore_pgsql_continue(pgsql);
	return (0);
}
