/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the vigil kselftests: requests built byte by
 * byte, replies and NLMSG_ERROR with its extended ACK TLVs parsed by hand.
 * No libnl, no libvigil: each test controls every header field. Included
 * by each test file (a single translation unit each).
 */
#ifndef _VIGIL_SELFTEST_NL_HELPERS_H
#define _VIGIL_SELFTEST_NL_HELPERS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NOBODY			65534

#define REQ_SIZE		16384
#define REPLY_SIZE		8192
#define RX_SIZE			16384
/* Datagrams read while waiting for one request's ACK, at most. */
#define RX_MAX_DATAGRAMS	16
#define RX_TIMEOUT_SEC		5

struct req {
	union {
		struct nlmsghdr nlh;
		char buf[REQ_SIZE];
	};
};

/* What the kernel answered to one request. */
struct reply {
	int error;		/* of the final NLMSG_ERROR: 0 (ACK) or -errno */
	int n_msgs;		/* other messages for the request before it */
	bool has_msg;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	__u32 offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	__u32 miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	union {			/* the first of the other messages */
		struct nlmsghdr nlh;
		char buf[REPLY_SIZE];
	} data;
};

static __u32 next_seq = 1;

static inline size_t attr_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

static inline const void *attr_data(const struct nlattr *nla)
{
	return (const char *)nla + NLA_HDRLEN;
}

/*
 * Index the attributes in [pos, pos + len) by type, like nla_parse() without
 * a policy. Types above @maxtype are skipped (replies may grow); a malformed
 * stream or a known type seen twice gives -EPROTO.
 */
static inline int parse_attrs(const char *pos, size_t len,
		       const struct nlattr **tb, int maxtype)
{
	const char *end = pos + len;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (end - pos >= NLA_HDRLEN) {
		const struct nlattr *nla = (const struct nlattr *)pos;
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - pos)
			return -EPROTO;
		if (type <= maxtype) {
			if (tb[type])
				return -EPROTO;
			tb[type] = nla;
		}
		pos += NLA_ALIGN(nla->nla_len);
	}
	return pos >= end ? 0 : -EPROTO;
}

static inline int nl_open(void)
{
	struct timeval tv = { .tv_sec = RX_TIMEOUT_SEC };
	int one = 1;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* Start a request; NLM_F_REQUEST and NLM_F_ACK are always set. */
static inline struct genlmsghdr *req_init(struct req *r, __u16 type, __u16 flags,
				   __u8 cmd, __u8 version)
{
	struct genlmsghdr *genl;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	genl = NLMSG_DATA(&r->nlh);
	genl->cmd = cmd;
	genl->version = version;
	return genl;
}

/*
 * Append an attribute. Returns its offset from the start of the message,
 * which is what the kernel reports in NLMSGERR_ATTR_OFFS, or -EMSGSIZE.
 */
static inline int req_put(struct req *r, __u16 type, const void *data, __u16 len)
{
	size_t off = NLMSG_ALIGN(r->nlh.nlmsg_len);
	struct nlattr *nla;

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(r->buf))
		return -EMSGSIZE;
	nla = (struct nlattr *)(r->buf + off);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(nla + 1, data, len);
	r->nlh.nlmsg_len = off + NLA_ALIGN(nla->nla_len);
	return off;
}

static inline int parse_error(const struct nlmsghdr *nlh, struct reply *rep)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const struct nlattr *msg, *offs, *miss;
	size_t tlv = NLMSG_SPACE(sizeof(*err));

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
		return -EPROTO;
	rep->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	/* Unless NETLINK_CAP_ACK, the request's payload is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EPROTO;
		tlv += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (tlv > nlh->nlmsg_len ||
	    parse_attrs((const char *)nlh + tlv, nlh->nlmsg_len - tlv, tb,
			NLMSGERR_ATTR_MAX))
		return -EPROTO;

	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg) {
		if (!attr_len(msg) || attr_len(msg) > sizeof(rep->msg) ||
		    ((const char *)attr_data(msg))[attr_len(msg) - 1])
			return -EPROTO;
		memcpy(rep->msg, attr_data(msg), attr_len(msg));
		rep->has_msg = true;
	}
	offs = tb[NLMSGERR_ATTR_OFFS];
	if (offs) {
		if (attr_len(offs) != sizeof(rep->offs))
			return -EPROTO;
		memcpy(&rep->offs, attr_data(offs), sizeof(rep->offs));
		rep->has_offs = true;
	}
	miss = tb[NLMSGERR_ATTR_MISS_TYPE];
	if (miss) {
		if (attr_len(miss) != sizeof(rep->miss_type))
			return -EPROTO;
		memcpy(&rep->miss_type, attr_data(miss), sizeof(rep->miss_type));
		rep->has_miss_type = true;
	}
	return 0;
}

/*
 * Send @r and read until the kernel's NLMSG_ERROR for it. Returns 0 with
 * @rep filled in, or -errno if the exchange itself failed: the kernel's
 * verdict is rep->error, never the return value.
 */
static inline int transact(int fd, struct req *r, struct reply *rep)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr nlh;
		char buf[RX_SIZE];
	} rx;
	int i;

	memset(rep, 0, sizeof(*rep));
	r->nlh.nlmsg_seq = next_seq++;
	if (sendto(fd, r->buf, r->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;

	for (i = 0; i < RX_MAX_DATAGRAMS; i++) {
		struct iovec iov = { .iov_base = rx.buf, .iov_len = sizeof(rx) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		const struct nlmsghdr *nlh = &rx.nlh;
		ssize_t len;

		len = recvmsg(fd, &mh, 0);
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;

		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return parse_error(nlh, rep);
			if (rep->n_msgs++)
				continue;
			if (nlh->nlmsg_len > sizeof(rep->data))
				return -EMSGSIZE;
			memcpy(rep->data.buf, nlh, nlh->nlmsg_len);
		}
	}
	return -EPROTO;
}

/* The first reply message's genetlink header, its attributes in @tb. */
static inline const struct genlmsghdr *reply_genl(const struct reply *rep,
					   const struct nlattr **tb,
					   int maxtype)
{
	const struct nlmsghdr *nlh = &rep->data.nlh;
	const char *attrs = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;

	if (!rep->n_msgs || nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return NULL;
	if (parse_attrs(attrs, (const char *)nlh + nlh->nlmsg_len - attrs,
			tb, maxtype))
		return NULL;
	return NLMSG_DATA(nlh);
}

/*
 * CTRL_CMD_GETFAMILY by @name, or by @id when @name is NULL. The verdict is
 * in @rep; when it is 0, *@found is the family's id. Returns -errno only if
 * the exchange failed or the reply is malformed.
 */
static inline int ctrl_getfamily(int fd, const char *name, __u16 id,
			  struct reply *rep, __u16 *found)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *nla;
	struct req r;
	int ret;

	req_init(&r, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	if (name)
		ret = req_put(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	else
		ret = req_put(&r, CTRL_ATTR_FAMILY_ID, &id, sizeof(id));
	if (ret < 0)
		return ret;
	ret = transact(fd, &r, rep);
	if (ret || rep->error)
		return ret;

	if (rep->n_msgs != 1 || !reply_genl(rep, tb, CTRL_ATTR_MAX))
		return -EPROTO;
	nla = tb[CTRL_ATTR_FAMILY_ID];
	if (!nla || attr_len(nla) != sizeof(*found))
		return -EPROTO;
	memcpy(found, attr_data(nla), sizeof(*found));
	nla = tb[CTRL_ATTR_FAMILY_NAME];
	if (name && (!nla || attr_len(nla) != strlen(name) + 1 ||
		     memcmp(attr_data(nla), name, attr_len(nla))))
		return -EPROTO;
	return 0;
}

/* The id of family @name, or -errno (the kernel's or the exchange's). */
static inline int genl_resolve(int fd, const char *name, __u16 *id)
{
	struct reply rep;
	int ret;

	ret = ctrl_getfamily(fd, name, 0, &rep, id);
	return ret ? ret : rep.error;
}

/* Start a nested attribute; returns its offset for req_nest_end(). */
static inline int req_nest_start(struct req *r, __u16 type)
{
	return req_put(r, type | NLA_F_NESTED, NULL, 0);
}

static inline void req_nest_end(struct req *r, int off)
{
	struct nlattr *nla = (struct nlattr *)(r->buf + off);

	nla->nla_len = r->nlh.nlmsg_len - off;
}

static inline int req_put_u8(struct req *r, __u16 type, __u8 v)
{
	return req_put(r, type, &v, sizeof(v));
}

static inline int req_put_u16(struct req *r, __u16 type, __u16 v)
{
	return req_put(r, type, &v, sizeof(v));
}

static inline int req_put_u32(struct req *r, __u16 type, __u32 v)
{
	return req_put(r, type, &v, sizeof(v));
}

static inline int req_put_str(struct req *r, __u16 type, const char *s)
{
	return req_put(r, type, s, strlen(s) + 1);
}

#endif /* _VIGIL_SELFTEST_NL_HELPERS_H */
