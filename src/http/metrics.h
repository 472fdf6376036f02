/*
 * Prometheus counters shared by all workers: a MAP_SHARED anonymous mapping
 * made in the parent before the workers fork, updated with atomics.
 */
#ifndef CRM_HTTP_METRICS_H
#define CRM_HTTP_METRICS_H

#include <stddef.h>
#include <sys/types.h>

#define METRICS_MAX_ROUTES 96

int metrics_init(void);
/* Returns the id of a route label (registering it); -1 when full. */
int metrics_route(const char *name);
void metrics_request(int route_id, int status, u_int64_t ms);
void metrics_db_acquired(void);
void metrics_db_released(void);
void metrics_db_waiting(int delta);
void metrics_db_failure(void);
/* Access tokens answered from a worker's cache / verified in full. */
void metrics_token_cache_hit(void);
void metrics_token_cache_miss(void);
/* Renders the text exposition format into a malloc'd buffer. */
char *metrics_render(size_t *len, int pool_max);

#endif
