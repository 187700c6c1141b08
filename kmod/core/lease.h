/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O lease: how long this node may still do service I/O, from the
 * evidence its peers' heartbeats gave, and the timing rule that keeps the
 * lease shorter than the time the others need to declare the node dead.
 * Pure logic; see Documentation/fencing.md.
 */
#ifndef _VIGIL_CORE_LEASE_H
#define _VIGIL_CORE_LEASE_H

#include "seam.h"

/* One source of votes and how long its evidence lasts. */
struct vigil_lease_vote {
	s64 until_ns;
	u32 votes;
};

#define VIGIL_LEASE_FOREVER S64_MAX

/*
 * The latest instant t at which @self_votes plus the votes of the entries
 * with until_ns >= t still reach @needed: VIGIL_LEASE_FOREVER when
 * @self_votes alone do, 0 when no t does (or @needed is 0). Sorts @v in
 * place (latest first); no allocation, O(n log n).
 */
s64 vigil_lease_until(struct vigil_lease_vote *v, unsigned int n,
		      u64 self_votes, u32 needed);

/*
 * Whether evidence lasting until @t (held by the entry that just gained
 * it, which is among @v) makes a lease until @t: O(n), for the receive
 * path, where a full recomputation per frame would cost too much.
 */
bool vigil_lease_reaches(const struct vigil_lease_vote *v, unsigned int n,
			 u64 self_votes, u32 needed, s64 t);

/* The default lease for @timeout_ms: nine tenths of it. */
static inline u32 vigil_lease_default(u32 timeout_ms)
{
	return (u32)div_u64((u64)timeout_ms * 9, 10);
}

/* The longest lease the timing rule allows for @timeout_ms. */
u32 vigil_lease_max(u32 timeout_ms);

/*
 * Check @lease_ms against @timeout_ms and @interval_ms: at least
 * VIGIL_LEASE_MIN_INTERVALS intervals (else it could not be renewed in
 * time) and at most vigil_lease_max() (else the others could declare
 * this node dead while it still holds a lease). -EINVAL with *why.
 */
int vigil_lease_check(u32 timeout_ms, u32 interval_ms, u32 lease_ms,
		      const char **why);

#endif /* _VIGIL_CORE_LEASE_H */
