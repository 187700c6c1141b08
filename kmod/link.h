/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_LINK_H
#define _VIGIL_LINK_H

#include <linux/netlink.h>
#include "instance.h"

/*
 * Open @link in @vi's namespace: its UDP socket, and the interface if it
 * is there (RTNL held, process context). A missing interface is refused
 * here when @must_exist; later it only makes the link down.
 */
int vigil_link_open(struct vigil_instance *vi, struct vigil_link *link,
		    struct netlink_ext_ack *extack);
/* Close everything vigil_link_open() opened (RTNL held; may sleep). */
void vigil_link_close(struct vigil_instance *vi, struct vigil_link *link);

/* Is the link's interface (if it has one) there and up? Under vi->lock. */
bool vigil_link_is_up(struct vigil_link *link);

/*
 * Send the heartbeat in @skb (skb->data is the frame; headroom as the pool
 * provides) on @link to @addr. Softirq context, under rcu_read_lock().
 * Consumes @skb. Returns 0 or a negative errno.
 */
/* Send @skb to @addr on @link; @direct: L2 frames bypass the qdisc. */
int vigil_link_xmit(struct vigil_instance *vi, struct vigil_link *link,
		    const struct vigil_addr *addr, struct sk_buff *skb,
		    bool direct);

int vigil_link_notifier_init(void);
void vigil_link_notifier_uninit(void);

#endif /* _VIGIL_LINK_H */
