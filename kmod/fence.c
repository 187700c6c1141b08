// SPDX-License-Identifier: GPL-2.0
/*
 * Self-fencing: the I/O lease and the gate that enforces it on the
 * protected interfaces, the causes of a self-fence (quorum, daemon,
 * operator) with their delays, and the actions (none, freeze, panic,
 * reboot). Documentation/fencing.md explains the timing argument.
 *
 * Contexts: the gate is a netfilter hook (softirq or process context,
 * RCU held) and reads only lease_until_ns and latched, with READ_ONCE;
 * the rest runs under vi->lock from the heartbeat timer (softirq), the
 * receive path (softirq) or netlink (process context). Nothing here
 * allocates or sleeps except the configuration helpers, which say so.
 * A PANIC or REBOOT is decided under the lock and carried out after it
 * is dropped and the events are sent (vigil_fence_doom()).
 */

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netfilter_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "instance.h"
#include "fence.h"
#include "heartbeat.h"
#include "netlink.h"

/*
 * How long a PANIC or REBOOT lets the NIC drain each copy of the last-gasp
 * notice. A physical NIC needs microseconds; a virtual one needs its
 * host's I/O thread to run before the guest resets, and on a busy host
 * 20 ms was seen not to be enough (the notice was lost: peers saw a plain
 * death and could not take the reboot as proof).
 */
#define VIGIL_GASP_DRAIN_MS 50

static const char *const cause_names[] = {
	[VIGIL_CAUSE_QUORUM]	= "quorum lost",
	[VIGIL_CAUSE_DAEMON]	= "daemon lost",
	[VIGIL_CAUSE_OPERATOR]	= "operator request",
};

/* --- the gate --------------------------------------------------------- */

bool vigil_gate_passes(const struct vigil_instance *vi)
{
	return !READ_ONCE(vi->latched) &&
	       ktime_get_boot_fast_ns() < READ_ONCE(vi->lease_until_ns);
}

u8 vigil_gate_state(const struct vigil_instance *vi,
		    const struct vigil_config *cfg, s64 now_ns)
{
	if (!cfg || !cfg->nprotect)
		return VIGIL_GATE_NONE;
	if (vi->latched)
		return VIGIL_GATE_LATCHED;
	return now_ns < vi->lease_until_ns ? VIGIL_GATE_OPEN : VIGIL_GATE_CLOSED;
}

static bool protected_dev(const struct vigil_config *cfg, int ifindex)
{
	unsigned int i;

	for (i = 0; i < cfg->nprotect; i++) {
		if (READ_ONCE(cfg->protect_ifindex[i]) == ifindex)
			return true;
	}
	return false;
}

/* A UDP datagram to one of the instance's UDP heartbeat ports. */
static bool to_heartbeat_port(const struct vigil_config *cfg,
			      struct sk_buff *skb, u8 family)
{
	struct udphdr _uh;
	const struct udphdr *uh;
	unsigned int off, li;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_UDP || ip_is_fragment(iph))
			return false;
		off = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_UDP)
			return false;
		off = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	}
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh)
		return false;
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		const struct vigil_link *link = cfg->links[li];

		if (link && link->type == VIGIL_LINK_UDP &&
		    link->family == family && ntohs(uh->dest) == link->port)
			return true;
	}
	return false;
}

/* Is @a the address of another node on one of our UDP links? */
static bool peer_in(const struct vigil_config *cfg, __be32 a)
{
	unsigned int i, li;

	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		const struct vigil_link *link = cfg->links[li];

		if (!link || link->type != VIGIL_LINK_UDP ||
		    link->family != AF_INET)
			continue;
		for (i = 0; i < cfg->nnodes; i++) {
			if (i != cfg->self_idx && cfg->nodes[i].addr[li].set &&
			    cfg->nodes[i].addr[li].in == a)
				return true;
		}
	}
	return false;
}

static bool peer_in6(const struct vigil_config *cfg, const struct in6_addr *a)
{
	unsigned int i, li;

	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		const struct vigil_link *link = cfg->links[li];

		if (!link || link->type != VIGIL_LINK_UDP ||
		    link->family != AF_INET6)
			continue;
		for (i = 0; i < cfg->nnodes; i++) {
			if (i != cfg->self_idx && cfg->nodes[i].addr[li].set &&
			    ipv6_addr_equal(&cfg->nodes[i].addr[li].in6, a))
				return true;
		}
	}
	return false;
}

/*
 * Address resolution for UDP heartbeats: an Ethernet/IPv4 ARP packet
 * whose sender or target is a peer's heartbeat address.
 */
static bool heartbeat_arp(const struct vigil_config *cfg, struct sk_buff *skb)
{
	struct {
		struct arphdr hdr;
		u8 sha[ETH_ALEN];
		__be32 sip;
		u8 tha[ETH_ALEN];
		__be32 tip;
	} __packed _arp;
	const typeof(_arp) *arp;

	arp = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_arp),
				 &_arp);
	if (!arp || arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) || arp->hdr.ar_hln != ETH_ALEN ||
	    arp->hdr.ar_pln != 4)
		return false;
	return peer_in(cfg, arp->sip) || peer_in(cfg, arp->tip);
}

/*
 * Neighbour discovery for UDP heartbeats over IPv6: a neighbour
 * solicitation or advertisement whose source, destination or target is
 * a peer's heartbeat address.
 */
static bool heartbeat_nd(const struct vigil_config *cfg, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6 = ipv6_hdr(skb);
	struct {
		struct icmp6hdr hdr;
		struct in6_addr target;
	} _nd;
	const typeof(_nd) *nd;

	if (ip6->nexthdr != IPPROTO_ICMPV6)
		return false;
	nd = skb_header_pointer(skb, skb_network_offset(skb) + sizeof(*ip6),
				sizeof(_nd), &_nd);
	if (!nd || (nd->hdr.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION &&
		    nd->hdr.icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT))
		return false;
	return peer_in6(cfg, &ip6->saddr) || peer_in6(cfg, &ip6->daddr) ||
	       peer_in6(cfg, &nd->target);
}

/*
 * Heartbeats always pass: our own UDP sockets out, our UDP ports in, and
 * the address resolution they need to reach the peers.
 */
static bool heartbeat(const struct vigil_config *cfg, struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	unsigned int li;

	if (state->pf == NFPROTO_ARP)
		return heartbeat_arp(cfg, skb);
	if (state->pf == NFPROTO_IPV6 && heartbeat_nd(cfg, skb))
		return true;
	if (state->hook == NF_INET_POST_ROUTING) {
		if (!state->sk)
			return false;
		for (li = 0; li < VIGIL_LINKS_MAX; li++) {
			const struct vigil_link *link = cfg->links[li];

			if (link && link->sock && link->sock->sk == state->sk)
				return true;
		}
		return false;
	}
	return to_heartbeat_port(cfg, skb,
				 state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6);
}

static unsigned int gate_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct vigil_instance *vi = vigil_instance_get(state->net);
	const struct net_device *dev = state->in ? state->in : state->out;
	const struct vigil_config *cfg = rcu_dereference(vi->cfg);

	if (!cfg || !dev || !protected_dev(cfg, dev->ifindex))
		return NF_ACCEPT;
	if (vigil_gate_passes(vi) || heartbeat(cfg, skb, state))
		return NF_ACCEPT;
	atomic64_inc(&vi->gate_dropped);
	return NF_DROP;
}

/* Both ways, on every protocol a service speaks over Ethernet. */
static const struct nf_hook_ops vigil_nf_ops[] = {
	{
		.hook = gate_hook, .pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING, .priority = NF_IP_PRI_FIRST,
	}, {
		.hook = gate_hook, .pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING, .priority = NF_IP_PRI_LAST,
	}, {
		.hook = gate_hook, .pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING, .priority = NF_IP6_PRI_FIRST,
	}, {
		.hook = gate_hook, .pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING, .priority = NF_IP6_PRI_LAST,
	}, {
		.hook = gate_hook, .pf = NFPROTO_ARP,
		.hooknum = NF_ARP_IN, .priority = 0,
	}, {
		.hook = gate_hook, .pf = NFPROTO_ARP,
		.hooknum = NF_ARP_OUT, .priority = 0,
	},
};

/* --- configuration ---------------------------------------------------- */

int vigil_fence_resolve(struct vigil_instance *vi, struct vigil_config *new,
			struct netlink_ext_ack *extack)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < new->nprotect; i++) {
		struct net_device *dev = __dev_get_by_name(vi->net,
							   new->protect[i]);

		if (!dev) {
			vigil_nl_err(vi, extack, new->protect_attr[i],
				     "protected interface '%s' not found",
				     new->protect[i]);
			return -ENODEV;
		}
		new->protect_ifindex[i] = dev->ifindex;
	}
	for (i = 0; i < VIGIL_PROTECT_MAX; i++)
		new->protect_attr[i] = NULL;	/* the request goes away */
	return 0;
}

int vigil_fence_hooks_get(struct vigil_instance *vi, struct vigil_config *new,
			  bool *registered)
{
	int ret;

	*registered = false;
	if (!new->nprotect || vi->hooks)
		return 0;
	ret = nf_register_net_hooks(vi->net, vigil_nf_ops,
				    ARRAY_SIZE(vigil_nf_ops));
	if (ret)
		return ret;
	vi->hooks = true;
	*registered = true;
	return 0;
}

void vigil_fence_hooks_put(struct vigil_instance *vi)
{
	if (!vi->hooks)
		return;
	nf_unregister_net_hooks(vi->net, vigil_nf_ops, ARRAY_SIZE(vigil_nf_ops));
	vi->hooks = false;
}

void vigil_fence_netdev(struct vigil_instance *vi, struct vigil_config *cfg,
			unsigned long event, struct net_device *dev)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < cfg->nprotect; i++) {
		if (event == NETDEV_UNREGISTER &&
		    cfg->protect_ifindex[i] == dev->ifindex) {
			WRITE_ONCE(cfg->protect_ifindex[i], 0);
			pr_info("protected interface %s gone\n", dev->name);
		} else if (event == NETDEV_REGISTER && !cfg->protect_ifindex[i] &&
			   !strcmp(cfg->protect[i], dev->name)) {
			WRITE_ONCE(cfg->protect_ifindex[i], dev->ifindex);
			pr_info("protected interface %s back\n", dev->name);
		}
	}
}

/* --- the lease -------------------------------------------------------- */

/* Everyone's evidence, as votes with an end (vi->lease_votes). */
static unsigned int lease_votes(struct vigil_instance *vi,
				struct vigil_config *cfg)
{
	s64 lease_ns = (s64)cfg->lease_ms * NSEC_PER_MSEC;
	struct vigil_lease_vote *v = vi->lease_votes;
	unsigned int i, n = 0;

	for (i = 0; i < cfg->nnodes; i++) {
		const struct vigil_node *node = &cfg->nodes[i];

		if (i == cfg->self_idx || !node->votes ||
		    !node->peer.lease_from_ns)
			continue;
		v[n].until_ns = node->peer.lease_from_ns + lease_ns;
		v[n].votes = node->votes;
		n++;
	}
	if (cfg->witness_votes && vi->witness_until_ns) {
		v[n].until_ns = vi->witness_until_ns;
		v[n].votes = cfg->witness_votes;
		n++;
	}
	return n;
}

void vigil_fence_lease_update(struct vigil_instance *vi,
			      struct vigil_config *cfg)
{
	unsigned int n = lease_votes(vi, cfg);

	WRITE_ONCE(vi->lease_until_ns,
		   vigil_lease_until(vi->lease_votes, n,
				     cfg->nodes[cfg->self_idx].votes,
				     cfg->quorum.needed));
}

void vigil_fence_lease_rx(struct vigil_instance *vi, struct vigil_config *cfg,
			  const struct vigil_node *n)
{
	s64 t = n->peer.lease_from_ns + (s64)cfg->lease_ms * NSEC_PER_MSEC;
	unsigned int count;

	if (!n->votes || t <= vi->lease_until_ns)
		return;
	count = lease_votes(vi, cfg);
	if (vigil_lease_reaches(vi->lease_votes, count,
				cfg->nodes[cfg->self_idx].votes,
				cfg->quorum.needed, t))
		WRITE_ONCE(vi->lease_until_ns, t);
}

/* --- causes and actions ----------------------------------------------- */

static void fence_act(struct vigil_instance *vi, u8 cause,
		      struct sk_buff_head *evq)
{
	u8 action = vi->pending[cause].action;

	vi->pending[cause].armed = false;
	vigil_event_queue_fence(vi, evq, VIGIL_EV_FENCE, 0, cause, action, -1);
	switch (action) {
	case VIGIL_ACTION_FREEZE:
		if (!vi->latched) {
			WRITE_ONCE(vi->latched, cause);
			pr_warn("self-fence (%s): service traffic frozen\n",
				cause_names[cause]);
		}
		break;
	case VIGIL_ACTION_PANIC:
	case VIGIL_ACTION_REBOOT:
		if (!vi->doom_action) {
			vi->doom_action = action;
			vi->doom_cause = cause;
			/* Every frame from now on says the same. */
			vi->doom_dumping = action == VIGIL_ACTION_PANIC &&
					   kexec_crash_loaded();
		}
		break;
	default:
		pr_info("self-fence (%s): action none\n", cause_names[cause]);
		break;
	}
}

/* A cause fired: act now, or after the cause's delay. */
static void fence_fire(struct vigil_instance *vi, struct vigil_config *cfg,
		       u8 cause, u8 action, s64 now_ns,
		       struct sk_buff_head *evq)
{
	u32 delay = cfg->fence[cause].delay_ms;

	if (vi->pending[cause].armed)
		return;
	vi->pending[cause].armed = true;
	vi->pending[cause].action = action;
	vi->pending[cause].deadline_ns = now_ns + (s64)delay * NSEC_PER_MSEC;
	if (cause == VIGIL_CAUSE_QUORUM)
		vi->lease_lapsed = now_ns >= vi->lease_until_ns;
	if (delay) {
		vigil_event_queue_fence(vi, evq, VIGIL_EV_FENCE_PENDING, 0,
					cause, action, -1);
		return;
	}
	fence_act(vi, cause, evq);
}

static void fence_cancel(struct vigil_instance *vi, u8 cause,
			 struct sk_buff_head *evq)
{
	if (!vi->pending[cause].armed)
		return;
	vi->pending[cause].armed = false;
	vigil_event_queue_fence(vi, evq, VIGIL_EV_FENCE_CANCELLED, 0, cause,
				vi->pending[cause].action, -1);
}

void vigil_fence_quorum_lost(struct vigil_instance *vi,
			     struct vigil_config *cfg, s64 now_ns,
			     struct sk_buff_head *evq)
{
	/* Once per loss: quorum and the lease usually go one after the
	 * other. Re-armed when both are back (vigil_fence_tick()). */
	if (vi->quorum_fired)
		return;
	vi->quorum_fired = true;
	fence_fire(vi, cfg, VIGIL_CAUSE_QUORUM,
		   cfg->fence[VIGIL_CAUSE_QUORUM].action, now_ns, evq);
}

void vigil_fence_tick(struct vigil_instance *vi, struct vigil_config *cfg,
		      s64 now_ns, struct sk_buff_head *evq)
{
	bool fresh;
	u8 cause;

	lockdep_assert_held(&vi->lock);
	vigil_fence_lease_update(vi, cfg);
	fresh = now_ns < vi->lease_until_ns;
	if (vi->lease_held && !fresh) {
		vi->lease_held = false;
		vigil_event_queue(vi, evq, VIGIL_EV_LEASE_EXPIRED, 0, -1, 0);
		if (vi->pending[VIGIL_CAUSE_QUORUM].armed)
			vi->lease_lapsed = true;
		vigil_fence_quorum_lost(vi, cfg, now_ns, evq);
	} else if (!vi->lease_held && fresh) {
		vi->lease_held = true;
		vigil_event_queue(vi, evq, VIGIL_EV_LEASE_RENEWED, 0, -1, 0);
	}

	if (vi->daemon_timeout_ms && !vi->daemon_fired &&
	    now_ns >= vi->daemon_deadline_ns) {
		vi->daemon_fired = true;
		pr_warn("daemon missed its %u ms watchdog\n",
			vi->daemon_timeout_ms);
		fence_fire(vi, cfg, VIGIL_CAUSE_DAEMON,
			   cfg->fence[VIGIL_CAUSE_DAEMON].action, now_ns, evq);
	}

	/* Quorum back before the delay ended, the lease never gone. */
	if (vi->pending[VIGIL_CAUSE_QUORUM].armed && vi->quorate && fresh &&
	    !vi->lease_lapsed)
		fence_cancel(vi, VIGIL_CAUSE_QUORUM, evq);
	if (vi->quorum_fired && !vi->pending[VIGIL_CAUSE_QUORUM].armed &&
	    vi->quorate && fresh)
		vi->quorum_fired = false;

	for (cause = VIGIL_CAUSE_QUORUM; cause <= VIGIL_CAUSE_MAX; cause++) {
		if (vi->pending[cause].armed &&
		    now_ns >= vi->pending[cause].deadline_ns)
			fence_act(vi, cause, evq);
	}
}

int vigil_fence_operator(struct vigil_instance *vi, struct vigil_config *cfg,
			 u8 action, s64 now_ns, struct sk_buff_head *evq)
{
	if (vi->pending[VIGIL_CAUSE_OPERATOR].armed)
		return -EBUSY;
	fence_fire(vi, cfg, VIGIL_CAUSE_OPERATOR, action, now_ns, evq);
	return 0;
}

int vigil_gate_open(struct vigil_instance *vi, struct vigil_config *cfg,
		    s64 now_ns, const char **why, struct sk_buff_head *evq)
{
	if (!vi->latched)
		return 0;
	if (!vi->quorate) {
		*why = "this node is not quorate";
		return -EAGAIN;
	}
	if (now_ns >= vi->lease_until_ns) {
		*why = "this node's lease is not fresh";
		return -EAGAIN;
	}
	vigil_event_queue_fence(vi, evq, VIGIL_EV_GATE_OPENED, 0, vi->latched,
				0, -1);
	WRITE_ONCE(vi->latched, 0);
	pr_info("gate reopened\n");
	return 0;
}

void vigil_daemon_register(struct vigil_instance *vi, u32 timeout_ms,
			   s64 now_ns, struct sk_buff_head *evq)
{
	if (!vi->daemon_timeout_ms)
		vigil_event_queue(vi, evq, VIGIL_EV_DAEMON_REGISTERED, 0, -1, 0);
	vi->daemon_timeout_ms = timeout_ms;
	vigil_daemon_pet(vi, now_ns, evq);
}

int vigil_daemon_pet(struct vigil_instance *vi, s64 now_ns,
		     struct sk_buff_head *evq)
{
	if (!vi->daemon_timeout_ms)
		return -ENOENT;
	vi->daemon_deadline_ns = now_ns +
				 (s64)vi->daemon_timeout_ms * NSEC_PER_MSEC;
	if (vi->daemon_fired) {
		vi->daemon_fired = false;
		fence_cancel(vi, VIGIL_CAUSE_DAEMON, evq);
	}
	return 0;
}

int vigil_daemon_unregister(struct vigil_instance *vi,
			    struct sk_buff_head *evq)
{
	if (!vi->daemon_timeout_ms)
		return -ENOENT;
	vi->daemon_timeout_ms = 0;
	vi->daemon_fired = false;
	fence_cancel(vi, VIGIL_CAUSE_DAEMON, evq);
	vigil_event_queue(vi, evq, VIGIL_EV_DAEMON_UNREGISTERED, 0, -1, 0);
	return 0;
}

u8 vigil_fence_flags(const struct vigil_instance *vi)
{
	u8 cause = vi->latched ? vi->latched : vi->doom_cause;
	u8 flags;

	if (!cause)
		return 0;
	flags = VIGIL_HB_F_FENCING | (cause << VIGIL_HB_F_CAUSE_SHIFT);
	if (vi->doom_dumping)
		flags |= VIGIL_HB_F_DUMPING;
	return flags;
}

void vigil_fence_doom(struct vigil_instance *vi)
{
	u8 action = READ_ONCE(vi->doom_action);
	u8 cause = READ_ONCE(vi->doom_cause);
	bool dumping = READ_ONCE(vi->doom_dumping);
	unsigned int i;

	if (!action)
		return;
	/* Once: a round must not start a second notice during the drain. */
	if (xchg(&vi->doomed, true))
		return;
	local_bh_disable();
	for (i = 0; i < VIGIL_GASP_COPIES; i++) {
		vigil_hb_last_gasp(vi, dumping);
		mdelay(VIGIL_GASP_DRAIN_MS);
	}
	if (action == VIGIL_ACTION_REBOOT) {
		pr_emerg("self-fence (%s): emergency restart\n",
			 cause_names[cause]);
		emergency_restart();
	}
	panic("vigil: self-fence (%s)%s", cause_names[cause],
	      dumping ? ", crash dump" : "");
}

void vigil_fence_exit(struct vigil_instance *vi)
{
	vigil_fence_hooks_put(vi);
}
