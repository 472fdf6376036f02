/*
 * PostgreSQL SQLSTATE -> HTTP status. Application errors raised by our SQL
 * functions use class "CR": CR400, CR401, CR403, CR404, CR409, CR412,
 * CR422, CR429 map to that status. Constraint names follow
 * <table>__<field>__<uq|fk|ck> so a violation can name the field.
 */
#ifndef CRM_LIB_SQLSTATE_H
#define CRM_LIB_SQLSTATE_H

#include <stddef.h>

/* HTTP status for a SQLSTATE; 500 for anything unexpected. */
int sqlstate_status(const char *sqlstate);
/* Extracts <field> from a constraint name; 0 on success. */
int constraint_field(const char *constraint, char *field, size_t len);

#endif
