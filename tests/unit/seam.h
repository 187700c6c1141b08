/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for kmod/core/seam.h, as tools/testing/vma does it:
 * a unit test or fuzzer includes this header first, then the core .c
 * files it tests:
 *
 *	#include "seam.h"
 *	#include "../../kmod/core/wire.c"
 *
 * The core's own #include "seam.h" then finds kmod/core/seam.h, whose
 * include guard is this one's, so the kernel headers are never read.
 * Same promises as the kernel seam: the kernel types and helpers the core
 * uses, and vigil_mac() as HMAC-SHA256 from OpenSSL's libcrypto (link
 * with -lcrypto).
 */
#ifndef _VIGIL_CORE_SEAM_H
#define _VIGIL_CORE_SEAM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <linux/vigil.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#ifndef U8_MAX
#define U8_MAX		((u8)~0U)
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))
#define S64_MIN		((s64)(-S64_MAX - 1))
#endif

#define BIT(n)		(1UL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline u64 get_unaligned_be64(const void *p)
{
	const u8 *b = p;

	return (u64)get_unaligned_be32(b) << 32 | get_unaligned_be32(b + 4);
}

static inline void put_unaligned_be16(u16 v, void *p)
{
	u8 *b = p;

	b[0] = v >> 8;
	b[1] = v;
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	put_unaligned_be32(v >> 32, p);
	put_unaligned_be32(v, (u8 *)p + 4);
}

/* Like the kernel's: 0 when equal, without a data-dependent early exit. */
static inline unsigned long crypto_memneq(const void *a, const void *b,
					  size_t size)
{
	const volatile u8 *x = a, *y = b;
	unsigned long neq = 0;

	while (size--)
		neq |= *x++ ^ *y++;
	return neq;
}

struct vigil_key;
int vigil_mac(const struct vigil_key *key, const void *data, size_t len,
	      u8 out[VIGIL_WIRE_MAC_LEN]);

/*
 * vigil_mac() needs struct vigil_key: wire.h defines it, and its own
 * #include "seam.h" is a no-op now that the guard is set.
 */
#include "../../kmod/core/wire.h"

/* Tests may set vigil_mac_fail to make vigil_mac() fail with it. */
static int vigil_mac_fail;
static unsigned long vigil_mac_calls;

int vigil_mac(const struct vigil_key *key, const void *data, size_t len,
	      u8 out[VIGIL_WIRE_MAC_LEN])
{
	unsigned int n = VIGIL_WIRE_MAC_LEN;

	vigil_mac_calls++;
	if (vigil_mac_fail)
		return vigil_mac_fail;
	if (!HMAC(EVP_sha256(), key->secret, VIGIL_KEY_LEN, data, len, out, &n) ||
	    n != VIGIL_WIRE_MAC_LEN)
		return -EIO;
	return 0;
}

#endif /* _VIGIL_CORE_SEAM_H */
