// SPDX-License-Identifier: GPL-2.0
/*
 * The heartbeat engine of one instance: a soft hrtimer that times out
 * peers, recomputes membership and quorum and sends one heartbeat per peer
 * per link each interval, and the receive path that judges arriving
 * heartbeats. The judging itself is the core's (kmod/core/).
 *
 * Contexts: the timer is a hard hrtimer (hard interrupt context) that
 * only schedules a high-priority tasklet; the tasklet does the round, in
 * softirq context, so nothing is ever sent with interrupts disabled. Why
 * not a soft hrtimer: when the CPU is busy the kernel hands most softirqs
 * to ksoftirqd, an ordinary nice-0 thread that userspace at nice -20 or
 * SCHED_FIFO starves for seconds, and the node would be declared dead
 * while it runs (the load benchmark showed it). HI_SOFTIRQ is one of the
 * two that the kernel still runs on the way out of the interrupt
 * (SOFTIRQ_NOW_MASK), and when it does it also runs the other pending
 * softirqs (network receive included) within its time budget. Receive
 * handlers run in softirq context under rcu_read_lock(). Both take
 * vi->lock with BHs off and never sleep.
 *
 * The transmit pool: a heartbeat must go out when the machine is short of
 * memory, which is exactly when a GFP_ATOMIC allocation in the timer would
 * fail (atomic allocations cannot reclaim). So, as netpoll does, the
 * instance keeps skbs allocated in advance for two rounds (one round is
 * peers x links frames; the second covers a refill work item that runs
 * late because the system is busy). The timer only takes skbs from the
 * pool, counts VIGIL_CNT_TX_ERRORS when it is dry, and kicks a work item
 * that refills the pool in process context with GFP_KERNEL, which may
 * reclaim.
 */

#include <linux/kernel.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/workqueue.h>

#include "instance.h"
#include "heartbeat.h"
#include "link.h"
#include "netlink.h"
#include "fence.h"

/* Room for the largest link-layer header and IPv6 + UDP in front. */
#define VIGIL_HEADROOM	(MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr))
#define VIGIL_SKB_SIZE	(VIGIL_HEADROOM + VIGIL_WIRE_MAX_LEN)

/* Which peer and link a queued heartbeat is for. */
struct vigil_tx_cb {
	u16 node;
	u8 link;
};

static int pool_refill(struct sk_buff_head *pool, unsigned int target,
		       gfp_t gfp)
{
	struct sk_buff *skb;

	while (skb_queue_len(pool) < target) {
		skb = alloc_skb(VIGIL_SKB_SIZE, gfp);
		if (!skb)
			return -ENOMEM;
		skb_queue_tail(pool, skb);
	}
	return 0;
}

static void pool_trim(struct sk_buff_head *pool, unsigned int target)
{
	while (skb_queue_len(pool) > target)
		kfree_skb(skb_dequeue(pool));
}

static void refill_work(struct work_struct *work)
{
	struct vigil_instance *vi = container_of(work, struct vigil_instance,
						 refill);
	unsigned int target = READ_ONCE(vi->pool_target);
	unsigned int gasp = READ_ONCE(vi->gasp_target);

	pool_trim(&vi->pool, target);
	pool_trim(&vi->gasp_pool, gasp);
	pool_refill(&vi->pool, target, GFP_KERNEL);
	pool_refill(&vi->gasp_pool, gasp, GFP_KERNEL);
}

/*
 * The heartbeat pool holds two rounds (see above); the last-gasp pool
 * VIGIL_GASP_COPIES rounds, untouched by heartbeats, so that the notice
 * never finds it dry.
 */
int vigil_hb_pool_fill(struct vigil_instance *vi, unsigned int frames)
{
	return pool_refill(&vi->pool, 2 * frames, GFP_KERNEL) ?:
	       pool_refill(&vi->gasp_pool, VIGIL_GASP_COPIES * frames,
			   GFP_KERNEL);
}

void vigil_hb_pool_target(struct vigil_instance *vi, unsigned int frames)
{
	WRITE_ONCE(vi->pool_target, 2 * frames);
	WRITE_ONCE(vi->gasp_target, VIGIL_GASP_COPIES * frames);
	queue_work(system_highpri_wq, &vi->refill);
}

static void peer_events(struct vigil_instance *vi, const struct vigil_node *n,
			const struct vigil_peer_change *ch,
			struct sk_buff_head *evq)
{
	unsigned long bits;
	unsigned int i;

	if (ch->restarted)
		vigil_event_queue(vi, evq, VIGIL_EV_PEER_RESTARTED, n->id, -1,
				  n->peer.incarnation);
	bits = ch->link_up;
	for_each_set_bit(i, &bits, VIGIL_LINKS_MAX)
		vigil_event_queue(vi, evq, VIGIL_EV_LINK_UP, n->id, i, 0);
	bits = ch->link_down;
	for_each_set_bit(i, &bits, VIGIL_LINKS_MAX)
		vigil_event_queue(vi, evq, VIGIL_EV_LINK_DOWN, n->id, i, 0);
	if (ch->up)
		vigil_event_queue(vi, evq, VIGIL_EV_PEER_UP, n->id, -1,
				  n->peer.incarnation);
	if (ch->down)
		vigil_event_queue(vi, evq, VIGIL_EV_PEER_DOWN, n->id, -1, 0);
	if (ch->left)
		vigil_event_queue(vi, evq, VIGIL_EV_PEER_LEFT, n->id, -1, 0);
	if (ch->fenced)
		vigil_event_queue_fence(vi, evq, VIGIL_EV_PEER_FENCED, n->id,
					n->peer.fence_cause, 0,
					n->peer.state == VIGIL_PEER_DUMPING);
	if (ch->payload)
		vigil_event_queue(vi, evq, VIGIL_EV_PAYLOAD_CHANGED, n->id, -1, 0);
}

void vigil_hb_update(struct vigil_instance *vi, struct vigil_config *cfg,
		     s64 now_ns, bool changed, struct sk_buff_head *evq)
{
	u8 members[VIGIL_MEMBERS_BYTES] = {};
	bool quorate;
	unsigned int i;
	u64 votes;

	lockdep_assert_held(&vi->lock);
	vigil_members_set(members, cfg->self_id);
	votes = cfg->nodes[cfg->self_idx].votes;
	for (i = 0; i < cfg->nnodes; i++) {
		const struct vigil_node *n = &cfg->nodes[i];

		if (i == cfg->self_idx)
			continue;
		/*
		 * A frozen peer that still heartbeats is a member with its
		 * vote: freezing stops service I/O, not membership. Were it
		 * left out, a majority of frozen nodes could never be quorate
		 * again, and a frozen node needs our lease evidence to be let
		 * out of its freeze.
		 */
		if (n->peer.state != VIGIL_PEER_UP &&
		    !(n->peer.state == VIGIL_PEER_SELF_FENCED &&
		      vigil_peer_heard(&n->peer)))
			continue;
		vigil_members_set(members, n->id);
		votes += n->votes;
	}
	if (cfg->witness_votes && vi->witness_until_ns > now_ns)
		votes += cfg->witness_votes;
	quorate = vigil_quorate(&cfg->quorum, votes);

	if (memcmp(members, vi->members, sizeof(members)) ||
	    votes != vi->votes || quorate != vi->quorate)
		changed = true;
	memcpy(vi->members, members, sizeof(members));
	vi->votes = votes;
	if (changed)
		vi->generation++;
	if (quorate != vi->quorate) {
		vi->quorate = quorate;
		vigil_event_queue(vi, evq, quorate ? VIGIL_EV_QUORUM_GAINED :
				  VIGIL_EV_QUORUM_LOST, 0, -1, 0);
		if (!quorate)
			vigil_fence_quorum_lost(vi, cfg, now_ns, evq);
	}
	vigil_event_stamp(evq, vi->generation, vi->quorate);
}

/*
 * Take skbs from @pool and encode one round of heartbeats, with @flags
 * besides the instance's own (locked).
 */
static void build_round(struct vigil_instance *vi, struct vigil_config *cfg,
			s64 now_ns, struct sk_buff_head *pool, u8 flags,
			struct sk_buff_head *txq)
{
	size_t len = vigil_wire_len(vi->payload_len);
	struct vigil_hb hb = {
		.version = VIGIL_PROTOCOL_VERSION,
		.flags = (vi->quorate ? VIGIL_HB_F_QUORATE : 0) |
			 vigil_fence_flags(vi) | flags,
		.cluster_id = cfg->cluster_id,
		.src = cfg->self_id,
		.incarnation = vi->incarnation,
		.seq = vi->seq,
		.generation = vi->generation,
		.payload_len = vi->payload_len,
	};
	unsigned int li, i;

	memcpy(hb.members, vi->members, sizeof(hb.members));
	memcpy(hb.payload, vi->payload, vi->payload_len);

	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		struct vigil_link *link = cfg->links[li];
		bool up;

		if (!link)
			continue;
		up = vigil_link_is_up(link);
		for (i = 0; i < cfg->nnodes; i++) {
			struct vigil_node *n = &cfg->nodes[i];
			struct vigil_tx_cb *cb;
			struct sk_buff *skb;
			int ret;

			if (i == cfg->self_idx)
				continue;
			if (!up || !(skb = skb_dequeue(pool))) {
				n->peer.links[li].cnt[VIGIL_CNT_TX_ERRORS]++;
				link->cnt[VIGIL_CNT_TX_ERRORS]++;
				continue;
			}
			skb_reserve(skb, VIGIL_HEADROOM);
			hb.link = li;
			hb.dst = n->id;
			vigil_peer_echo(&n->peer, li, now_ns, &hb.echo_seq,
					&hb.echo_delay_us);
			ret = vigil_wire_encode(&hb, cfg->primary,
						skb_put(skb, len), len);
			if (ret != (int)len) {
				kfree_skb(skb);
				n->peer.links[li].cnt[VIGIL_CNT_TX_ERRORS]++;
				link->cnt[VIGIL_CNT_TX_ERRORS]++;
				continue;
			}
			cb = (struct vigil_tx_cb *)skb->cb;
			cb->node = i;
			cb->link = li;
			__skb_queue_tail(txq, skb);
		}
	}
}

/* Send what build_round() queued, without the lock, in an RCU section. */
static void send_round(struct vigil_instance *vi, struct vigil_config *cfg,
		       struct sk_buff_head *txq, bool direct)
{
	struct sk_buff *skb;

	/*
	 * A transmit may loop back into a receive handler on this CPU, so
	 * the lock is not held. cfg and its links stay valid: they are
	 * freed only after a grace period.
	 */
	while ((skb = __skb_dequeue(txq))) {
		struct vigil_tx_cb cb = *(struct vigil_tx_cb *)skb->cb;
		struct vigil_node *n = &cfg->nodes[cb.node];
		struct vigil_link *link = cfg->links[cb.link];
		enum vigil_counter c;
		int ret;

		/* The stack below owns skb->cb from here on. */
		memset(skb->cb, 0, sizeof(skb->cb));
		ret = vigil_link_xmit(vi, link, &n->addr[cb.link], skb, direct);
		c = ret ? VIGIL_CNT_TX_ERRORS : VIGIL_CNT_TX;
		spin_lock_bh(&vi->lock);
		n->peer.links[cb.link].cnt[c]++;
		link->cnt[c]++;
		spin_unlock_bh(&vi->lock);
	}
}

void vigil_hb_last_gasp(struct vigil_instance *vi, bool dumping)
{
	struct vigil_config *cfg;
	struct sk_buff_head txq;
	s64 now;

	__skb_queue_head_init(&txq);
	rcu_read_lock();
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg) {
		spin_unlock_bh(&vi->lock);
		rcu_read_unlock();
		return;
	}
	now = ktime_get_boottime_ns();
	vi->seq++;
	vigil_txlog_add(&vi->txlog, vi->seq, now);
	build_round(vi, cfg, now, &vi->gasp_pool,
		    dumping ? VIGIL_HB_F_DUMPING : 0, &txq);
	spin_unlock_bh(&vi->lock);
	send_round(vi, cfg, &txq, true);
	rcu_read_unlock();
}

/* One round: time out peers, update membership and the lease, send. */
static void round_fn(struct tasklet_struct *t)
{
	struct vigil_instance *vi = from_tasklet(vi, t, round);
	struct sk_buff_head txq, evq;
	struct vigil_config *cfg;
	s64 now, timeout;
	unsigned int i;

	__skb_queue_head_init(&txq);
	__skb_queue_head_init(&evq);

	rcu_read_lock();
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg) {
		spin_unlock_bh(&vi->lock);
		rcu_read_unlock();
		return;
	}
	now = ktime_get_boottime_ns();
	timeout = (s64)cfg->timeout_ms * NSEC_PER_MSEC;
	for (i = 0; i < cfg->nnodes; i++) {
		struct vigil_node *n = &cfg->nodes[i];
		struct vigil_peer_change ch;

		if (i == cfg->self_idx)
			continue;
		vigil_peer_tick(&n->peer, now, timeout, &ch);
		peer_events(vi, n, &ch, &evq);
	}
	vigil_hb_update(vi, cfg, now, false, &evq);
	vigil_fence_tick(vi, cfg, now, &evq);
	vi->seq++;
	vigil_txlog_add(&vi->txlog, vi->seq, now);
	build_round(vi, cfg, now, &vi->pool, 0, &txq);
	spin_unlock_bh(&vi->lock);

	send_round(vi, cfg, &txq, false);
	rcu_read_unlock();

	vigil_event_send(vi, &evq);
	vigil_fence_doom(vi);

	/*
	 * Refill for the next round now if memory allows (the round never
	 * depends on it), and leave the rest to the work item, which can
	 * reclaim but may be starved as ksoftirqd would be.
	 */
	pool_refill(&vi->pool, READ_ONCE(vi->pool_target),
		    GFP_ATOMIC | __GFP_NOWARN);
	if (skb_queue_len(&vi->pool) < READ_ONCE(vi->pool_target) ||
	    skb_queue_len(&vi->gasp_pool) < READ_ONCE(vi->gasp_target))
		queue_work(system_highpri_wq, &vi->refill);
}

/* Hard interrupt context: only schedule the round. */
static enum hrtimer_restart tick(struct hrtimer *timer)
{
	struct vigil_instance *vi = container_of(timer, struct vigil_instance,
						 timer);
	u32 interval_ms = READ_ONCE(vi->interval_ms);

	if (!interval_ms)
		return HRTIMER_NORESTART;
	tasklet_hi_schedule(&vi->round);
	hrtimer_forward_now(timer, ms_to_ktime(interval_ms));
	return HRTIMER_RESTART;
}

void vigil_hb_rx_bad(struct vigil_link *link, enum vigil_counter why)
{
	struct vigil_instance *vi = link->vi;
	struct vigil_config *cfg;

	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (cfg && cfg->links[link->index] == link)
		link->cnt[why]++;
	spin_unlock_bh(&vi->lock);
}

void vigil_hb_rx(struct vigil_link *link, const u8 *buf, size_t len)
{
	struct vigil_instance *vi = link->vi;
	struct vigil_peer_change ch;
	struct vigil_config *cfg;
	struct sk_buff_head evq;
	struct vigil_wire_rx rx;
	enum vigil_counter verdict;
	struct vigil_node *n;
	struct vigil_hb hb;
	s64 now;

	cfg = rcu_dereference(vi->cfg);
	if (!cfg || cfg->links[link->index] != link)
		return;
	/*
	 * Keys, cluster and node ids never change in a published
	 * configuration: verify outside the lock.
	 */
	rx.cluster_id = cfg->cluster_id;
	rx.self = cfg->self_id;
	rx.link = link->index;
	rx.nodes = cfg->node_bits;
	rx.keys = cfg->keys;
	rx.nkeys = cfg->nkeys;
	verdict = vigil_wire_decode(buf, len, &rx, &hb);

	__skb_queue_head_init(&evq);
	spin_lock_bh(&vi->lock);
	if (vigil_cfg_locked(vi) != cfg)
		goto out;
	n = verdict == VIGIL_CNT_RX ? vigil_node_find(cfg, hb.src) : NULL;
	if (verdict == VIGIL_CNT_RX && (!n || n->id == cfg->self_id))
		verdict = VIGIL_CNT_RX_BAD_NODE;
	if (verdict != VIGIL_CNT_RX) {
		link->cnt[verdict]++;
		goto out;
	}
	now = ktime_get_boottime_ns();
	verdict = vigil_peer_rx(&n->peer, &hb, now, &vi->txlog, &ch);
	link->cnt[verdict]++;
	if (verdict == VIGIL_CNT_RX) {
		peer_events(vi, n, &ch, &evq);
		if (ch.lease)
			vigil_fence_lease_rx(vi, cfg, n);
		if (ch.up || ch.down || ch.left || ch.fenced || ch.restarted ||
		    ch.link_up || ch.link_down || ch.payload)
			vigil_hb_update(vi, cfg, now, ch.restarted, &evq);
	}
out:
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
}

void vigil_hb_init(struct vigil_instance *vi)
{
	skb_queue_head_init(&vi->pool);
	skb_queue_head_init(&vi->gasp_pool);
	INIT_WORK(&vi->refill, refill_work);
	tasklet_setup(&vi->round, round_fn);
	hrtimer_init(&vi->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	vi->timer.function = tick;
}

void vigil_hb_start(struct vigil_instance *vi)
{
	hrtimer_start(&vi->timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
}

void vigil_hb_stop(struct vigil_instance *vi)
{
	WRITE_ONCE(vi->interval_ms, 0);
	hrtimer_cancel(&vi->timer);
	tasklet_kill(&vi->round);
	cancel_work_sync(&vi->refill);
	skb_queue_purge(&vi->pool);
	skb_queue_purge(&vi->gasp_pool);
}
