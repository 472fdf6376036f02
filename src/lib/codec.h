/* base64url, hex, SHA-256 and random tokens. Pure (OpenSSL only). */
#ifndef CRM_LIB_CODEC_H
#define CRM_LIB_CODEC_H

#include <stddef.h>

/* Unpadded base64url of len bytes into out (needs 4*ceil(len/3)+1). */
void b64url_encode(const unsigned char *in, size_t len, char *out);
/* Decodes unpadded base64url; returns decoded length or -1 if invalid. */
long b64url_decode(const char *in, unsigned char *out, size_t outlen);
/* Lowercase hex SHA-256 of data into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* Lowercase hex HMAC-SHA256 of data under key into out[65]. */
void hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t len,
    char out[65]);
/* nbytes of CSPRNG output as unpadded base64url into out; 0 on success. */
int random_token(size_t nbytes, char *out, size_t outlen);
/* Fills a version-4 random UUID string (37 bytes incl. NUL); 0 on success. */
int random_uuid(char out[37]);
/* Constant-time comparison of two equal-length buffers. */
int timingsafe_eq(const void *a, const void *b, size_t len);

#endif
