/*
 * Server-side prepared statements for the api.* calls. Parsing and planning
 * "SELECT ... FROM api.x($1, $2)" again for every request cost about a fifth
 * of PostgreSQL's time per call (bench: pgbench -M extended vs -M prepared
 * on the same call), so each pooled connection prepares a call once and
 * then only binds and executes it.
 *
 * Kore 4.1 has no prepared-statement API: these functions send with libpq
 * and schedule the socket the way Kore's own kore_pgsql_query_params()
 * does, so the rest of the pipeline (WAIT/RESULT/DONE/ERROR) is unchanged.
 */
#ifndef CRM_DB_PREPARED_H
#define CRM_DB_PREPARED_H

#include <kore/kore.h>
#include <kore/pgsql.h>

/* Has this connection (this backend session) prepared statement name? */
int prepared_has(struct kore_pgsql *, const char *name);
/* Remember that it has; name must be a string that outlives the worker. */
void prepared_mark(struct kore_pgsql *, const char *name);

/* Forget what this session prepared (the server says it is gone). */
void prepared_forget(struct kore_pgsql *);

/* Send "PREPARE name AS sql" (nparams text parameters), asynchronously. */
int prepared_send_prepare(struct kore_pgsql *, const char *name,
    const char *sql, int nparams);
/* Send an execution of a prepared statement with text parameters. */
int prepared_send_exec(struct kore_pgsql *, const char *name, int nparams,
    const char *const *values);

/*
 * After the PREPARE's reply (state DONE): 1 when the connection is idle
 * again and the statement can be executed, 0 when the end of the reply has
 * not arrived yet (the request is then waiting for it, state WAIT).
 */
int prepared_settle(struct kore_pgsql *);

#endif
