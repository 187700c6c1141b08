// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz_wire into the directory given: a few
 * heartbeats with right MACs under the fuzzer's keys, as single frames and
 * as record sequences (fuzz_wire.h) that bring peers up, lose heartbeats,
 * time links out, restart and leave. Run at build time; binary corpora are
 * never committed.
 */

#include <stdio.h>
#include <stdlib.h>

#include "seam.h"
#include "../../kmod/core/wire.c"
#include "fuzz_wire.h"

static struct fuzz_fixture fx;
static u8 out[8192];
static size_t outlen;
static const char *dir;
static int nfiles;

static struct vigil_hb hb_from(u16 src, u64 inc, u64 seq, u16 plen)
{
	struct vigil_hb hb;
	unsigned int i;

	memset(&hb, 0, sizeof(hb));
	hb.version = VIGIL_PROTOCOL_VERSION;
	hb.link = FUZZ_LINK;
	hb.flags = VIGIL_HB_F_QUORATE;
	hb.cluster_id = FUZZ_CLUSTER;
	hb.src = src;
	hb.dst = FUZZ_SELF;
	hb.incarnation = inc;
	hb.seq = seq;
	hb.echo_seq = seq > 2 ? 100 - seq % 50 : 0;
	hb.echo_delay_us = 250;
	hb.generation = 7 + seq;
	hb.members[0] = 0x07;
	hb.members[31] = 0x80;
	hb.payload_len = plen;
	for (i = 0; i < plen; i++)
		hb.payload[i] = 'a' + i % 26;
	return hb;
}

static size_t encode(const struct vigil_hb *hb, unsigned int key, u8 *buf)
{
	int n = vigil_wire_encode(hb, &fx.keys[key], buf, VIGIL_WIRE_MAX_LEN);

	struct vigil_hb back;

	if (n < 0) {
		fprintf(stderr, "mkcorpus: cannot encode: %d\n", n);
		exit(1);
	}
	/* Seeds meant to be accepted must be. */
	if (hb->link == FUZZ_LINK && hb->dst == FUZZ_SELF &&
	    vigil_wire_decode(buf, n, &fx.rx, &back) != VIGIL_CNT_RX) {
		fprintf(stderr, "mkcorpus: a seed frame is refused\n");
		exit(1);
	}
	return n;
}

/* Append one record; ctl as in fuzz_wire.h. */
static void record(u8 ctl, const struct vigil_hb *hb, unsigned int key)
{
	size_t n;

	if (outlen + FUZZ_REC_HDR + VIGIL_WIRE_MAX_LEN > sizeof(out))
		abort();
	n = encode(hb, key, out + outlen + FUZZ_REC_HDR);
	out[outlen] = ctl;
	put_unaligned_be16(n, out + outlen + 1);
	outlen += FUZZ_REC_HDR + n;
}

static void emit(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d-%s", dir, ++nfiles, name);
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, outlen, f) != outlen || fclose(f)) {
		perror(path);
		exit(1);
	}
	outlen = 0;
}

int main(int argc, char **argv)
{
	const u64 inc = 0x6600000000000000ULL | 0x1234abcd;
	struct vigil_hb hb;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	fuzz_fixture_init(&fx);

	/* Single frames, decoded as the whole input. */
	hb = hb_from(3, inc, 1, 0);
	outlen = encode(&hb, 0, out);
	emit("frame-empty");
	hb = hb_from(256, inc, 9, VIGIL_PAYLOAD_MAX);
	outlen = encode(&hb, 1, out);
	emit("frame-max-key2");
	hb = hb_from(5, inc, 3, 17);
	hb.flags |= VIGIL_HB_F_LEAVING;
	outlen = encode(&hb, 0, out);
	emit("frame-leaving");

	/* A peer comes up, loses some heartbeats, times out, comes back. */
	for (i = 1; i <= 6; i++) {
		hb = hb_from(2, inc, i == 4 ? 8 : i, i);
		record(FUZZ_CTL_STEP(4), &hb, 0);
	}
	hb = hb_from(2, inc, 20, 0);
	record(FUZZ_CTL_STEP(40), &hb, 0);
	emit("up-lost-down-up");

	/* Replays, a restart, a key change, a leave. */
	hb = hb_from(3, inc, 5, 2);
	record(FUZZ_CTL_STEP(1), &hb, 0);
	record(FUZZ_CTL_STEP(1), &hb, 0);
	hb = hb_from(3, inc + 1, 1, 2);
	record(FUZZ_CTL_STEP(2), &hb, 1);
	hb = hb_from(3, inc, 6, 2);
	record(FUZZ_CTL_STEP(2), &hb, 0);
	hb = hb_from(3, inc + 1, 2, 3);
	hb.flags |= VIGIL_HB_F_LEAVING;
	record(FUZZ_CTL_STEP(3), &hb, 1);
	emit("replay-restart-leave");

	/* Frames the fuzzer re-MACs: a wrong link, a wrong receiver. */
	hb = hb_from(5, inc, 2, 4);
	hb.link = FUZZ_LINK + 1;
	record(FUZZ_CTL_REMAC | FUZZ_CTL_STEP(1), &hb, 0);
	hb = hb_from(5, inc, 3, 4);
	hb.dst = 2;
	record(FUZZ_CTL_REMAC | FUZZ_CTL_KEY2 | FUZZ_CTL_STEP(1), &hb, 1);
	hb = hb_from(5, inc, 4, 4);
	record(FUZZ_CTL_REMAC | FUZZ_CTL_STEP(1), &hb, 0);
	emit("remac");

	/* Every peer, both keys. */
	for (i = 0; i < ARRAY_SIZE(fuzz_peers); i++) {
		hb = hb_from(fuzz_peers[i], inc + i, 1 + i, 8 * i);
		record(FUZZ_CTL_STEP(i), &hb, i & 1);
	}
	emit("all-peers");
	return 0;
}
