/*
 * crm-passwd: reads one password line from stdin and prints its Argon2id
 * hash, for scripts that seed users. The password is never echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "password.h"

int
main(void)
{
	char *line = NULL;
	char hash[PASSWORD_HASH_MAX];
	size_t cap = 0, len;
	ssize_t n;
	int rc = 1;

	if ((n = getline(&line, &cap, stdin)) == -1) {
		fprintf(stderr, "crm-passwd: no password on stdin\n");
		goto out;
	}
	len = (size_t)n;
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL) {
		fprintf(stderr, "crm-passwd: password contains a NUL byte\n");
		goto out;
	}
	if (len < PASSWORD_MIN_LEN || len > PASSWORD_MAX_LEN) {
		fprintf(stderr, "crm-passwd: password must be %d to %d bytes\n",
		    PASSWORD_MIN_LEN, PASSWORD_MAX_LEN);
		goto out;
	}
	if (password_hash(line, hash) != 0) {
		fprintf(stderr, "crm-passwd: hashing failed\n");
		goto out;
	}
	printf("%s\n", hash);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "crm-passwd: write error\n");
		goto out;
	}
	rc = 0;
out:
	if (line != NULL) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	return (rc);
}
