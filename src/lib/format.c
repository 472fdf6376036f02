/*
 * Format checks on text of a known length: every read stays inside len
 * bytes, so callers pass JSON strings, decoded query values or slices of
 * a token without copying them to terminate them.
 */
#include <string.h>
#include <strings.h>

#include "format.h"
#include "text.h"

#define EMAIL_LOCAL_MAX 64
/* Past this magnitude format_int stops accumulating digits. */
#define INT_SATURATE 100000000000000000LL

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_HEX(c)                                     \
	(IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || \
	    ((c) >= 'A' && (c) <= 'F'))

static int format_digits(const char *, size_t, int *);
static int format_days_in_month(int, int);
static int format_url_host(const char *, size_t);

int
format_uuid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len != FORMAT_UUID_LEN)
		return (0);
	for (i = 0; i < FORMAT_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!IS_HEX(s[i]))
			return (0);
	}
	return (1);
}

/* Parses exactly n ASCII digits. */
static int
format_digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v;

	for (i = v = 0; i < n; i++) {
		if (!IS_DIGIT(s[i]))
			return (0);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (1);
}

static int
format_days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (dm[m - 1]);
}

int
format_date(const char *s, size_t len)
{
	int y, m, d;

	if (s == NULL || len != 10)
		return (0);
	if (!format_digits(s, 4, &y) || s[4] != '-' ||
	    !format_digits(s + 5, 2, &m) || s[7] != '-' ||
	    !format_digits(s + 8, 2, &d))
		return (0);
	return (y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= format_days_in_month(y, m));
}

/*
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm). Upper-case T and Z only,
 * seconds required, no leap second (PostgreSQL would roll it over), 1 to 9
 * fraction digits.
 */
int
format_timestamp(const char *s, size_t len)
{
	int h, mi, sec, oh, om;
	size_t i;

	if (s == NULL || len < 20)
		return (0);
	if (!format_date(s, 10) || s[10] != 'T' ||
	    !format_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !format_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !format_digits(s + 17, 2, &sec))
		return (0);
	if (h > 23 || mi > 59 || sec > 59)
		return (0);
	i = 19;
	if (s[i] == '.') {
		for (i++; i < len && IS_DIGIT(s[i]); i++)
			;
		if (i == 20 || i > 29)
			return (0);
	}
	if (i == len)
		return (0);
	if (s[i] == 'Z')
		return (i + 1 == len);
	if ((s[i] != '+' && s[i] != '-') || len - i != 6)
		return (0);
	if (!format_digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
	    !format_digits(s + i + 4, 2, &om))
		return (0);
	return (oh <= 23 && om <= 59);
}

int
format_decimal(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, ip, is, fs, fp, o;
	int neg;

	if (s == NULL || out == NULL || outlen < FORMAT_DECIMAL_BUFSZ)
		return (0);
	i = 0;
	neg = (len > 0 && s[0] == '-');
	if (neg)
		i++;
	for (is = i; i < len && IS_DIGIT(s[i]); i++)
		;
	ip = i - is;
	if (ip < 1 || ip > 16)
		return (0);
	fs = fp = 0;
	if (i < len && s[i] == '.') {
		for (fs = ++i; i < len && IS_DIGIT(s[i]); i++)
			;
		fp = i - fs;
		if (fp < 1 || fp > 2)
			return (0);
	}
	if (i != len)
		return (0);

	/* Drop leading zeros (keep one digit) and trailing fraction zeros. */
	while (ip > 1 && s[is] == '0') {
		is++;
		ip--;
	}
	while (fp > 0 && s[fs + fp - 1] == '0')
		fp--;
	if (ip == 1 && s[is] == '0' && fp == 0)
		neg = 0; /* "-0", "-0.00" */
	o = 0;
	if (neg)
		out[o++] = '-';
	memcpy(out + o, s + is, ip);
	o += ip;
	if (fp > 0) {
		out[o++] = '.';
		memcpy(out + o, s + fs, fp);
		o += fp;
	}
	out[o] = '\0';
	return (1);
}

/*
 * Deliberately simple: deliverability is proved by sending mail, not by
 * a regex.
 */
int
format_email(const char *s, size_t len)
{
	const char *at, *dom;
	size_t i, local, dlen;

	if (s == NULL || len > FORMAT_EMAIL_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return (0);
	if ((at = memchr(s, '@', len)) == NULL ||
	    memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		return (0);
	local = (size_t)(at - s);
	dom = at + 1;
	dlen = len - local - 1;
	if (local == 0 || local > EMAIL_LOCAL_MAX || dlen < 3 ||
	    dom[0] == '.' || dom[dlen - 1] == '.' ||
	    memchr(dom, '.', dlen) == NULL)
		return (0);
	for (i = 0; i + 1 < dlen; i++)
		if (dom[i] == '.' && dom[i + 1] == '.')
			return (0);
	return (1);
}

/*
 * A bracketed IPv6 literal, or a name of letters, digits, '-', '_', '.'
 * and non-ASCII (IDN) bytes, then an optional port. No user information:
 * "http://good.example@evil.example" is a phishing shape, and credentials
 * do not belong in CRM records.
 */
static int
format_url_host(const char *a, size_t len)
{
	size_t i, h;
	long port;

	if (len == 0)
		return (0);
	if (a[0] == '[') {
		for (i = 1; i < len && a[i] != ']'; i++)
			if (!IS_HEX(a[i]) && a[i] != ':' && a[i] != '.')
				return (0);
		if (i == len || i < 3)
			return (0);
		h = ++i;
	} else {
		for (i = 0; i < len && a[i] != ':'; i++) {
			if (((unsigned char)a[i] & 0x80) ||
			    (a[i] >= 'a' && a[i] <= 'z') ||
			    (a[i] >= 'A' && a[i] <= 'Z') || IS_DIGIT(a[i]) ||
			    a[i] == '-' || a[i] == '_' || a[i] == '.')
				continue;
			return (0);
		}
		if (i == 0 || a[0] == '.' || a[0] == '-')
			return (0);
		h = i;
	}
	if (h == len)
		return (1);
	if (a[h] != ':' || len - h < 2 || len - h > 6)
		return (0);
	for (port = 0, i = h + 1; i < len; i++) {
		if (!IS_DIGIT(a[i]))
			return (0);
		port = port * 10 + (a[i] - '0');
	}
	return (port >= 1 && port <= 65535);
}

int
format_url(const char *s, size_t len)
{
	size_t p, e;

	if (s == NULL || text_has_controls(s, len) ||
	    memchr(s, ' ', len) != NULL)
		return (0);
	if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		p = 7;
	else if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		p = 8;
	else
		return (0);
	for (e = p; e < len && s[e] != '/' && s[e] != '?' && s[e] != '#'; e++)
		;
	return (format_url_host(s + p, e - p));
}

/* Decimal only: no '+', no spaces, no hex. */
int
format_int(const char *s, size_t len, long long *out)
{
	size_t i;
	long long n;
	int neg;

	if (s == NULL)
		return (0);
	neg = (len > 0 && s[0] == '-');
	i = neg ? 1 : 0;
	if (i == len)
		return (0);
	for (n = 0; i < len; i++) {
		if (!IS_DIGIT(s[i]))
			return (0);
		if (n > INT_SATURATE)
			n = INT_SATURATE;
		else
			n = n * 10 + (s[i] - '0');
	}
	*out = neg ? -n : n;
	return (1);
}

int
format_choice(const char *const *choices, const char *s, size_t len)
{
	size_t i;

	for (i = 0; choices != NULL && choices[i] != NULL; i++)
		if (strlen(choices[i]) == len &&
		    memcmp(choices[i], s, len) == 0)
			return (1);
	return (0);
}
