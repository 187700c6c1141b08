/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_HEARTBEAT_H
#define _VIGIL_HEARTBEAT_H

#include <linux/skbuff.h>
#include "instance.h"

/* Set up the timer, the transmit pool and its refill work. */
void vigil_hb_init(struct vigil_instance *vi);
/* Start heartbeating (the first configuration was published). */
void vigil_hb_start(struct vigil_instance *vi);
/* Stop the timer and the refill work, free the pool (process context). */
void vigil_hb_stop(struct vigil_instance *vi);

/* Grow the pools for rounds of @frames heartbeats (process context). */
int vigil_hb_pool_fill(struct vigil_instance *vi, unsigned int frames);
/* Set what the refill work keeps the pools at, and run it. */
void vigil_hb_pool_target(struct vigil_instance *vi, unsigned int frames);

/*
 * The last-gasp notice: one heartbeat to every peer on every link, with
 * the fence flags (and VIGIL_HB_F_DUMPING if @dumping), from the
 * preallocated last-gasp pool, L2 frames straight to the driver. Any
 * context but hard IRQ; takes vi->lock.
 */
/*
 * The last-gasp notice goes out this many times, VIGIL_GASP_DRAIN_MS
 * apart (fence.c): a virtual NIC whose host is busy may not have sent the
 * first copy when the reset or panic comes.
 */
#define VIGIL_GASP_COPIES 2

void vigil_hb_last_gasp(struct vigil_instance *vi, bool dumping);

/*
 * Recompute membership, votes and quorum from the peers' state at @now_ns
 * (under vi->lock); bump the generation if anything changed or @changed;
 * queue events on @evq (and stamp every queued event with the result).
 */
void vigil_hb_update(struct vigil_instance *vi, struct vigil_config *cfg,
		     s64 now_ns, bool changed, struct sk_buff_head *evq);

/* Receive paths (softirq, RCU held): a frame of @len bytes on @link. */
void vigil_hb_rx(struct vigil_link *link, const u8 *buf, size_t len);
/* Count a frame on @link refused before it could be decoded. */
void vigil_hb_rx_bad(struct vigil_link *link, enum vigil_counter why);

#endif /* _VIGIL_HEARTBEAT_H */
