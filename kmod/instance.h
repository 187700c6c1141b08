/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One vigil instance per network namespace: its configuration, peers,
 * links, heartbeat timer, transmit pool and quorum state.
 *
 * Locking (see Documentation/kernel.md):
 *  - vi->lock (spin_lock_bh) protects vi->cfg, everything reachable from
 *    it that changes (peer state, counters, link->dev), and the instance's
 *    runtime state below it. The heartbeat timer (softirq), the receive
 *    paths (softirq) and netlink (process context) take it.
 *  - RTNL serialises attaching and detaching links (SET_CONFIG, the
 *    netdevice notifier, namespace exit).
 *  - vi->cfg is also RCU-protected: a configuration is freed only after
 *    it was unpublished under the lock and a grace period has passed, so
 *    the timer may transmit on a configuration's links after dropping the
 *    lock, and receive handlers may dereference the link they were called
 *    for.
 */
#ifndef _VIGIL_INSTANCE_H
#define _VIGIL_INSTANCE_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/workqueue.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/in6.h>
#include <linux/if_ether.h>
#include <linux/rcupdate.h>
#include <linux/netlink.h>
#include <uapi/linux/vigil.h>

#include "core/wire.h"
#include "core/peer.h"
#include "core/quorum.h"
#include "core/lease.h"

struct vigil_instance;

/* A local link: one transport on one interface (or any, for UDP). */
struct vigil_link {
	struct vigil_instance *vi;
	u8 index;
	u8 type;			/* enum vigil_link_type */
	u8 family;			/* UDP: AF_INET or AF_INET6 */
	u16 ethertype;			/* L2 */
	u16 port;			/* UDP: local port */
	char name[VIGIL_NAME_MAX];
	char ifname[IFNAMSIZ];		/* "" for UDP on any interface */
	/* The request's IFNAME attribute, for error reports while it is
	 * being applied; NULL otherwise. */
	const struct nlattr *ifname_attr;

	/* Attachment, changed under RTNL and vi->lock. */
	struct net_device __rcu *dev;	/* held while attached */
	netdevice_tracker dev_tracker;
	int ifindex;			/* 0 while the interface is gone */
	struct packet_type pt;		/* L2 receive */
	bool pt_added;
	struct socket *sock;		/* UDP */

	/* Everything seen on this link, and what no peer can be blamed for. */
	u64 cnt[__VIGIL_CNT_LAST];
};

/* Where to send to one node on one link. */
struct vigil_addr {
	bool set;
	u8 mac[ETH_ALEN];
	__be32 in;
	struct in6_addr in6;
	u16 port;
};

struct vigil_node {
	u16 id;
	u32 votes;
	char name[VIGIL_NAME_MAX];
	struct vigil_addr addr[VIGIL_LINKS_MAX];
	struct vigil_peer peer;		/* unused for this node itself */
};

/* What one cause of a self-fence does. */
struct vigil_fence_policy {
	u8 action;			/* enum vigil_fence_action */
	u32 delay_ms;
};

/* A configuration: immutable once published, except peer state, link
 * attachment and counters (under vi->lock). */
struct vigil_config {
	u32 cluster_id;
	u16 self_id;
	u32 timeout_ms;
	u32 interval_ms;
	u32 witness_votes;
	u32 flags;
	u32 lease_ms;
	struct vigil_quorum quorum;

	/* Self-fencing: protected interfaces and the policy per cause. */
	char protect[VIGIL_PROTECT_MAX][IFNAMSIZ];
	/* ifindex of each, 0 while it is gone: written under RTNL and
	 * vi->lock, read by the netfilter hook with READ_ONCE. */
	int protect_ifindex[VIGIL_PROTECT_MAX];
	const struct nlattr *protect_attr[VIGIL_PROTECT_MAX];	/* while applied */
	unsigned int nprotect;
	struct vigil_fence_policy fence[__VIGIL_CAUSE_LAST];

	unsigned int nkeys;
	struct vigil_key keys[2];
	const struct vigil_key *primary;

	struct vigil_link *links[VIGIL_LINKS_MAX];	/* by index; NULL: none */
	unsigned int nlinks;

	unsigned int frames;				/* per round */

	u8 node_bits[VIGIL_MEMBERS_BYTES];		/* configured ids */
	u16 node_idx[VIGIL_NODES_MAX + 1];		/* id -> index + 1 */
	unsigned int self_idx;
	unsigned int nnodes;
	struct vigil_node nodes[];
};

struct vigil_instance {
	struct net *net;
	spinlock_t lock;
	struct vigil_config __rcu *cfg;

	u64 incarnation;
	u64 seq;
	u64 generation;
	bool quorate;
	u32 votes;
	u8 members[VIGIL_MEMBERS_BYTES];
	s64 witness_until_ns;		/* CLOCK_BOOTTIME; 0: not granted */
	struct vigil_txlog txlog;
	u16 payload_len;
	u8 payload[VIGIL_PAYLOAD_MAX];

	struct hrtimer timer;		/* hard: schedules the round */
	struct tasklet_struct round;	/* HI_SOFTIRQ, see heartbeat.c */
	u32 interval_ms;		/* of the published config; 0: stop */

	/* Preallocated heartbeat skbs for one round, see heartbeat.c, and
	 * for the last-gasp notice, see fence.c. */
	struct sk_buff_head pool;
	struct sk_buff_head gasp_pool;
	unsigned int pool_target;
	unsigned int gasp_target;
	struct work_struct refill;

	/*
	 * Self-fencing (fence.c). The netfilter hook reads lease_until_ns
	 * and latched locklessly (READ_ONCE); they are written under
	 * vi->lock.
	 */
	s64 lease_until_ns;		/* CLOCK_BOOTTIME; 0: no lease */
	u8 latched;			/* cause of a freeze; 0: not latched */
	bool hooks;			/* netfilter hooks registered (RTNL) */
	atomic64_t gate_dropped;
	bool lease_held;		/* fresh at the last check */
	bool lease_lapsed;		/* ran out while a quorum fence waited */
	bool quorum_fired;		/* the quorum cause fired, not re-armed */
	struct {
		bool armed;
		u8 action;
		s64 deadline_ns;
	} pending[__VIGIL_CAUSE_LAST];
	u8 doom_action;			/* PANIC or REBOOT decided, see fence.c */
	u8 doom_cause;
	bool doom_dumping;		/* a crash kernel was loaded then */
	bool doomed;			/* vigil_fence_doom() is carrying it out */
	u32 daemon_timeout_ms;		/* 0: no daemon registered */
	s64 daemon_deadline_ns;
	bool daemon_fired;
	/* Scratch for the lease computation (under vi->lock). */
	struct vigil_lease_vote lease_votes[VIGIL_NODES_MAX + 1];

	/* Formatted extended ACK messages (6.1 has no NL_SET_ERR_MSG_FMT). */
	char errmsg[192];
};

struct vigil_instance *vigil_instance_get(struct net *net);

/* Publish a new configuration, or change nothing and return an error. */
int vigil_config_apply(struct vigil_instance *vi, struct vigil_config *new,
		       struct netlink_ext_ack *extack);
/* Free an unpublished configuration (its links closed or never opened). */
void vigil_config_free(struct vigil_config *cfg);

int vigil_instance_init(void);
void vigil_instance_uninit(void);

/*
 * Refuse a netlink request with a formatted message naming @attr (may be
 * NULL). The text lives in vi->errmsg until the next refusal.
 */
void vigil_nl_err(struct vigil_instance *vi, struct netlink_ext_ack *extack,
		  const struct nlattr *attr, const char *fmt, ...)
	__printf(4, 5);

static inline struct vigil_config *vigil_cfg_locked(struct vigil_instance *vi)
{
	return rcu_dereference_protected(vi->cfg, lockdep_is_held(&vi->lock));
}

static inline struct vigil_node *vigil_node_find(struct vigil_config *cfg,
						 u16 id)
{
	if (!id || id > VIGIL_NODES_MAX || !cfg->node_idx[id])
		return NULL;
	return &cfg->nodes[cfg->node_idx[id] - 1];
}

#endif /* _VIGIL_INSTANCE_H */
