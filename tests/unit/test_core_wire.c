// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/wire.c: the heartbeat wire format. Round trips,
 * every refusal and the counter it returns, the order of the checks,
 * corruption, truncation, keys, and a known-answer frame computed
 * independently (Python's struct and hmac) that pins the byte layout and
 * proves the MAC is plain HMAC-SHA256 over bytes 0 .. 88+n-1.
 */

#include <stdio.h>
#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/wire.c"
#include "tap.h"

#define CLUSTER 0x01020304
#define SELF 1
#define LINK 2
#define SENDER 3

static struct vigil_key keys[2];
static u8 nodes[VIGIL_MEMBERS_BYTES];
static struct vigil_wire_rx rx;

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void set_node(u8 *m, unsigned int n)
{
	m[(n - 1) / 8] |= 1U << ((n - 1) % 8);
}

static void setup(void)
{
	unsigned int i;

	keys[0].id = 7;
	keys[0].primary = true;
	for (i = 0; i < VIGIL_KEY_LEN; i++)
		keys[0].secret[i] = i;
	keys[1].id = 9;
	memset(keys[1].secret, 0xa5, VIGIL_KEY_LEN);

	set_node(nodes, 1);
	set_node(nodes, 2);
	set_node(nodes, 3);
	set_node(nodes, 5);
	set_node(nodes, 256);

	rx.cluster_id = CLUSTER;
	rx.self = SELF;
	rx.link = LINK;
	rx.nodes = nodes;
	rx.keys = keys;
	rx.nkeys = 2;
}

/* The heartbeat of the known-answer test. */
static void kat_hb(struct vigil_hb *hb)
{
	memset(hb, 0, sizeof(*hb));
	hb->version = VIGIL_PROTOCOL_VERSION;
	hb->key_id = 7;
	hb->link = LINK;
	hb->flags = VIGIL_HB_F_QUORATE;
	hb->cluster_id = CLUSTER;
	hb->src = SENDER;
	hb->dst = SELF;
	hb->incarnation = 0x65a1b2c3deadbeefULL;
	hb->seq = 0x1234;
	hb->echo_seq = 0x1233;
	hb->echo_delay_us = 3000;
	hb->generation = 0x1122334455667788ULL;
	hb->members[0] = 0x07;
	hb->payload_len = 5;
	memcpy(hb->payload, "vigil", 5);
}

/*
 * Computed with Python 3, not with this code:
 *   hdr = struct.pack(">IBBBBIHHQQQIQ32sHH", 0x56474842, 1, 7, 2, 1,
 *           0x01020304, 3, 1, 0x65A1B2C3DEADBEEF, 0x1234, 0x1233, 3000,
 *           0x1122334455667788, bytes([7]) + bytes(31), 5, 0)
 *   body = hdr + b"vigil"
 *   frame = body + hmac.new(bytes(range(32)), body, hashlib.sha256).digest()
 */
static const u8 kat_frame[] = {
	0x56, 0x47, 0x48, 0x42, 0x01, 0x07, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04,
	0x00, 0x03, 0x00, 0x01, 0x65, 0xa1, 0xb2, 0xc3, 0xde, 0xad, 0xbe, 0xef,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x12, 0x33, 0x00, 0x00, 0x0b, 0xb8, 0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x05, 0x00, 0x00, 0x76, 0x69, 0x67, 0x69, 0x6c, 0x30, 0x1d, 0xf8,
	0x47, 0x7a, 0xb8, 0x56, 0x1b, 0xf5, 0x56, 0x95, 0x41, 0x6b, 0x89, 0x76,
	0x94, 0x2c, 0xbe, 0x3a, 0x6e, 0x58, 0x53, 0x03, 0xe0, 0xcc, 0x62, 0xd9,
	0x54, 0x91, 0x52, 0x3e, 0x93,
};

static void random_hb(struct vigil_hb *hb, u16 plen)
{
	unsigned int i;

	memset(hb, 0, sizeof(*hb));
	hb->version = VIGIL_PROTOCOL_VERSION;
	hb->link = LINK;
	hb->flags = rnd();
	hb->cluster_id = CLUSTER;
	hb->src = (rnd() & 1) ? SENDER : 256;
	hb->dst = SELF;
	hb->incarnation = rnd();
	hb->seq = rnd();
	hb->echo_seq = rnd();
	hb->echo_delay_us = rnd();
	hb->generation = rnd();
	for (i = 0; i < VIGIL_MEMBERS_BYTES; i++)
		hb->members[i] = rnd();
	hb->payload_len = plen;
	for (i = 0; i < plen; i++)
		hb->payload[i] = rnd();
}

/* Which field differs, or NULL. */
static const char *hb_diff(const struct vigil_hb *a, const struct vigil_hb *b)
{
#define F(f) do { if (a->f != b->f) return #f; } while (0)
	F(version);
	F(key_id);
	F(link);
	F(flags);
	F(cluster_id);
	F(src);
	F(dst);
	F(incarnation);
	F(seq);
	F(echo_seq);
	F(echo_delay_us);
	F(generation);
	F(payload_len);
#undef F
	if (memcmp(a->members, b->members, VIGIL_MEMBERS_BYTES))
		return "members";
	if (memcmp(a->payload, b->payload, a->payload_len))
		return "payload";
	return NULL;
}

static int encode(const struct vigil_hb *hb, const struct vigil_key *key,
		  u8 *buf)
{
	return vigil_wire_encode(hb, key, buf, VIGIL_WIRE_MAX_LEN);
}

/* Put a correct MAC on a frame we have changed, as a key holder could. */
static void remac(u8 *buf, size_t len, const struct vigil_key *key)
{
	size_t body = len - VIGIL_WIRE_MAC_LEN;

	if (vigil_mac(key, buf, body, buf + body))
		abort();
}

static enum vigil_counter decode(const u8 *buf, size_t len)
{
	struct vigil_hb hb;

	return vigil_wire_decode(buf, len, &rx, &hb);
}

static const char *cnt_name(int c)
{
	static const char *const names[] = {
		[VIGIL_CNT_RX] = "RX",
		[VIGIL_CNT_RX_BAD_LENGTH] = "BAD_LENGTH",
		[VIGIL_CNT_RX_BAD_MAGIC] = "BAD_MAGIC",
		[VIGIL_CNT_RX_BAD_VERSION] = "BAD_VERSION",
		[VIGIL_CNT_RX_BAD_CLUSTER] = "BAD_CLUSTER",
		[VIGIL_CNT_RX_BAD_NODE] = "BAD_NODE",
		[VIGIL_CNT_RX_BAD_KEY] = "BAD_KEY",
		[VIGIL_CNT_RX_BAD_MAC] = "BAD_MAC",
		[VIGIL_CNT_RX_BAD_LINK] = "BAD_LINK",
	};

	if (c < 0 || c >= (int)ARRAY_SIZE(names) || !names[c])
		return "?";
	return names[c];
}

#define is_cnt(got, want, ...) do {					\
	int g_ = (got), w_ = (want);					\
	if (!tap_ok(g_ == w_, __VA_ARGS__))				\
		tap_diag("got %s (%d), want %s (%d)", cnt_name(g_), g_,	\
			 cnt_name(w_), w_);				\
} while (0)

static void test_known_answer(void)
{
	u8 buf[VIGIL_WIRE_MAX_LEN];
	struct vigil_hb hb, out;
	int len;

	kat_hb(&hb);
	len = encode(&hb, &keys[0], buf);
	tap_is_int(len, sizeof(kat_frame), "KAT: frame length 88 + 5 + 32");
	tap_ok(len == sizeof(kat_frame) && !memcmp(buf, kat_frame, len),
	       "KAT: encoded bytes, MAC included, match the independent computation");
	if (len == sizeof(kat_frame) && memcmp(buf, kat_frame, len)) {
		int i;

		for (i = 0; i < len; i++)
			if (buf[i] != kat_frame[i]) {
				tap_diag("first difference at byte %d: %02x, want %02x",
					 i, buf[i], kat_frame[i]);
				break;
			}
	}
	memset(&out, 0x5a, sizeof(out));
	is_cnt(vigil_wire_decode(kat_frame, sizeof(kat_frame), &rx, &out),
	       VIGIL_CNT_RX, "KAT: the independent frame is accepted");
	tap_ok(!hb_diff(&hb, &out), "KAT: and decodes to the heartbeat (%s)",
	       hb_diff(&hb, &out) ?: "all fields equal");
}

static void test_round_trip(void)
{
	static const u16 lens[] = { 0, 1, 5, VIGIL_PAYLOAD_MAX - 1,
				    VIGIL_PAYLOAD_MAX };
	u8 buf[VIGIL_WIRE_MAX_LEN];
	struct vigil_hb hb, out;
	unsigned int i, bad = 0;
	const char *diff = NULL;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		int len;

		random_hb(&hb, lens[i]);
		hb.key_id = 7;
		len = encode(&hb, &keys[0], buf);
		tap_is_int(len, VIGIL_WIRE_MIN_LEN + lens[i],
			   "payload %u: encoded length", lens[i]);
		tap_is_int(len, vigil_wire_len(lens[i]),
			   "payload %u: vigil_wire_len agrees", lens[i]);
		memset(&out, 0xa5, sizeof(out));
		is_cnt(vigil_wire_decode(buf, len, &rx, &out), VIGIL_CNT_RX,
		       "payload %u: accepted", lens[i]);
		diff = hb_diff(&hb, &out);
		tap_ok(!diff, "payload %u: every field round-trips (%s)",
		       lens[i], diff ?: "ok");
	}

	/* Many random heartbeats, either key. */
	for (i = 0; i < 5000; i++) {
		const struct vigil_key *key = &keys[i & 1];
		int len;

		random_hb(&hb, rnd() % (VIGIL_PAYLOAD_MAX + 1));
		hb.key_id = key->id;
		len = encode(&hb, key, buf);
		memset(&out, 0, sizeof(out));
		if (len != (int)vigil_wire_len(hb.payload_len) ||
		    vigil_wire_decode(buf, len, &rx, &out) != VIGIL_CNT_RX ||
		    (diff = hb_diff(&hb, &out))) {
			if (!bad++)
				tap_diag("random heartbeat %u: len %d, field %s",
					 i, len, diff ?: "-");
		}
	}
	tap_is_int(bad, 0, "5000 random heartbeats round-trip");

	/* Each field lands at its documented offset, big-endian. */
	memset(&hb, 0, sizeof(hb));
	hb.version = 0x11;
	hb.link = 0x22;
	hb.flags = 0x33;
	hb.cluster_id = 0x44454647;
	hb.src = 0x4849;
	hb.dst = 0x4a4b;
	hb.incarnation = 0x5051525354555657ULL;
	hb.seq = 0x6061626364656667ULL;
	hb.echo_seq = 0x7071727374757677ULL;
	hb.echo_delay_us = 0x78797a7b;
	hb.generation = 0x8081828384858687ULL;
	hb.members[0] = 0x90;
	hb.members[31] = 0x9f;
	hb.payload_len = 2;
	hb.payload[0] = 0xa0;
	hb.payload[1] = 0xa1;
	encode(&hb, &keys[1], buf);
	tap_ok(buf[4] == 0x11 && buf[5] == 9 && buf[6] == 0x22 &&
	       buf[7] == 0x33 &&
	       get_unaligned_be32(buf + 8) == 0x44454647 &&
	       buf[12] == 0x48 && buf[13] == 0x49 &&
	       buf[14] == 0x4a && buf[15] == 0x4b &&
	       buf[16] == 0x50 && buf[23] == 0x57 &&
	       buf[24] == 0x60 && buf[31] == 0x67 &&
	       buf[32] == 0x70 && buf[39] == 0x77 &&
	       buf[40] == 0x78 && buf[43] == 0x7b &&
	       buf[44] == 0x80 && buf[51] == 0x87 &&
	       buf[52] == 0x90 && buf[83] == 0x9f &&
	       buf[84] == 0 && buf[85] == 2 && buf[86] == 0 && buf[87] == 0 &&
	       buf[88] == 0xa0 && buf[89] == 0xa1,
	       "every field at its documented offset, big-endian");
}

static void test_encode_refusals(void)
{
	u8 buf[VIGIL_WIRE_MAX_LEN + 1];
	struct vigil_hb hb;

	kat_hb(&hb);
	hb.payload_len = VIGIL_PAYLOAD_MAX + 1;
	tap_is_int(vigil_wire_encode(&hb, &keys[0], buf, sizeof(buf)), -EINVAL,
		   "encode: payload longer than VIGIL_PAYLOAD_MAX refused");
	kat_hb(&hb);
	tap_is_int(vigil_wire_encode(&hb, &keys[0], buf, vigil_wire_len(5) - 1),
		   -EINVAL, "encode: a buffer one byte short refused");
	tap_is_int(vigil_wire_encode(&hb, &keys[0], buf, vigil_wire_len(5)),
		   vigil_wire_len(5), "encode: a buffer of the exact length");
	vigil_mac_fail = -ENOMEM;
	tap_is_int(vigil_wire_encode(&hb, &keys[0], buf, sizeof(buf)), -ENOMEM,
		   "encode: the MAC function's error comes back");
	vigil_mac_fail = 0;

	hb.key_id = 200;
	encode(&hb, &keys[1], buf);
	tap_is_int(buf[5], 9, "encode: writes key->id, not hb->key_id");
}

struct refusal {
	const char *what;
	unsigned int off;	/* byte to set */
	u8 val;
	bool remac;		/* give it a correct MAC afterwards */
	enum vigil_counter want;
};

static void test_refusals(void)
{
	static const struct refusal cases[] = {
		{ "magic", 0, 'X', true, VIGIL_CNT_RX_BAD_MAGIC },
		{ "magic, last byte", 3, 0x43, true, VIGIL_CNT_RX_BAD_MAGIC },
		{ "version 0", 4, 0, true, VIGIL_CNT_RX_BAD_VERSION },
		{ "version 2", 4, 2, true, VIGIL_CNT_RX_BAD_VERSION },
		{ "cluster", 11, 0x05, true, VIGIL_CNT_RX_BAD_CLUSTER },
		{ "cluster, high byte", 8, 0x81, true, VIGIL_CNT_RX_BAD_CLUSTER },
		{ "sender is ourselves", 13, SELF, true, VIGIL_CNT_RX_BAD_NODE },
		{ "sender not configured", 13, 4, true, VIGIL_CNT_RX_BAD_NODE },
		{ "sender 0", 13, 0, true, VIGIL_CNT_RX_BAD_NODE },
		{ "sender 259 (beyond the bitmap)", 12, 1, true, VIGIL_CNT_RX_BAD_NODE },
		{ "sender 0xff03", 12, 0xff, true, VIGIL_CNT_RX_BAD_NODE },
		{ "receiver is another node", 15, 2, true, VIGIL_CNT_RX_BAD_NODE },
		{ "receiver 0", 15, 0, true, VIGIL_CNT_RX_BAD_NODE },
		{ "unknown key id", 5, 8, false, VIGIL_CNT_RX_BAD_KEY },
		{ "unknown key id 0", 5, 0, false, VIGIL_CNT_RX_BAD_KEY },
		{ "MAC, first byte", 93, 0x31, false, VIGIL_CNT_RX_BAD_MAC },
		{ "MAC, last byte", 124, 0x92, false, VIGIL_CNT_RX_BAD_MAC },
		{ "payload", 90, 'G', false, VIGIL_CNT_RX_BAD_MAC },
		{ "reserved", 87, 1, false, VIGIL_CNT_RX_BAD_MAC },
		{ "flags", 7, 3, false, VIGIL_CNT_RX_BAD_MAC },
		{ "another key's id", 5, 9, false, VIGIL_CNT_RX_BAD_MAC },
		{ "link, without the MAC", 6, 3, false, VIGIL_CNT_RX_BAD_MAC },
		{ "link, with a right MAC", 6, 3, true, VIGIL_CNT_RX_BAD_LINK },
		{ "link 255", 6, 255, true, VIGIL_CNT_RX_BAD_LINK },
		{ "reserved, with a right MAC: accepted", 87, 1, true, VIGIL_CNT_RX },
		{ "unknown flags, with a right MAC: accepted", 7, 0xfc, true, VIGIL_CNT_RX },
	};
	u8 buf[sizeof(kat_frame)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct refusal *c = &cases[i];

		memcpy(buf, kat_frame, sizeof(buf));
		buf[c->off] = c->val;
		if (c->remac)
			remac(buf, sizeof(buf), &keys[0]);
		is_cnt(decode(buf, sizeof(buf)), c->want, "refused: %s -> %s",
		       c->what, cnt_name(c->want));
	}

	/* The right key id with the wrong secret. */
	{
		struct vigil_key impostor = keys[0];

		memcpy(buf, kat_frame, sizeof(buf));
		impostor.secret[31] ^= 1;
		remac(buf, sizeof(buf), &impostor);
		is_cnt(decode(buf, sizeof(buf)), VIGIL_CNT_RX_BAD_MAC,
		       "refused: MAC under a different secret -> BAD_MAC");
	}

	/* A MAC function that fails refuses rather than accepts. */
	vigil_mac_fail = -EIO;
	is_cnt(decode(kat_frame, sizeof(kat_frame)), VIGIL_CNT_RX_BAD_MAC,
	       "refused: MAC function error -> BAD_MAC");
	vigil_mac_fail = 0;

	/* Cheap checks come before the MAC is computed. */
	memcpy(buf, kat_frame, sizeof(buf));
	buf[0] = 0;
	{
		unsigned long calls = vigil_mac_calls;

		decode(buf, sizeof(buf));
		tap_is_int(vigil_mac_calls - calls, 0,
			   "no MAC is computed for a frame with a bad magic");
	}
}

/* Break everything, then repair from the front: the earliest check wins. */
static void test_order(void)
{
	static const enum vigil_counter order[] = {
		VIGIL_CNT_RX_BAD_LENGTH, VIGIL_CNT_RX_BAD_MAGIC,
		VIGIL_CNT_RX_BAD_VERSION, VIGIL_CNT_RX_BAD_CLUSTER,
		VIGIL_CNT_RX_BAD_NODE, VIGIL_CNT_RX_BAD_KEY,
		VIGIL_CNT_RX_BAD_MAC, VIGIL_CNT_RX_BAD_LINK, VIGIL_CNT_RX,
	};
	u8 buf[sizeof(kat_frame) + 1];
	unsigned int step, bad = 0;

	for (step = 0; step < ARRAY_SIZE(order); step++) {
		size_t len = sizeof(kat_frame);
		enum vigil_counter got;

		memcpy(buf, kat_frame, sizeof(kat_frame));
		buf[len] = 0;
		/* Faults at steps >= step are present; earlier ones fixed. */
		if (step <= 7)
			buf[6] = 5;			/* link */
		if (step <= 4)
			buf[15] = 9;			/* receiver */
		if (step <= 3)
			buf[10] ^= 0xff;		/* cluster */
		if (step <= 2)
			buf[4] = 3;			/* version */
		if (step <= 1)
			buf[1] = 'g';			/* magic */
		if (step >= 6)			/* a right MAC from here */
			remac(buf, len, &keys[0]);
		if (step <= 6)
			buf[len - 1] ^= 0x40;		/* MAC */
		if (step <= 5)
			buf[5] = 3;			/* key id */
		if (step == 0)
			len++;				/* length */
		got = decode(buf, len);
		if (got != order[step]) {
			bad++;
			tap_diag("step %u: got %s, want %s", step,
				 cnt_name(got), cnt_name(order[step]));
		}
	}
	tap_is_int(bad, 0, "checks are made in the documented order");
}

static void test_corruption(void)
{
	static const u8 masks[] = { 0x01, 0x10, 0x80, 0xff };
	u8 buf[VIGIL_WIRE_MAX_LEN];
	unsigned int i, m, accepted = 0, tried = 0;
	struct vigil_hb hb;
	int len;

	kat_hb(&hb);
	hb.payload_len = VIGIL_PAYLOAD_MAX;
	memset(hb.payload, 0x3c, VIGIL_PAYLOAD_MAX);
	len = encode(&hb, &keys[1], buf);
	is_cnt(decode(buf, len), VIGIL_CNT_RX, "corruption: the base frame is good");
	for (i = 0; i < (unsigned int)len; i++) {
		for (m = 0; m < ARRAY_SIZE(masks); m++) {
			buf[i] ^= masks[m];
			tried++;
			if (decode(buf, len) == VIGIL_CNT_RX) {
				if (!accepted++)
					tap_diag("byte %u ^ %02x accepted", i,
						 masks[m]);
			}
			buf[i] ^= masks[m];
		}
	}
	tap_is_int(accepted, 0, "corruption: %u single-byte changes all refused",
		   tried);
	is_cnt(decode(buf, len), VIGIL_CNT_RX, "corruption: and the frame is good again");
}

static void test_lengths(void)
{
	u8 buf[VIGIL_WIRE_MAX_LEN + 64];
	unsigned int i, bad = 0;
	struct vigil_hb hb;
	int len;

	kat_hb(&hb);
	hb.payload_len = 40;
	len = encode(&hb, &keys[0], buf);
	memset(buf + len, 0, sizeof(buf) - len);
	for (i = 0; i < (unsigned int)len; i++)
		if (decode(buf, i) != VIGIL_CNT_RX_BAD_LENGTH)
			bad++;
	tap_is_int(bad, 0, "truncated to every length 0..%d: BAD_LENGTH", len - 1);
	bad = 0;
	for (i = len + 1; i < sizeof(buf); i++)
		if (decode(buf, i) != VIGIL_CNT_RX_BAD_LENGTH)
			bad++;
	tap_is_int(bad, 0, "extended by 1..%zu bytes: BAD_LENGTH",
		   sizeof(buf) - len - 1);
	is_cnt(decode(buf, len), VIGIL_CNT_RX, "the exact length is accepted");

	/* The length field claims more than the maximum. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, kat_frame, VIGIL_WIRE_HDR_LEN);
	put_unaligned_be16(VIGIL_PAYLOAD_MAX + 1, buf + 84);
	is_cnt(decode(buf, vigil_wire_len(VIGIL_PAYLOAD_MAX + 1)),
	       VIGIL_CNT_RX_BAD_LENGTH, "payload length 129 in a 249-byte frame");
	put_unaligned_be16(0xffff, buf + 84);
	is_cnt(decode(buf, VIGIL_WIRE_MAX_LEN), VIGIL_CNT_RX_BAD_LENGTH,
	       "payload length 0xffff");
	/* The length field disagrees with the frame's length. */
	memcpy(buf, kat_frame, sizeof(kat_frame));
	put_unaligned_be16(4, buf + 84);
	remac(buf, sizeof(kat_frame), &keys[0]);
	is_cnt(decode(buf, sizeof(kat_frame)), VIGIL_CNT_RX_BAD_LENGTH,
	       "payload length one short of the frame, right MAC");
	is_cnt(decode(buf, VIGIL_WIRE_MIN_LEN - 1), VIGIL_CNT_RX_BAD_LENGTH,
	       "one byte below the minimum");
	is_cnt(decode(buf, VIGIL_WIRE_MAX_LEN + 1), VIGIL_CNT_RX_BAD_LENGTH,
	       "one byte above the maximum");
}

static void test_keys(void)
{
	u8 buf[VIGIL_WIRE_MAX_LEN];
	struct vigil_hb hb, out;
	int len;

	kat_hb(&hb);
	len = encode(&hb, &keys[1], buf);
	is_cnt(vigil_wire_decode(buf, len, &rx, &out), VIGIL_CNT_RX,
	       "keys: a frame under the second key is accepted");
	tap_is_int(out.key_id, 9, "keys: and says which key made it");

	rx.nkeys = 1;
	is_cnt(decode(buf, len), VIGIL_CNT_RX_BAD_KEY,
	       "keys: refused once the second key is gone");
	len = encode(&hb, &keys[0], buf);
	is_cnt(decode(buf, len), VIGIL_CNT_RX,
	       "keys: the first key still works alone");
	rx.nkeys = 0;
	is_cnt(decode(buf, len), VIGIL_CNT_RX_BAD_KEY, "keys: no keys, no frames");
	rx.nkeys = 2;

	/* Key ids are looked up, not indexes. */
	{
		struct vigil_key swapped[2] = { keys[1], keys[0] };

		rx.keys = swapped;
		is_cnt(decode(buf, len), VIGIL_CNT_RX,
		       "keys: found by id whatever their order");
		rx.keys = keys;
	}
}

int main(void)
{
	setup();
	test_known_answer();
	test_round_trip();
	test_encode_refusals();
	test_refusals();
	test_order();
	test_corruption();
	test_lengths();
	test_keys();
	return tap_done();
}
