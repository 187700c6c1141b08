// SPDX-License-Identifier: GPL-2.0
/*
 * Heartbeat wire format, version 1: encode, decode and verify.
 *
 * The layout is documented in uapi/linux/vigil.h and
 * Documentation/protocol.md; the offsets below follow it.
 */

#include "seam.h"
#include "wire.h"

#define OFF_MAGIC	0
#define OFF_VERSION	4
#define OFF_KEY		5
#define OFF_LINK	6
#define OFF_FLAGS	7
#define OFF_CLUSTER	8
#define OFF_SRC		12
#define OFF_DST		14
#define OFF_INCARN	16
#define OFF_SEQ		24
#define OFF_ECHO	32
#define OFF_ECHO_DELAY	40
#define OFF_GEN		44
#define OFF_MEMBERS	52
#define OFF_PLEN	84
#define OFF_RESERVED	86
#define OFF_PAYLOAD	VIGIL_WIRE_HDR_LEN

int vigil_wire_encode(const struct vigil_hb *hb, const struct vigil_key *key,
		      u8 *buf, size_t buflen)
{
	size_t body;
	int ret;

	if (hb->payload_len > VIGIL_PAYLOAD_MAX)
		return -EINVAL;
	if (buflen < vigil_wire_len(hb->payload_len))
		return -EINVAL;

	put_unaligned_be32(VIGIL_WIRE_MAGIC, buf + OFF_MAGIC);
	buf[OFF_VERSION] = hb->version;
	buf[OFF_KEY] = key->id;
	buf[OFF_LINK] = hb->link;
	buf[OFF_FLAGS] = hb->flags;
	put_unaligned_be32(hb->cluster_id, buf + OFF_CLUSTER);
	put_unaligned_be16(hb->src, buf + OFF_SRC);
	put_unaligned_be16(hb->dst, buf + OFF_DST);
	put_unaligned_be64(hb->incarnation, buf + OFF_INCARN);
	put_unaligned_be64(hb->seq, buf + OFF_SEQ);
	put_unaligned_be64(hb->echo_seq, buf + OFF_ECHO);
	put_unaligned_be32(hb->echo_delay_us, buf + OFF_ECHO_DELAY);
	put_unaligned_be64(hb->generation, buf + OFF_GEN);
	memcpy(buf + OFF_MEMBERS, hb->members, VIGIL_MEMBERS_BYTES);
	put_unaligned_be16(hb->payload_len, buf + OFF_PLEN);
	put_unaligned_be16(0, buf + OFF_RESERVED);
	memcpy(buf + OFF_PAYLOAD, hb->payload, hb->payload_len);

	body = VIGIL_WIRE_HDR_LEN + hb->payload_len;
	ret = vigil_mac(key, buf, body, buf + body);
	if (ret)
		return ret;
	return body + VIGIL_WIRE_MAC_LEN;
}

static const struct vigil_key *find_key(const struct vigil_wire_rx *rx, u8 id)
{
	unsigned int i;

	for (i = 0; i < rx->nkeys; i++)
		if (rx->keys[i].id == id)
			return &rx->keys[i];
	return NULL;
}

/* A sender we may hear from: configured, and not ourselves. */
static bool known_sender(const struct vigil_wire_rx *rx, u16 src)
{
	if (src < 1 || src > VIGIL_NODES_MAX || src == rx->self)
		return false;
	return rx->nodes[(src - 1) / 8] & (1U << ((src - 1) % 8));
}

static void fill(const u8 *buf, struct vigil_hb *hb)
{
	hb->version = buf[OFF_VERSION];
	hb->key_id = buf[OFF_KEY];
	hb->link = buf[OFF_LINK];
	hb->flags = buf[OFF_FLAGS];
	hb->cluster_id = get_unaligned_be32(buf + OFF_CLUSTER);
	hb->src = get_unaligned_be16(buf + OFF_SRC);
	hb->dst = get_unaligned_be16(buf + OFF_DST);
	hb->incarnation = get_unaligned_be64(buf + OFF_INCARN);
	hb->seq = get_unaligned_be64(buf + OFF_SEQ);
	hb->echo_seq = get_unaligned_be64(buf + OFF_ECHO);
	hb->echo_delay_us = get_unaligned_be32(buf + OFF_ECHO_DELAY);
	hb->generation = get_unaligned_be64(buf + OFF_GEN);
	memcpy(hb->members, buf + OFF_MEMBERS, VIGIL_MEMBERS_BYTES);
	hb->payload_len = get_unaligned_be16(buf + OFF_PLEN);
	memcpy(hb->payload, buf + OFF_PAYLOAD, hb->payload_len);
}

enum vigil_counter vigil_wire_decode(const u8 *buf, size_t len,
				     const struct vigil_wire_rx *rx,
				     struct vigil_hb *hb)
{
	u8 mac[VIGIL_WIRE_MAC_LEN];
	const struct vigil_key *key;
	size_t body;
	u16 plen;

	if (len < VIGIL_WIRE_MIN_LEN || len > VIGIL_WIRE_MAX_LEN)
		return VIGIL_CNT_RX_BAD_LENGTH;
	plen = get_unaligned_be16(buf + OFF_PLEN);
	if (plen > VIGIL_PAYLOAD_MAX || len != vigil_wire_len(plen))
		return VIGIL_CNT_RX_BAD_LENGTH;

	if (get_unaligned_be32(buf + OFF_MAGIC) != VIGIL_WIRE_MAGIC)
		return VIGIL_CNT_RX_BAD_MAGIC;
	if (buf[OFF_VERSION] != VIGIL_PROTOCOL_VERSION)
		return VIGIL_CNT_RX_BAD_VERSION;
	if (get_unaligned_be32(buf + OFF_CLUSTER) != rx->cluster_id)
		return VIGIL_CNT_RX_BAD_CLUSTER;
	if (get_unaligned_be16(buf + OFF_DST) != rx->self ||
	    !known_sender(rx, get_unaligned_be16(buf + OFF_SRC)))
		return VIGIL_CNT_RX_BAD_NODE;

	key = find_key(rx, buf[OFF_KEY]);
	if (!key)
		return VIGIL_CNT_RX_BAD_KEY;
	body = VIGIL_WIRE_HDR_LEN + plen;
	if (vigil_mac(key, buf, body, mac) ||
	    crypto_memneq(mac, buf + body, VIGIL_WIRE_MAC_LEN))
		return VIGIL_CNT_RX_BAD_MAC;

	/* Authenticated from here on. */
	if (buf[OFF_LINK] != rx->link)
		return VIGIL_CNT_RX_BAD_LINK;

	fill(buf, hb);
	return VIGIL_CNT_RX;
}
