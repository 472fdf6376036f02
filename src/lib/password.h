/* Argon2id password hashing at OWASP parameters (m=19456 KiB, t=2, p=1). */
#ifndef CRM_LIB_PASSWORD_H
#define CRM_LIB_PASSWORD_H

#include <stddef.h>

#define PASSWORD_HASH_MAX 128
#define PASSWORD_MIN_LEN  10
#define PASSWORD_MAX_LEN  128

/* Writes the PHC-encoded hash ($argon2id$v=19$m=19456,t=2,p=1$...); 0 ok. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);
/* 1 if password matches encoded, else 0 (malformed hash counts as no). */
int password_verify(const char *encoded, const char *password);
/* Burns the same time as a verify; for unknown accounts. */
void password_verify_dummy(const char *password);

#endif
