/*
 * libFuzzer harness for path_match and path_is_template. The input is a
 * template and a path separated by the first newline (no newline: the
 * input is a path, matched against the server's own templates). Checked:
 * no memory errors; the same result with and without args; on a match,
 * one argument per {name} segment, each a lower-case UUID, and the
 * template with its arguments filled in gives back the path (lower-cased);
 * a literal template matches only its own text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

static const char *const templates[] = { "/v1/contacts", "/v1/contacts/{id}",
	"/v1/contacts/{id}/timeline", "/v1/teams/{team_id}/members/{user_id}",
	"/v1/pipelines/{pipeline_id}/stages/{id}", "/v1/reminders/{id}/ack",
	"/healthz", "/", "" };

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	return (p);
}

/* The template with each {name} replaced by its value. */
static void
fill(const char *tmpl, const struct path_args *a, char *out)
{
	size_t i = 0, len;

	while (*tmpl != '\0') {
		len = strcspn(tmpl + 1, "/") + 1;
		if (tmpl[0] == '/' && len >= 4 && tmpl[1] == '{' &&
		    tmpl[len - 1] == '}') {
			if (i >= a->n ||
			    strncmp(a->arg[i].name, tmpl + 2, len - 3) != 0 ||
			    a->arg[i].name[len - 3] != '\0')
				abort();
			*out++ = '/';
			memcpy(out, a->arg[i].value, PATH_VALUE_LEN);
			out += PATH_VALUE_LEN;
			i++;
		} else {
			memcpy(out, tmpl, len);
			out += len;
		}
		tmpl += len;
	}
	*out = '\0';
	if (i != a->n)
		abort();
}

static void
check_value(const char *v)
{
	size_t k;

	if (strlen(v) != PATH_VALUE_LEN)
		abort();
	for (k = 0; k < PATH_VALUE_LEN; k++) {
		if (k == 8 || k == 13 || k == 18 || k == 23) {
			if (v[k] != '-')
				abort();
		} else if (strchr("0123456789abcdef", v[k]) == NULL)
			abort();
	}
}

static void
one(const char *tmpl, const char *path)
{
	struct path_args a;
	enum path_result r;
	char *rebuilt, *lower;
	size_t i, n;

	r = path_match(tmpl, path, &a);
	if (r != path_match(tmpl, path, NULL))
		abort();
	if (r != PATH_MATCH)
		return;
	for (i = 0; i < a.n; i++) {
		if (a.arg[i].name[0] == '\0')
			abort();
		check_value(a.arg[i].value);
	}
	if (!path_is_template(tmpl) && (a.n != 0 || strcmp(tmpl, path) != 0))
		abort();
	/* Arguments are lower-cased: compare with A-F folded on both sides. */
	n = strlen(path);
	rebuilt = xmalloc(strlen(tmpl) + a.n * PATH_VALUE_LEN + 1);
	lower = xmalloc(n + 1);
	fill(tmpl, &a, rebuilt);
	for (i = 0; i <= n; i++)
		lower[i] = (path[i] >= 'A' && path[i] <= 'F')
		    ? (char)(path[i] - 'A' + 'a')
		    : path[i];
	for (i = 0; rebuilt[i] != '\0'; i++) {
		if (rebuilt[i] >= 'A' && rebuilt[i] <= 'F')
			rebuilt[i] = (char)(rebuilt[i] - 'A' + 'a');
	}
	if (strcmp(rebuilt, lower) != 0)
		abort();
	free(rebuilt);
	free(lower);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl;
	size_t i;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		one(s, nl + 1);
		(void)path_is_template(s);
	} else {
		for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
			one(templates[i], s);
	}
	free(s);
	return (0);
}
