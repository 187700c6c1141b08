/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) */
/*
 * vigil: in-kernel heartbeat, membership and self-fencing for HA clusters.
 *
 * This header is the one contract between vigil.ko and userspace (vigild,
 * vigilctl, tests). It uses only <linux/types.h> types.
 *
 * Generic netlink
 * ---------------
 * Family name VIGIL_GENL_NAME ("vigil"), version VIGIL_GENL_VERSION. The
 * family is registered when vigil.ko is loaded; the module can be loaded
 * on demand through the alias "net-pf-16-proto-16-family-vigil".
 *
 * Every command is strictly validated, and each command has its own
 * request policy (CTRL_CMD_GETPOLICY shows it):
 *  - an attribute the command does not take, of an unknown type, or of the
 *    wrong type or length: -EINVAL, with an extended ACK message
 *    (NETLINK_EXT_ACK) and the offending attribute (NLMSGERR_ATTR_OFFS);
 *  - a non-zero genlmsghdr.reserved, or nlmsg_flags other than REQUEST,
 *    ACK, ECHO and DUMP: -EINVAL with a message (no attribute);
 *  - an unknown command, or NLM_F_DUMP on a command that has no dump:
 *    -EOPNOTSUPP (no message);
 *  - a command that needs privileges, from a caller without them: -EPERM
 *    (no message).
 * Userspace should enable NETLINK_EXT_ACK on its socket and print the
 * message when there is one.
 *
 * VIGIL_CMD_GET_STATUS
 *   Needs: CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM);
 *          -EPERM otherwise. The status names the cluster's nodes, addresses
 *          and counters, which is information about the whole cluster, not
 *          about the caller, so it is not given to unprivileged users.
 *   Request: a plain request (no NLM_F_DUMP) with no attributes.
 *   Reply:   one message, command VIGIL_CMD_GET_STATUS:
 *
 *     VIGIL_A_VERSION: NLA_NUL_STRING, the module's version, at most
 *                      VIGIL_VERSION_MAX bytes including the NUL
 *     VIGIL_A_PROTOCOL: NLA_U32, the heartbeat wire protocol version
 *                       the module speaks (VIGIL_PROTOCOL_VERSION)
 *
 * Userspace must ignore attributes it does not know in replies, so that
 * replies can grow; the kernel refuses attributes it does not know in
 * requests, so that a request never silently means less than was asked.
 */

#ifndef _UAPI_LINUX_VIGIL_H
#define _UAPI_LINUX_VIGIL_H

#include <linux/types.h>

#define VIGIL_GENL_NAME "vigil"
#define VIGIL_GENL_VERSION 1

/* Heartbeat wire protocol version; see Documentation/protocol.md. */
#define VIGIL_PROTOCOL_VERSION 1

/* Longest module version string, including the terminating NUL. */
#define VIGIL_VERSION_MAX 32

enum vigil_cmd {
	VIGIL_CMD_UNSPEC,
	VIGIL_CMD_GET_STATUS,
	__VIGIL_CMD_MAX
};
#define VIGIL_CMD_MAX (__VIGIL_CMD_MAX - 1)

enum vigil_attr {
	VIGIL_A_UNSPEC,
	VIGIL_A_VERSION,
	VIGIL_A_PROTOCOL,
	__VIGIL_A_LAST
};
#define VIGIL_A_MAX (__VIGIL_A_LAST - 1)

#endif /* _UAPI_LINUX_VIGIL_H */
