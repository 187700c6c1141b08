// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: generic netlink client for vigil.ko, on libnl-3 (>= 3.7).
 *
 * Families are resolved here rather than with genl_ctrl_resolve(), which
 * turns every failure (EPERM, ENOMEM, a malformed reply) into "not found";
 * callers need the real errno and the kernel's extended ACK message.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl.h"

/* Seconds a request waits for its answer before giving up (-ETIMEDOUT). */
#define NL_TIMEOUT_S 5

/*
 * Datagrams one request may take: a reply and an ACK, with room to spare.
 * None of the requests here is a dump.
 */
#define NL_RECV_MAX 8

#define CTRL_NAME "nlctrl"
#define CTRL_NOTIFY_GROUP "notify"

struct vigil_nl {
	struct nl_sock *sk;
	int family;
};

struct vigil_nl_watch {
	struct nl_sock *sk;
	struct nl_cb *cb;
	bool gone;	/* set by watch_valid() */
	int err;	/* set by watch_valid() */
};

/*
 * One request and its answer. The callbacks record what happened and let
 * libnl read on until the ACK or the error, so that the socket is left in
 * step with its sequence numbers whatever the outcome.
 */
struct xact {
	int type;		/* nlmsg_type the reply must carry */
	bool need_reply;
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	char *ackmsg;
	size_t ackmsg_len;
	bool replied;
	bool done;
	int err;		/* first failure, -errno */
};

/* Input and output of resolve(). */
struct family {
	const char *name;
	const char *group;	/* multicast group to look up, or NULL */
	int id;
	__u32 group_id;		/* 0: group not found */
};

/*
 * libnl's NLA_STRING is the kernel's NLA_NUL_STRING: it requires the
 * terminating NUL and maxlen counts it. (libnl's NLA_NUL_STRING checks
 * nothing at all.) Integers get an exact length.
 */
static const struct nla_policy status_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_VERSION]	= { .type = NLA_STRING, .maxlen = VIGIL_VERSION_MAX },
	[VIGIL_A_PROTOCOL]	= { .type = NLA_U32, .minlen = sizeof(__u32),
				    .maxlen = sizeof(__u32) },
};

static const struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]	= { .type = NLA_U16, .minlen = sizeof(__u16),
				    .maxlen = sizeof(__u16) },
	[CTRL_ATTR_FAMILY_NAME]	= { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GROUPS] = { .type = NLA_NESTED },
};

static const struct nla_policy mcast_grp_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME] = { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GRP_ID] = { .type = NLA_U32, .minlen = sizeof(__u32),
				     .maxlen = sizeof(__u32) },
};

static const struct nla_policy ackmsg_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]	= { .type = NLA_STRING },
};

static void ackmsg_clear(char *buf, size_t len)
{
	if (buf && len)
		buf[0] = '\0';
}

/* libnl error codes are not errnos; map the ones that can happen here. */
static int errno_from_nl(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
	case NLE_MSGTYPE_NOSUPPORT:
	case NLE_NOADDR:
		return -EPROTO;
	default:
		return -EIO;
	}
}

/*
 * nla_parse() stops quietly at a truncated attribute and ignores what
 * follows; a stream with bytes left over is malformed here.
 */
static int parse_attrs(struct nlattr *tb[], int maxtype, struct nlattr *head,
		       int len, const struct nla_policy *policy)
{
	struct nlattr *nla;
	int rem;

	if (nla_parse(tb, maxtype, head, len, policy) < 0)
		return -EBADMSG;
	nla_for_each_attr(nla, head, len, rem)
		;	/* walk to the end */
	return rem > 0 ? -EBADMSG : 0;
}

static int parse_genl(struct nlmsghdr *nlh, __u8 cmd, struct nlattr *tb[],
		      int maxtype, const struct nla_policy *policy)
{
	struct genlmsghdr *ghdr;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != cmd)
		return -EBADMSG;
	return parse_attrs(tb, maxtype, genlmsg_attrdata(ghdr, 0),
			   genlmsg_attrlen(ghdr, 0), policy);
}

int vigil_nl_parse_ackmsg(struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	size_t off;

	ackmsg_clear(buf, len);
	if (nlh->nlmsg_type != NLMSG_ERROR || !nlmsg_valid_hdr(nlh, sizeof(*e)))
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	/* The TLVs follow the echoed request, or only its header if capped. */
	e = nlmsg_data(nlh);
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len > nlh->nlmsg_len)
			return -EBADMSG;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	if (NLMSG_ALIGN(off) > (size_t)nlmsg_datalen(nlh))
		return -EBADMSG;
	if (parse_attrs(tb, NLMSGERR_ATTR_MAX, nlmsg_attrdata(nlh, off),
			nlmsg_attrlen(nlh, off), ackmsg_policy))
		return -EBADMSG;

	if (tb[NLMSGERR_ATTR_MSG] && buf && len)
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], len);
	return 0;
}

int vigil_nl_parse_status(struct nlmsghdr *nlh, struct vigil_status *st)
{
	struct nlattr *tb[VIGIL_A_MAX + 1];
	struct vigil_status tmp = {};
	int ret;

	ret = parse_genl(nlh, VIGIL_CMD_GET_STATUS, tb, VIGIL_A_MAX,
			 status_policy);
	if (ret)
		return ret;
	if (!tb[VIGIL_A_VERSION] || !tb[VIGIL_A_PROTOCOL])
		return -EBADMSG;

	/* The policy guarantees the NUL within VIGIL_VERSION_MAX bytes. */
	nla_strlcpy(tmp.version, tb[VIGIL_A_VERSION], sizeof(tmp.version));
	if (!tmp.version[0])
		return -EBADMSG;
	tmp.protocol = nla_get_u32(tb[VIGIL_A_PROTOCOL]);

	*st = tmp;
	return 0;
}

int vigil_nl_parse_ctrl_event(struct nlmsghdr *nlh, const char *name)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *ghdr;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != CTRL_CMD_DELFAMILY)
		return 0;

	ret = parse_genl(nlh, CTRL_CMD_DELFAMILY, tb, CTRL_ATTR_MAX,
			 ctrl_policy);
	if (ret)
		return ret;
	if (!tb[CTRL_ATTR_FAMILY_NAME])
		return -EBADMSG;
	return strcmp(nla_data(tb[CTRL_ATTR_FAMILY_NAME]), name) == 0;
}

/* Find fam->group among the CTRL_ATTR_MCAST_GROUPS of a family. */
static int parse_mcast_groups(struct nlattr *groups, struct family *fam)
{
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *grp;
	int rem;

	nla_for_each_nested(grp, groups, rem) {
		if (parse_attrs(tb, CTRL_ATTR_MCAST_GRP_MAX, nla_data(grp),
				nla_len(grp), mcast_grp_policy))
			return -EBADMSG;
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			return -EBADMSG;
		if (!strcmp(nla_data(tb[CTRL_ATTR_MCAST_GRP_NAME]), fam->group)) {
			fam->group_id = nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
			return 0;
		}
	}
	return rem > 0 ? -EBADMSG : 0;
}

static int parse_family(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family *fam = arg;
	int ret;

	ret = parse_genl(nlh, CTRL_CMD_NEWFAMILY, tb, CTRL_ATTR_MAX,
			 ctrl_policy);
	if (ret)
		return ret;
	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_data(tb[CTRL_ATTR_FAMILY_NAME]), fam->name))
		return -EBADMSG;
	fam->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (fam->group && tb[CTRL_ATTR_MCAST_GROUPS])
		return parse_mcast_groups(tb[CTRL_ATTR_MCAST_GROUPS], fam);
	return 0;
}

static int parse_status(struct nlmsghdr *nlh, void *arg)
{
	return vigil_nl_parse_status(nlh, arg);
}

static int xact_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct xact *x = arg;
	int ret;

	if (x->err)
		return NL_OK;
	if (nlh->nlmsg_type != x->type || x->replied) {
		x->err = -EBADMSG;
		return NL_OK;
	}
	x->replied = true;
	ret = x->parse(nlh, x->arg);
	if (ret)
		x->err = ret;
	return NL_OK;
}

static int xact_ack(struct nl_msg *msg, void *arg)
{
	struct xact *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

static int xact_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands over the payload; the header sits right before it. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct xact *x = arg;

	(void)nla;
	vigil_nl_parse_ackmsg(nlh, x->ackmsg, x->ackmsg_len);
	if (!x->err)
		x->err = e->error < 0 && e->error >= -4095 ? e->error : -EPROTO;
	x->done = true;
	return NL_STOP;
}

/* Send msg on sk and read its answer; msg stays the caller's. */
static int transact(struct nl_sock *sk, struct nl_msg *msg, struct xact *x)
{
	struct nl_cb *cb;
	int ret, i;

	ackmsg_clear(x->ackmsg, x->ackmsg_len);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	if (nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, xact_valid, x) < 0 ||
	    nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, xact_ack, x) < 0 ||
	    nl_cb_err(cb, NL_CB_CUSTOM, xact_error, x) < 0) {
		ret = -EINVAL;
		goto out;
	}

	/* Auto-ACK is on: the request carries NLM_F_ACK. */
	ret = nl_send_auto(sk, msg);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto out;
	}

	ret = -EPROTO;	/* no ACK within NL_RECV_MAX datagrams */
	for (i = 0; i < NL_RECV_MAX; i++) {
		int rc = nl_recvmsgs(sk, cb);

		if (x->done) {
			ret = 0;
			break;
		}
		if (rc < 0) {
			ret = rc == -NLE_AGAIN ? -ETIMEDOUT : errno_from_nl(rc);
			break;
		}
	}
	if (x->err)
		ret = x->err;
	else if (!ret && x->need_reply && !x->replied)
		ret = -EBADMSG;
out:
	nl_cb_put(cb);
	return ret;
}

static int resolve(struct nl_sock *sk, struct family *fam, char *ackmsg,
		   size_t ackmsg_len)
{
	struct xact x = {
		.type = GENL_ID_CTRL,
		.need_reply = true,
		.parse = parse_family,
		.arg = fam,
		.ackmsg = ackmsg,
		.ackmsg_len = ackmsg_len,
	};
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, fam->name) < 0) {
		ret = -EMSGSIZE;
		goto out;
	}

	ret = transact(sk, msg, &x);
	if (!ret && fam->group && !fam->group_id)
		ret = -ENOENT;
out:
	nlmsg_free(msg);
	return ret;
}

static int sock_open(struct nl_sock **skp)
{
	static const struct timeval timeout = { .tv_sec = NL_TIMEOUT_S };
	struct nl_sock *sk;
	int one = 1;
	int fd, ret;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto err_free;
	}

	fd = nl_socket_get_fd(sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout))) {
		ret = -errno;
		goto err_free;
	}

	*skp = sk;
	return 0;

err_free:
	nl_socket_free(sk);
	return ret;
}

int vigil_nl_open(struct vigil_nl **nlp, char *ackmsg, size_t ackmsg_len)
{
	struct family fam = { .name = VIGIL_GENL_NAME };
	struct vigil_nl *nl;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	ret = sock_open(&nl->sk);
	if (ret)
		goto err_free;
	ret = resolve(nl->sk, &fam, ackmsg, ackmsg_len);
	if (ret)
		goto err_sock;
	nl->family = fam.id;

	*nlp = nl;
	return 0;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return ret;
}

void vigil_nl_close(struct vigil_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int vigil_nl_recheck(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len)
{
	struct family fam = { .name = VIGIL_GENL_NAME };
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	ret = resolve(nl->sk, &fam, ackmsg, ackmsg_len);
	if (ret)
		return ret;
	return fam.id == nl->family ? 0 : -ESTALE;
}

int vigil_nl_get_status(struct vigil_nl *nl, struct vigil_status *st,
			char *ackmsg, size_t ackmsg_len)
{
	struct xact x = {
		.type = nl->family,
		.need_reply = true,
		.parse = parse_status,
		.arg = st,
		.ackmsg = ackmsg,
		.ackmsg_len = ackmsg_len,
	};
	struct nl_msg *msg;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 VIGIL_CMD_GET_STATUS, VIGIL_GENL_VERSION)) {
		ret = -EMSGSIZE;
		goto out;
	}
	ret = transact(nl->sk, msg, &x);
out:
	nlmsg_free(msg);
	return ret;
}

/* Multicast notifications carry sequence number 0: accept them all. */
static int watch_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int watch_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vigil_nl_watch *w = arg;
	int ret;

	/* Only the kernel (port 0) speaks for the controller. */
	if (nlmsg_get_src(msg)->nl_pid != 0 || nlh->nlmsg_type != GENL_ID_CTRL)
		return NL_OK;
	ret = vigil_nl_parse_ctrl_event(nlh, VIGIL_GENL_NAME);
	if (ret > 0)
		w->gone = true;
	else if (ret < 0 && !w->err)
		w->err = ret;
	return NL_OK;
}

int vigil_nl_watch_open(struct vigil_nl_watch **wp, char *ackmsg,
			size_t ackmsg_len)
{
	struct family fam = { .name = CTRL_NAME, .group = CTRL_NOTIFY_GROUP };
	struct vigil_nl_watch *w;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	ret = sock_open(&w->sk);
	if (ret)
		goto err_free;
	ret = resolve(w->sk, &fam, ackmsg, ackmsg_len);
	if (ret)
		goto err_sock;

	w->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!w->cb) {
		ret = -ENOMEM;
		goto err_sock;
	}
	if (nl_cb_set(w->cb, NL_CB_VALID, NL_CB_CUSTOM, watch_valid, w) < 0 ||
	    nl_cb_set(w->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, watch_seq, NULL) < 0) {
		ret = -EINVAL;
		goto err_cb;
	}

	ret = nl_socket_add_membership(w->sk, fam.group_id);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto err_cb;
	}
	ret = nl_socket_set_nonblocking(w->sk);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto err_cb;
	}

	*wp = w;
	return 0;

err_cb:
	nl_cb_put(w->cb);
err_sock:
	nl_socket_free(w->sk);
err_free:
	free(w);
	return ret;
}

int vigil_nl_watch_fd(const struct vigil_nl_watch *w)
{
	return nl_socket_get_fd(w->sk);
}

int vigil_nl_watch_read(struct vigil_nl_watch *w)
{
	int ret;

	w->gone = false;
	w->err = 0;
	ret = nl_recvmsgs(w->sk, w->cb);
	if (w->gone)
		return 1;
	if (ret == -NLE_AGAIN)
		return 0;
	/* libnl reports ENOBUFS, notifications dropped, as NLE_NOMEM. */
	if (ret == -NLE_NOMEM)
		return -ENOBUFS;
	if (ret < 0)
		return errno_from_nl(ret);
	return w->err;
}

void vigil_nl_watch_close(struct vigil_nl_watch *w)
{
	if (!w)
		return;
	nl_cb_put(w->cb);
	nl_socket_free(w->sk);
	free(w);
}
