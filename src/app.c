/*
 * Start-up: read the configuration and register the routes and their metric
 * labels in the parent (workers inherit them over fork), register the
 * database in each worker, and widen the workers' seccomp filter by what
 * our libraries need.
 */
#include <kore/kore.h>
#include <kore/pgsql.h>
#include <kore/seccomp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "http/metrics.h"
#include "lib/ratelimit.h"
#include "resources/resources.h"

int crm_load(int);
void kore_parent_configure(int, char **);

/*
 * What Argon2, libpq and task threads need beyond Kore's own filters. glibc
 * starts threads with clone3 (whose flags seccomp cannot inspect): answer
 * ENOSYS so it falls back to clone, which Kore's task filter allows.
 */
KORE_SECCOMP_FILTER("crm", KORE_SYSCALL_DENY(clone3, ENOSYS),
    KORE_SYSCALL_ALLOW(rseq), KORE_SYSCALL_ALLOW(getrandom),
    KORE_SYSCALL_ALLOW(mremap), KORE_SYSCALL_ALLOW(uname),
    KORE_SYSCALL_ALLOW(newfstatat), KORE_SYSCALL_ALLOW(sysinfo),
    KORE_SYSCALL_ALLOW(getsockopt), KORE_SYSCALL_ALLOW(getsockname),
    KORE_SYSCALL_ALLOW(getpeername), KORE_SYSCALL_ALLOW(socket),
    KORE_SYSCALL_ALLOW(connect), KORE_SYSCALL_ALLOW(sched_getaffinity), );

/*
 * Kore calls this once in the parent, before the workers fork: settings
 * are checked here so a bad one stops the server instead of a worker, and
 * the shared metrics area must exist before fork to be shared.
 */
void
kore_parent_configure(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (config_load() != 0)
		exit(1);
	if (metrics_init() != 0) {
		fprintf(stderr, "crm: cannot map the metrics area\n");
		exit(1);
	}
	if (ratelimit_init((unsigned)config.rate_per_minute,
	        (unsigned)config.rate_burst) != 0) {
		fprintf(stderr, "crm: cannot map the rate-limit table\n");
		exit(1);
	}
	if (router_init(resources) != 0) {
		fprintf(stderr, "crm: the route table is malformed\n");
		exit(1);
	}
}

/* Kore calls the module's onload in every worker after fork. */
int
crm_load(int state)
{
	if (state != KORE_MODULE_LOAD)
		return (KORE_RESULT_OK);
	pgsql_conn_max = (u_int16_t)config.pool_max;
	if (!kore_pgsql_register("db", config.database)) {
		fprintf(stderr, "crm: cannot register the database\n");
		exit(1);
	}
	return (KORE_RESULT_OK);
}
