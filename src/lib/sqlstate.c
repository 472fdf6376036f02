/*
 * SQLSTATE -> HTTP status, from one table. Anything not listed is a 500:
 * an unexpected database error is our bug, never the client's.
 */
#include <string.h>

#include "sqlstate.h"

/* The table reads best laid out as a table. */
/* clang-format off */
#define SQLSTATE_TABLE(X)						\
	/* Application errors raised by our SQL functions. */		\
	X("CR400", 400) X("CR401", 401) X("CR403", 403)			\
	X("CR404", 404) X("CR409", 409) X("CR412", 412)			\
	X("CR422", 422) X("CR429", 429)					\
	/* Integrity: duplicates conflict, the rest are bad values. */	\
	X("23505", 409)	/* unique_violation */				\
	X("23503", 422)	/* foreign_key_violation */			\
	X("23514", 422)	/* check_violation */				\
	X("23502", 422)	/* not_null_violation */			\
	X("22P02", 422)	/* invalid_text_representation */		\
	X("22001", 422)	/* string_data_right_truncation */		\
	X("22003", 422)	/* numeric_value_out_of_range */		\
	X("22007", 422)	/* invalid_datetime_format */			\
	X("22008", 422)	/* datetime_field_overflow */			\
	/* Transient: the client may retry. */				\
	X("40001", 503)	/* serialization_failure */			\
	X("40P01", 503)	/* deadlock_detected */				\
	X("57P01", 503)	/* admin_shutdown */				\
	X("57P02", 503)	/* crash_shutdown */				\
	X("57P03", 503)	/* cannot_connect_now */			\
	X("53300", 503)	/* too_many_connections */			\
	X("26000", 503)	/* invalid_sql_statement_name: a prepared call	\
			   went missing on this connection */
/* clang-format on */

struct sqlstate_map {
	const char *code;
	int status;
};

#define SQLSTATE_ROW(c, s) { c, s },
static const struct sqlstate_map sqlstate_map[] = { SQLSTATE_TABLE(
    SQLSTATE_ROW) };
#undef SQLSTATE_ROW

int
sqlstate_status(const char *sqlstate)
{
	size_t i;

	if (sqlstate == NULL || strlen(sqlstate) != 5)
		return (500);
	for (i = 0; i < sizeof(sqlstate_map) / sizeof(sqlstate_map[0]); i++)
		if (strcmp(sqlstate_map[i].code, sqlstate) == 0)
			return (sqlstate_map[i].status);
	/* Class 08: connection exceptions. */
	if (sqlstate[0] == '0' && sqlstate[1] == '8')
		return (503);
	return (500);
}

/*
 * <table>__<field>__<uq|fk|ck>: the field is between the first and the
 * last "__". Table and field must be non-empty and the field must not
 * contain "__" itself.
 */
int
constraint_field(const char *constraint, char *field, size_t len)
{
	const char *a, *b, *suffix;
	size_t n;

	if (constraint == NULL || field == NULL || len == 0)
		return (-1);
	if ((a = strstr(constraint, "__")) == NULL || a == constraint)
		return (-1);
	a += 2;
	if ((b = strstr(a, "__")) == NULL || b == a)
		return (-1);
	suffix = b + 2;
	if (strcmp(suffix, "uq") != 0 && strcmp(suffix, "fk") != 0 &&
	    strcmp(suffix, "ck") != 0)
		return (-1);
	n = (size_t)(b - a);
	if (n >= len)
		return (-1);
	memcpy(field, a, n);
	field[n] = '\0';
	return (0);
}
