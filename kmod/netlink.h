/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIGIL_NETLINK_H
#define _VIGIL_NETLINK_H

int vigil_genl_init(void);
void vigil_genl_uninit(void);

#endif /* _VIGIL_NETLINK_H */
