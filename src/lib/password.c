/*
 * Argon2id at the OWASP minimum (m=19 MiB, t=2, p=1). Only argon2id
 * encodings are accepted on verify, so a tampered row cannot downgrade
 * to argon2i/argon2d.
 */
#include <stdint.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "password.h"

#define PW_T_COST      2
#define PW_M_COST      19456
#define PW_PARALLELISM 1
#define PW_SALT_LEN    16
#define PW_HASH_LEN    32

#define PW_PREFIX "$argon2id$v=19$"

/* Hash of a random throw-away password, same parameters as real ones. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$+bBldKjn7RGPYG4l03iwIw$"
    "vWDAcPSVenqTT4n1lS2jtFGjaC1lwQyt0P2Tj+B33kU";

int
password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[PW_SALT_LEN];
	int rc;

	if (password == NULL)
		return (-1);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return (-1);
	rc = argon2id_hash_encoded(PW_T_COST, PW_M_COST, PW_PARALLELISM,
	    password, strlen(password), salt, sizeof(salt), PW_HASH_LEN, out,
	    PASSWORD_HASH_MAX);
	OPENSSL_cleanse(salt, sizeof(salt));
	return (rc == ARGON2_OK ? 0 : -1);
}

int
password_verify(const char *encoded, const char *password)
{
	if (encoded == NULL || password == NULL)
		return (0);
	if (strncmp(encoded, PW_PREFIX, sizeof(PW_PREFIX) - 1) != 0)
		return (0);
	/* Never stored longer ones; also bounds the hashing work. */
	if (strlen(password) > PASSWORD_MAX_LEN)
		return (0);
	return (
	    argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK);
}

void
password_verify_dummy(const char *password)
{
	(void)password_verify(dummy_hash, password != NULL ? password : "");
}
