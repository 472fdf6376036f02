#include <stdlib.h>

#include "codec.h"
#include "unit.h"

static void
test_b64url(void)
{
	/* RFC 4648 test vectors, base64url and unpadded. */
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "f", "Zg" },
		{ "fo", "Zm8" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	unsigned char bin[] = { 0xfb, 0xff, 0xbf, 0x3e };
	unsigned char buf[64];
	char enc[64];
	size_t i;
	long n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b64url_encode((const unsigned char *)v[i].in, strlen(v[i].in),
		    enc);
		CHECK_STR_EQ(enc, v[i].out);
		n = b64url_decode(v[i].out, buf, sizeof(buf));
		CHECK_INT_EQ(n, strlen(v[i].in));
		CHECK(n >= 0 && memcmp(buf, v[i].in, (size_t)n) == 0);
	}
	b64url_encode(bin, sizeof(bin), enc);
	CHECK_STR_EQ(enc, "-_-_Pg");
	CHECK_INT_EQ(b64url_decode("-_-_Pg", buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, bin, 4) == 0);

	CHECK_INT_EQ(b64url_decode("Zg==", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zm8=", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Z", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zm9vY", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("+/+/", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zm 9", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zh", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zm9", buf, sizeof(buf)), -1);
	CHECK_INT_EQ(b64url_decode("Zm9vYmFy", buf, 5), -1);
	CHECK_INT_EQ(b64url_decode("Zm9vYmFy", buf, 6), 6);
}

static void
test_sha256(void)
{
	char hex[65];

	sha256_hex("", 0, hex);
	CHECK_STR_EQ(hex,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR_EQ(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_random(void)
{
	char a[64], b[64], u[37], w[37];
	unsigned char raw[64];
	size_t i;

	CHECK_INT_EQ(random_token(32, a, sizeof(a)), 0);
	CHECK_INT_EQ(strlen(a), 43);
	CHECK_INT_EQ(b64url_decode(a, raw, sizeof(raw)), 32);
	CHECK_INT_EQ(random_token(32, b, sizeof(b)), 0);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT_EQ(random_token(32, a, 43), -1);
	CHECK_INT_EQ(random_token(32, a, 44), 0);
	CHECK_INT_EQ(random_token(0, a, sizeof(a)), -1);

	CHECK_INT_EQ(random_uuid(u), 0);
	CHECK_INT_EQ(random_uuid(w), 0);
	CHECK_INT_EQ(strlen(u), 36);
	CHECK(strcmp(u, w) != 0);
	CHECK(u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-');
	CHECK(u[14] == '4');
	CHECK(strchr("89ab", u[19]) != NULL);
	for (i = 0; i < 36; i++)
		if (i != 8 && i != 13 && i != 18 && i != 23)
			CHECK(strchr("0123456789abcdef", u[i]) != NULL);
}

static void
test_timingsafe(void)
{
	CHECK(timingsafe_eq("abcd", "abcd", 4));
	CHECK(!timingsafe_eq("abcd", "abce", 4));
	CHECK(timingsafe_eq("x", "y", 0));
}

static void
test_hmac(void)
{
	char out[65];

	/* RFC 4231 test case 2. */
	hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, out);
	CHECK_STR_EQ(out,
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

int
main(void)
{
	test_b64url();
	test_sha256();
	test_hmac();
	test_random();
	test_timingsafe();
	return (UNIT_DONE());
}
