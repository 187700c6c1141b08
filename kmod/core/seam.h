/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between vigil's pure logic (kmod/core/) and its surroundings.
 *
 * The .c files of kmod/core/ include only this header (and each other's).
 * In the kernel it maps to kernel headers; the userspace unit tests and
 * fuzzers provide a stand-in with the same include guard
 * (tests/unit/seam.h) and #include the core .c files, so one copy of the
 * logic serves both.
 *
 * What the surroundings must provide, besides the usual types, byte-order
 * and unaligned helpers, U32_MAX, BIT(), memcpy/memset/memcmp, div_u64()
 * (64-bit division, which 32-bit kernels cannot do with '/') and
 * crypto_memneq():
 *
 *   int vigil_mac(const struct vigil_key *key, const void *data, size_t len,
 *                 u8 out[VIGIL_WIRE_MAC_LEN]);
 *
 * HMAC-SHA256 of data under key->secret; 0 or -errno. Must not sleep or
 * allocate: it runs in softirq context.
 */
#ifndef _VIGIL_CORE_SEAM_H
#define _VIGIL_CORE_SEAM_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/math64.h>	/* div_u64() */
#include <crypto/algapi.h>	/* crypto_memneq() */
#include <asm/unaligned.h>
#include <uapi/linux/vigil.h>

struct vigil_key;
int vigil_mac(const struct vigil_key *key, const void *data, size_t len,
	      u8 out[VIGIL_WIRE_MAC_LEN]);

#endif /* _VIGIL_CORE_SEAM_H */
