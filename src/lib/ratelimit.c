#include <sys/mman.h>

#include <string.h>

#include "ratelimit.h"

#define RATE_SLOTS 8192

struct rate_slot {
	uint32_t lock;
	uint64_t caller; /* hash of the caller; 0: free */
	uint64_t last_ms; /* last refill */
	uint64_t milli; /* tokens available, in thousandths */
};

static struct rate_slot *slots;
static uint64_t rate_milli_per_ms; /* thousandths of a token per ms */
static uint64_t burst_milli;

int
ratelimit_init(unsigned per_minute, unsigned burst)
{
	void *p;

	if (per_minute == 0 || burst == 0)
		return (0); /* disabled */
	p = mmap(NULL, sizeof(*slots) * RATE_SLOTS, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	slots = p;
	/* per_minute tokens / 60000 ms, kept in thousandths. */
	rate_milli_per_ms = ((uint64_t)per_minute * 1000 + 59999) / 60000;
	burst_milli = (uint64_t)burst * 1000;
	return (0);
}

/* FNV-1a, never 0 (0 marks a free slot). */
static uint64_t
caller_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (h == 0 ? 1 : h);
}

static void
slot_lock(struct rate_slot *s)
{
	while (__atomic_exchange_n(&s->lock, 1, __ATOMIC_ACQUIRE) != 0)
		;
}

static void
slot_unlock(struct rate_slot *s)
{
	__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
}

unsigned
ratelimit_take(const char *caller, size_t len, uint64_t now_ms)
{
	struct rate_slot *s;
	uint64_t h, refill, missing;
	unsigned wait = 0;

	if (slots == NULL)
		return (0);
	h = caller_hash(caller, len);
	s = &slots[h % RATE_SLOTS];
	slot_lock(s);
	if (s->caller != h) {
		s->caller = h;
		s->milli = burst_milli;
		s->last_ms = now_ms;
	}
	if (now_ms > s->last_ms) {
		refill = (now_ms - s->last_ms) * rate_milli_per_ms;
		s->milli = s->milli + refill > burst_milli ? burst_milli
		                                           : s->milli + refill;
		s->last_ms = now_ms;
	}
	if (s->milli >= 1000) {
		s->milli -= 1000;
	} else {
		missing = 1000 - s->milli;
		wait = (unsigned)((missing / rate_milli_per_ms + 999) / 1000);
		if (wait == 0)
			wait = 1;
	}
	slot_unlock(s);
	return (wait);
}
