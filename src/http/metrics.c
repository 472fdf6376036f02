/*
 * Request counters and latency histograms shared across workers. The
 * mapping is made in the parent before fork, so every worker sees the same
 * memory; route labels are registered there too, so workers only ever do
 * atomic increments.
 */
#include <sys/mman.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const int statuses[] = { 200, 201, 204, 400, 401, 403, 404, 405, 409,
	412, 413, 415, 422, 428, 429, 500, 503 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + other */

static const unsigned buckets_ms[] = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
	2500 };
#define NBUCKETS (sizeof(buckets_ms) / sizeof(buckets_ms[0]))

struct metrics_shm {
	int nroutes;
	char names[METRICS_MAX_ROUTES][40];
	u_int64_t requests[METRICS_MAX_ROUTES][NSTATUS];
	u_int64_t le[METRICS_MAX_ROUTES][NBUCKETS + 1]; /* + Inf */
	u_int64_t sum_ms[METRICS_MAX_ROUTES];
	int64_t db_in_use;
	int64_t db_waiting;
	u_int64_t db_failures;
	u_int64_t token_cache_hits;
	u_int64_t token_cache_misses;
};

static struct metrics_shm *shm;

int
metrics_init(void)
{
	void *p;

	if (shm != NULL)
		return (0);
	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	shm = p;
	return (0);
}

int
metrics_route(const char *name)
{
	int i;

	if (shm == NULL)
		return (-1);
	for (i = 0; i < shm->nroutes; i++) {
		if (strcmp(shm->names[i], name) == 0)
			return (i);
	}
	if (shm->nroutes == METRICS_MAX_ROUTES)
		return (-1);
	snprintf(shm->names[i], sizeof(shm->names[i]), "%s", name);
	shm->nroutes++;
	return (i);
}

static size_t
status_index(int status)
{
	size_t i;

	for (i = 0; i < NSTATUS - 1; i++) {
		if (statuses[i] == status)
			return (i);
	}
	return (NSTATUS - 1);
}

void
metrics_request(int route, int status, u_int64_t ms)
{
	size_t b;

	if (shm == NULL || route < 0 || route >= shm->nroutes)
		return;
	__atomic_fetch_add(&shm->requests[route][status_index(status)], 1,
	    __ATOMIC_RELAXED);
	for (b = 0; b < NBUCKETS && ms > buckets_ms[b]; b++)
		;
	__atomic_fetch_add(&shm->le[route][b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shm->sum_ms[route], ms, __ATOMIC_RELAXED);
}

void
metrics_db_acquired(void)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->db_in_use, 1, __ATOMIC_RELAXED);
}

void
metrics_db_released(void)
{
	if (shm != NULL)
		__atomic_fetch_sub(&shm->db_in_use, 1, __ATOMIC_RELAXED);
}

void
metrics_db_waiting(int delta)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->db_waiting, delta, __ATOMIC_RELAXED);
}

void
metrics_db_failure(void)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->db_failures, 1, __ATOMIC_RELAXED);
}

void
metrics_token_cache_hit(void)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->token_cache_hits, 1, __ATOMIC_RELAXED);
}

void
metrics_token_cache_miss(void)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->token_cache_misses, 1,
		    __ATOMIC_RELAXED);
}

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *nb;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		if ((nb = realloc(o->buf, o->cap * 2)) == NULL)
			return;
		o->buf = nb;
		o->cap *= 2;
	}
}

static void
render_requests(struct out *o)
{
	int r;
	size_t s;
	u_int64_t n;

	put(o,
	    "# HELP crm_http_requests_total Requests answered, by route "
	    "and status.\n# TYPE crm_http_requests_total counter\n");
	for (r = 0; r < shm->nroutes; r++) {
		for (s = 0; s < NSTATUS; s++) {
			n = __atomic_load_n(&shm->requests[r][s],
			    __ATOMIC_RELAXED);
			if (n == 0)
				continue;
			if (s == NSTATUS - 1)
				put(o,
				    "crm_http_requests_total{route=\"%s\","
				    "status=\"other\"} %llu\n",
				    shm->names[r], (unsigned long long)n);
			else
				put(o,
				    "crm_http_requests_total{route=\"%s\","
				    "status=\"%d\"} %llu\n",
				    shm->names[r], statuses[s],
				    (unsigned long long)n);
		}
	}
}

static void
render_latency(struct out *o)
{
	int r;
	size_t b;
	u_int64_t cum;

	put(o,
	    "# HELP crm_http_request_duration_seconds Time from arrival "
	    "to reply.\n# TYPE crm_http_request_duration_seconds histogram\n");
	for (r = 0; r < shm->nroutes; r++) {
		cum = 0;
		for (b = 0; b <= NBUCKETS; b++)
			cum +=
			    __atomic_load_n(&shm->le[r][b], __ATOMIC_RELAXED);
		if (cum == 0)
			continue;
		cum = 0;
		for (b = 0; b < NBUCKETS; b++) {
			cum +=
			    __atomic_load_n(&shm->le[r][b], __ATOMIC_RELAXED);
			put(o,
			    "crm_http_request_duration_seconds_bucket{route="
			    "\"%s\",le=\"%g\"} %llu\n",
			    shm->names[r], buckets_ms[b] / 1000.0,
			    (unsigned long long)cum);
		}
		cum += __atomic_load_n(&shm->le[r][NBUCKETS], __ATOMIC_RELAXED);
		put(o,
		    "crm_http_request_duration_seconds_bucket{route=\"%s\","
		    "le=\"+Inf\"} %llu\n",
		    shm->names[r], (unsigned long long)cum);
		put(o,
		    "crm_http_request_duration_seconds_sum{route=\"%s\"} "
		    "%g\n",
		    shm->names[r],
		    __atomic_load_n(&shm->sum_ms[r], __ATOMIC_RELAXED) /
		        1000.0);
		put(o,
		    "crm_http_request_duration_seconds_count{route=\"%s\"} "
		    "%llu\n",
		    shm->names[r], (unsigned long long)cum);
	}
}

static void
render_token_cache(struct out *o)
{
	put(o,
	    "# HELP crm_token_cache_hits_total Access tokens found in a "
	    "worker's cache of verified tokens.\n"
	    "# TYPE crm_token_cache_hits_total counter\n"
	    "crm_token_cache_hits_total %llu\n",
	    (unsigned long long)__atomic_load_n(&shm->token_cache_hits,
	        __ATOMIC_RELAXED));
	put(o,
	    "# HELP crm_token_cache_misses_total Access tokens verified in "
	    "full (not in the cache).\n"
	    "# TYPE crm_token_cache_misses_total counter\n"
	    "crm_token_cache_misses_total %llu\n",
	    (unsigned long long)__atomic_load_n(&shm->token_cache_misses,
	        __ATOMIC_RELAXED));
}

char *
metrics_render(size_t *len, int pool_max)
{
	struct out o;

	o.cap = 16384;
	o.len = 0;
	if (shm == NULL || (o.buf = malloc(o.cap)) == NULL)
		return (NULL);
	o.buf[0] = '\0';
	render_requests(&o);
	render_latency(&o);
	put(&o,
	    "# HELP crm_db_connections_in_use Database connections "
	    "running a query, all workers.\n"
	    "# TYPE crm_db_connections_in_use gauge\n"
	    "crm_db_connections_in_use %lld\n",
	    (long long)__atomic_load_n(&shm->db_in_use, __ATOMIC_RELAXED));
	put(&o,
	    "# HELP crm_db_requests_waiting Requests queued for a "
	    "database connection.\n# TYPE crm_db_requests_waiting gauge\n"
	    "crm_db_requests_waiting %lld\n",
	    (long long)__atomic_load_n(&shm->db_waiting, __ATOMIC_RELAXED));
	put(&o,
	    "# HELP crm_db_pool_max Database connections allowed per "
	    "worker.\n# TYPE crm_db_pool_max gauge\ncrm_db_pool_max %d\n",
	    pool_max);
	put(&o,
	    "# HELP crm_db_failures_total Queries that failed to reach "
	    "the database.\n# TYPE crm_db_failures_total counter\n"
	    "crm_db_failures_total %llu\n",
	    (unsigned long long)__atomic_load_n(&shm->db_failures,
	        __ATOMIC_RELAXED));
	render_token_cache(&o);
	*len = o.len;
	return (o.buf);
}
