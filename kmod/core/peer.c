// SPDX-License-Identifier: GPL-2.0
/*
 * Membership from timestamps: replay rules, link and peer liveness,
 * round-trip estimates. See peer.h and Documentation/protocol.md.
 */

#include "seam.h"
#include "wire.h"
#include "peer.h"

#define NS_PER_US 1000

/*
 * The log is indexed by sequence: seq % VIGIL_TXLOG_LEN. Sequences go up
 * by one per interval, so a slot is overwritten exactly when its entry
 * becomes older than the last VIGIL_TXLOG_LEN sends. Sequence 0 is never
 * sent (it means "no echo"), so an empty slot never matches.
 */
void vigil_txlog_add(struct vigil_txlog *log, u64 seq, s64 now_ns)
{
	unsigned int i = seq % VIGIL_TXLOG_LEN;

	log->seq[i] = seq;
	log->sent_ns[i] = now_ns;
}

bool vigil_txlog_find(const struct vigil_txlog *log, u64 seq, s64 *sent_ns)
{
	unsigned int i = seq % VIGIL_TXLOG_LEN;

	if (!seq || log->seq[i] != seq)
		return false;
	*sent_ns = log->sent_ns[i];
	return true;
}

void vigil_peer_init(struct vigil_peer *p, u16 id, u32 votes)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->votes = votes;
	p->state = VIGIL_PEER_UNKNOWN;
}

/* Smoothed RTT with gain 1/8; the first sample is taken as it is. */
static void rtt_sample(struct vigil_peer_link *l, s64 rtt_ns)
{
	u64 us = div_u64(rtt_ns, NS_PER_US);

	if (us > U32_MAX)
		us = U32_MAX;
	if (!us)
		us = 1;		/* 0 means "no sample" */
	if (!l->srtt_us)
		l->srtt_us = us;
	else
		l->srtt_us = (7 * (u64)l->srtt_us + us) / 8;
}

/* The echo: an RTT sample, and lease evidence if the peer counts us. */
static void take_echo(struct vigil_peer *p, struct vigil_peer_link *l,
		      const struct vigil_hb *hb, s64 now_ns,
		      const struct vigil_txlog *txlog,
		      struct vigil_peer_change *ch)
{
	s64 sent_ns, rtt_ns;

	if (!txlog || !vigil_txlog_find(txlog, hb->echo_seq, &sent_ns))
		return;
	rtt_ns = now_ns - sent_ns - (s64)hb->echo_delay_us * NS_PER_US;
	if (rtt_ns >= 0)
		rtt_sample(l, rtt_ns);

	/* A frozen peer still hears us; one leaving or dumping is going. */
	if (hb->flags & (VIGIL_HB_F_LEAVING | VIGIL_HB_F_DUMPING))
		return;
	if (hb->dst < 1 || hb->dst > VIGIL_NODES_MAX ||
	    !(hb->members[(hb->dst - 1) / 8] & (1U << ((hb->dst - 1) % 8))))
		return;
	if (sent_ns > p->lease_from_ns) {
		p->lease_from_ns = sent_ns;
		ch->lease = true;
	}
}

static void take_view(struct vigil_peer *p, const struct vigil_hb *hb,
		      struct vigil_peer_change *ch)
{
	p->flags = hb->flags;
	p->generation = hb->generation;
	memcpy(p->members, hb->members, VIGIL_MEMBERS_BYTES);
	if (hb->payload_len != p->payload_len ||
	    memcmp(hb->payload, p->payload, hb->payload_len)) {
		ch->payload = true;
		p->payload_len = hb->payload_len;
		memcpy(p->payload, hb->payload, hb->payload_len);
	}
}

enum vigil_counter vigil_peer_rx(struct vigil_peer *p, const struct vigil_hb *hb,
				 s64 now_ns, const struct vigil_txlog *txlog,
				 struct vigil_peer_change *ch)
{
	struct vigil_peer_link *l;
	unsigned int i;

	memset(ch, 0, sizeof(*ch));
	/* vigil_wire_decode() checked both; this is belt and braces. */
	if (hb->link >= VIGIL_LINKS_MAX)
		return VIGIL_CNT_RX_BAD_LINK;
	if (hb->payload_len > VIGIL_PAYLOAD_MAX)
		return VIGIL_CNT_RX_BAD_LENGTH;
	l = &p->links[hb->link];

	/*
	 * Sequences start at 1 (0 is "no echo"), so a sequence of 0 is never
	 * new, not even in a new incarnation.
	 */
	if (!hb->seq || hb->incarnation < p->incarnation ||
	    (hb->incarnation == p->incarnation && hb->seq <= l->last_seq)) {
		l->cnt[VIGIL_CNT_RX_REPLAY]++;
		return VIGIL_CNT_RX_REPLAY;
	}

	if (hb->incarnation > p->incarnation) {
		/* A new life: sequences start again on every link. */
		ch->restarted = p->incarnation != 0;
		p->incarnation = hb->incarnation;
		if (p->state == VIGIL_PEER_DUMPING)
			p->state = VIGIL_PEER_DOWN;	/* that dump is over */
		for (i = 0; i < VIGIL_LINKS_MAX; i++) {
			p->links[i].last_seq = 0;
			p->links[i].echo_rx_ns = 0;
		}
	} else if (l->last_seq && hb->seq - l->last_seq > 1) {
		l->cnt[VIGIL_CNT_RX_LOST] += hb->seq - l->last_seq - 1;
	}

	l->cnt[VIGIL_CNT_RX]++;
	l->last_rx_ns = now_ns;
	l->last_seq = hb->seq;
	l->echo_rx_ns = now_ns;
	if (!l->up) {
		l->up = true;
		ch->link_up |= BIT(hb->link);
	}
	if (hb->echo_seq)
		take_echo(p, l, hb, now_ns, txlog, ch);

	p->last_rx_ns = now_ns;
	take_view(p, hb, ch);

	if (hb->flags & VIGIL_HB_F_LEAVING) {
		if (p->state != VIGIL_PEER_LEFT) {
			p->state = VIGIL_PEER_LEFT;
			ch->left = true;
		}
	} else if (hb->flags & VIGIL_HB_F_FENCING) {
		/* Frames of one life may cross on two links: a dump once
		 * announced is not taken back. */
		u8 state = hb->flags & VIGIL_HB_F_DUMPING ||
			   p->state == VIGIL_PEER_DUMPING ?
			   VIGIL_PEER_DUMPING : VIGIL_PEER_SELF_FENCED;
		u8 cause = (hb->flags & VIGIL_HB_F_CAUSE_MASK) >>
			   VIGIL_HB_F_CAUSE_SHIFT;

		if (p->state != state || p->fence_cause != cause) {
			p->state = state;
			p->fence_cause = cause;
			ch->fenced = true;
		}
	} else if (p->state != VIGIL_PEER_UP) {
		p->state = VIGIL_PEER_UP;
		p->fence_cause = 0;
		ch->up = true;
	}
	return VIGIL_CNT_RX;
}

void vigil_peer_tick(struct vigil_peer *p, s64 now_ns, s64 timeout_ns,
		     struct vigil_peer_change *ch)
{
	bool any_up = false;
	unsigned int i;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < VIGIL_LINKS_MAX; i++) {
		struct vigil_peer_link *l = &p->links[i];

		if (l->up && now_ns - l->last_rx_ns >= timeout_ns) {
			l->up = false;
			ch->link_down |= BIT(i);
		}
		any_up |= l->up;
	}
	if (p->state == VIGIL_PEER_UP && !any_up) {
		p->state = VIGIL_PEER_DOWN;
		ch->down = true;
	}
}

void vigil_peer_echo(const struct vigil_peer *p, unsigned int link, s64 now_ns,
		     u64 *echo_seq, u32 *echo_delay_us)
{
	const struct vigil_peer_link *l;
	s64 delay_ns;
	u64 us;

	*echo_seq = 0;
	*echo_delay_us = 0;
	if (link >= VIGIL_LINKS_MAX)
		return;
	l = &p->links[link];
	if (!l->last_seq)
		return;
	delay_ns = now_ns - l->echo_rx_ns;
	us = delay_ns > 0 ? div_u64(delay_ns, NS_PER_US) : 0;
	*echo_seq = l->last_seq;
	*echo_delay_us = us > U32_MAX ? U32_MAX : us;
}
