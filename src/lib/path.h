/*
 * Path templates such as "/v1/teams/{team_id}/members/{user_id}": a literal
 * segment matches itself, a {name} segment any one non-empty segment, whose
 * value must be a UUID and becomes the argument name. Pure: no Kore headers.
 */
#ifndef CRM_LIB_PATH_H
#define CRM_LIB_PATH_H

#include <stddef.h>

#define PATH_ARGS_MAX  4
#define PATH_NAME_MAX  32 /* with the NUL */
#define PATH_VALUE_LEN 36 /* a UUID */

struct path_arg {
	char name[PATH_NAME_MAX];
	char value[PATH_VALUE_LEN + 1]; /* lower case */
};

struct path_args {
	size_t n;
	struct path_arg arg[PATH_ARGS_MAX];
};

enum path_result {
	PATH_NO_MATCH = -1, /* another route's path */
	PATH_MATCH = 0, /* args holds every {name} */
	PATH_BAD_ARG = 1 /* this route's shape, but a {name} is no UUID */
};

/* Matches path against tmpl; args may be NULL when only the shape counts. */
enum path_result path_match(const char *tmpl, const char *path,
    struct path_args *args);

/* 1 if tmpl has a {name} segment, 0 if it is a literal path. */
int path_is_template(const char *tmpl);

#endif
