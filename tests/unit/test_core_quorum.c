// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/quorum.c: quorum arithmetic against a naive
 * reference over every vote total in a range, the two-node rules, and the
 * timing rule.
 */

#include <stdio.h>
#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/quorum.c"
#include "tap.h"

/* The rules written the slow, obvious way. */
struct ref {
	bool ok;
	u32 expected, needed;
};

static struct ref ref_init(u64 nodes, u32 witness, u32 flags)
{
	struct ref r = { 0 };
	bool two_node = flags & VIGIL_CFG_F_TWO_NODE;
	u64 total = nodes + witness, k;

	if (flags & ~(u32)VIGIL_CFG_F_TWO_NODE)
		return r;
	if (total == 0 || total > 0xffffffffULL)
		return r;
	if (two_node && !(nodes == 2 && witness == 0))
		return r;
	if (!two_node && nodes == 2 && witness == 0)
		return r;
	r.ok = true;
	r.expected = total;
	if (two_node) {
		r.needed = 1;
		return r;
	}
	/* Smallest number of votes that is more than half of the total. */
	for (k = 0; 2 * k <= total; k++)
		;
	r.needed = k;
	return r;
}

static bool ref_quorate(const struct ref *r, u64 present, u32 flags)
{
	if (flags & VIGIL_CFG_F_TWO_NODE)
		return present >= 1;
	return 2 * present > r->expected;
}

static void test_against_reference(void)
{
	static const u32 flag_sets[] = { 0, VIGIL_CFG_F_TWO_NODE };
	unsigned long cases = 0, bad_init = 0, bad_quorate = 0, split = 0;
	unsigned int f;
	u64 n;
	u32 w;

	for (f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		for (n = 0; n <= 64; n++) {
			for (w = 0; w <= 16; w++) {
				u32 flags = flag_sets[f];
				struct vigil_quorum q = { 0xdead, 0xbeef };
				struct ref r = ref_init(n, w, flags);
				const char *why = NULL;
				int ret;
				u64 p;

				cases++;
				ret = vigil_quorum_init(&q, n, w, flags, &why);
				if ((ret == 0) != r.ok ||
				    (ret && (ret != -EINVAL || !why || !*why ||
					     q.expected != 0xdead ||
					     q.needed != 0xbeef)) ||
				    (!ret && (q.expected != r.expected ||
					      q.needed != r.needed))) {
					if (!bad_init++)
						tap_diag("nodes %llu witness %u flags %u: ret %d expected %u needed %u; want ok %d expected %u needed %u",
							 (unsigned long long)n, w, flags, ret,
							 q.expected, q.needed, r.ok,
							 r.expected, r.needed);
					continue;
				}
				if (ret)
					continue;
				for (p = 0; p <= (u64)r.expected + 1; p++) {
					if (vigil_quorate(&q, p) !=
					    ref_quorate(&r, p, flags))
						bad_quorate++;
					/* Two disjoint sides never both quorate. */
					if (!(flags & VIGIL_CFG_F_TWO_NODE) &&
					    p <= r.expected &&
					    vigil_quorate(&q, p) &&
					    vigil_quorate(&q, r.expected - p))
						split++;
				}
			}
		}
	}
	tap_is_int(bad_init, 0, "quorum_init agrees with the reference in %lu configurations",
		   cases);
	tap_is_int(bad_quorate, 0, "quorate agrees with the reference for every present count");
	tap_is_int(split, 0, "two disjoint partitions are never both quorate");
}

static void check_refused(u64 n, u32 w, u32 flags, const char *what)
{
	struct vigil_quorum q = { 7, 7 };
	const char *why = NULL;
	int ret = vigil_quorum_init(&q, n, w, flags, &why);

	tap_ok(ret == -EINVAL && why && *why && q.expected == 7 && q.needed == 7,
	       "refused: %s (%s)", what, why ? why : "no reason");
}

static void check_init(u64 n, u32 w, u32 flags, u32 expected, u32 needed,
		       const char *what)
{
	struct vigil_quorum q = { 0 };
	const char *why = NULL;
	int ret = vigil_quorum_init(&q, n, w, flags, &why);

	tap_ok(ret == 0 && q.expected == expected && q.needed == needed,
	       "%s: expected %u needed %u (got %d, %u, %u)", what, expected,
	       needed, ret, q.expected, q.needed);
}

static void test_examples(void)
{
	struct vigil_quorum q;
	const char *why;

	check_init(3, 0, 0, 3, 2, "3 nodes");
	check_init(2, 1, 0, 3, 2, "2 nodes and a witness");
	check_init(4, 0, 0, 4, 3, "4 nodes");
	check_init(4, 1, 0, 5, 3, "4 nodes and a witness");
	check_init(1, 0, 0, 1, 1, "1 node");
	check_init(1, 1, 0, 2, 2, "1 node and a witness");
	check_init(0, 3, 0, 3, 2, "witness votes only");
	check_init(2, 0, VIGIL_CFG_F_TWO_NODE, 2, 1, "two_node");
	check_init(5 * 255, 255, 0, 1530, 766, "heavy votes");
	check_init(0xffffffffULL, 0, 0, 0xffffffffU, 0x80000000U,
		   "the largest total");

	check_refused(0, 0, 0, "no votes");
	check_refused(2, 0, 0, "two votes, no witness, no two_node");
	check_refused(2, 1, VIGIL_CFG_F_TWO_NODE, "two_node with a witness");
	check_refused(3, 0, VIGIL_CFG_F_TWO_NODE, "two_node with three votes");
	check_refused(1, 1, VIGIL_CFG_F_TWO_NODE, "two_node, one node vote");
	check_refused(0, 0, VIGIL_CFG_F_TWO_NODE, "two_node with no votes");
	check_refused(3, 0, 1U << 5, "an unknown flag");
	check_refused(0x100000000ULL, 0, 0, "node votes beyond a u32");
	check_refused(0xffffffffULL, 1, 0, "node and witness votes beyond a u32");
	check_refused(~0ULL, 2, 0, "node votes that would wrap a u64");

	why = NULL;
	vigil_quorum_init(&q, 2, 0, VIGIL_CFG_F_TWO_NODE, &why);
	tap_ok(vigil_quorate(&q, 1) && vigil_quorate(&q, 2) &&
	       !vigil_quorate(&q, 0), "two_node: one node alone is quorate");
	vigil_quorum_init(&q, 2, 1, 0, &why);
	tap_ok(!vigil_quorate(&q, 1) && vigil_quorate(&q, 2),
	       "2 nodes and a witness: one node needs the witness");
	memset(&q, 0, sizeof(q));
	tap_ok(!vigil_quorate(&q, 0) && !vigil_quorate(&q, 5),
	       "an unset quorum is never quorate");
}

static void test_timing(void)
{
	unsigned long bad = 0, okays = 0;
	u32 t;

	for (t = 0; t <= VIGIL_TIMEOUT_MAX_MS + 1000; t++) {
		u32 interval = 12345;
		const char *why = NULL;
		int ret = vigil_timing(t, &interval, &why);
		bool in = t >= VIGIL_TIMEOUT_MIN_MS && t <= VIGIL_TIMEOUT_MAX_MS;

		if (in) {
			okays++;
			if (ret || interval * VIGIL_INTERVAL_DIVISOR > t ||
			    (interval + 1) * VIGIL_INTERVAL_DIVISOR <= t)
				bad++;
		} else if (ret != -EINVAL || !why || interval != 12345) {
			bad++;
		}
	}
	tap_is_int(bad, 0, "timing: every timeout 0..%u judged right",
		   VIGIL_TIMEOUT_MAX_MS + 1000);
	tap_is_int(okays, VIGIL_TIMEOUT_MAX_MS - VIGIL_TIMEOUT_MIN_MS + 1,
		   "timing: the accepted range is [MIN, MAX]");
	{
		u32 interval = 0;
		const char *why = NULL;
		char want[32];

		tap_ok(!vigil_timing(VIGIL_TIMEOUT_DEFAULT_MS, &interval, &why) &&
		       interval == 100, "timing: the default 500 ms gives 100 ms");
		tap_ok(!vigil_timing(VIGIL_TIMEOUT_MIN_MS, &interval, &why) &&
		       interval == 10, "timing: the minimum gives 10 ms");
		snprintf(want, sizeof(want), "%u", VIGIL_TIMEOUT_MIN_MS);
		tap_ok(vigil_timing(VIGIL_TIMEOUT_MIN_MS - 1, &interval, &why) &&
		       strstr(why, want), "timing: too short names the minimum (%s)",
		       why);
		snprintf(want, sizeof(want), "%u", VIGIL_TIMEOUT_MAX_MS);
		tap_ok(vigil_timing(VIGIL_TIMEOUT_MAX_MS + 1, &interval, &why) &&
		       strstr(why, want), "timing: too long names the maximum (%s)",
		       why);
		tap_ok(vigil_timing(0xffffffffU, &interval, &why) == -EINVAL,
		       "timing: U32_MAX is refused");
	}
}

static void test_members(void)
{
	u8 m[VIGIL_MEMBERS_BYTES];
	unsigned int n, k, bad = 0;

	for (n = 1; n <= VIGIL_NODES_MAX; n++) {
		memset(m, 0, sizeof(m));
		vigil_members_set(m, n);
		/* The wire layout: bit (n-1)%8 of byte (n-1)/8. */
		if (m[(n - 1) / 8] != 1U << ((n - 1) % 8))
			bad++;
		for (k = 1; k <= VIGIL_NODES_MAX; k++)
			if (vigil_members_test(m, k) != (k == n))
				bad++;
	}
	tap_is_int(bad, 0, "members bitmap: node n is bit (n-1)%%8 of byte (n-1)/8");
	memset(m, 0, sizeof(m));
	vigil_members_set(m, 1);
	vigil_members_set(m, 9);
	vigil_members_set(m, 256);
	tap_ok(m[0] == 0x01 && m[1] == 0x01 && m[31] == 0x80,
	       "members bitmap: nodes 1, 9 and 256");
}

int main(void)
{
	test_against_reference();
	test_examples();
	test_timing();
	test_members();
	return tap_done();
}
