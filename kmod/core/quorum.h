/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quorum arithmetic and the timing rule. Pure logic.
 */
#ifndef _VIGIL_CORE_QUORUM_H
#define _VIGIL_CORE_QUORUM_H

#include "seam.h"

struct vigil_quorum {
	u32 expected;		/* every node's votes + the witness's */
	u32 needed;		/* votes present needed for quorum */
};

/*
 * Set up quorum for @node_votes (sum over all configured nodes, this one
 * included), @witness_votes and VIGIL_CFG_F_* @flags. needed is a strict
 * majority of expected, except with VIGIL_CFG_F_TWO_NODE (exactly two
 * votes in all, no witness) where it is 1. Refused with -EINVAL and *why
 * set to a sentence: no votes at all; two votes without a witness and
 * without TWO_NODE; TWO_NODE with anything but two votes and no witness;
 * a total above what a u32 holds.
 */
int vigil_quorum_init(struct vigil_quorum *q, u64 node_votes, u32 witness_votes,
		      u32 flags, const char **why);

static inline bool vigil_quorate(const struct vigil_quorum *q, u64 present)
{
	return q->needed && present >= q->needed;
}

/*
 * The heartbeat interval for @timeout_ms (timeout / VIGIL_INTERVAL_DIVISOR),
 * or -EINVAL with *why when the timeout is outside
 * [VIGIL_TIMEOUT_MIN_MS, VIGIL_TIMEOUT_MAX_MS].
 */
int vigil_timing(u32 timeout_ms, u32 *interval_ms, const char **why);

/* Bit helpers for VIGIL_MEMBERS_BYTES bitmaps (bit n-1 for node n). */
static inline void vigil_members_set(u8 *m, u16 node)
{
	m[(node - 1) / 8] |= 1U << ((node - 1) % 8);
}

static inline bool vigil_members_test(const u8 *m, u16 node)
{
	return m[(node - 1) / 8] & (1U << ((node - 1) % 8));
}

#endif /* _VIGIL_CORE_QUORUM_H */
