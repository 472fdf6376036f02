/*
 * Path template matching. Segments are compared one by one so a {name}
 * never spans a '/', exactly like the [^/]+ of a route regex.
 */
#include <string.h>

#include "path.h"

#define IS_HEX(c)                                                    \
	(((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'f') || \
	    ((c) >= 'A' && (c) <= 'F'))

/* "{x}": at least one character between the braces. */
static int
path_is_name(const char *seg, size_t len)
{
	return (len >= 3 && seg[0] == '{' && seg[len - 1] == '}');
}

static int
path_is_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != PATH_VALUE_LEN)
		return (0);
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!IS_HEX(s[i]))
			return (0);
	}
	return (1);
}

/*
 * Records the n-th argument {name} = value (args may be NULL); -1 when the
 * value is no UUID or the name or the count does not fit.
 */
static int
path_take(struct path_args *args, size_t n, const char *seg, size_t seglen,
    const char *value, size_t len)
{
	struct path_arg *a;
	size_t i;

	if (!path_is_uuid(value, len) || seglen - 2 >= PATH_NAME_MAX ||
	    n >= PATH_ARGS_MAX)
		return (-1);
	if (args == NULL)
		return (0);
	a = &args->arg[n];
	args->n = n + 1;
	memcpy(a->name, seg + 1, seglen - 2);
	a->name[seglen - 2] = '\0';
	for (i = 0; i < len; i++) {
		a->value[i] = value[i];
		if (value[i] >= 'A' && value[i] <= 'F')
			a->value[i] = (char)(value[i] - 'A' + 'a');
	}
	a->value[len] = '\0';
	return (0);
}

enum path_result
path_match(const char *tmpl, const char *path, struct path_args *args)
{
	size_t tl, pl, n = 0;
	int bad = 0;

	if (args != NULL)
		args->n = 0;
	if (tmpl == NULL || path == NULL)
		return (PATH_NO_MATCH);
	while (*tmpl == '/' && *path == '/') {
		tmpl++;
		path++;
		tl = strcspn(tmpl, "/");
		pl = strcspn(path, "/");
		if (path_is_name(tmpl, tl)) {
			if (pl == 0)
				return (PATH_NO_MATCH);
			if (!bad &&
			    path_take(args, n++, tmpl, tl, path, pl) != 0)
				bad = 1;
		} else if (tl != pl || memcmp(tmpl, path, tl) != 0) {
			return (PATH_NO_MATCH);
		}
		tmpl += tl;
		path += pl;
	}
	if (*tmpl != '\0' || *path != '\0')
		return (PATH_NO_MATCH);
	return (bad ? PATH_BAD_ARG : PATH_MATCH);
}

int
path_is_template(const char *tmpl)
{
	size_t len;

	while (tmpl != NULL && *tmpl == '/') {
		tmpl++;
		len = strcspn(tmpl, "/");
		if (path_is_name(tmpl, len))
			return (1);
		tmpl += len;
	}
	return (0);
}
