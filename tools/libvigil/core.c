// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: kmod/core/quorum.c and kmod/core/lease.c built for userspace
 * through core.h (see there).
 */

#include "core.h"
#include "../../kmod/core/quorum.c"
#include "../../kmod/core/lease.c"
