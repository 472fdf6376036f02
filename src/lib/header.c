/* Request header checks; see header.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"

int
header_if_match(const char *value, long long *version)
{
	const char *v = value;
	char *end;
	long long n;

	if (v == NULL || strcmp(v, "*") == 0)
		return (0);
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	if (*v == '"')
		v++;
	n = strtoll(v, &end, 10);
	if (end == v || (*end != '"' && *end != '\0') || n < 0)
		n = -1;
	*version = n;
	return (1);
}

int
header_idempotency_key(const char *key)
{
	size_t i, len;

	if (key == NULL)
		return (0);
	len = strlen(key);
	for (i = 0; i < len && key[i] > 0x20 && key[i] < 0x7f; i++)
		;
	return (len > 0 && len <= HEADER_IDEMPOTENCY_KEY_MAX && i == len);
}

int
header_request_id(const char *id)
{
	size_t i, len;

	if (id == NULL)
		return (0);
	len = strlen(id);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)id[i]) &&
		    strchr("-_.:", id[i]) == NULL)
			break;
	}
	return (len > 0 && len <= HEADER_REQUEST_ID_MAX && i == len);
}
