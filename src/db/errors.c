#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../lib/sqlstate.h"
#include "errors.h"

static const char *
field_of(PGresult *res, int which)
{
	const char *v = PQresultErrorField(res, which);

	return (v != NULL ? v : "");
}

/* DETAIL of a CR422 is [{"field","code","message"}]. */
static void
app_field_errors(const char *detail, struct check *chk)
{
	json_t *list, *item;
	size_t i;

	if ((list = json_loads(detail, 0, NULL)) == NULL)
		return;
	if (json_is_array(list)) {
		json_array_foreach(list, i, item)
		{
			const char *f =
			    json_string_value(json_object_get(item, "field"));
			const char *c =
			    json_string_value(json_object_get(item, "code"));
			const char *m =
			    json_string_value(json_object_get(item, "message"));
			if (f != NULL && c != NULL)
				check_field(chk, 422, f, c, "%s",
				    m != NULL ? m : c);
		}
	}
	json_decref(list);
}

static void
constraint_error(PGresult *res, const char *state, struct db_error *e)
{
	char field[64];

	if (constraint_field(field_of(res, PG_DIAG_CONSTRAINT_NAME), field,
	        sizeof(field)) != 0)
		snprintf(field, sizeof(field), "body");

	if (strcmp(state, "23505") == 0) {
		snprintf(e->detail, sizeof(e->detail),
		    "a record with this %s already exists", field);
		check_field(&e->chk, 409, field, "duplicate", "already in use");
	} else if (strcmp(state, "23503") == 0) {
		snprintf(e->detail, sizeof(e->detail),
		    "%s refers to a "
		    "record that does not exist",
		    field);
		check_field(&e->chk, 422, field, "not_found", "no such record");
	} else {
		snprintf(e->detail, sizeof(e->detail), "invalid value for %s",
		    field);
		check_field(&e->chk, 422, field, "invalid", "invalid value");
	}
}

void
db_error_read(struct kore_pgsql *sql, struct db_error *e)
{
	const char *state;

	memset(e, 0, sizeof(*e));
	check_init(&e->chk);

	if (sql->result == NULL ||
	    PQresultErrorField(sql->result, PG_DIAG_SQLSTATE) == NULL) {
		/* No server answer: connection refused or lost. */
		e->status = 503;
		snprintf(e->detail, sizeof(e->detail),
		    "the database is unavailable; retry later");
		return;
	}
	state = field_of(sql->result, PG_DIAG_SQLSTATE);
	e->status = sqlstate_status(state);

	if (strncmp(state, "CR", 2) == 0 && e->status < 500) {
		snprintf(e->detail, sizeof(e->detail), "%s",
		    field_of(sql->result, PG_DIAG_MESSAGE_PRIMARY));
		if (e->status == 422)
			app_field_errors(field_of(sql->result,
			                     PG_DIAG_MESSAGE_DETAIL),
			    &e->chk);
	} else if (strncmp(state, "23", 2) == 0) {
		constraint_error(sql->result, state, e);
	} else if (strncmp(state, "22", 2) == 0) {
		snprintf(e->detail, sizeof(e->detail), "invalid value");
	} else if (e->status == 503) {
		snprintf(e->detail, sizeof(e->detail),
		    "the database is busy or unavailable; retry later");
	} else {
		e->status = 500;
		snprintf(e->detail, sizeof(e->detail), "internal error");
	}
	e->chk.status = 0; /* the status above decides, not check_field */
}
