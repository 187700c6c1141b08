/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_NETLINK_H
#define _VIGIL_NETLINK_H

#include <linux/skbuff.h>

struct vigil_instance;

int vigil_genl_init(void);
void vigil_genl_uninit(void);

/*
 * Events (atomic context allowed). Queue an event message on @q (nothing
 * if nobody listens or memory is short); @link < 0 and @incarnation 0 are
 * left out. vigil_event_stamp() sets the generation and quorum state of
 * every queued message; vigil_event_send() multicasts them, not under
 * vi->lock.
 */
void vigil_event_queue(struct vigil_instance *vi, struct sk_buff_head *q,
		       u32 event, u16 peer, int link, u64 incarnation);
/* A fence event: @cause and @action (0: left out), @dumping (< 0: left
 * out), @peer (0: left out). */
void vigil_event_queue_fence(struct vigil_instance *vi, struct sk_buff_head *q,
			     u32 event, u16 peer, u8 cause, u8 action,
			     int dumping);
void vigil_event_stamp(struct sk_buff_head *q, u64 generation, bool quorate);
void vigil_event_send(struct vigil_instance *vi, struct sk_buff_head *q);

#endif /* _VIGIL_NETLINK_H */
