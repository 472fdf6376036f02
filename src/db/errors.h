/*
 * Turns a failed query into a client-safe problem: our own CRnnn errors
 * carry their message (and, for 422, a JSON list of field errors); known
 * PostgreSQL errors get a fixed text naming the field from the constraint;
 * anything else is a bare 500. SQL text never reaches a client.
 */
#ifndef CRM_DB_ERRORS_H
#define CRM_DB_ERRORS_H

#include <kore/kore.h>
#include <kore/pgsql.h>

#include "../lib/problem.h"

struct db_error {
	int status;
	char detail[200];
	struct check chk;
};

void db_error_read(struct kore_pgsql *, struct db_error *);

#endif
