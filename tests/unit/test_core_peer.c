// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/peer.c: replay rules, incarnations, link and
 * peer liveness at the timeout boundary, lost heartbeats, RTT through the
 * send log, LEAVING, payload changes; and a naive reference model of
 * liveness, recomputed from the whole event history at every step,
 * compared with the real one over many random event sequences.
 */

#include <stdio.h>
#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/wire.c"
#include "../../kmod/core/peer.c"
#include "tap.h"

#define MS 1000000LL
#define US 1000LL
#define TIMEOUT (500 * MS)
#define T0 (1000 * MS)		/* time 0 means "never": start later */
#define INC 0x6600000012345678ULL

static u64 rng_state = 0x243f6a8885a308d3ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static struct vigil_hb mkhb(unsigned int link, u64 inc, u64 seq)
{
	struct vigil_hb hb;

	memset(&hb, 0, sizeof(hb));
	hb.version = VIGIL_PROTOCOL_VERSION;
	hb.link = link;
	hb.cluster_id = 1;
	hb.src = 3;
	hb.dst = 1;
	hb.incarnation = inc;
	hb.seq = seq;
	hb.flags = VIGIL_HB_F_QUORATE;
	return hb;
}

static enum vigil_counter rx(struct vigil_peer *p, unsigned int link, u64 inc,
			     u64 seq, s64 now, struct vigil_peer_change *ch)
{
	struct vigil_hb hb = mkhb(link, inc, seq);

	return vigil_peer_rx(p, &hb, now, NULL, ch);
}

static bool ch_empty(const struct vigil_peer_change *ch)
{
	return !ch->link_up && !ch->link_down && !ch->up && !ch->down &&
	       !ch->restarted && !ch->left && !ch->payload;
}

static void test_init(void)
{
	struct vigil_peer p;
	unsigned int i, up = 0;

	memset(&p, 0x77, sizeof(p));
	vigil_peer_init(&p, 3, 2);
	for (i = 0; i < VIGIL_LINKS_MAX; i++)
		up += p.links[i].up || p.links[i].last_rx_ns ||
		      p.links[i].last_seq || p.links[i].srtt_us;
	tap_ok(p.id == 3 && p.votes == 2 && p.state == VIGIL_PEER_UNKNOWN &&
	       !p.incarnation && !p.last_rx_ns && !p.payload_len && !up,
	       "init: UNKNOWN, never heard, links clean");
}

static void test_replay(void)
{
	struct vigil_peer_change ch;
	struct vigil_peer p, before;
	enum vigil_counter r;

	vigil_peer_init(&p, 3, 1);
	r = rx(&p, 0, INC, 10, T0, &ch);
	tap_ok(r == VIGIL_CNT_RX && ch.up && ch.link_up == 1 && !ch.restarted &&
	       p.state == VIGIL_PEER_UP && p.incarnation == INC &&
	       p.last_rx_ns == T0 && p.links[0].up && p.links[0].last_seq == 10,
	       "first heartbeat: peer and link up, not a restart");
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX], 1, "first heartbeat counted in RX");

	before = p;
	r = rx(&p, 0, INC, 10, T0 + MS, &ch);
	tap_is_int(r, VIGIL_CNT_RX_REPLAY, "same sequence again: replay");
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_REPLAY], 1, "counted in RX_REPLAY");
	p.links[0].cnt[VIGIL_CNT_RX_REPLAY] = 0;
	tap_ok(!memcmp(&p, &before, sizeof(p)) && ch_empty(&ch),
	       "a replay changes nothing else and reports nothing");

	r = rx(&p, 0, INC, 9, T0 + MS, &ch);
	tap_is_int(r, VIGIL_CNT_RX_REPLAY, "lower sequence: replay");
	r = rx(&p, 0, INC - 1, 1000, T0 + MS, &ch);
	tap_is_int(r, VIGIL_CNT_RX_REPLAY, "older incarnation, higher sequence: replay");
	r = rx(&p, 0, 0, 1000, T0 + MS, &ch);
	tap_is_int(r, VIGIL_CNT_RX_REPLAY, "incarnation 0 once one is known: replay");
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_REPLAY], 3, "each replay counted");

	r = rx(&p, 1, INC, 10, T0 + MS, &ch);
	tap_ok(r == VIGIL_CNT_RX && ch.link_up == 2 && !ch.up,
	       "the same sequence on another link is new there: link 1 up");
	r = rx(&p, 1, INC, 11, T0 + 2 * MS, &ch);
	tap_ok(r == VIGIL_CNT_RX && ch_empty(&ch), "next sequence: accepted, nothing to report");

	/* A new life. */
	r = rx(&p, 1, INC + 1, 1, T0 + 3 * MS, &ch);
	tap_ok(r == VIGIL_CNT_RX && ch.restarted && !ch.up &&
	       p.incarnation == INC + 1 && p.state == VIGIL_PEER_UP,
	       "greater incarnation: accepted as a restart, peer stays UP");
	tap_ok(p.links[0].last_seq == 0 && p.links[1].last_seq == 1,
	       "new incarnation: every link's sequence starts again");
	r = rx(&p, 0, INC + 1, 1, T0 + 3 * MS, &ch);
	tap_ok(r == VIGIL_CNT_RX && !ch.restarted,
	       "new incarnation: sequence 1 is new on the other link too");
	r = rx(&p, 0, INC, 12, T0 + 4 * MS, &ch);
	tap_is_int(r, VIGIL_CNT_RX_REPLAY, "the old life's next heartbeat is now a replay");
	r = rx(&p, 0, INC + 5, 1, T0 + 5 * MS, &ch);
	tap_ok(r == VIGIL_CNT_RX && ch.restarted,
	       "an incarnation far ahead is a new life too");
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST] + p.links[1].cnt[VIGIL_CNT_RX_LOST],
		   0, "restarts are not counted as lost heartbeats");

	vigil_peer_init(&p, 3, 1);
	r = rx(&p, 2, 1, 1, T0, &ch);
	tap_ok(r == VIGIL_CNT_RX && !ch.restarted && ch.up,
	       "the first incarnation ever heard is not a restart");

	r = rx(&p, 3, 2, 0, T0, &ch);
	tap_ok(r == VIGIL_CNT_RX_REPLAY && p.incarnation == 1 && !p.links[3].up,
	       "sequence 0 is never new, not even in a new incarnation");

	r = rx(&p, VIGIL_LINKS_MAX, 1, 2, T0, &ch);
	tap_is_int(r, VIGIL_CNT_RX_BAD_LINK, "a link index beyond the array is refused");
}

static void test_lost(void)
{
	struct vigil_peer_change ch;
	struct vigil_peer p;

	vigil_peer_init(&p, 3, 1);
	rx(&p, 0, INC, 100, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 0,
		   "lost: the first heartbeat on a link counts no gap");
	rx(&p, 0, INC, 101, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 0, "lost: consecutive, none");
	rx(&p, 0, INC, 105, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 3, "lost: 102..104 missing, 3");
	rx(&p, 0, INC, 103, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 3, "lost: a late one is a replay, not a gap");
	rx(&p, 1, INC, 200, T0, &ch);
	tap_is_int(p.links[1].cnt[VIGIL_CNT_RX_LOST], 0, "lost: links count separately");
	rx(&p, 0, INC + 1, 50, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 3,
		   "lost: a new incarnation starting at 50 counts no gap");
	rx(&p, 0, INC + 1, 52, T0, &ch);
	tap_is_int(p.links[0].cnt[VIGIL_CNT_RX_LOST], 4, "lost: then gaps count again");
}

static void test_timeout(void)
{
	struct vigil_peer_change ch;
	struct vigil_peer p;

	vigil_peer_init(&p, 3, 1);
	vigil_peer_tick(&p, T0, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch) && p.state == VIGIL_PEER_UNKNOWN,
	       "tick: an unheard peer stays UNKNOWN");

	rx(&p, 0, INC, 1, T0, &ch);
	rx(&p, 1, INC, 1, T0 + 50 * MS, &ch);
	vigil_peer_tick(&p, T0 + TIMEOUT - 1, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch) && p.links[0].up,
	       "tick: 1 ns before the timeout link 0 is still up");
	vigil_peer_tick(&p, T0 + TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch.link_down == 1 && !ch.down && !p.links[0].up &&
	       p.links[1].up && p.state == VIGIL_PEER_UP,
	       "tick: exactly at the timeout link 0 is down, the peer is not");
	vigil_peer_tick(&p, T0 + TIMEOUT + 1, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch), "tick: a link already down is not reported again");
	vigil_peer_tick(&p, T0 + 50 * MS + TIMEOUT - 1, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch) && p.state == VIGIL_PEER_UP,
	       "tick: one link left, 1 ns before its timeout: still UP");
	vigil_peer_tick(&p, T0 + 50 * MS + TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch.link_down == 2 && ch.down && p.state == VIGIL_PEER_DOWN,
	       "tick: the last link times out: peer DOWN");
	vigil_peer_tick(&p, T0 + 10 * TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch) && p.state == VIGIL_PEER_DOWN,
	       "tick: DOWN stays DOWN quietly");
	rx(&p, 1, INC, 2, T0 + 10 * TIMEOUT, &ch);
	tap_ok(ch.up && ch.link_up == 2 && !ch.restarted && p.state == VIGIL_PEER_UP,
	       "a heartbeat brings a DOWN peer UP again");
	tap_ok(!p.links[0].up, "and only the link it came on");

	/* A heartbeat within the timeout keeps the link up. */
	vigil_peer_init(&p, 3, 1);
	rx(&p, 7, INC, 1, T0, &ch);
	rx(&p, 7, INC, 2, T0 + TIMEOUT - 1, &ch);
	vigil_peer_tick(&p, T0 + TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch_empty(&ch) && p.links[7].up, "tick: a fresh heartbeat resets the timeout");
	vigil_peer_tick(&p, T0 + 2 * TIMEOUT - 1, TIMEOUT, &ch);
	tap_ok(ch.link_down == 0x80 && ch.down, "tick: link 7 times out from its last heartbeat");
	/* A replay does not refresh a link. */
	vigil_peer_init(&p, 3, 1);
	rx(&p, 0, INC, 5, T0, &ch);
	rx(&p, 0, INC, 5, T0 + TIMEOUT - 1, &ch);
	vigil_peer_tick(&p, T0 + TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch.down, "tick: a replayed heartbeat does not keep a peer alive");
}

static void test_rtt(void)
{
	struct vigil_peer_change ch;
	struct vigil_txlog log;
	struct vigil_peer p;
	struct vigil_hb hb;
	unsigned int bad = 0;
	s64 sent;
	u64 s;

	memset(&log, 0, sizeof(log));
	tap_ok(!vigil_txlog_find(&log, 0, &sent), "txlog: an empty log finds nothing, not even 0");
	tap_ok(!vigil_txlog_find(&log, 1, &sent), "txlog: nor 1");
	for (s = 1; s <= 200; s++)
		vigil_txlog_add(&log, s, T0 + s * 100 * MS);
	for (s = 0; s <= 210; s++) {
		bool want = s >= 200 - VIGIL_TXLOG_LEN + 1 && s <= 200;

		sent = -1;
		if (vigil_txlog_find(&log, s, &sent) != want ||
		    (want && sent != (s64)(T0 + s * 100 * MS)))
			bad++;
	}
	tap_is_int(bad, 0, "txlog: after 200 sends exactly the last %d are found, with their times",
		   VIGIL_TXLOG_LEN);
	tap_ok(!vigil_txlog_find(&log, 200 + VIGIL_TXLOG_LEN, &sent),
	       "txlog: a sequence that maps to a live slot is not confused with it");

	vigil_peer_init(&p, 3, 1);
	memset(&log, 0, sizeof(log));
	vigil_txlog_add(&log, 5, T0);
	hb = mkhb(0, INC, 1);
	hb.echo_seq = 5;
	hb.echo_delay_us = 1000;
	vigil_peer_rx(&p, &hb, T0 + 3 * MS, &log, &ch);
	tap_is_int(p.links[0].srtt_us, 2000,
		   "rtt: first sample taken as it is: 3 ms - 1 ms echo delay");
	vigil_txlog_add(&log, 6, T0 + 10 * MS);
	hb = mkhb(0, INC, 2);
	hb.echo_seq = 6;
	hb.echo_delay_us = 0;
	vigil_peer_rx(&p, &hb, T0 + 14 * MS, &log, &ch);
	tap_is_int(p.links[0].srtt_us, (7 * 2000 + 4000) / 8,
		   "rtt: then smoothed with gain 1/8");
	hb = mkhb(0, INC, 3);
	hb.echo_seq = 6;
	hb.echo_delay_us = 10000;
	vigil_peer_rx(&p, &hb, T0 + 15 * MS, &log, &ch);
	tap_is_int(p.links[0].srtt_us, 2250, "rtt: a negative sample is ignored");
	hb = mkhb(0, INC, 4);
	hb.echo_seq = 77;
	vigil_peer_rx(&p, &hb, T0 + 16 * MS, &log, &ch);
	tap_is_int(p.links[0].srtt_us, 2250, "rtt: an echo not in the log is ignored");
	hb = mkhb(0, INC, 5);
	hb.echo_seq = 6;
	hb.echo_delay_us = 4000;
	vigil_peer_rx(&p, &hb, T0 + 16 * MS, NULL, &ch);
	tap_is_int(p.links[0].srtt_us, 2250, "rtt: no log, no sample");
	tap_is_int(p.links[1].srtt_us, 0, "rtt: per link: link 1 has no sample");
	hb = mkhb(0, INC, 5);
	hb.echo_seq = 6;
	vigil_peer_rx(&p, &hb, T0 + 16 * MS, &log, &ch);
	tap_is_int(p.links[0].srtt_us, 2250, "rtt: a replayed frame gives no sample");

	/* Through the wrap of the log. */
	vigil_peer_init(&p, 3, 1);
	memset(&log, 0, sizeof(log));
	for (s = 1; s <= 3 * VIGIL_TXLOG_LEN + 5; s++)
		vigil_txlog_add(&log, s, T0 + s * 100 * MS);
	hb = mkhb(2, INC, 1);
	hb.echo_seq = 3 * VIGIL_TXLOG_LEN + 5 - VIGIL_TXLOG_LEN + 1;
	vigil_peer_rx(&p, &hb, T0 + (s64)hb.echo_seq * 100 * MS + 7 * MS, &log, &ch);
	tap_is_int(p.links[2].srtt_us, 7000, "rtt: the oldest sequence still logged after wrapping");
	hb = mkhb(2, INC, 2);
	hb.echo_seq = 3 * VIGIL_TXLOG_LEN + 5 - VIGIL_TXLOG_LEN;
	vigil_peer_rx(&p, &hb, T0 + (s64)hb.echo_seq * 100 * MS + 1 * MS, &log, &ch);
	tap_is_int(p.links[2].srtt_us, 7000, "rtt: one older has been overwritten: no sample");

	/* A zero sample is still a sample. */
	vigil_peer_init(&p, 3, 1);
	vigil_txlog_add(&log, 900, T0);
	hb = mkhb(0, INC, 1);
	hb.echo_seq = 900;
	hb.echo_delay_us = 500;
	vigil_peer_rx(&p, &hb, T0 + 500 * US, &log, &ch);
	tap_is_int(p.links[0].srtt_us, 1, "rtt: a 0 us sample is stored as 1 (0 means none)");

	/* Echoes we send. */
	{
		u64 es = 99;
		u32 ed = 99;

		vigil_peer_init(&p, 3, 1);
		vigil_peer_echo(&p, 0, T0, &es, &ed);
		tap_ok(es == 0 && ed == 0, "echo: nothing heard, nothing echoed");
		rx(&p, 0, INC, 42, T0, &ch);
		vigil_peer_echo(&p, 0, T0 + 1500 * US, &es, &ed);
		tap_ok(es == 42 && ed == 1500, "echo: the last sequence and the time since (%llu, %u)",
		       (unsigned long long)es, ed);
		vigil_peer_echo(&p, 1, T0 + 1500 * US, &es, &ed);
		tap_ok(es == 0 && ed == 0, "echo: per link");
		vigil_peer_echo(&p, VIGIL_LINKS_MAX, T0, &es, &ed);
		tap_ok(es == 0 && ed == 0, "echo: a link beyond the array");
		vigil_peer_echo(&p, 0, T0 + 5000LL * 1000 * MS, &es, &ed);
		tap_ok(es == 42 && ed == 0xffffffffU, "echo: a delay beyond a u32 saturates");
		rx(&p, 1, INC + 1, 1, T0 + MS, &ch);
		vigil_peer_echo(&p, 0, T0 + 2 * MS, &es, &ed);
		tap_ok(es == 0, "echo: a new incarnation forgets the old sequences");
	}
}

static void test_leaving(void)
{
	struct vigil_peer_change ch;
	struct vigil_peer p;
	struct vigil_hb hb;

	vigil_peer_init(&p, 3, 1);
	rx(&p, 0, INC, 1, T0, &ch);
	hb = mkhb(0, INC, 2);
	hb.flags |= VIGIL_HB_F_LEAVING;
	vigil_peer_rx(&p, &hb, T0 + MS, NULL, &ch);
	tap_ok(ch.left && !ch.down && !ch.up && p.state == VIGIL_PEER_LEFT &&
	       (p.flags & VIGIL_HB_F_LEAVING), "LEAVING: UP -> LEFT");
	hb.seq = 3;
	vigil_peer_rx(&p, &hb, T0 + 2 * MS, NULL, &ch);
	tap_ok(!ch.left && p.state == VIGIL_PEER_LEFT, "LEAVING again: reported once");
	vigil_peer_tick(&p, T0 + 2 * MS + TIMEOUT, TIMEOUT, &ch);
	tap_ok(ch.link_down == 1 && !ch.down && p.state == VIGIL_PEER_LEFT,
	       "LEFT: the links time out, the peer stays LEFT");
	rx(&p, 0, INC + 1, 1, T0 + 10 * TIMEOUT, &ch);
	tap_ok(ch.up && ch.restarted && p.state == VIGIL_PEER_UP,
	       "LEFT: back in a new life: UP and restarted");

	vigil_peer_init(&p, 3, 1);
	hb = mkhb(4, INC, 1);
	hb.flags = VIGIL_HB_F_LEAVING;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(ch.left && !ch.up && ch.link_up == 0x10 && p.state == VIGIL_PEER_LEFT,
	       "LEAVING as the first word: UNKNOWN -> LEFT");
}

static void test_view(void)
{
	struct vigil_peer_change ch;
	struct vigil_peer p;
	struct vigil_hb hb;

	vigil_peer_init(&p, 3, 1);
	hb = mkhb(0, INC, 1);
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(!ch.payload, "payload: none at first, none now: no change");
	hb = mkhb(0, INC, 2);
	hb.payload_len = 3;
	memcpy(hb.payload, "abc", 3);
	hb.generation = 77;
	hb.members[0] = 0x05;
	hb.members[31] = 0x80;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(ch.payload && p.payload_len == 3 && !memcmp(p.payload, "abc", 3),
	       "payload: set: changed");
	tap_ok(p.generation == 77 && p.members[0] == 5 && p.members[31] == 0x80 &&
	       p.flags == VIGIL_HB_F_QUORATE, "view: generation, members and flags taken");
	hb.seq = 3;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(!ch.payload, "payload: the same again: no change");
	hb.seq = 4;
	hb.payload[2] = 'd';
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(ch.payload && p.payload[2] == 'd', "payload: same length, other bytes: changed");
	hb.seq = 5;
	hb.payload_len = 2;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(ch.payload && p.payload_len == 2, "payload: shorter prefix: changed");
	hb.seq = 6;
	hb.payload_len = 0;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(ch.payload && p.payload_len == 0, "payload: cleared: changed");
	hb.seq = 6;
	hb.payload_len = 5;
	vigil_peer_rx(&p, &hb, T0, NULL, &ch);
	tap_ok(!ch.payload && p.payload_len == 0, "payload: a replay changes nothing");
	hb.seq = 7;
	hb.payload_len = VIGIL_PAYLOAD_MAX + 1;
	tap_is_int(vigil_peer_rx(&p, &hb, T0, NULL, &ch), VIGIL_CNT_RX_BAD_LENGTH,
		   "payload: an impossible length is refused");
}

/*
 * The reference model: the whole history, and every question answered by
 * scanning it from the start.
 */
#define NLINKS 3
#define MAX_EV 160

struct ev {
	bool tick;
	s64 t;
	unsigned int link;
	u64 inc, seq;
	bool leaving;
	bool accepted;		/* filled in by the model */
};

struct model {
	struct ev ev[MAX_EV];
	unsigned int n;
};

static bool ref_accepts(const struct model *m, const struct ev *e)
{
	unsigned int i;

	if (!e->seq)
		return false;	/* sequences start at 1 */
	for (i = 0; i < m->n; i++) {
		const struct ev *f = &m->ev[i];

		if (f->tick || !f->accepted)
			continue;
		if (f->inc > e->inc)
			return false;
		if (f->inc == e->inc && f->link == e->link && f->seq >= e->seq)
			return false;
	}
	return true;
}

static bool ref_link_up(const struct model *m, unsigned int link, s64 *last)
{
	bool heard = false;
	unsigned int i;
	s64 t = 0;

	for (i = 0; i < m->n; i++)
		if (!m->ev[i].tick && m->ev[i].accepted && m->ev[i].link == link) {
			heard = true;
			t = m->ev[i].t;
		}
	if (last)
		*last = t;
	if (!heard)
		return false;
	/* Down if a tick after the last heartbeat saw the timeout pass. */
	for (i = 0; i < m->n; i++)
		if (m->ev[i].tick && m->ev[i].t - t >= TIMEOUT) {
			unsigned int j;
			bool after = true;

			for (j = i + 1; j < m->n; j++)
				if (!m->ev[j].tick && m->ev[j].accepted &&
				    m->ev[j].link == link)
					after = false;
			if (after)
				return false;
		}
	return true;
}

static u8 ref_state(const struct model *m)
{
	const struct ev *last = NULL;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!m->ev[i].tick && m->ev[i].accepted)
			last = &m->ev[i];
	if (!last)
		return VIGIL_PEER_UNKNOWN;
	if (last->leaving)
		return VIGIL_PEER_LEFT;
	for (i = 0; i < NLINKS; i++)
		if (ref_link_up(m, i, NULL))
			return VIGIL_PEER_UP;
	return VIGIL_PEER_DOWN;
}

static u64 ref_incarnation(const struct model *m)
{
	u64 inc = 0;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!m->ev[i].tick && m->ev[i].accepted && m->ev[i].inc > inc)
			inc = m->ev[i].inc;
	return inc;
}

static void ref_counts(const struct model *m, unsigned int link, u64 *rxc,
		       u64 *replay, u64 *lost)
{
	const struct ev *prev = NULL;
	unsigned int i;

	*rxc = *replay = *lost = 0;
	for (i = 0; i < m->n; i++) {
		const struct ev *e = &m->ev[i];

		if (e->tick || e->link != link)
			continue;
		if (!e->accepted) {
			(*replay)++;
			continue;
		}
		(*rxc)++;
		if (prev && prev->inc == e->inc)
			*lost += e->seq - prev->seq - 1;
		prev = e;
	}
}

static int compare(const struct model *m, const struct vigil_peer *p,
		   u8 state_before, u8 links_before, u64 inc_before,
		   const struct vigil_peer_change *ch, const struct ev *e,
		   char *why, size_t whylen)
{
	u8 state = ref_state(m), links = 0, want_up, want_down;
	unsigned int i;

	for (i = 0; i < NLINKS; i++) {
		u64 rxc, replay, lost;
		s64 last;

		if (ref_link_up(m, i, &last))
			links |= 1U << i;
		ref_counts(m, i, &rxc, &replay, &lost);
		if (p->links[i].up != !!(links & (1U << i)) ||
		    p->links[i].last_rx_ns != last ||
		    p->links[i].cnt[VIGIL_CNT_RX] != rxc ||
		    p->links[i].cnt[VIGIL_CNT_RX_REPLAY] != replay ||
		    p->links[i].cnt[VIGIL_CNT_RX_LOST] != lost) {
			snprintf(why, whylen, "link %u: up %d/%d last %lld/%lld rx %llu/%llu replay %llu/%llu lost %llu/%llu",
				 i, p->links[i].up, !!(links & (1U << i)),
				 (long long)p->links[i].last_rx_ns, (long long)last,
				 (unsigned long long)p->links[i].cnt[VIGIL_CNT_RX],
				 (unsigned long long)rxc,
				 (unsigned long long)p->links[i].cnt[VIGIL_CNT_RX_REPLAY],
				 (unsigned long long)replay,
				 (unsigned long long)p->links[i].cnt[VIGIL_CNT_RX_LOST],
				 (unsigned long long)lost);
			return 1;
		}
	}
	if (p->state != state) {
		snprintf(why, whylen, "state %u, want %u", p->state, state);
		return 1;
	}
	if (p->incarnation != ref_incarnation(m)) {
		snprintf(why, whylen, "incarnation");
		return 1;
	}
	want_up = links & ~links_before;
	want_down = links_before & ~links;
	if (ch->link_up != want_up || ch->link_down != want_down ||
	    ch->up != (state == VIGIL_PEER_UP && state_before != VIGIL_PEER_UP) ||
	    ch->down != (state == VIGIL_PEER_DOWN && state_before == VIGIL_PEER_UP) ||
	    ch->left != (state == VIGIL_PEER_LEFT && state_before != VIGIL_PEER_LEFT) ||
	    ch->restarted != (!e->tick && e->accepted && inc_before &&
			      e->inc > inc_before)) {
		snprintf(why, whylen, "change: link_up %x/%x link_down %x/%x up %d down %d left %d restarted %d",
			 ch->link_up, want_up, ch->link_down, want_down,
			 ch->up, ch->down, ch->left, ch->restarted);
		return 1;
	}
	return 0;
}

static void random_event(const struct model *m, const struct vigil_peer *p,
			 s64 now, struct ev *e)
{
	unsigned int r = rnd() % 100;
	s64 dt;

	memset(e, 0, sizeof(*e));
	/* Time: often exactly on, or next to, a link's timeout boundary. */
	switch (rnd() % 6) {
	case 0:
		dt = 0;
		break;
	case 1: {
		s64 edge = p->links[rnd() % NLINKS].last_rx_ns + TIMEOUT +
			   (s64)(rnd() % 3) - 1;

		dt = edge > now ? edge - now : 0;
		break;
	}
	case 2:
		dt = TIMEOUT / 5;
		break;
	default:
		dt = rnd() % (TIMEOUT * 3 / 2);
		break;
	}
	e->t = now + dt;
	if (r < 40) {
		e->tick = true;
		return;
	}
	e->link = rnd() % NLINKS;
	e->inc = p->incarnation ? p->incarnation : INC;
	switch (rnd() % 20) {
	case 0:
		e->inc++;		/* restart */
		break;
	case 1:
		e->inc--;		/* old life */
		break;
	case 2:
		e->inc = INC + rnd() % 4;
		break;
	}
	e->seq = p->links[e->link].last_seq;
	switch (rnd() % 8) {
	case 0:
		e->seq -= rnd() % 3;	/* replay */
		break;
	case 1:
		e->seq += 1 + rnd() % 5; /* gap */
		break;
	default:
		e->seq += 1;
		break;
	}
	if (!e->seq && rnd() % 2)
		e->seq = 1;
	e->leaving = rnd() % 25 == 0;
	(void)m;
}

static void test_reference_model(void)
{
	unsigned int run, step, bad_runs = 0, steps = 0;
	unsigned int downs = 0, restarts = 0, lefts = 0, replays = 0, edges = 0;
	char why[256] = "";

	for (run = 0; run < 3000; run++) {
		static struct model m;
		struct vigil_peer p;
		s64 now = T0;

		memset(&m, 0, sizeof(m));
		vigil_peer_init(&p, 3, 1);
		for (step = 0; step < MAX_EV; step++) {
			struct vigil_peer_change ch;
			struct ev *e = &m.ev[m.n];
			u8 state_before = p.state, links_before = 0;
			u64 inc_before = p.incarnation;
			unsigned int i;

			for (i = 0; i < NLINKS; i++)
				links_before |= p.links[i].up << i;
			random_event(&m, &p, now, e);
			now = e->t;
			if (e->tick) {
				vigil_peer_tick(&p, e->t, TIMEOUT, &ch);
			} else {
				struct vigil_hb hb = mkhb(e->link, e->inc, e->seq);
				enum vigil_counter r;

				if (e->leaving)
					hb.flags |= VIGIL_HB_F_LEAVING;
				e->accepted = ref_accepts(&m, e);
				r = vigil_peer_rx(&p, &hb, e->t, NULL, &ch);
				if ((r == VIGIL_CNT_RX) != e->accepted) {
					snprintf(why, sizeof(why), "accepted %d, want %d",
						 r == VIGIL_CNT_RX, e->accepted);
					goto fail;
				}
			}
			m.n++;
			steps++;
			downs += ch.down;
			restarts += ch.restarted;
			lefts += ch.left;
			replays += !e->tick && !e->accepted;
			for (i = 0; i < NLINKS; i++)
				edges += e->tick && p.links[i].last_rx_ns &&
					 e->t - p.links[i].last_rx_ns == TIMEOUT;
			if (compare(&m, &p, state_before, links_before,
				    inc_before, &ch, e, why, sizeof(why)))
				goto fail;
		}
		continue;
fail:
		if (!bad_runs++)
			tap_diag("run %u step %u (%s at %lld): %s", run, step,
				 m.ev[step].tick ? "tick" : "rx",
				 (long long)m.ev[step].t, why);
	}
	tap_is_int(bad_runs, 0, "liveness agrees with the reference model over 3000 random runs (%u steps)",
		   steps);
	tap_ok(downs > 1000 && restarts > 1000 && lefts > 1000 &&
	       replays > 1000 && edges > 1000,
	       "the random runs cover peers down (%u), restarts (%u), leaves (%u), replays (%u) and ticks exactly at the timeout (%u)",
	       downs, restarts, lefts, replays, edges);
}

int main(void)
{
	test_init();
	test_replay();
	test_lost();
	test_timeout();
	test_rtt();
	test_leaving();
	test_view();
	test_reference_model();
	return tap_done();
}
