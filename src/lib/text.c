/*
 * Text helpers on len bytes (no NUL needed). Locale-free on purpose: a
 * worker's locale must not change what a request means.
 */
#include <stdio.h>

#include "text.h"

/* ASCII white space, independent of the locale (unlike isspace). */
#define IS_WS(c)                                                    \
	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || \
	    (c) == '\f' || (c) == '\v')

int
text_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, n, k;
	unsigned int cp, min;

	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			continue;
		} else if ((s[i] & 0xe0) == 0xc0) {
			n = 2, cp = s[i] & 0x1f, min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3, cp = s[i] & 0x0f, min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4, cp = s[i] & 0x07, min = 0x10000;
		} else
			return (0);
		if (len - i < n)
			return (0);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
	}
	return (1);
}

size_t
text_utf8_count(const char *s, size_t len)
{
	size_t i, n;

	for (i = n = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return (n);
}

int
text_has_controls(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (1);
	return (0);
}

void
text_trim(const char **s, size_t *len)
{
	while (*len > 0 && IS_WS((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && IS_WS((*s)[*len - 1]))
		(*len)--;
}

void
text_lower(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

void
text_join(char *buf, size_t size, const char *const *list)
{
	size_t off, i;
	int n;

	if (size == 0)
		return;
	buf[0] = '\0';
	off = 0;
	for (i = 0; list != NULL && list[i] != NULL; i++) {
		n = snprintf(buf + off, size - off, "%s%s", i == 0 ? "" : ", ",
		    list[i]);
		if (n < 0 || (size_t)n >= size - off)
			break; /* the message is cut, never the check */
		off += (size_t)n;
	}
}
