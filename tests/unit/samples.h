/*
 * Sample values shared by the tests of a format check and of the field
 * type built on it, so both judge the same inputs. URLs are written as
 * JSON string contents (escapes included).
 */
#ifndef CRM_TESTS_SAMPLES_H
#define CRM_TESTS_SAMPLES_H

#include <stddef.h>

#define NSAMPLES(a) (sizeof(a) / sizeof((a)[0]))

static const char *const good_timestamps[] = {
	"2024-01-01T00:00:00Z",
	"2024-02-29T12:30:45+03:30",
	"2000-02-29T00:00:00-08:00",
	"1999-12-31T23:59:59.999999Z",
	"2024-06-30T10:00:00.1+00:00",
	"0001-01-01T00:00:00Z",
};

static const char *const bad_timestamps[] = {
	"2024-01-01",
	"2024-01-01T00:00Z",
	"2024-01-01T00:00:00",
	"2024-01-01 00:00:00Z",
	"2024-01-01t00:00:00z",
	"2023-02-29T00:00:00Z",
	"1900-02-29T00:00:00Z",
	"2024-02-30T00:00:00Z",
	"2024-04-31T00:00:00Z",
	"2024-13-01T00:00:00Z",
	"2024-00-10T00:00:00Z",
	"2024-01-00T00:00:00Z",
	"2024-01-01T24:00:00Z",
	"2024-01-01T00:60:00Z",
	"2024-01-01T00:00:60Z",
	"2024-01-01T00:00:00.Z",
	"2024-01-01T00:00:00.1234567890Z",
	"2024-01-01T00:00:00+0330",
	"2024-01-01T00:00:00+03:30x",
	"2024-01-01T00:00:00Zx",
	"2024-01-01T00:00:00+24:00",
	"0000-01-01T00:00:00Z",
	"+2024-01-01T00:00:00Z",
	"2024-1-01T00:00:00Z",
	"2024-01-01T00:00:00+3:30",
	"",
};

static const char *const good_dates[] = { "2024-02-29", "2000-02-29",
	"0001-01-01", "9999-12-31", "2023-04-30" };

static const char *const bad_dates[] = { "2023-02-29", "1900-02-29",
	"2024-02-30", "2024-04-31", "0000-01-01", "2024-13-01", "2024-00-01",
	"2024-01-00", "2024-1-01", "2024-01-1", "2024/01/01", " 2024-01-01",
	"2024-01-01 ", "2024-01-01T00:00:00Z", "+2024-01-01", "20240101", "" };

static const char *const good_urls[] = {
	"https://example.com",
	"http://example.com/",
	"HTTPS://Example.COM:8443/a/b?c=d&e=f#g",
	"http://localhost:1",
	"https://x.io:65535",
	"https://[::1]:443/",
	"https://[2001:db8::1]",
	"https://b\303\274cher.de/caf\303\251", /* IDN, UTF-8 path */
	"https://a_b.example.com?q",
	"https://example.com#frag",
};

static const char *const bad_urls[] = {
	"ftp://example.com",
	"https://",
	"https:///path",
	"https://?q",
	"http:/example.com",
	"//example.com",
	"example.com",
	"javascript:alert(1)",
	"https://a b.com",
	"https://example.com/a b",
	"https://example.com/a\\tb",
	"https://user:pw@example.com",
	"https://example.com\\\\@evil.com",
	"https://example.com:0",
	"https://example.com:65536",
	"https://example.com:",
	"https://example.com:8a",
	"https://example.com:1234567",
	"https://.example.com",
	"https://-example.com",
	"https://[]/",
	"https://[zz::1]/",
	"https://[::1",
	"https://[::1]x/",
	"httpx://example.com",
	"",
};

#endif
