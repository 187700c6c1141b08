/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: generic netlink client for vigil.ko (libnl-3), shared by vigild
 * and vigilctl. The contract is uapi/linux/vigil.h.
 *
 * Every function returns 0 or a negative errno. Functions that send a
 * request take a buffer for the kernel's extended ACK message
 * (NLMSGERR_ATTR_MSG); it is set to "" first and filled only when the
 * kernel refused the request with a message. It may be NULL.
 */
#ifndef _VIGIL_NL_H
#define _VIGIL_NL_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/vigil.h>

/* Room for an extended ACK message; longer messages are truncated. */
#define VIGIL_NL_ACKMSG_MAX 256

struct vigil_status {
	char version[VIGIL_VERSION_MAX];	/* never empty, NUL-terminated */
	__u32 protocol;
};

struct vigil_nl;
struct vigil_nl_watch;

/*
 * Open a generic netlink socket with NETLINK_EXT_ACK and NETLINK_CAP_ACK on
 * and resolve the family VIGIL_GENL_NAME. -ENOENT: the family is not
 * registered, i.e. vigil.ko is not loaded (resolving asks the kernel, which
 * loads vigil.ko through its module alias first if it is installed).
 */
int vigil_nl_open(struct vigil_nl **nlp, char *ackmsg, size_t ackmsg_len);
void vigil_nl_close(struct vigil_nl *nl);

/*
 * Resolve the family again: 0 if it is registered under the id found by
 * vigil_nl_open(), -ENOENT if it is gone, -ESTALE if it was registered
 * again under another id (the module was reloaded).
 */
int vigil_nl_recheck(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len);

/* VIGIL_CMD_GET_STATUS. -EPERM without CAP_NET_ADMIN. */
int vigil_nl_get_status(struct vigil_nl *nl, struct vigil_status *st,
			char *ackmsg, size_t ackmsg_len);

/*
 * Parse a VIGIL_CMD_GET_STATUS reply. Unknown attributes are ignored; a
 * reply without VIGIL_A_VERSION or VIGIL_A_PROTOCOL, or with either
 * malformed, is -EBADMSG.
 */
int vigil_nl_parse_status(struct nlmsghdr *nlh, struct vigil_status *st);

/*
 * Copy the NLMSGERR_ATTR_MSG of an NLMSG_ERROR message into buf (truncated
 * to len - 1 bytes, always NUL-terminated; "" if there is none). -EBADMSG if
 * the message is not a well-formed NLMSG_ERROR.
 */
int vigil_nl_parse_ackmsg(struct nlmsghdr *nlh, char *buf, size_t len);

/*
 * Watch for vigil.ko going away: a socket subscribed to the "notify"
 * multicast group of the generic netlink controller ("nlctrl"). Its file
 * descriptor is non-blocking; poll it for input and call
 * vigil_nl_watch_read(), which reads one datagram and returns 1 if
 * the family VIGIL_GENL_NAME was unregistered, 0 if not (or if there was
 * nothing to read), -ENOBUFS if notifications were dropped because the
 * socket buffer overflowed (recheck with vigil_nl_recheck()), or another
 * negative errno.
 */
int vigil_nl_watch_open(struct vigil_nl_watch **wp, char *ackmsg,
			size_t ackmsg_len);
int vigil_nl_watch_fd(const struct vigil_nl_watch *w);
int vigil_nl_watch_read(struct vigil_nl_watch *w);
void vigil_nl_watch_close(struct vigil_nl_watch *w);

/*
 * Parse a controller notification: 1 if it is CTRL_CMD_DELFAMILY for the
 * family called name, 0 if it is any other controller message, -EBADMSG if
 * it is malformed.
 */
int vigil_nl_parse_ctrl_event(struct nlmsghdr *nlh, const char *name);

#endif /* _VIGIL_NL_H */
