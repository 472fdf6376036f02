#include "text.h"
#include "unit.h"

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* The first len bytes of s and what a check says of them. */
struct bytes_case {
	const char *s;
	size_t len;
	size_t want;
};

/* Runs fn over each case; a failure names the case's index. */
static void
check_bytes(const char *what, size_t (*fn)(const char *, size_t),
    const struct bytes_case *cases, size_t n)
{
	size_t i, got;

	for (i = 0; i < n; i++) {
		got = fn(cases[i].s, cases[i].len);
		CHECK_INT_EQ(got, cases[i].want);
		if (got != cases[i].want)
			fprintf(stderr, "  %s case %zu\n", what, i);
	}
}

static size_t
utf8_valid(const char *s, size_t len)
{
	return (text_utf8_valid(s, len) != 0);
}

static size_t
has_controls(const char *s, size_t len)
{
	return (text_has_controls(s, len) != 0);
}

static void
test_utf8_valid(void)
{
	static const struct bytes_case cases[] = {
		{ "", 0, 1 }, /* empty */
		{ "plain ascii", 11, 1 }, /* ASCII */
		{ "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 8, 1 }, /* 2-byte forms */
		{ "\xe2\x82\xac", 3, 1 }, /* U+20AC */
		{ "\xf0\x9f\x98\x80", 4, 1 }, /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 }, /* U+10FFFF */
		{ "a\0b", 3, 1 }, /* NUL is the caller's concern */

		{ "\xff", 1, 0 }, /* never in UTF-8 */
		{ "\x80", 1, 0 }, /* lone continuation */
		{ "\xc0\xaf", 2, 0 }, /* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0 }, /* overlong */
		{ "\xf0\x80\x80\xaf", 4, 0 }, /* overlong */
		{ "\xed\xa0\x80", 3, 0 }, /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", 4, 0 }, /* past U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 5, 0 },
		{ "\xd8", 1, 0 }, /* cut short */
		{ "\xe2\x82", 2, 0 },
		{ "\xe2\x82\xac", 2, 0 }, /* len is honoured */
		{ "\xd8\x41", 2, 0 }, /* not a continuation */
	};

	check_bytes("utf8_valid", utf8_valid, cases, NCASES(cases));
}

static void
test_utf8_count(void)
{
	static const struct bytes_case cases[] = {
		{ "", 0, 0 },
		{ "abc", 3, 3 },
		{ "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 8, 4 },
		{ "a\xe2\x82\xac\xf0\x9f\x98\x80", 8, 3 },
		{ "abc", 2, 2 },
	};

	check_bytes("utf8_count", text_utf8_count, cases, NCASES(cases));
}

static void
test_controls(void)
{
	static const struct bytes_case cases[] = {
		{ "", 0, 0 }, /* empty */
		{ "a b~\xd8\xb3", 6, 0 }, /* printable */
		{ "a\tb", 3, 1 }, /* tab */
		{ "a\nb", 3, 1 }, /* newline */
		{ "\x1f", 1, 1 }, /* last C0 */
		{ "a\x7f", 2, 1 }, /* DEL */
		{ "a\0", 2, 1 }, /* NUL */
		{ "ab\n", 2, 0 }, /* len is honoured */
	};

	check_bytes("has_controls", has_controls, cases, NCASES(cases));
}

static void
test_trim(void)
{
	/* The first len bytes of in; what is left and where it starts. */
	static const struct {
		const char *in;
		size_t len;
		const char *left;
		size_t skip;
	} cases[] = {
		{ " \t\r\n\f\vab c\v\f\n\r\t ", 16, "ab c", 6 },
		{ "   ", 3, "", 3 },
		{ "", 0, "", 0 },
		/* Only ASCII white space: a no-break space (U+00A0) stays. */
		{ "\xc2\xa0x ", 4, "\xc2\xa0x", 0 },
		/* Bytes past len are not looked at. */
		{ "x  y", 2, "x", 0 },
	};
	char buf[32];
	const char *s;
	size_t i, len;

	for (i = 0; i < NCASES(cases); i++) {
		s = cases[i].in;
		len = cases[i].len;
		text_trim(&s, &len);
		CHECK_INT_EQ(len, strlen(cases[i].left));
		CHECK_INT_EQ(s - cases[i].in, cases[i].skip);
		snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
		CHECK_STR_EQ(buf, cases[i].left);
	}
}

static void
test_lower(void)
{
	/* The first len bytes of in are lowered. */
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "Ann@Example.COM", 15, "ann@example.com" },
		{ "\xc3\x89Z[@`{", 7, "\xc3\x89z[@`{" },
		{ "ABC", 2, "abC" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		text_lower(buf, cases[i].len);
		CHECK_STR_EQ(buf, cases[i].out);
	}
}

static void
test_join(void)
{
	static const char *const three[] = { "lead", "won", "lost", NULL };
	static const char *const none[] = { NULL };
	/* buf holds "x" before each join of list into its first size bytes. */
	static const struct {
		const char *const *list;
		size_t size;
		const char *want;
	} cases[] = {
		{ three, 140, "lead, won, lost" },
		{ none, 140, "" },
		{ NULL, 140, "" },
		/* Full: the list ends where the buffer does, still terminated. */
		{ three, 10, "lead, won" },
		{ three, 8, "lead, w" },
		/* No room at all: buf is not written. */
		{ three, 0, "x" },
	};
	char buf[140];
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		strcpy(buf, "x");
		text_join(buf, cases[i].size, cases[i].list);
		CHECK_STR_EQ(buf, cases[i].want);
	}
}

int
main(void)
{
	test_utf8_valid();
	test_utf8_count();
	test_controls();
	test_trim();
	test_lower();
	test_join();
	return (UNIT_DONE());
}
