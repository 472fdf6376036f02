#include "text.h"
#include "unit.h"

static void
test_utf8_valid(void)
{
	CHECK(text_utf8_valid("", 0));
	CHECK(text_utf8_valid("plain ascii", 11));
	CHECK(text_utf8_valid("\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 8));
	CHECK(text_utf8_valid("\xe2\x82\xac", 3)); /* U+20AC */
	CHECK(text_utf8_valid("\xf0\x9f\x98\x80", 4)); /* U+1F600 */
	CHECK(text_utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	CHECK(text_utf8_valid("a\0b", 3)); /* NUL is the caller's concern */

	CHECK(!text_utf8_valid("\xff", 1));
	CHECK(!text_utf8_valid("\x80", 1)); /* lone continuation */
	CHECK(!text_utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
	CHECK(!text_utf8_valid("\xe0\x80\xaf", 3)); /* overlong */
	CHECK(!text_utf8_valid("\xf0\x80\x80\xaf", 4)); /* overlong */
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3)); /* surrogate U+D800 */
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	CHECK(!text_utf8_valid("\xf8\x88\x80\x80\x80", 5));
	CHECK(!text_utf8_valid("\xd8", 1)); /* cut short */
	CHECK(!text_utf8_valid("\xe2\x82", 2));
	CHECK(!text_utf8_valid("\xe2\x82\xac", 2)); /* len is honoured */
	CHECK(!text_utf8_valid("\xd8\x41", 2)); /* not a continuation */
}

static void
test_utf8_count(void)
{
	CHECK_INT_EQ(text_utf8_count("", 0), 0);
	CHECK_INT_EQ(text_utf8_count("abc", 3), 3);
	CHECK_INT_EQ(text_utf8_count("\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 8), 4);
	CHECK_INT_EQ(text_utf8_count("a\xe2\x82\xac\xf0\x9f\x98\x80", 8), 3);
	CHECK_INT_EQ(text_utf8_count("abc", 2), 2);
}

static void
test_controls(void)
{
	CHECK(!text_has_controls("", 0));
	CHECK(!text_has_controls("a b~\xd8\xb3", 6));
	CHECK(text_has_controls("a\tb", 3));
	CHECK(text_has_controls("a\nb", 3));
	CHECK(text_has_controls("\x1f", 1));
	CHECK(text_has_controls("a\x7f", 2));
	CHECK(text_has_controls("a\0", 2));
	CHECK(!text_has_controls("ab\n", 2)); /* len is honoured */
}

static void
test_trim(void)
{
	const char *s;
	size_t len;

	s = " \t\r\n\f\vab c\v\f\n\r\t ";
	len = strlen(s);
	text_trim(&s, &len);
	CHECK_INT_EQ(len, 4);
	CHECK(strncmp(s, "ab c", 4) == 0);

	s = "   ";
	len = 3;
	text_trim(&s, &len);
	CHECK_INT_EQ(len, 0);

	s = "";
	len = 0;
	text_trim(&s, &len);
	CHECK_INT_EQ(len, 0);

	/* Only ASCII white space: a no-break space (U+00A0) stays. */
	s = "\xc2\xa0x ";
	len = 4;
	text_trim(&s, &len);
	CHECK_INT_EQ(len, 3);

	/* Bytes past len are not looked at. */
	s = "x  y";
	len = 2;
	text_trim(&s, &len);
	CHECK_INT_EQ(len, 1);
}

static void
test_lower(void)
{
	char buf[32];

	strcpy(buf, "Ann@Example.COM");
	text_lower(buf, strlen(buf));
	CHECK_STR_EQ(buf, "ann@example.com");
	strcpy(buf, "\xc3\x89Z[@`{");
	text_lower(buf, strlen(buf));
	CHECK_STR_EQ(buf, "\xc3\x89z[@`{");
	strcpy(buf, "ABC");
	text_lower(buf, 2);
	CHECK_STR_EQ(buf, "abC");
}

static void
test_join(void)
{
	static const char *const three[] = { "lead", "won", "lost", NULL };
	static const char *const none[] = { NULL };
	char buf[140], small[10];

	text_join(buf, sizeof(buf), three);
	CHECK_STR_EQ(buf, "lead, won, lost");
	text_join(buf, sizeof(buf), none);
	CHECK_STR_EQ(buf, "");
	text_join(buf, sizeof(buf), NULL);
	CHECK_STR_EQ(buf, "");
	/* Full: the list ends where the buffer does, still terminated. */
	text_join(small, sizeof(small), three);
	CHECK_STR_EQ(small, "lead, won");
	text_join(small, 8, three);
	CHECK_STR_EQ(small, "lead, w");
	small[0] = 'x';
	text_join(small, 0, three);
	CHECK(small[0] == 'x');
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
