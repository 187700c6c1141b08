/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: the kernel's pure logic that userspace needs to check a
 * configuration before sending it (quorum arithmetic, the timing rule,
 * the lease rule), from kmod/core/ itself: one copy of the logic, never
 * two.
 *
 * Like tests/unit/seam.h, this is a userspace stand-in for
 * kmod/core/seam.h (same include guard), smaller: quorum.c and lease.c
 * need the kernel's integer types, U32_MAX, S64_MAX and div_u64() only.
 * core.c builds them. A file that includes tests/unit/seam.h first gets
 * that one instead, which provides the same and more.
 */
#ifndef _VIGIL_LIB_CORE_H
#define _VIGIL_LIB_CORE_H

#ifndef _VIGIL_CORE_SEAM_H
#define _VIGIL_CORE_SEAM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
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

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

#endif /* _VIGIL_CORE_SEAM_H */

#include "../../kmod/core/quorum.h"
#include "../../kmod/core/lease.h"

#endif /* _VIGIL_LIB_CORE_H */
