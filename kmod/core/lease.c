// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O lease. See lease.h and Documentation/fencing.md.
 */

#include "seam.h"
#include "lease.h"

/* Heapsort, latest until_ns first: no allocation, no recursion. */
static bool earlier(const struct vigil_lease_vote *a,
		    const struct vigil_lease_vote *b)
{
	return a->until_ns < b->until_ns;
}

static void swap_votes(struct vigil_lease_vote *a, struct vigil_lease_vote *b)
{
	struct vigil_lease_vote t = *a;

	*a = *b;
	*b = t;
}

/* Sift down in a min-heap (the earliest at the root). */
static void sift(struct vigil_lease_vote *v, unsigned int root,
		 unsigned int n)
{
	unsigned int child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && earlier(&v[child + 1], &v[child]))
			child++;
		if (!earlier(&v[child], &v[root]))
			return;
		swap_votes(&v[root], &v[child]);
		root = child;
	}
}

static void sort_latest_first(struct vigil_lease_vote *v, unsigned int n)
{
	unsigned int i;

	for (i = n / 2; i-- > 0;)
		sift(v, i, n);
	for (i = n; i-- > 1;) {
		swap_votes(&v[0], &v[i]);
		sift(v, 0, i);
	}
}

s64 vigil_lease_until(struct vigil_lease_vote *v, unsigned int n,
		      u64 self_votes, u32 needed)
{
	u64 votes = self_votes;
	unsigned int i;

	if (!needed)
		return 0;
	if (votes >= needed)
		return VIGIL_LEASE_FOREVER;
	sort_latest_first(v, n);
	for (i = 0; i < n; i++) {
		if (v[i].until_ns <= 0)
			break;
		votes += v[i].votes;
		if (votes >= needed)
			return v[i].until_ns;
	}
	return 0;
}

bool vigil_lease_reaches(const struct vigil_lease_vote *v, unsigned int n,
			 u64 self_votes, u32 needed, s64 t)
{
	u64 votes = self_votes;
	unsigned int i;

	if (!needed || t <= 0)
		return false;
	for (i = 0; i < n && votes < needed; i++) {
		if (v[i].until_ns >= t)
			votes += v[i].votes;
	}
	return votes >= needed;
}

/*
 * A node is declared dead at least timeout_ms after the heartbeat that
 * last reached the others, on their clocks; its lease ends at most
 * lease_ms after it sent that heartbeat, on its own clock. With clocks
 * that may run up to VIGIL_CLOCK_MARGIN_PPM fast or slow, the lease is
 * over first when lease * (1 + m) <= timeout * (1 - m).
 */
u32 vigil_lease_max(u32 timeout_ms)
{
	return (u32)div_u64((u64)timeout_ms * (1000000 - VIGIL_CLOCK_MARGIN_PPM),
			    1000000 + VIGIL_CLOCK_MARGIN_PPM);
}

int vigil_lease_check(u32 timeout_ms, u32 interval_ms, u32 lease_ms,
		      const char **why)
{
	if (lease_ms < VIGIL_LEASE_MIN_INTERVALS * interval_ms) {
		*why = "below three heartbeat intervals: it could not be renewed in time";
		return -EINVAL;
	}
	if (lease_ms > vigil_lease_max(timeout_ms)) {
		*why = "above timeout_ms * 0.99 / 1.01: peers could declare this node dead while it still held it";
		return -EINVAL;
	}
	return 0;
}
