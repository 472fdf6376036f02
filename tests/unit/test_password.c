#include <argon2.h>

#include "password.h"
#include "unit.h"

static void
test_roundtrip(void)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	CHECK_INT_EQ(password_hash("correct horse battery", h1), 0);
	CHECK(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	CHECK(strlen(h1) < PASSWORD_HASH_MAX);
	CHECK(password_verify(h1, "correct horse battery"));
	CHECK(!password_verify(h1, "correct horse batterx"));
	CHECK(!password_verify(h1, ""));

	/* Random salt: same password, different hash, both verify. */
	CHECK_INT_EQ(password_hash("correct horse battery", h2), 0);
	CHECK(strcmp(h1, h2) != 0);
	CHECK(password_verify(h2, "correct horse battery"));
}

static void
test_reject(void)
{
	char h[PASSWORD_HASH_MAX], other[PASSWORD_HASH_MAX];
	char longpw[PASSWORD_MAX_LEN + 2];
	uint8_t salt[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16 };

	CHECK(!password_verify(NULL, "x"));
	CHECK(!password_verify("", "x"));
	CHECK(!password_verify("garbage", "x"));
	CHECK(!password_verify("$argon2id$v=19$m=19456,t=2,p=1$AAAA$", "x"));

	/* A valid argon2i hash of the right password is still refused. */
	CHECK_INT_EQ(argon2i_hash_encoded(2, 1024, 1, "password12", 10, salt,
	                 sizeof(salt), 32, other, sizeof(other)),
	    ARGON2_OK);
	CHECK(!password_verify(other, "password12"));
	CHECK_INT_EQ(argon2d_hash_encoded(2, 1024, 1, "password12", 10, salt,
	                 sizeof(salt), 32, other, sizeof(other)),
	    ARGON2_OK);
	CHECK(!password_verify(other, "password12"));

	/* Over-long passwords never match. */
	memset(longpw, 'a', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	CHECK_INT_EQ(password_hash(longpw, h), 0);
	CHECK(!password_verify(h, longpw));
	longpw[PASSWORD_MAX_LEN] = '\0';
	CHECK_INT_EQ(password_hash(longpw, h), 0);
	CHECK(password_verify(h, longpw));
}

static void
test_dummy(void)
{
	/* Must not crash on any input; the cost is not measured here. */
	password_verify_dummy("whatever123");
	password_verify_dummy("");
	password_verify_dummy(NULL);
	CHECK(1);
}

int
main(void)
{
	test_roundtrip();
	test_reject();
	test_dummy();
	return (UNIT_DONE());
}
