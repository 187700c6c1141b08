/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What fuzz_wire.c and its seed-corpus generator fuzz_mkcorpus.c share:
 * the receiver's fixed configuration and the input format.
 *
 * An input is the bytes of one frame, decoded as they are, and also a
 * sequence of records, each fed to the receiver in turn:
 *
 *	u8	ctl: bit 0: put a right MAC on the frame (under key bit 1)
 *		before decoding it, as a key holder could; bits 2..7: how
 *		far the clock moves first, in FUZZ_STEP_NS units
 *	be16	frame length (cut to what is left of the input)
 *	...	the frame
 *
 * Include after seam.h and the core .c files.
 */
#ifndef _VIGIL_FUZZ_WIRE_H
#define _VIGIL_FUZZ_WIRE_H

#define FUZZ_CLUSTER	0x76696731	/* "vig1" */
#define FUZZ_SELF	1
#define FUZZ_LINK	1
#define FUZZ_STEP_NS	(25 * 1000 * 1000LL)
#define FUZZ_TIMEOUT_NS	(500 * 1000 * 1000LL)
#define FUZZ_REC_HDR	3

#define FUZZ_CTL_REMAC	0x01
#define FUZZ_CTL_KEY2	0x02
#define FUZZ_CTL_STEP(n) ((n) << 2)

/* The configured nodes other than FUZZ_SELF. */
static const u16 fuzz_peers[] = { 2, 3, 5, 256 };

struct fuzz_fixture {
	struct vigil_key keys[2];
	u8 nodes[VIGIL_MEMBERS_BYTES];
	struct vigil_wire_rx rx;
};

static inline void fuzz_fixture_init(struct fuzz_fixture *f)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->keys[0].id = 1;
	f->keys[0].primary = true;
	f->keys[1].id = 2;
	for (i = 0; i < VIGIL_KEY_LEN; i++) {
		f->keys[0].secret[i] = 0x10 + i;
		f->keys[1].secret[i] = 0xf0 - i;
	}
	f->nodes[(FUZZ_SELF - 1) / 8] |= 1U << ((FUZZ_SELF - 1) % 8);
	for (i = 0; i < ARRAY_SIZE(fuzz_peers); i++)
		f->nodes[(fuzz_peers[i] - 1) / 8] |=
			1U << ((fuzz_peers[i] - 1) % 8);
	f->rx.cluster_id = FUZZ_CLUSTER;
	f->rx.self = FUZZ_SELF;
	f->rx.link = FUZZ_LINK;
	f->rx.nodes = f->nodes;
	f->rx.keys = f->keys;
	f->rx.nkeys = 2;
}

#endif /* _VIGIL_FUZZ_WIRE_H */
