// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: generic netlink client for vigil.ko, on libnl-3 (>= 3.7).
 *
 * Families are resolved here rather than with genl_ctrl_resolve(), which
 * turns every failure (EPERM, ENOMEM, a malformed reply) into "not found";
 * callers need the real errno and the kernel's extended ACK message.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>

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

struct vigil_nl_events {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;
	/* Set for the duration of one vigil_nl_events_read(). */
	int (*fn)(const struct vigil_nl_event *ev, void *arg);
	void *arg;
	int count;
	int err;
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
	bool dump;		/* many replies, ended by NLMSG_DONE */
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
#define EXACT(t, size) { .type = (t), .minlen = (size), .maxlen = (size) }
#define U8 EXACT(NLA_U8, sizeof(__u8))
#define U16 EXACT(NLA_U16, sizeof(__u16))
#define U32 EXACT(NLA_U32, sizeof(__u32))
#define U64 EXACT(NLA_U64, sizeof(__u64))
#define STRING(max) { .type = NLA_STRING, .maxlen = (max) }
#define NESTED { .type = NLA_NESTED }

/* The top-level attributes of every reply and event of the family. */
static const struct nla_policy status_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_VERSION]	= STRING(VIGIL_VERSION_MAX),
	[VIGIL_A_PROTOCOL]	= U32,
	[VIGIL_A_CONFIGURED]	= U8,
	[VIGIL_A_CLUSTER_ID]	= U32,
	[VIGIL_A_NODE_ID]	= U16,
	[VIGIL_A_NODE_NAME]	= STRING(VIGIL_NAME_MAX),
	[VIGIL_A_INCARNATION]	= U64,
	[VIGIL_A_TIMEOUT_MS]	= U32,
	[VIGIL_A_INTERVAL_MS]	= U32,
	[VIGIL_A_QUORATE]	= U8,
	[VIGIL_A_GENERATION]	= U64,
	[VIGIL_A_VOTES]		= U32,
	[VIGIL_A_EXPECTED_VOTES] = U32,
	[VIGIL_A_QUORUM_VOTES]	= U32,
	[VIGIL_A_WITNESS_VOTES]	= U32,
	[VIGIL_A_WITNESS_MS]	= U32,
	[VIGIL_A_FLAGS]		= U32,
	[VIGIL_A_LINKS]		= NESTED,
	[VIGIL_A_PEER]		= NESTED,
	[VIGIL_A_EVENT]		= U32,
	[VIGIL_A_EVENT_PEER]	= U16,
	[VIGIL_A_EVENT_LINK]	= U8,
	[VIGIL_A_EVENT_INCARNATION] = U64,
	[VIGIL_A_LEASE_MS]	= U32,
	[VIGIL_A_LEASE_LEFT_MS]	= U32,
	[VIGIL_A_GATE]		= U8,
	[VIGIL_A_GATE_DROPPED]	= U64,
	[VIGIL_A_PROTECT]	= NESTED,
	[VIGIL_A_FENCE]		= NESTED,
	[VIGIL_A_FENCED]	= U8,
	[VIGIL_A_FENCE_PENDING]	= NESTED,
	[VIGIL_A_FENCE_CAUSE]	= U8,
	[VIGIL_A_FENCE_ACTION]	= U8,
	[VIGIL_A_DUMPING]	= U8,
	[VIGIL_A_DAEMON_TIMEOUT_MS] = U32,
	[VIGIL_A_DAEMON_LEFT_MS] = U32,
};

static const struct nla_policy link_policy[VIGIL_LINK_A_MAX + 1] = {
	[VIGIL_LINK_A_INDEX]	= U8,
	[VIGIL_LINK_A_NAME]	= STRING(VIGIL_NAME_MAX),
	[VIGIL_LINK_A_TYPE]	= U8,
	[VIGIL_LINK_A_IFNAME]	= STRING(IFNAMSIZ),
	[VIGIL_LINK_A_IFINDEX]	= U32,
	[VIGIL_LINK_A_ETHERTYPE] = U16,
	[VIGIL_LINK_A_PORT]	= U16,
	[VIGIL_LINK_A_FAMILY]	= U8,
	[VIGIL_LINK_A_UP]	= U8,
	[VIGIL_LINK_A_LAST_SEEN_MS] = U32,
	[VIGIL_LINK_A_RTT_US]	= U32,
	[VIGIL_LINK_A_COUNTERS]	= NESTED,
};

static const struct nla_policy peer_policy[VIGIL_PEER_A_MAX + 1] = {
	[VIGIL_PEER_A_ID]	= U16,
	[VIGIL_PEER_A_NAME]	= STRING(VIGIL_NAME_MAX),
	[VIGIL_PEER_A_VOTES]	= U32,
	[VIGIL_PEER_A_STATE]	= U8,
	[VIGIL_PEER_A_INCARNATION] = U64,
	[VIGIL_PEER_A_LAST_SEEN_MS] = U32,
	[VIGIL_PEER_A_QUORATE]	= U8,
	[VIGIL_PEER_A_GENERATION] = U64,
	[VIGIL_PEER_A_MEMBERS]	= EXACT(NLA_UNSPEC, VIGIL_MEMBERS_BYTES),
	[VIGIL_PEER_A_PAYLOAD]	= { .type = NLA_UNSPEC, .maxlen = VIGIL_PAYLOAD_MAX },
	[VIGIL_PEER_A_LINKS]	= NESTED,
	[VIGIL_PEER_A_FENCE_CAUSE] = U8,
};

static const struct nla_policy fence_policy[VIGIL_FENCE_A_MAX + 1] = {
	[VIGIL_FENCE_A_CAUSE]	= U8,
	[VIGIL_FENCE_A_ACTION]	= U8,
	[VIGIL_FENCE_A_DELAY_MS] = U32,
};

/* Filled in at first use: every known counter is a u64. */
static struct nla_policy counter_policy[VIGIL_CNT_MAX + 1];

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

static int watch_seq(struct nl_msg *msg, void *arg);

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

static void counter_policy_init(void)
{
	unsigned int i;

	for (i = 1; i <= VIGIL_CNT_MAX; i++)
		counter_policy[i] = (struct nla_policy)U64;
}

static int parse_counters(struct nlattr *nest, __u64 *counters)
{
	struct nlattr *tb[VIGIL_CNT_MAX + 1];
	unsigned int i;

	counter_policy_init();
	if (parse_attrs(tb, VIGIL_CNT_MAX, nla_data(nest), nla_len(nest),
			counter_policy))
		return -EBADMSG;
	for (i = 1; i <= VIGIL_CNT_MAX; i++)
		counters[i] = tb[i] ? nla_get_u64(tb[i]) : 0;
	return 0;
}

/* One element of a VIGIL_A_LINKS or VIGIL_PEER_A_LINKS list. */
static int parse_link(struct nlattr *elem, struct vigil_link_status *l)
{
	struct nlattr *tb[VIGIL_LINK_A_MAX + 1];

	if (parse_attrs(tb, VIGIL_LINK_A_MAX, nla_data(elem), nla_len(elem),
			link_policy))
		return -EBADMSG;
	if (!tb[VIGIL_LINK_A_INDEX] || !tb[VIGIL_LINK_A_NAME])
		return -EBADMSG;

	memset(l, 0, sizeof(*l));
	l->index = nla_get_u8(tb[VIGIL_LINK_A_INDEX]);
	nla_strlcpy(l->name, tb[VIGIL_LINK_A_NAME], sizeof(l->name));
	if (tb[VIGIL_LINK_A_TYPE])
		l->type = nla_get_u8(tb[VIGIL_LINK_A_TYPE]);
	if (tb[VIGIL_LINK_A_IFINDEX])
		l->ifindex = nla_get_u32(tb[VIGIL_LINK_A_IFINDEX]);
	if (tb[VIGIL_LINK_A_UP])
		l->up = nla_get_u8(tb[VIGIL_LINK_A_UP]) != 0;
	if (tb[VIGIL_LINK_A_LAST_SEEN_MS]) {
		l->has_last_seen = true;
		l->last_seen_ms = nla_get_u32(tb[VIGIL_LINK_A_LAST_SEEN_MS]);
	}
	if (tb[VIGIL_LINK_A_RTT_US]) {
		l->has_rtt = true;
		l->rtt_us = nla_get_u32(tb[VIGIL_LINK_A_RTT_US]);
	}
	if (tb[VIGIL_LINK_A_COUNTERS]) {
		l->has_counters = true;
		return parse_counters(tb[VIGIL_LINK_A_COUNTERS], l->counters);
	}
	return 0;
}

/* A list of at most VIGIL_LINKS_MAX links; element types are ignored. */
static int parse_links(struct nlattr *list, struct vigil_link_status *links,
		       unsigned int *n)
{
	struct nlattr *elem;
	int rem, ret;

	*n = 0;
	nla_for_each_nested(elem, list, rem) {
		if (*n == VIGIL_LINKS_MAX)
			return -EBADMSG;
		ret = parse_link(elem, &links[*n]);
		if (ret)
			return ret;
		(*n)++;
	}
	return rem > 0 ? -EBADMSG : 0;
}

static __u32 get_u32_or0(struct nlattr *nla)
{
	return nla ? nla_get_u32(nla) : 0;
}

/* VIGIL_A_PROTECT: at most VIGIL_PROTECT_MAX names, each < IFNAMSIZ. */
static int parse_protect_list(struct nlattr *list, char (*names)[IFNAMSIZ],
			 unsigned int *n)
{
	struct nlattr *elem;
	int rem;

	*n = 0;
	nla_for_each_nested(elem, list, rem) {
		const char *name = nla_data(elem);
		int len = nla_len(elem);

		if (*n == VIGIL_PROTECT_MAX || len < 1 ||
		    strnlen(name, len) >= (size_t)len ||
		    strnlen(name, len) >= IFNAMSIZ)
			return -EBADMSG;
		strcpy(names[*n], name);
		(*n)++;
	}
	return rem > 0 ? -EBADMSG : 0;
}

/*
 * VIGIL_A_FENCE or VIGIL_A_FENCE_PENDING: one element per cause, each
 * with its cause, and its action and delay if pending (the policy leaves
 * the action out for VIGIL_CAUSE_OPERATOR, whose request names it).
 * Elements of causes this build does not know are skipped; a known cause
 * twice is malformed.
 */
static int parse_fence_list(struct nlattr *list, bool pending,
			    struct vigil_fence_rule *rules, unsigned int *n)
{
	struct nlattr *tb[VIGIL_FENCE_A_MAX + 1];
	struct nlattr *elem;
	unsigned int seen = 0;
	int rem;

	*n = 0;
	nla_for_each_nested(elem, list, rem) {
		struct vigil_fence_rule r = {};

		if (parse_attrs(tb, VIGIL_FENCE_A_MAX, nla_data(elem),
				nla_len(elem), fence_policy))
			return -EBADMSG;
		if (!tb[VIGIL_FENCE_A_CAUSE] ||
		    (pending && (!tb[VIGIL_FENCE_A_ACTION] ||
				 !tb[VIGIL_FENCE_A_DELAY_MS])))
			return -EBADMSG;
		r.cause = nla_get_u8(tb[VIGIL_FENCE_A_CAUSE]);
		if (tb[VIGIL_FENCE_A_ACTION])
			r.action = nla_get_u8(tb[VIGIL_FENCE_A_ACTION]);
		r.delay_ms = get_u32_or0(tb[VIGIL_FENCE_A_DELAY_MS]);
		if (r.cause < 1 || r.cause > VIGIL_CAUSE_MAX)
			continue;
		if (seen & (1U << r.cause))
			return -EBADMSG;
		seen |= 1U << r.cause;
		rules[(*n)++] = r;
	}
	return rem > 0 ? -EBADMSG : 0;
}

/* The self-fencing attributes of a configured status. */
static int parse_status_fencing(struct nlattr *tb[], struct vigil_status *tmp)
{
	int ret;

	if (tb[VIGIL_A_LEASE_MS]) {
		tmp->has_lease = true;
		tmp->lease_ms = nla_get_u32(tb[VIGIL_A_LEASE_MS]);
	}
	if (tb[VIGIL_A_LEASE_LEFT_MS]) {
		tmp->has_lease_left = true;
		tmp->lease_left_ms = nla_get_u32(tb[VIGIL_A_LEASE_LEFT_MS]);
	}
	if (tb[VIGIL_A_GATE]) {
		tmp->has_gate = true;
		tmp->gate = nla_get_u8(tb[VIGIL_A_GATE]);
	}
	if (tb[VIGIL_A_GATE_DROPPED]) {
		tmp->has_gate_dropped = true;
		tmp->gate_dropped = nla_get_u64(tb[VIGIL_A_GATE_DROPPED]);
	}
	if (tb[VIGIL_A_FENCED]) {
		tmp->fenced = true;
		tmp->fenced_cause = nla_get_u8(tb[VIGIL_A_FENCED]);
	}
	if (tb[VIGIL_A_DAEMON_TIMEOUT_MS]) {
		tmp->has_daemon = true;
		tmp->daemon_timeout_ms = nla_get_u32(tb[VIGIL_A_DAEMON_TIMEOUT_MS]);
	}
	if (tb[VIGIL_A_DAEMON_LEFT_MS]) {
		tmp->has_daemon_left = true;
		tmp->daemon_left_ms = nla_get_u32(tb[VIGIL_A_DAEMON_LEFT_MS]);
	}
	if (tb[VIGIL_A_PROTECT]) {
		ret = parse_protect_list(tb[VIGIL_A_PROTECT], tmp->protect,
				    &tmp->n_protect);
		if (ret)
			return ret;
	}
	if (tb[VIGIL_A_FENCE]) {
		ret = parse_fence_list(tb[VIGIL_A_FENCE], false, tmp->fence,
				       &tmp->n_fence);
		if (ret)
			return ret;
	}
	if (tb[VIGIL_A_FENCE_PENDING])
		return parse_fence_list(tb[VIGIL_A_FENCE_PENDING], true,
					tmp->fence_pending,
					&tmp->n_fence_pending);
	return 0;
}

/* The attributes of a configured instance; tmp is zeroed. */
static int parse_status_config(struct nlattr *tb[], struct vigil_status *tmp)
{
	static const int required[] = {
		VIGIL_A_CLUSTER_ID, VIGIL_A_NODE_ID, VIGIL_A_NODE_NAME,
		VIGIL_A_TIMEOUT_MS, VIGIL_A_QUORATE, VIGIL_A_GENERATION,
		VIGIL_A_VOTES, VIGIL_A_EXPECTED_VOTES, VIGIL_A_QUORUM_VOTES,
	};
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb[required[i]])
			return -EBADMSG;
	}
	tmp->configured = true;
	tmp->cluster_id = nla_get_u32(tb[VIGIL_A_CLUSTER_ID]);
	tmp->node_id = nla_get_u16(tb[VIGIL_A_NODE_ID]);
	nla_strlcpy(tmp->node_name, tb[VIGIL_A_NODE_NAME],
		    sizeof(tmp->node_name));
	if (tb[VIGIL_A_INCARNATION])
		tmp->incarnation = nla_get_u64(tb[VIGIL_A_INCARNATION]);
	tmp->timeout_ms = nla_get_u32(tb[VIGIL_A_TIMEOUT_MS]);
	tmp->interval_ms = get_u32_or0(tb[VIGIL_A_INTERVAL_MS]);
	tmp->quorate = nla_get_u8(tb[VIGIL_A_QUORATE]) != 0;
	tmp->generation = nla_get_u64(tb[VIGIL_A_GENERATION]);
	tmp->votes = nla_get_u32(tb[VIGIL_A_VOTES]);
	tmp->expected_votes = nla_get_u32(tb[VIGIL_A_EXPECTED_VOTES]);
	tmp->quorum_votes = nla_get_u32(tb[VIGIL_A_QUORUM_VOTES]);
	tmp->witness_votes = get_u32_or0(tb[VIGIL_A_WITNESS_VOTES]);
	tmp->witness_ms = get_u32_or0(tb[VIGIL_A_WITNESS_MS]);
	tmp->flags = get_u32_or0(tb[VIGIL_A_FLAGS]);
	if (tb[VIGIL_A_LINKS]) {
		int ret = parse_links(tb[VIGIL_A_LINKS], tmp->links,
				      &tmp->n_links);

		if (ret)
			return ret;
	}
	return parse_status_fencing(tb, tmp);
}

int vigil_nl_parse_status(struct nlmsghdr *nlh, struct vigil_status *st)
{
	struct nlattr *tb[VIGIL_A_MAX + 1];
	struct vigil_status *tmp;
	int ret;

	ret = parse_genl(nlh, VIGIL_CMD_GET_STATUS, tb, VIGIL_A_MAX,
			 status_policy);
	if (ret)
		return ret;
	if (!tb[VIGIL_A_VERSION] || !tb[VIGIL_A_PROTOCOL])
		return -EBADMSG;

	tmp = calloc(1, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	/* The policy guarantees the NUL within VIGIL_VERSION_MAX bytes. */
	nla_strlcpy(tmp->version, tb[VIGIL_A_VERSION], sizeof(tmp->version));
	tmp->protocol = nla_get_u32(tb[VIGIL_A_PROTOCOL]);
	ret = tmp->version[0] ? 0 : -EBADMSG;
	if (!ret && tb[VIGIL_A_CONFIGURED] && nla_get_u8(tb[VIGIL_A_CONFIGURED]))
		ret = parse_status_config(tb, tmp);

	if (!ret)
		*st = *tmp;
	free(tmp);
	return ret;
}

static int parse_peer_attrs(struct nlattr *nest, struct vigil_peer *p)
{
	struct nlattr *tb[VIGIL_PEER_A_MAX + 1];

	if (parse_attrs(tb, VIGIL_PEER_A_MAX, nla_data(nest), nla_len(nest),
			peer_policy))
		return -EBADMSG;
	if (!tb[VIGIL_PEER_A_ID] || !tb[VIGIL_PEER_A_NAME] ||
	    !tb[VIGIL_PEER_A_STATE])
		return -EBADMSG;

	p->id = nla_get_u16(tb[VIGIL_PEER_A_ID]);
	nla_strlcpy(p->name, tb[VIGIL_PEER_A_NAME], sizeof(p->name));
	p->votes = get_u32_or0(tb[VIGIL_PEER_A_VOTES]);
	p->state = nla_get_u8(tb[VIGIL_PEER_A_STATE]);
	if (tb[VIGIL_PEER_A_INCARNATION])
		p->incarnation = nla_get_u64(tb[VIGIL_PEER_A_INCARNATION]);
	if (tb[VIGIL_PEER_A_LAST_SEEN_MS]) {
		p->has_last_seen = true;
		p->last_seen_ms = nla_get_u32(tb[VIGIL_PEER_A_LAST_SEEN_MS]);
	}
	if (tb[VIGIL_PEER_A_QUORATE])
		p->quorate = nla_get_u8(tb[VIGIL_PEER_A_QUORATE]) != 0;
	if (tb[VIGIL_PEER_A_GENERATION])
		p->generation = nla_get_u64(tb[VIGIL_PEER_A_GENERATION]);
	if (tb[VIGIL_PEER_A_MEMBERS]) {
		p->has_members = true;
		memcpy(p->members, nla_data(tb[VIGIL_PEER_A_MEMBERS]),
		       VIGIL_MEMBERS_BYTES);
	}
	if (tb[VIGIL_PEER_A_PAYLOAD]) {
		p->has_payload = true;
		p->payload_len = nla_len(tb[VIGIL_PEER_A_PAYLOAD]);
		memcpy(p->payload, nla_data(tb[VIGIL_PEER_A_PAYLOAD]),
		       p->payload_len);
	}
	if (tb[VIGIL_PEER_A_FENCE_CAUSE]) {
		p->has_fence_cause = true;
		p->fence_cause = nla_get_u8(tb[VIGIL_PEER_A_FENCE_CAUSE]);
	}
	if (tb[VIGIL_PEER_A_LINKS])
		return parse_links(tb[VIGIL_PEER_A_LINKS], p->links,
				   &p->n_links);
	return 0;
}

int vigil_nl_parse_peer(struct nlmsghdr *nlh, struct vigil_peer *peer,
			__u64 *generation)
{
	struct nlattr *tb[VIGIL_A_MAX + 1];
	struct vigil_peer *tmp;
	int ret;

	ret = parse_genl(nlh, VIGIL_CMD_GET_PEERS, tb, VIGIL_A_MAX,
			 status_policy);
	if (ret)
		return ret;
	if (!tb[VIGIL_A_GENERATION] || !tb[VIGIL_A_PEER])
		return -EBADMSG;

	tmp = calloc(1, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	ret = parse_peer_attrs(tb[VIGIL_A_PEER], tmp);
	if (!ret) {
		*peer = *tmp;
		*generation = nla_get_u64(tb[VIGIL_A_GENERATION]);
	}
	free(tmp);
	return ret;
}

int vigil_nl_parse_event(struct nlmsghdr *nlh, struct vigil_nl_event *ev)
{
	struct nlattr *tb[VIGIL_A_MAX + 1];
	struct vigil_nl_event tmp = {};
	int ret;

	ret = parse_genl(nlh, VIGIL_CMD_EVENT, tb, VIGIL_A_MAX, status_policy);
	if (ret)
		return ret;
	if (!tb[VIGIL_A_EVENT] || !tb[VIGIL_A_GENERATION] ||
	    !tb[VIGIL_A_QUORATE])
		return -EBADMSG;

	tmp.type = nla_get_u32(tb[VIGIL_A_EVENT]);
	tmp.generation = nla_get_u64(tb[VIGIL_A_GENERATION]);
	tmp.quorate = nla_get_u8(tb[VIGIL_A_QUORATE]) != 0;
	if (tb[VIGIL_A_EVENT_PEER]) {
		tmp.has_peer = true;
		tmp.peer = nla_get_u16(tb[VIGIL_A_EVENT_PEER]);
	}
	if (tb[VIGIL_A_EVENT_LINK]) {
		tmp.has_link = true;
		tmp.link = nla_get_u8(tb[VIGIL_A_EVENT_LINK]);
	}
	if (tb[VIGIL_A_EVENT_INCARNATION]) {
		tmp.has_incarnation = true;
		tmp.incarnation = nla_get_u64(tb[VIGIL_A_EVENT_INCARNATION]);
	}
	if (tb[VIGIL_A_FENCE_CAUSE]) {
		tmp.has_fence_cause = true;
		tmp.fence_cause = nla_get_u8(tb[VIGIL_A_FENCE_CAUSE]);
	}
	if (tb[VIGIL_A_FENCE_ACTION]) {
		tmp.has_fence_action = true;
		tmp.fence_action = nla_get_u8(tb[VIGIL_A_FENCE_ACTION]);
	}
	if (tb[VIGIL_A_DUMPING]) {
		tmp.has_dumping = true;
		tmp.dumping = nla_get_u8(tb[VIGIL_A_DUMPING]) != 0;
	}
	*ev = tmp;
	return 0;
}

const char *vigil_event_name(__u32 type)
{
	static const char *const names[] = {
		[VIGIL_EV_PEER_UP]		= "peer-up",
		[VIGIL_EV_PEER_DOWN]		= "peer-down",
		[VIGIL_EV_PEER_RESTARTED]	= "peer-restarted",
		[VIGIL_EV_PEER_LEFT]		= "peer-left",
		[VIGIL_EV_LINK_UP]		= "link-up",
		[VIGIL_EV_LINK_DOWN]		= "link-down",
		[VIGIL_EV_QUORUM_GAINED]	= "quorum-gained",
		[VIGIL_EV_QUORUM_LOST]		= "quorum-lost",
		[VIGIL_EV_PAYLOAD_CHANGED]	= "payload-changed",
		[VIGIL_EV_CONFIG_CHANGED]	= "config-changed",
		[VIGIL_EV_LEASE_EXPIRED]	= "lease-expired",
		[VIGIL_EV_LEASE_RENEWED]	= "lease-renewed",
		[VIGIL_EV_FENCE_PENDING]	= "fence-pending",
		[VIGIL_EV_FENCE_CANCELLED]	= "fence-cancelled",
		[VIGIL_EV_FENCE]		= "fence",
		[VIGIL_EV_GATE_OPENED]		= "gate-opened",
		[VIGIL_EV_PEER_FENCED]		= "peer-fenced",
		[VIGIL_EV_DAEMON_REGISTERED]	= "daemon-registered",
		[VIGIL_EV_DAEMON_UNREGISTERED]	= "daemon-unregistered",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

const char *vigil_peer_state_name(__u8 state)
{
	static const char *const names[] = {
		[VIGIL_PEER_UNKNOWN]	= "unknown",
		[VIGIL_PEER_UP]		= "up",
		[VIGIL_PEER_DOWN]	= "down",
		[VIGIL_PEER_LEFT]	= "left",
		[VIGIL_PEER_SELF_FENCED] = "self-fenced",
		[VIGIL_PEER_DUMPING]	= "dumping",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : NULL;
}

static const char *const gate_names[] = {
	[VIGIL_GATE_NONE]	= "none",
	[VIGIL_GATE_OPEN]	= "open",
	[VIGIL_GATE_CLOSED]	= "closed",
	[VIGIL_GATE_LATCHED]	= "latched",
};

static const char *const cause_names[] = {
	[VIGIL_CAUSE_QUORUM]	= "quorum",
	[VIGIL_CAUSE_DAEMON]	= "daemon",
	[VIGIL_CAUSE_OPERATOR]	= "operator",
};

static const char *const action_names[] = {
	[VIGIL_ACTION_NONE]	= "none",
	[VIGIL_ACTION_FREEZE]	= "freeze",
	[VIGIL_ACTION_PANIC]	= "panic",
	[VIGIL_ACTION_REBOOT]	= "reboot",
};

#define NAME_OF(names, v) \
	((v) < sizeof(names) / sizeof(names[0]) ? names[v] : NULL)

const char *vigil_gate_name(__u8 gate)
{
	return NAME_OF(gate_names, gate);
}

const char *vigil_fence_cause_name(__u8 cause)
{
	return NAME_OF(cause_names, cause);
}

const char *vigil_fence_action_name(__u8 action)
{
	return NAME_OF(action_names, action);
}

static int name_parse(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] && !strcmp(names[i], name))
			return i;
	}
	return -EINVAL;
}

int vigil_fence_cause_parse(const char *name)
{
	return name_parse(cause_names, sizeof(cause_names) / sizeof(cause_names[0]),
			  name);
}

int vigil_fence_action_parse(const char *name)
{
	return name_parse(action_names,
			  sizeof(action_names) / sizeof(action_names[0]), name);
}

const char *vigil_counter_name(unsigned int counter)
{
	static const char *const names[] = {
		[VIGIL_CNT_TX]			= "tx",
		[VIGIL_CNT_TX_ERRORS]		= "tx_errors",
		[VIGIL_CNT_RX]			= "rx",
		[VIGIL_CNT_RX_LOST]		= "rx_lost",
		[VIGIL_CNT_RX_BAD_LENGTH]	= "rx_bad_length",
		[VIGIL_CNT_RX_BAD_MAGIC]	= "rx_bad_magic",
		[VIGIL_CNT_RX_BAD_VERSION]	= "rx_bad_version",
		[VIGIL_CNT_RX_BAD_CLUSTER]	= "rx_bad_cluster",
		[VIGIL_CNT_RX_BAD_NODE]		= "rx_bad_node",
		[VIGIL_CNT_RX_BAD_KEY]		= "rx_bad_key",
		[VIGIL_CNT_RX_BAD_MAC]		= "rx_bad_mac",
		[VIGIL_CNT_RX_BAD_LINK]		= "rx_bad_link",
		[VIGIL_CNT_RX_REPLAY]		= "rx_replay",
	};

	return counter < sizeof(names) / sizeof(names[0]) ? names[counter] : NULL;
}

const char *vigil_link_type_name(__u8 type)
{
	switch (type) {
	case VIGIL_LINK_L2:
		return "l2";
	case VIGIL_LINK_UDP:
		return "udp";
	default:
		return NULL;
	}
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
	if (nlh->nlmsg_type != x->type || (x->replied && !x->dump)) {
		x->err = -EBADMSG;
		return NL_OK;
	}
	x->replied = true;
	if (!x->parse) {
		x->err = -EBADMSG;	/* the command has no reply */
		return NL_OK;
	}
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

/*
 * The NLMSG_DONE that ends a dump carries the dump's error as an int, and
 * the extended ACK TLVs after it if it failed.
 */
static int xact_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct xact *x = arg;
	int err;

	x->done = true;
	if (!x->dump) {
		x->err = x->err ? x->err : -EBADMSG;
		return NL_STOP;
	}
	if (nlmsg_datalen(nlh) < (int)sizeof(err))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err >= 0)
		return NL_STOP;
	if (!x->err)
		x->err = err >= -4095 ? err : -EPROTO;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    !parse_attrs(tb, NLMSGERR_ATTR_MAX,
			 nlmsg_attrdata(nlh, sizeof(err)),
			 nlmsg_attrlen(nlh, sizeof(err)), ackmsg_policy) &&
	    tb[NLMSGERR_ATTR_MSG] && x->ackmsg && x->ackmsg_len)
		nla_strlcpy(x->ackmsg, tb[NLMSGERR_ATTR_MSG], x->ackmsg_len);
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
	    nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, xact_finish, x) < 0 ||
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

/* A request to the vigil family; parse and arg as in struct xact. */
static int vigil_request(struct vigil_nl *nl, struct nl_msg *msg,
			 bool dump, int (*parse)(struct nlmsghdr *, void *),
			 void *arg, char *ackmsg, size_t ackmsg_len)
{
	struct xact x = {
		.type = nl->family,
		.need_reply = parse != NULL && !dump,
		.dump = dump,
		.parse = parse,
		.arg = arg,
		.ackmsg = ackmsg,
		.ackmsg_len = ackmsg_len,
	};

	return transact(nl->sk, msg, &x);
}

/* A message for cmd with room for size bytes of attributes. */
static struct nl_msg *vigil_msg(struct vigil_nl *nl, __u8 cmd, int flags,
				size_t size)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(NLMSG_SPACE(GENL_HDRLEN) + size);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, VIGIL_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct peers_dump {
	struct vigil_peers *peers;
	bool raced;
};

static int parse_peers(struct nlmsghdr *nlh, void *arg)
{
	struct peers_dump *d = arg;
	struct vigil_peers *p = d->peers;
	__u64 generation;
	int ret;

	/* One message per configured node but this one, at most. */
	if (p->n == VIGIL_NODES_MAX - 1)
		return -EBADMSG;
	ret = vigil_nl_parse_peer(nlh, &p->peers[p->n], &generation);
	if (ret)
		return ret;
	if (p->n && generation != p->generation)
		d->raced = true;
	p->generation = generation;
	p->n++;
	return 0;
}

int vigil_nl_get_peers(struct vigil_nl *nl, struct vigil_peers *peers,
		       char *ackmsg, size_t ackmsg_len)
{
	struct peers_dump d = { .peers = peers };
	struct nl_msg *msg;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	peers->n = 0;
	peers->generation = 0;
	msg = vigil_msg(nl, VIGIL_CMD_GET_PEERS, NLM_F_DUMP, 0);
	if (!msg)
		return -ENOMEM;
	ret = vigil_request(nl, msg, true, parse_peers, &d, ackmsg,
			    ackmsg_len);
	nlmsg_free(msg);
	if (!ret && d.raced)
		ret = -EAGAIN;
	if (ret)
		peers->n = 0;
	return ret;
}

int vigil_nl_set_config(struct vigil_nl *nl, const struct vigil_config *cfg,
			char *ackmsg, size_t ackmsg_len)
{
	struct nl_msg *msg;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	msg = vigil_msg(nl, VIGIL_CMD_SET_CONFIG, 0, vigil_config_size(cfg));
	if (!msg)
		return -ENOMEM;
	ret = vigil_config_put(msg, cfg);
	if (!ret)
		ret = vigil_request(nl, msg, false, NULL, NULL, ackmsg,
				    ackmsg_len);
	nlmsg_free(msg);
	return ret;
}

int vigil_nl_set_payload(struct vigil_nl *nl, const void *payload,
			 size_t len, char *ackmsg, size_t ackmsg_len)
{
	struct nl_msg *msg;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	if (len > VIGIL_PAYLOAD_MAX)
		return -EMSGSIZE;
	msg = vigil_msg(nl, VIGIL_CMD_SET_PAYLOAD, 0, NLA_HDRLEN + len + 8);
	if (!msg)
		return -ENOMEM;
	if (nla_put(msg, VIGIL_A_PAYLOAD, len, payload) < 0)
		ret = -EMSGSIZE;
	else
		ret = vigil_request(nl, msg, false, NULL, NULL, ackmsg,
				    ackmsg_len);
	nlmsg_free(msg);
	return ret;
}

int vigil_nl_set_witness(struct vigil_nl *nl, __u32 ms, char *ackmsg,
			 size_t ackmsg_len)
{
	struct nl_msg *msg;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	msg = vigil_msg(nl, VIGIL_CMD_SET_WITNESS, 0, 64);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, VIGIL_A_WITNESS_MS, ms) < 0)
		ret = -EMSGSIZE;
	else
		ret = vigil_request(nl, msg, false, NULL, NULL, ackmsg,
				    ackmsg_len);
	nlmsg_free(msg);
	return ret;
}

/* A request without attributes. */
static struct nl_msg *bare_msg(struct vigil_nl *nl, __u8 cmd)
{
	return vigil_msg(nl, cmd, 0, 0);
}

static struct nl_msg *fence_msg(struct vigil_nl *nl, __u8 action)
{
	struct nl_msg *msg = vigil_msg(nl, VIGIL_CMD_FENCE, 0, 64);

	if (msg && nla_put_u8(msg, VIGIL_A_FENCE_ACTION, action) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *daemon_register_msg(struct vigil_nl *nl,
					  __u32 timeout_ms)
{
	struct nl_msg *msg = vigil_msg(nl, VIGIL_CMD_DAEMON_REGISTER, 0, 64);

	if (msg &&
	    nla_put_u32(msg, VIGIL_A_DAEMON_TIMEOUT_MS, timeout_ms) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Send msg (NULL: it could not be built), expect only an ACK, free it. */
static int simple_request(struct vigil_nl *nl, struct nl_msg *msg,
			  char *ackmsg, size_t ackmsg_len)
{
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	if (!msg)
		return -ENOMEM;
	ret = vigil_request(nl, msg, false, NULL, NULL, ackmsg, ackmsg_len);
	nlmsg_free(msg);
	return ret;
}

int vigil_nl_fence(struct vigil_nl *nl, __u8 action, char *ackmsg,
		   size_t ackmsg_len)
{
	return simple_request(nl, fence_msg(nl, action), ackmsg, ackmsg_len);
}

int vigil_nl_gate_open(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len)
{
	return simple_request(nl, bare_msg(nl, VIGIL_CMD_GATE_OPEN), ackmsg,
			      ackmsg_len);
}

int vigil_nl_daemon_register(struct vigil_nl *nl, __u32 timeout_ms,
			     char *ackmsg, size_t ackmsg_len)
{
	return simple_request(nl, daemon_register_msg(nl, timeout_ms), ackmsg,
			      ackmsg_len);
}

int vigil_nl_daemon_pet(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len)
{
	return simple_request(nl, bare_msg(nl, VIGIL_CMD_DAEMON_PET), ackmsg,
			      ackmsg_len);
}

int vigil_nl_daemon_unregister(struct vigil_nl *nl, char *ackmsg,
			       size_t ackmsg_len)
{
	return simple_request(nl, bare_msg(nl, VIGIL_CMD_DAEMON_UNREGISTER),
			      ackmsg, ackmsg_len);
}

static int events_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vigil_nl_events *e = arg;
	struct vigil_nl_event ev;
	int ret;

	if (e->err)
		return NL_STOP;
	/* Only the kernel (port 0) speaks for the family. */
	if (nlmsg_get_src(msg)->nl_pid != 0 || nlh->nlmsg_type != e->family)
		return NL_OK;
	ret = vigil_nl_parse_event(nlh, &ev);
	if (!ret)
		ret = e->fn(&ev, e->arg);
	if (ret < 0) {
		e->err = ret;
		return NL_STOP;
	}
	e->count++;
	return NL_OK;
}

/*
 * A non-blocking socket subscribed to multicast group fam->group of family
 * fam->name, whose valid messages go to @valid(@arg).
 */
static int listener_open(struct family *fam, nl_recvmsg_msg_cb_t valid,
			 void *arg, struct nl_sock **skp, struct nl_cb **cbp,
			 char *ackmsg, size_t ackmsg_len)
{
	struct nl_sock *sk;
	struct nl_cb *cb;
	int ret;

	ret = sock_open(&sk);
	if (ret)
		return ret;
	ret = resolve(sk, fam, ackmsg, ackmsg_len);
	if (ret)
		goto err_sock;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = -ENOMEM;
		goto err_sock;
	}
	if (nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg) < 0 ||
	    nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, watch_seq, NULL) < 0) {
		ret = -EINVAL;
		goto err_cb;
	}
	ret = nl_socket_add_membership(sk, fam->group_id);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto err_cb;
	}
	ret = nl_socket_set_nonblocking(sk);
	if (ret < 0) {
		ret = errno_from_nl(ret);
		goto err_cb;
	}
	*skp = sk;
	*cbp = cb;
	return 0;

err_cb:
	nl_cb_put(cb);
err_sock:
	nl_socket_free(sk);
	return ret;
}

int vigil_nl_events_open(struct vigil_nl_events **ep, char *ackmsg,
			 size_t ackmsg_len)
{
	struct family fam = { .name = VIGIL_GENL_NAME,
			      .group = VIGIL_MCGRP_EVENTS };
	struct vigil_nl_events *e;
	int ret;

	ackmsg_clear(ackmsg, ackmsg_len);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ret = listener_open(&fam, events_valid, e, &e->sk, &e->cb, ackmsg,
			    ackmsg_len);
	if (ret) {
		free(e);
		return ret;
	}
	e->family = fam.id;
	*ep = e;
	return 0;
}

int vigil_nl_events_fd(const struct vigil_nl_events *e)
{
	return nl_socket_get_fd(e->sk);
}

int vigil_nl_events_read(struct vigil_nl_events *e,
			 int (*fn)(const struct vigil_nl_event *ev, void *arg),
			 void *arg)
{
	int ret;

	e->fn = fn;
	e->arg = arg;
	e->count = 0;
	e->err = 0;
	ret = nl_recvmsgs(e->sk, e->cb);
	if (e->err)
		return e->err;
	if (ret == -NLE_AGAIN)
		return e->count;
	/* libnl reports ENOBUFS, events dropped, as NLE_NOMEM. */
	if (ret == -NLE_NOMEM)
		return -ENOBUFS;
	if (ret < 0)
		return errno_from_nl(ret);
	return e->count;
}

void vigil_nl_events_close(struct vigil_nl_events *e)
{
	if (!e)
		return;
	nl_cb_put(e->cb);
	nl_socket_free(e->sk);
	free(e);
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
	ret = listener_open(&fam, watch_valid, w, &w->sk, &w->cb, ackmsg,
			    ackmsg_len);
	if (ret) {
		free(w);
		return ret;
	}
	*wp = w;
	return 0;
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
