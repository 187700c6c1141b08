// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/lease.c and the lease evidence and fence
 * announcements of kmod/core/peer.c: the lease end against a brute-force
 * reference on random inputs, the receive-path shortcut against the full
 * computation, the timing rule at its edges, and which heartbeats are
 * evidence.
 */

#include <stdio.h>
#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/quorum.c"
#include "../../kmod/core/lease.c"
#include "../../kmod/core/peer.c"
#include "tap.h"

#define MS 1000000LL

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* The latest t that enough votes reach, tried for every candidate t. */
static s64 ref_until(const struct vigil_lease_vote *v, unsigned int n,
		     u64 self, u32 needed)
{
	s64 best = 0;
	unsigned int i, j;

	if (!needed)
		return 0;
	if (self >= needed)
		return VIGIL_LEASE_FOREVER;
	for (i = 0; i < n; i++) {
		u64 votes = self;

		if (v[i].until_ns <= 0)
			continue;
		for (j = 0; j < n; j++)
			if (v[j].until_ns >= v[i].until_ns)
				votes += v[j].votes;
		if (votes >= needed && v[i].until_ns > best)
			best = v[i].until_ns;
	}
	return best;
}

static void test_until_reference(void)
{
	struct vigil_lease_vote v[40], copy[40];
	unsigned long cases = 0, bad = 0, bad_reach = 0;
	unsigned int iter, i;

	for (iter = 0; iter < 20000; iter++) {
		unsigned int n = rnd() % 40;
		u64 self = rnd() % 3;
		u32 needed = rnd() % 12;
		s64 got, want;

		for (i = 0; i < n; i++) {
			/* Many ties, some empty slots, some zero votes. */
			v[i].until_ns = rnd() % 5 ? (s64)(rnd() % 16) * MS : 0;
			v[i].votes = rnd() % 3;
		}
		memcpy(copy, v, sizeof(v));
		want = ref_until(copy, n, self, needed);
		got = vigil_lease_until(v, n, self, needed);
		cases++;
		if (got != want && !bad++)
			tap_diag("n=%u self=%llu needed=%u: got %lld, want %lld",
				 n, (unsigned long long)self, needed,
				 (long long)got, (long long)want);
		/* Sorted latest first when it had to look at the evidence. */
		for (i = 1; needed && self < needed && i < n; i++)
			if (v[i - 1].until_ns < v[i].until_ns)
				bad++;
		/* The receive-path check agrees with the full answer. */
		for (i = 0; i < n; i++) {
			bool reach = vigil_lease_reaches(v, n, self, needed,
							 v[i].until_ns);
			bool ref = v[i].until_ns > 0 && needed &&
				   (want == VIGIL_LEASE_FOREVER ||
				    v[i].until_ns <= want);

			if (reach != ref)
				bad_reach++;
		}
	}
	tap_ok(!bad, "vigil_lease_until() matches the reference in %lu cases", cases);
	tap_ok(!bad_reach, "vigil_lease_reaches() agrees with vigil_lease_until()");
}

static void test_until_cases(void)
{
	struct vigil_lease_vote v[3];

	/* Three nodes, one vote each: us plus one peer make two of three. */
	v[0] = (struct vigil_lease_vote){ 100 * MS, 1 };
	v[1] = (struct vigil_lease_vote){ 300 * MS, 1 };
	tap_is_int(vigil_lease_until(v, 2, 1, 2), 300 * MS,
		   "3 nodes: the freshest peer's evidence is enough");
	v[0] = (struct vigil_lease_vote){ 100 * MS, 1 };
	v[1] = (struct vigil_lease_vote){ 300 * MS, 1 };
	tap_is_int(vigil_lease_until(v, 2, 1, 3), 100 * MS,
		   "needing all three: the stalest evidence bounds it");
	tap_is_int(vigil_lease_until(v, 0, 1, 2), 0, "no evidence: no lease");
	tap_ok(vigil_lease_until(v, 0, 1, 1) == VIGIL_LEASE_FOREVER,
	       "our own votes are a quorum: the lease never ends");
	tap_is_int(vigil_lease_until(v, 0, 1, 0), 0,
		   "nothing needed (no configuration): no lease");
	/* The witness is one more vote with an end. */
	v[0] = (struct vigil_lease_vote){ 500 * MS, 1 };	/* witness */
	v[1] = (struct vigil_lease_vote){ 200 * MS, 1 };
	tap_is_int(vigil_lease_until(v, 2, 1, 3), 200 * MS,
		   "witness and peer both needed: the earlier end wins");
}

static void test_check(void)
{
	const char *why = NULL;
	u32 t, interval;

	tap_is_int(vigil_lease_default(500), 450, "default lease for 500 ms: 450 ms");
	tap_is_int(vigil_lease_max(500), 490, "max lease for 500 ms: 490 ms");
	tap_is_int(vigil_lease_max(60000), 58811, "max lease for 60 s");
	tap_ok(vigil_lease_check(500, 100, 300, &why) == 0, "3 intervals: accepted");
	tap_ok(vigil_lease_check(500, 100, 299, &why) == -EINVAL && why &&
	       strstr(why, "three heartbeat intervals"), "below 3 intervals: refused");
	why = NULL;
	tap_ok(vigil_lease_check(500, 100, 491, &why) == -EINVAL && why &&
	       strstr(why, "declare this node dead"), "above the max: refused");
	tap_ok(vigil_lease_check(500, 100, 490, &why) == 0, "the max itself: accepted");

	/* Every timeout: the default is valid and the rule holds. */
	for (t = VIGIL_TIMEOUT_MIN_MS; t <= VIGIL_TIMEOUT_MAX_MS; t++) {
		u32 max = vigil_lease_max(t);

		interval = t / VIGIL_INTERVAL_DIVISOR;
		if (vigil_lease_check(t, interval, vigil_lease_default(t), &why))
			break;
		/* lease * (1 + m) <= timeout * (1 - m), in integers. */
		if ((u64)max * (1000000 + VIGIL_CLOCK_MARGIN_PPM) >
		    (u64)t * (1000000 - VIGIL_CLOCK_MARGIN_PPM))
			break;
		if ((u64)(max + 1) * (1000000 + VIGIL_CLOCK_MARGIN_PPM) <=
		    (u64)t * (1000000 - VIGIL_CLOCK_MARGIN_PPM))
			break;
	}
	tap_is_int(t, VIGIL_TIMEOUT_MAX_MS + 1,
		   "every timeout: default valid, max is the largest safe lease");
}

/* A heartbeat from node 3 to node 1 on link 0. */
static struct vigil_hb mkhb(u64 seq, u64 echo, bool counts_us, u8 flags)
{
	struct vigil_hb hb;

	memset(&hb, 0, sizeof(hb));
	hb.version = VIGIL_PROTOCOL_VERSION;
	hb.cluster_id = 1;
	hb.src = 3;
	hb.dst = 1;
	hb.incarnation = 7;
	hb.seq = seq;
	hb.echo_seq = echo;
	hb.flags = VIGIL_HB_F_QUORATE | flags;
	vigil_members_set(hb.members, 3);
	if (counts_us)
		vigil_members_set(hb.members, 1);
	return hb;
}

static void test_evidence(void)
{
	struct vigil_peer_change ch;
	struct vigil_txlog log;
	struct vigil_peer p;
	struct vigil_hb hb;

	memset(&log, 0, sizeof(log));
	vigil_txlog_add(&log, 10, 1000 * MS);
	vigil_txlog_add(&log, 11, 1100 * MS);
	vigil_peer_init(&p, 3, 1);

	hb = mkhb(1, 10, false, 0);
	vigil_peer_rx(&p, &hb, 1050 * MS, &log, &ch);
	tap_ok(!ch.lease && !p.lease_from_ns, "echo from a peer that does not count us: no evidence");
	hb = mkhb(2, 99, true, 0);
	vigil_peer_rx(&p, &hb, 1060 * MS, &log, &ch);
	tap_ok(!ch.lease && !p.lease_from_ns, "echo of a sequence not in our log: no evidence");
	hb = mkhb(3, 10, true, 0);
	vigil_peer_rx(&p, &hb, 1070 * MS, &log, &ch);
	tap_ok(ch.lease && p.lease_from_ns == 1000 * MS,
	       "counts us and echoes seq 10: evidence from its send time");
	hb = mkhb(4, 11, true, 0);
	vigil_peer_rx(&p, &hb, 1150 * MS, &log, &ch);
	tap_ok(ch.lease && p.lease_from_ns == 1100 * MS, "a newer echo moves it forward");
	hb = mkhb(5, 10, true, 0);
	vigil_peer_rx(&p, &hb, 1160 * MS, &log, &ch);
	tap_ok(!ch.lease && p.lease_from_ns == 1100 * MS, "an older echo never moves it back");
	hb = mkhb(4, 11, true, 0);
	tap_is_int(vigil_peer_rx(&p, &hb, 1170 * MS, &log, &ch), VIGIL_CNT_RX_REPLAY,
		   "a replayed frame is refused before it could be evidence");

	vigil_txlog_add(&log, 12, 1200 * MS);
	hb = mkhb(6, 12, true, VIGIL_HB_F_FENCING |
		  (VIGIL_CAUSE_QUORUM << VIGIL_HB_F_CAUSE_SHIFT));
	vigil_peer_rx(&p, &hb, 1210 * MS, &log, &ch);
	tap_ok(ch.lease && p.lease_from_ns == 1200 * MS,
	       "a frozen peer still lends evidence");
	tap_ok(ch.fenced && p.state == VIGIL_PEER_SELF_FENCED &&
	       p.fence_cause == VIGIL_CAUSE_QUORUM,
	       "FENCING: the peer is self-fenced, cause quorum");
	hb = mkhb(7, 12, true, VIGIL_HB_F_FENCING |
		  (VIGIL_CAUSE_QUORUM << VIGIL_HB_F_CAUSE_SHIFT));
	vigil_peer_rx(&p, &hb, 1220 * MS, &log, &ch);
	tap_ok(!ch.fenced, "the same announcement again: reported once");
	vigil_peer_tick(&p, 1220 * MS + 10000 * MS, 500 * MS, &ch);
	tap_ok(!ch.down && p.state == VIGIL_PEER_SELF_FENCED,
	       "its links time out: it stays self-fenced");
	hb = mkhb(8, 12, true, 0);
	vigil_peer_rx(&p, &hb, 20000 * MS, &log, &ch);
	tap_ok(ch.up && p.state == VIGIL_PEER_UP && !p.fence_cause,
	       "heartbeats without FENCING (its gate reopened): UP again");
	vigil_txlog_add(&log, 13, 1300 * MS);
	hb = mkhb(9, 13, true, VIGIL_HB_F_FENCING | VIGIL_HB_F_DUMPING |
		  (VIGIL_CAUSE_DAEMON << VIGIL_HB_F_CAUSE_SHIFT));
	vigil_peer_rx(&p, &hb, 20001 * MS, &log, &ch);
	tap_ok(ch.fenced && p.state == VIGIL_PEER_DUMPING &&
	       p.fence_cause == VIGIL_CAUSE_DAEMON,
	       "FENCING and DUMPING: dumping, cause daemon");
	tap_ok(!ch.lease && p.lease_from_ns == 1200 * MS,
	       "a dumping peer lends no evidence");
	hb = mkhb(10, 13, true, VIGIL_HB_F_FENCING |
		  (VIGIL_CAUSE_DAEMON << VIGIL_HB_F_CAUSE_SHIFT));
	vigil_peer_rx(&p, &hb, 20002 * MS, &log, &ch);
	tap_ok(!ch.fenced && p.state == VIGIL_PEER_DUMPING,
	       "a frame without DUMPING in the same life (another link): still dumping");
	hb = mkhb(1, 0, true, VIGIL_HB_F_FENCING |
		  (VIGIL_CAUSE_QUORUM << VIGIL_HB_F_CAUSE_SHIFT));
	hb.incarnation = 8;
	vigil_peer_rx(&p, &hb, 30000 * MS, &log, &ch);
	tap_ok(ch.fenced && ch.restarted && p.state == VIGIL_PEER_SELF_FENCED,
	       "a new life that fences itself without a dump: self-fenced");
	hb = mkhb(2, 0, true, 0);
	hb.incarnation = 9;
	vigil_peer_rx(&p, &hb, 40000 * MS, &log, &ch);
	tap_ok(ch.up && ch.restarted && p.state == VIGIL_PEER_UP,
	       "then a new life: UP");
}

int main(void)
{
	test_until_reference();
	test_until_cases();
	test_check();
	test_evidence();
	return tap_done();
}
