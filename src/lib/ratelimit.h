/*
 * Per-caller request rate limits shared by all workers: a token bucket per
 * caller in a MAP_SHARED table made before fork. Callers hash to slots; a
 * caller landing on a slot held by another takes it over, which can only
 * ever be more lenient, never block an innocent caller.
 */
#ifndef CRM_HTTP_RATELIMIT_H
#define CRM_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* per_minute requests a minute on average, burst at once; 0 disables. */
int ratelimit_init(unsigned per_minute, unsigned burst);

/*
 * Takes one request from the caller's bucket at now_ms. Returns 0 when
 * allowed, else the seconds after which a retry will be allowed (>= 1).
 */
unsigned ratelimit_take(const char *caller, size_t len, uint64_t now_ms);

#endif
