/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Membership from timestamps: per peer and per link, which heartbeats are
 * new, when a link and a peer are up or down, round-trip estimates, and
 * the send log that turns an echoed sequence into a send time. Pure logic:
 * times are passed in (nanoseconds on a monotonic clock that keeps running
 * across a stall, CLOCK_BOOTTIME in the kernel); callers serialise access.
 */
#ifndef _VIGIL_CORE_PEER_H
#define _VIGIL_CORE_PEER_H

#include "seam.h"
#include "wire.h"

/* Our recent sends: seq -> local send time, the last VIGIL_TXLOG_LEN. */
#define VIGIL_TXLOG_LEN 64
struct vigil_txlog {
	u64 seq[VIGIL_TXLOG_LEN];
	s64 sent_ns[VIGIL_TXLOG_LEN];
};

void vigil_txlog_add(struct vigil_txlog *log, u64 seq, s64 now_ns);
/* The send time of @seq if it is still in the log; false otherwise. */
bool vigil_txlog_find(const struct vigil_txlog *log, u64 seq, s64 *sent_ns);

struct vigil_peer_link {
	s64 last_rx_ns;		/* last accepted heartbeat; 0: never */
	u64 last_seq;		/* highest accepted seq, this incarnation */
	s64 echo_rx_ns;		/* when last_seq arrived (for the echo) */
	u32 srtt_us;		/* smoothed RTT, 1/8 gain; 0: no sample */
	bool up;
	u64 cnt[__VIGIL_CNT_LAST];
};

struct vigil_peer {
	u16 id;
	u32 votes;
	u8 state;		/* enum vigil_peer_state */
	u64 incarnation;	/* 0: never heard */
	s64 last_rx_ns;		/* 0: never */
	/* The peer's own view, from its last accepted heartbeat. */
	u8 flags;		/* VIGIL_HB_F_* */
	u64 generation;
	u8 members[VIGIL_MEMBERS_BYTES];
	u16 payload_len;
	u8 payload[VIGIL_PAYLOAD_MAX];
	u8 fence_cause;		/* announced with VIGIL_HB_F_FENCING */
	/*
	 * Lease evidence: our send time of the newest of our sequences the
	 * peer echoed in a heartbeat that counted us as a member, while it
	 * was neither leaving nor dumping. 0: none.
	 */
	s64 lease_from_ns;
	struct vigil_peer_link links[VIGIL_LINKS_MAX];
};

/* What changed in one call; the caller turns it into events. */
struct vigil_peer_change {
	u8 link_up;		/* bit i: link i came up */
	u8 link_down;		/* bit i: link i went down */
	bool up;		/* peer UNKNOWN/DOWN/LEFT -> UP */
	bool down;		/* peer UP -> DOWN (every link timed out) */
	bool restarted;		/* a new incarnation replaced a known one */
	bool left;		/* the peer said it is leaving */
	bool fenced;		/* it announced a self-fence (or a dump) */
	bool payload;		/* its payload differs from the last one */
	bool lease;		/* lease_from_ns moved forward */
};

/* A fresh peer: state UNKNOWN, never heard. */
void vigil_peer_init(struct vigil_peer *p, u16 id, u32 votes);

/*
 * Judge the verified heartbeat @hb (hb->src == p->id, arrived on link
 * hb->link) at @now_ns. A frame from an older incarnation, or from the
 * current one with a sequence not above the link's last, is a replay:
 * returns VIGIL_CNT_RX_REPLAY and changes nothing but that counter.
 * Otherwise takes it (a greater incarnation is a new life: every link's
 * sequence restarts), updates the link and the peer's view, counts gaps
 * in RX_LOST, takes an RTT sample when hb->echo_seq is in @txlog
 * (rtt = now - sent - echo_delay, ignored when negative), and returns
 * VIGIL_CNT_RX. A frame with VIGIL_HB_F_LEAVING makes the peer LEFT;
 * one with VIGIL_HB_F_FENCING makes it SELF_FENCED (DUMPING with
 * VIGIL_HB_F_DUMPING) and records the cause it gives; any other makes it
 * UP. A frame that counts hb->dst (us) in its view, echoes a sequence
 * still in @txlog and is neither LEAVING nor DUMPING is lease evidence
 * (lease_from_ns).
 * @ch is zeroed first.
 */
enum vigil_counter vigil_peer_rx(struct vigil_peer *p, const struct vigil_hb *hb,
				 s64 now_ns, const struct vigil_txlog *txlog,
				 struct vigil_peer_change *ch);

/*
 * Time out links with no accepted heartbeat for @timeout_ns (a link is
 * down once now - last_rx >= timeout); a peer that was UP is DOWN when no
 * link is up any more (LEFT, SELF_FENCED and DUMPING stay: they say why
 * the peer is gone). @ch is zeroed first.
 */
void vigil_peer_tick(struct vigil_peer *p, s64 now_ns, s64 timeout_ns,
		     struct vigil_peer_change *ch);

/* Whether a link of @p delivers heartbeats in time. */
static inline bool vigil_peer_heard(const struct vigil_peer *p)
{
	unsigned int i;

	for (i = 0; i < VIGIL_LINKS_MAX; i++)
		if (p->links[i].up)
			return true;
	return false;
}

/* Fill the echo fields of a heartbeat to @p on @link. */
void vigil_peer_echo(const struct vigil_peer *p, unsigned int link, s64 now_ns,
		     u64 *echo_seq, u32 *echo_delay_us);

#endif /* _VIGIL_CORE_PEER_H */
