/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_FENCE_H
#define _VIGIL_FENCE_H

#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include "instance.h"

/* Whether service traffic may pass now (any context, lockless). */
bool vigil_gate_passes(const struct vigil_instance *vi);
/* enum vigil_gate for the status (vi->lock held). */
u8 vigil_gate_state(const struct vigil_instance *vi,
		    const struct vigil_config *cfg, s64 now_ns);

/*
 * Configuration (process context). Before publishing @new, under RTNL:
 * resolve its protected interfaces (-ENODEV with a message naming the
 * missing one). Around the publication: register the netfilter hooks
 * when the first protected interface appears (may sleep; not under
 * RTNL), unregister them when none is left.
 */
int vigil_fence_resolve(struct vigil_instance *vi, struct vigil_config *new,
			struct netlink_ext_ack *extack);
int vigil_fence_hooks_get(struct vigil_instance *vi, struct vigil_config *new,
			  bool *registered);
void vigil_fence_hooks_put(struct vigil_instance *vi);
/* The netdevice notifier's share: a protected interface comes or goes. */
void vigil_fence_netdev(struct vigil_instance *vi, struct vigil_config *cfg,
			unsigned long event, struct net_device *dev);

/*
 * Under vi->lock. The quorum cause when quorum was just lost; the lease
 * on a heartbeat that brought new evidence from @n; and the periodic
 * work: lease, daemon watchdog, pending fences.
 */
void vigil_fence_quorum_lost(struct vigil_instance *vi,
			     struct vigil_config *cfg, s64 now_ns,
			     struct sk_buff_head *evq);
void vigil_fence_lease_rx(struct vigil_instance *vi, struct vigil_config *cfg,
			  const struct vigil_node *n);
void vigil_fence_tick(struct vigil_instance *vi, struct vigil_config *cfg,
		      s64 now_ns, struct sk_buff_head *evq);
/* The full lease computation (config change, witness). */
void vigil_fence_lease_update(struct vigil_instance *vi,
			      struct vigil_config *cfg);

/* Netlink requests (vi->lock held); 0 or -errno with a message. */
int vigil_fence_operator(struct vigil_instance *vi, struct vigil_config *cfg,
			 u8 action, s64 now_ns, struct sk_buff_head *evq);
int vigil_gate_open(struct vigil_instance *vi, struct vigil_config *cfg,
		    s64 now_ns, const char **why, struct sk_buff_head *evq);
void vigil_daemon_register(struct vigil_instance *vi, u32 timeout_ms,
			   s64 now_ns, struct sk_buff_head *evq);
int vigil_daemon_pet(struct vigil_instance *vi, s64 now_ns,
		     struct sk_buff_head *evq);
int vigil_daemon_unregister(struct vigil_instance *vi,
			    struct sk_buff_head *evq);

/*
 * Outside vi->lock, after the events were sent: carry out a PANIC or
 * REBOOT that was decided (last-gasp notice first). Returns only when
 * nothing was decided.
 */
void vigil_fence_doom(struct vigil_instance *vi);

/* Heartbeat flags that say this node is fenced (vi->lock held). */
u8 vigil_fence_flags(const struct vigil_instance *vi);

/* Reset at the instance's end (process context). */
void vigil_fence_exit(struct vigil_instance *vi);

#endif /* _VIGIL_FENCE_H */
