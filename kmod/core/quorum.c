// SPDX-License-Identifier: GPL-2.0
/*
 * Quorum arithmetic and the timing rule. See quorum.h and
 * Documentation/protocol.md.
 */

#include "seam.h"
#include "quorum.h"

int vigil_quorum_init(struct vigil_quorum *q, u64 node_votes, u32 witness_votes,
		      u32 flags, const char **why)
{
	bool two_node = flags & VIGIL_CFG_F_TWO_NODE;
	u64 total;

	if (flags & ~(u32)__VIGIL_CFG_F_ALL) {
		*why = "unknown configuration flags";
		return -EINVAL;
	}
	if (node_votes > U32_MAX) {
		*why = "the nodes' votes add up to more than 4294967295";
		return -EINVAL;
	}
	total = node_votes + witness_votes;
	if (total > U32_MAX) {
		*why = "the votes add up to more than 4294967295";
		return -EINVAL;
	}
	if (!total) {
		*why = "no node and no witness has a vote";
		return -EINVAL;
	}
	if (two_node && (node_votes != 2 || witness_votes)) {
		*why = "two_node needs exactly two votes in all and no witness";
		return -EINVAL;
	}
	if (!two_node && node_votes == 2 && !witness_votes) {
		*why = "two votes and no witness: neither node could survive the other's failure; add a witness or set two_node (only safe with fencing)";
		return -EINVAL;
	}

	q->expected = total;
	q->needed = two_node ? 1 : total / 2 + 1;
	return 0;
}

int vigil_timing(u32 timeout_ms, u32 *interval_ms, const char **why)
{
	if (timeout_ms < VIGIL_TIMEOUT_MIN_MS) {
		*why = "timeout_ms is below the minimum of 50";
		return -EINVAL;
	}
	if (timeout_ms > VIGIL_TIMEOUT_MAX_MS) {
		*why = "timeout_ms is above the maximum of 60000";
		return -EINVAL;
	}
	*interval_ms = timeout_ms / VIGIL_INTERVAL_DIVISOR;
	return 0;
}
