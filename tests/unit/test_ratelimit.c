#include "ratelimit.h"
#include "unit.h"

static void
test_burst_then_refill(void)
{
	unsigned i, allowed = 0, wait = 0;

	/* 600 a minute = 10 a second, burst of 5. */
	CHECK_INT_EQ(ratelimit_init(600, 5), 0);
	for (i = 0; i < 8; i++) {
		unsigned w = ratelimit_take("alice", 5, 1000);
		if (w == 0)
			allowed++;
		else
			wait = w;
	}
	CHECK_INT_EQ(allowed, 5);
	CHECK_INT_EQ(wait, 1);
	/* Another caller has a bucket of its own. */
	CHECK_INT_EQ(ratelimit_take("bob", 3, 1000), 0);
	/* 100 ms later one token has come back, and only one. */
	CHECK_INT_EQ(ratelimit_take("alice", 5, 1100), 0);
	CHECK(ratelimit_take("alice", 5, 1100) > 0);
	/* A long pause refills up to the burst, not beyond. */
	for (i = 0, allowed = 0; i < 10; i++)
		if (ratelimit_take("alice", 5, 100000) == 0)
			allowed++;
	CHECK_INT_EQ(allowed, 5);
}

int
main(void)
{
	test_burst_then_refill();
	return (UNIT_DONE());
}
