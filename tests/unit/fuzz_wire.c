// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the heartbeat receive path: vigil_wire_decode() on
 * arbitrary bytes, then vigil_peer_rx() and vigil_peer_tick() on what it
 * accepts (input format: fuzz_wire.h). Besides the sanitizers, it checks
 * that an accepted frame encodes back to the same bytes and that the
 * peers' state stays consistent.
 *
 *	make fuzz && tests/unit/run-fuzz
 */

#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/wire.c"
#include "../../kmod/core/peer.c"
#include "fuzz_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_fixture fx;
static struct vigil_peer peers[ARRAY_SIZE(fuzz_peers)];
static struct vigil_txlog txlog;

static struct vigil_peer *peer_of(u16 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fuzz_peers); i++)
		if (peers[i].id == id)
			return &peers[i];
	return NULL;
}

static void check_peer(const struct vigil_peer *p)
{
	bool any_up = false;
	unsigned int i;

	for (i = 0; i < VIGIL_LINKS_MAX; i++) {
		if (p->links[i].up && !p->links[i].last_rx_ns)
			abort();	/* up without a heartbeat */
		any_up |= p->links[i].up;
	}
	if (p->state == VIGIL_PEER_UP && !any_up)
		abort();
	if (p->state == VIGIL_PEER_DOWN && any_up)
		abort();
	if (any_up && p->state == VIGIL_PEER_UNKNOWN)
		abort();
	if (p->payload_len > VIGIL_PAYLOAD_MAX)
		abort();
}

/* An accepted frame must encode back to itself (reserved bytes aside). */
static void check_round_trip(const u8 *buf, size_t len,
			     const struct vigil_hb *hb)
{
	u8 again[VIGIL_WIRE_MAX_LEN];
	unsigned int i;
	int n;

	if (buf[86] || buf[87])
		return;		/* accepted, but encode writes zeroes */
	for (i = 0; i < fx.rx.nkeys; i++) {
		if (fx.keys[i].id != hb->key_id)
			continue;
		n = vigil_wire_encode(hb, &fx.keys[i], again, sizeof(again));
		if (n != (int)len || memcmp(again, buf, len))
			abort();
		return;
	}
	abort();		/* accepted under a key we do not have */
}

static void receive(const u8 *buf, size_t len, s64 now)
{
	struct vigil_peer_change ch;
	struct vigil_peer *p;
	struct vigil_hb hb;
	u64 inc_before;
	unsigned int i;

	if (vigil_wire_decode(buf, len, &fx.rx, &hb) != VIGIL_CNT_RX)
		return;
	check_round_trip(buf, len, &hb);
	p = peer_of(hb.src);
	if (!p || hb.dst != FUZZ_SELF || hb.link != FUZZ_LINK)
		abort();	/* decode let through what it must not */
	inc_before = p->incarnation;
	if (vigil_peer_rx(p, &hb, now, &txlog, &ch) == VIGIL_CNT_RX) {
		if (p->incarnation != hb.incarnation ||
		    p->links[hb.link].last_seq != hb.seq ||
		    !p->links[hb.link].up || hb.incarnation < inc_before)
			abort();
	} else if (p->incarnation != inc_before) {
		abort();
	}
	check_peer(p);
	for (i = 0; i < ARRAY_SIZE(peers); i++) {
		vigil_peer_tick(&peers[i], now, FUZZ_TIMEOUT_NS, &ch);
		check_peer(&peers[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 buf[VIGIL_WIRE_MAX_LEN + 16];
	s64 now = 1000 * FUZZ_TIMEOUT_NS;
	unsigned int i;
	u64 s;

	if (!fx.rx.nkeys)
		fuzz_fixture_init(&fx);
	for (i = 0; i < ARRAY_SIZE(peers); i++)
		vigil_peer_init(&peers[i], fuzz_peers[i], 1);
	memset(&txlog, 0, sizeof(txlog));
	for (s = 1; s <= 100; s++)
		vigil_txlog_add(&txlog, s, now - (s64)(101 - s) * FUZZ_STEP_NS);

	/* The whole input as one frame. */
	receive(data, size, now);

	/* The whole input as records. */
	while (size >= FUZZ_REC_HDR) {
		u8 ctl = data[0];
		size_t len = get_unaligned_be16(data + 1);

		data += FUZZ_REC_HDR;
		size -= FUZZ_REC_HDR;
		if (len > size)
			len = size;
		now += (ctl >> 2) * FUZZ_STEP_NS;
		if ((ctl & FUZZ_CTL_REMAC) && len >= VIGIL_WIRE_MIN_LEN &&
		    len <= sizeof(buf)) {
			const struct vigil_key *key =
				&fx.keys[(ctl & FUZZ_CTL_KEY2) ? 1 : 0];

			memcpy(buf, data, len);
			buf[5] = key->id;
			if (vigil_mac(key, buf, len - VIGIL_WIRE_MAC_LEN,
				      buf + len - VIGIL_WIRE_MAC_LEN))
				abort();
			receive(buf, len, now);
		} else {
			receive(data, len, now);
		}
		data += len;
		size -= len;
	}
	return 0;
}
