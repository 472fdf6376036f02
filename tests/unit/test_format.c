#include <stdlib.h>

#include <jansson.h>

#include "format.h"
#include "samples.h"
#include "unit.h"

static void
test_timestamp(void)
{
	size_t i;

	for (i = 0; i < NSAMPLES(good_timestamps); i++)
		CHECK(format_timestamp(good_timestamps[i],
		    strlen(good_timestamps[i])));
	for (i = 0; i < NSAMPLES(bad_timestamps); i++) {
		CHECK(!format_timestamp(bad_timestamps[i],
		    strlen(bad_timestamps[i])));
		if (format_timestamp(bad_timestamps[i],
		        strlen(bad_timestamps[i])))
			fprintf(stderr, "  accepted %s\n", bad_timestamps[i]);
	}
	CHECK(!format_timestamp(NULL, 20));
	/* Length is honoured: the offset must end exactly at len. */
	CHECK(format_timestamp("2024-01-01T00:00:00Zxyz", 20));
	CHECK(!format_timestamp("2024-01-01T00:00:00+03:30", 24));
	CHECK(format_timestamp("2024-01-01T00:00:00.123456789Z", 30));
}

static void
test_date(void)
{
	size_t i;

	for (i = 0; i < NSAMPLES(good_dates); i++)
		CHECK(format_date(good_dates[i], strlen(good_dates[i])));
	for (i = 0; i < NSAMPLES(bad_dates); i++)
		CHECK(!format_date(bad_dates[i], strlen(bad_dates[i])));
	CHECK(!format_date(NULL, 10));
	/* Length is honoured: no terminator needed, no over-read. */
	CHECK(format_date("2024-01-01xyz", 10));
	CHECK(!format_date("2024-01-01", 9));
}

static void
test_uuid(void)
{
	CHECK(format_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6", 36));
	CHECK(!format_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f", 35));
	CHECK(!format_uuid("0e8f5c3a-1b2c-4d5e-8f90+a1b2c3d4e5f6", 36));
	CHECK(!format_uuid(NULL, 36));
	CHECK(format_uuid("0E8F5C3A-1B2C-4D5E-8F90-A1B2C3D4E5F6", 36));
	CHECK(!format_uuid("0e8f5c3a1b2c4d5e8f90a1b2c3d4e5f6", 32));
	CHECK(!format_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5fg", 36));
	CHECK(!format_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6 ", 37));
	CHECK(format_uuid("0e8f5c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6}", 36));
}

static void
test_decimal(void)
{
	char out[FORMAT_DECIMAL_BUFSZ];

	/* Length-bounded and buffer-checked. */
	CHECK(format_decimal("007.50xyz", 6, out, sizeof(out)));
	CHECK_STR_EQ(out, "7.5");
	CHECK(format_decimal("-9999999999999999.99", 20, out, sizeof(out)));
	CHECK_STR_EQ(out, "-9999999999999999.99");
	CHECK(!format_decimal("1", 1, out, FORMAT_DECIMAL_BUFSZ - 1));
	CHECK(!format_decimal(NULL, 1, out, sizeof(out)));
	CHECK(!format_decimal("", 0, out, sizeof(out)));

	CHECK(format_decimal("-0.00", 5, out, sizeof(out)));
	CHECK_STR_EQ(out, "0");
	CHECK(format_decimal("12.00", 5, out, sizeof(out)));
	CHECK_STR_EQ(out, "12");
	CHECK(format_decimal("0.05", 4, out, sizeof(out)));
	CHECK_STR_EQ(out, "0.05");
	CHECK(!format_decimal("12.345", 6, out, sizeof(out)));
	CHECK(!format_decimal("1.", 2, out, sizeof(out)));
	CHECK(!format_decimal(".5", 2, out, sizeof(out)));
	CHECK(!format_decimal("+1", 2, out, sizeof(out)));
	CHECK(!format_decimal("-", 1, out, sizeof(out)));
	CHECK(!format_decimal("12345678901234567", 17, out, sizeof(out)));
	CHECK(!format_decimal("1e3", 3, out, sizeof(out)));
}

static void
test_email(void)
{
	static const char *const good[] = { "a@b.co", "Ann@Example.COM",
		"first.last+tag@mail.example.org", "x@\xd9\x85.ir" };
	static const char *const bad[] = { "nobody", "a@@b.com", "a@b@c.com",
		"a b@c.com", "@c.com", "a@localhost", "a@c..com", "a@.com",
		"a@com.", "a@b.", "a\t@b.com", "a@b.com\x7f", "", " a@b.com" };
	char big[FORMAT_EMAIL_MAX + 2];
	size_t i;

	for (i = 0; i < NSAMPLES(good); i++)
		CHECK(format_email(good[i], strlen(good[i])));
	for (i = 0; i < NSAMPLES(bad); i++) {
		CHECK(!format_email(bad[i], strlen(bad[i])));
		if (format_email(bad[i], strlen(bad[i])))
			fprintf(stderr, "  accepted %s\n", bad[i]);
	}
	CHECK(!format_email(NULL, 5));
	CHECK(format_email("a@b.cozzz", 6));

	/* Local part: 64 bytes pass, 65 do not; whole: 254 pass, 255 not. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 64, "@b.co", 5);
	CHECK(format_email(big, 69));
	memset(big, 'a', sizeof(big));
	memcpy(big + 65, "@b.co", 5);
	CHECK(!format_email(big, 70));
	memset(big, 'd', sizeof(big));
	memcpy(big, "a@b.", 4);
	CHECK(format_email(big, FORMAT_EMAIL_MAX));
	CHECK(!format_email(big, FORMAT_EMAIL_MAX + 1));
}

/* The samples are JSON string contents: decode them first. */
static int
url_sample_ok(const char *sample)
{
	char text[256];
	json_t *s;
	int ok;

	snprintf(text, sizeof(text), "\"%s\"", sample);
	if ((s = json_loads(text, JSON_DECODE_ANY, NULL)) == NULL)
		return (-1);
	ok = format_url(json_string_value(s), json_string_length(s));
	json_decref(s);
	return (ok);
}

static void
test_url(void)
{
	size_t i;

	for (i = 0; i < NSAMPLES(good_urls); i++)
		CHECK_INT_EQ(url_sample_ok(good_urls[i]), 1);
	for (i = 0; i < NSAMPLES(bad_urls); i++)
		CHECK_INT_EQ(url_sample_ok(bad_urls[i]), 0);
	CHECK(!format_url(NULL, 10));
	CHECK(!format_url("https://x.io/a\nb", 16));
	CHECK(!format_url(" https://x.io", 13));
	/* Length is honoured: the host ends at len. */
	CHECK(format_url("https://x.io:80x", 15));
	CHECK(!format_url("https://x.io:80x", 16));
}

static void
test_int(void)
{
	long long n;

	n = 7;
	CHECK(format_int("0", 1, &n));
	CHECK_INT_EQ(n, 0);
	CHECK(format_int("-42", 3, &n));
	CHECK_INT_EQ(n, -42);
	CHECK(format_int("0007", 4, &n));
	CHECK_INT_EQ(n, 7);
	CHECK(format_int("123xyz", 3, &n));
	CHECK_INT_EQ(n, 123);
	/* Saturation: far past any bound, never wrapped negative. */
	CHECK(format_int("9223372036854775807", 19, &n));
	CHECK_INT_EQ(n, 100000000000000000LL);
	CHECK(format_int("99999999999999999999999999", 26, &n));
	CHECK(n >= 100000000000000000LL);
	CHECK(format_int("-99999999999999999999999999", 27, &n));
	CHECK(n <= -100000000000000000LL);

	n = 7;
	CHECK(!format_int("", 0, &n));
	CHECK(!format_int("-", 1, &n));
	CHECK(!format_int("+1", 2, &n));
	CHECK(!format_int(" 1", 2, &n));
	CHECK(!format_int("1 ", 2, &n));
	CHECK(!format_int("0x10", 4, &n));
	CHECK(!format_int("1.0", 3, &n));
	CHECK(!format_int("--1", 3, &n));
	CHECK(!format_int("\xd9\xa1", 2, &n));
	CHECK(!format_int(NULL, 1, &n));
	CHECK_INT_EQ(n, 7);
}

static void
test_choice(void)
{
	static const char *const stages[] = { "lead", "won", "lost", NULL };

	CHECK(format_choice(stages, "won", 3));
	CHECK(format_choice(stages, "lost", 4));
	CHECK(format_choice(stages, "wonder", 3));
	CHECK(!format_choice(stages, "WON", 3));
	CHECK(!format_choice(stages, "wo", 2));
	CHECK(!format_choice(stages, "wonx", 4));
	CHECK(!format_choice(stages, "", 0));
	CHECK(!format_choice(NULL, "won", 3));
}

int
main(void)
{
	test_timestamp();
	test_date();
	test_uuid();
	test_decimal();
	test_email();
	test_url();
	test_int();
	test_choice();
	return (UNIT_DONE());
}
