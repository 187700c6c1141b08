/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Heartbeat wire format (see uapi/linux/vigil.h): encode, decode, verify.
 * Pure logic: no kernel state, no allocation, callable from any context.
 */
#ifndef _VIGIL_CORE_WIRE_H
#define _VIGIL_CORE_WIRE_H

#include "seam.h"

/* A cluster key. @ctx belongs to the surroundings (the kernel keeps its
 * HMAC transform there); the core never touches it. */
struct vigil_key {
	u8 id;
	bool primary;
	u8 secret[VIGIL_KEY_LEN];
	void *ctx;
};

/* A heartbeat, decoded (host byte order). */
struct vigil_hb {
	u8 version;
	u8 key_id;
	u8 link;
	u8 flags;
	u32 cluster_id;
	u16 src;
	u16 dst;
	u64 incarnation;
	u64 seq;
	u64 echo_seq;
	u32 echo_delay_us;
	u64 generation;
	u8 members[VIGIL_MEMBERS_BYTES];
	u16 payload_len;
	u8 payload[VIGIL_PAYLOAD_MAX];
};

/* What a receiver checks a frame against. */
struct vigil_wire_rx {
	u32 cluster_id;
	u16 self;			/* our node id */
	u8 link;			/* the link index it arrived on */
	const u8 *nodes;		/* configured node ids: members bitmap */
	const struct vigil_key *keys;
	unsigned int nkeys;
};

/* Length of the frame for a payload of @payload_len bytes. */
static inline size_t vigil_wire_len(u16 payload_len)
{
	return VIGIL_WIRE_MIN_LEN + payload_len;
}

/*
 * Encode @hb into @buf (at least vigil_wire_len(hb->payload_len) bytes)
 * and MAC it with @key (hb->key_id is ignored: key->id is written).
 * Returns the frame length, or -EINVAL (payload too long) or the MAC
 * function's error.
 */
int vigil_wire_encode(const struct vigil_hb *hb, const struct vigil_key *key,
		      u8 *buf, size_t buflen);

/*
 * Decode and verify the frame @buf of exactly @len bytes. On success fills
 * @hb and returns VIGIL_CNT_RX; otherwise returns the enum vigil_counter
 * that says why it was refused (BAD_LENGTH, BAD_MAGIC, BAD_VERSION,
 * BAD_CLUSTER, BAD_NODE, BAD_KEY, BAD_MAC, BAD_LINK) and @hb is
 * unspecified. Checks are made in that order, the MAC before anything that
 * would let an unauthenticated frame reveal more than its length. Replays
 * are not judged here (see peer.h).
 */
enum vigil_counter vigil_wire_decode(const u8 *buf, size_t len,
				     const struct vigil_wire_rx *rx,
				     struct vigil_hb *hb);

#endif /* _VIGIL_CORE_WIRE_H */
