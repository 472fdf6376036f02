/*
 * Minimal unit test harness: each check counts a pass or a failure and
 * failures print where they happened. UNIT_DONE() prints the closing line
 * "N passed, N failed" and yields the exit status.
 */
#ifndef CRM_TESTS_UNIT_H
#define CRM_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed;
static int unit_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			unit_passed++;                                         \
		} else {                                                       \
			unit_failed++;                                         \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
			    __LINE__, #cond);                                  \
		}                                                              \
	} while (0)

#define CHECK_STR_EQ(a, b)                                 \
	do {                                               \
		const char *unit_a_ = (a), *unit_b_ = (b); \
		if (unit_a_ != NULL && unit_b_ != NULL &&  \
		    strcmp(unit_a_, unit_b_) == 0) {       \
			unit_passed++;                     \
		} else {                                   \
			unit_failed++;                     \
			fprintf(stderr,                    \
			    "%s:%d: %s == %s failed: "     \
			    "\"%s\" != \"%s\"\n",          \
			    __FILE__, __LINE__, #a, #b,    \
			    unit_a_ ? unit_a_ : "(null)",  \
			    unit_b_ ? unit_b_ : "(null)"); \
		}                                          \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                    \
	do {                                                                  \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b); \
		if (unit_a_ == unit_b_) {                                     \
			unit_passed++;                                        \
		} else {                                                      \
			unit_failed++;                                        \
			fprintf(stderr,                                       \
			    "%s:%d: %s == %s failed: %lld != %lld\n",         \
			    __FILE__, __LINE__, #a, #b, unit_a_, unit_b_);    \
		}                                                             \
	} while (0)

#define UNIT_DONE()                                                  \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed), \
	    unit_failed == 0 ? 0 : 1)

#endif
