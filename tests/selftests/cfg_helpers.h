/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the vigil kselftests that configure an instance share: SET_CONFIG
 * built from a struct tcfg (recording where each attribute went, for the
 * extended ACK's offset), GET_STATUS and the GET_PEERS dump read back,
 * the events group, a second network namespace, and the check that a
 * refused configuration is refused the documented way and changes
 * nothing. Include after kselftest_harness.h and nl_helpers.h.
 */
#ifndef _VIGIL_SELFTEST_CFG_HELPERS_H
#define _VIGIL_SELFTEST_CFG_HELPERS_H

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/vigil.h>

#define IP "/sbin/ip"

/* --- building SET_CONFIG ----------------------------------------------- */

enum { A_NONE, A_MAC, A_IN, A_IN6 };

struct taddr {
	int link;
	int kind;
	__u8 bytes[16];
	int port;		/* 0: left out */
};

struct tnode {
	int id;
	const char *name;
	long votes;		/* -1: left out */
	int naddrs;
	struct taddr addrs[2];
};

struct tkey {
	int id;
	int len;		/* of the secret */
	bool primary;
};

struct tlink {
	int index;
	const char *name;
	int type;
	const char *ifname;	/* NULL: left out */
	int ethertype;		/* 0: left out */
	int port;		/* 0: left out */
	int family;		/* 0: left out */
};

/* One nest of VIGIL_A_FENCE; -1 leaves a field out. */
struct tfence {
	long cause, action, delay;
};

#define TCFG_PROTECT_MAX (VIGIL_PROTECT_MAX + 2)
#define TCFG_FENCE_MAX 4

/*
 * A test's configuration; -1 leaves a scalar out, a count of -1 a list.
 * The self-fencing attributes come last: a count of 0 leaves VIGIL_A_PROTECT
 * or VIGIL_A_FENCE out, so a tcfg that never names them has none.
 */
struct tcfg {
	long cluster, node, timeout, flags, witness;
	int nkeys;
	struct tkey keys[3];
	int nlinks;
	struct tlink links[3];
	int nnodes;
	struct tnode nodes[4];
	long lease;
	int nprotect;
	const char *protect[TCFG_PROTECT_MAX];
	int nfence;
	struct tfence fence[TCFG_FENCE_MAX];
};

/* Where the builder put each attribute: [start, end) of each. */
struct span {
	int start, end;
};

struct toffs {
	struct span cluster, node, timeout, flags, witness, keys, links, nodes;
	struct span key[3], link[3], nodee[4];
	struct span lease, protect, fence;
	struct span protecte[TCFG_PROTECT_MAX], fencee[TCFG_FENCE_MAX];
};

static inline int put_span(struct span *s, int off, struct req *r)
{
	s->start = off;
	s->end = r->nlh.nlmsg_len;
	return off;
}

static inline void build_config(struct req *r, __u16 family,
				const struct tcfg *c, struct toffs *o)
{
	__u8 secret[VIGIL_KEY_LEN + 8];
	int i, j, n, e, a;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < (int)sizeof(secret); i++)
		secret[i] = 0x5a ^ i;
	req_init(r, family, 0, VIGIL_CMD_SET_CONFIG, VIGIL_GENL_VERSION);
	if (c->cluster >= 0)
		put_span(&o->cluster, req_put_u32(r, VIGIL_A_CLUSTER_ID, c->cluster), r);
	if (c->node >= 0)
		put_span(&o->node, req_put_u16(r, VIGIL_A_NODE_ID, c->node), r);
	if (c->timeout >= 0)
		put_span(&o->timeout, req_put_u32(r, VIGIL_A_TIMEOUT_MS, c->timeout), r);
	if (c->flags >= 0)
		put_span(&o->flags, req_put_u32(r, VIGIL_A_FLAGS, c->flags), r);
	if (c->witness >= 0)
		put_span(&o->witness, req_put_u32(r, VIGIL_A_WITNESS_VOTES, c->witness), r);

	if (c->nkeys >= 0) {
		n = req_nest_start(r, VIGIL_A_KEYS);
		for (i = 0; i < c->nkeys; i++) {
			e = req_nest_start(r, 0);
			req_put_u8(r, VIGIL_KEY_A_ID, c->keys[i].id);
			req_put(r, VIGIL_KEY_A_SECRET, secret, c->keys[i].len);
			if (c->keys[i].primary)
				req_put(r, VIGIL_KEY_A_PRIMARY, NULL, 0);
			req_nest_end(r, e);
			put_span(&o->key[i], e, r);
		}
		req_nest_end(r, n);
		put_span(&o->keys, n, r);
	}
	if (c->nlinks >= 0) {
		n = req_nest_start(r, VIGIL_A_LINKS);
		for (i = 0; i < c->nlinks; i++) {
			const struct tlink *l = &c->links[i];

			e = req_nest_start(r, 0);
			req_put_u8(r, VIGIL_LINK_A_INDEX, l->index);
			req_put_str(r, VIGIL_LINK_A_NAME, l->name);
			req_put_u8(r, VIGIL_LINK_A_TYPE, l->type);
			if (l->ifname)
				req_put_str(r, VIGIL_LINK_A_IFNAME, l->ifname);
			if (l->ethertype)
				req_put_u16(r, VIGIL_LINK_A_ETHERTYPE, l->ethertype);
			if (l->port)
				req_put_u16(r, VIGIL_LINK_A_PORT, l->port);
			if (l->family)
				req_put_u8(r, VIGIL_LINK_A_FAMILY, l->family);
			req_nest_end(r, e);
			put_span(&o->link[i], e, r);
		}
		req_nest_end(r, n);
		put_span(&o->links, n, r);
	}
	if (c->nnodes >= 0) {
		n = req_nest_start(r, VIGIL_A_NODES);
		for (i = 0; i < c->nnodes; i++) {
			const struct tnode *nd = &c->nodes[i];

			e = req_nest_start(r, 0);
			req_put_u16(r, VIGIL_NODE_A_ID, nd->id);
			req_put_str(r, VIGIL_NODE_A_NAME, nd->name);
			if (nd->votes >= 0)
				req_put_u32(r, VIGIL_NODE_A_VOTES, nd->votes);
			if (nd->naddrs) {
				a = req_nest_start(r, VIGIL_NODE_A_ADDRS);
				for (j = 0; j < nd->naddrs; j++) {
					const struct taddr *ad = &nd->addrs[j];
					int x = req_nest_start(r, 0);

					req_put_u8(r, VIGIL_ADDR_A_LINK, ad->link);
					if (ad->kind == A_MAC)
						req_put(r, VIGIL_ADDR_A_MAC, ad->bytes, 6);
					else if (ad->kind == A_IN)
						req_put(r, VIGIL_ADDR_A_IN, ad->bytes, 4);
					else if (ad->kind == A_IN6)
						req_put(r, VIGIL_ADDR_A_IN6, ad->bytes, 16);
					if (ad->port)
						req_put_u16(r, VIGIL_ADDR_A_PORT, ad->port);
					req_nest_end(r, x);
				}
				req_nest_end(r, a);
			}
			req_nest_end(r, e);
			put_span(&o->nodee[i], e, r);
		}
		req_nest_end(r, n);
		put_span(&o->nodes, n, r);
	}
	if (c->lease >= 0)
		put_span(&o->lease, req_put_u32(r, VIGIL_A_LEASE_MS, c->lease), r);
	if (c->nprotect > 0) {
		n = req_nest_start(r, VIGIL_A_PROTECT);
		for (i = 0; i < c->nprotect; i++)
			put_span(&o->protecte[i], req_put_str(r, 0, c->protect[i]), r);
		req_nest_end(r, n);
		put_span(&o->protect, n, r);
	}
	if (c->nfence > 0) {
		n = req_nest_start(r, VIGIL_A_FENCE);
		for (i = 0; i < c->nfence; i++) {
			const struct tfence *f = &c->fence[i];

			e = req_nest_start(r, 0);
			if (f->cause >= 0)
				req_put_u8(r, VIGIL_FENCE_A_CAUSE, f->cause);
			if (f->action >= 0)
				req_put_u8(r, VIGIL_FENCE_A_ACTION, f->action);
			if (f->delay >= 0)
				req_put_u32(r, VIGIL_FENCE_A_DELAY_MS, f->delay);
			req_nest_end(r, e);
			put_span(&o->fencee[i], e, r);
		}
		req_nest_end(r, n);
		put_span(&o->fence, n, r);
	}
}

/* Three nodes over L2 on "v0", this node 1. */
static inline struct tcfg base_l2(void)
{
	struct tcfg c = {
		.cluster = 4242, .node = 1, .timeout = -1, .flags = -1,
		.witness = -1, .lease = -1,
		.nkeys = 1, .keys = { { .id = 1, .len = VIGIL_KEY_LEN } },
		.nlinks = 1,
		.links = { { .index = 0, .name = "a", .type = VIGIL_LINK_L2,
			     .ifname = "v0" } },
		.nnodes = 3,
		.nodes = { { .id = 1, .name = "n1", .votes = -1 },
			   { .id = 2, .name = "n2", .votes = -1 },
			   { .id = 3, .name = "n3", .votes = -1 } },
	};
	return c;
}

static inline int run(const char *cmd)
{
	int ret = system(cmd);

	return ret == 0 ? 0 : -1;
}

static inline int set_config(int fd, __u16 family, const struct tcfg *c,
			     struct reply *rep, struct toffs *o)
{
	struct req r;
	int ret;

	build_config(&r, family, c, o);
	ret = transact(fd, &r, rep);
	return ret ? ret : rep->error;
}

/* --- reading replies ---------------------------------------------------- */

static inline bool get_u32(const struct nlattr *nla, __u32 *v)
{
	if (!nla || attr_len(nla) != sizeof(*v))
		return false;
	memcpy(v, attr_data(nla), sizeof(*v));
	return true;
}

static inline bool get_u64(const struct nlattr *nla, __u64 *v)
{
	if (!nla || attr_len(nla) != sizeof(*v))
		return false;
	memcpy(v, attr_data(nla), sizeof(*v));
	return true;
}

static inline int get_u8(const struct nlattr *nla)
{
	if (!nla || attr_len(nla) != 1)
		return -1;
	return *(const __u8 *)attr_data(nla);
}

static inline int get_u16(const struct nlattr *nla)
{
	__u16 v;

	if (!nla || attr_len(nla) != sizeof(v))
		return -1;
	memcpy(&v, attr_data(nla), sizeof(v));
	return v;
}

static inline int count_nested(const struct nlattr *nla)
{
	const char *pos = attr_data(nla), *end = pos + attr_len(nla);
	int n = 0;

	while (end - pos >= NLA_HDRLEN) {
		const struct nlattr *e = (const struct nlattr *)pos;

		if (e->nla_len < NLA_HDRLEN || e->nla_len > end - pos)
			return -1;
		n++;
		pos += NLA_ALIGN(e->nla_len);
	}
	return n;
}

/* GET_STATUS: 0 with the reply's attributes in tb (pointing into @rep). */
static inline int status_attrs(int fd, __u16 family, struct reply *rep,
			       const struct nlattr **tb)
{
	struct req r;
	int ret;

	req_init(&r, family, 0, VIGIL_CMD_GET_STATUS, VIGIL_GENL_VERSION);
	ret = transact(fd, &r, rep);
	if (ret || rep->error)
		return ret ? ret : rep->error;
	if (!reply_genl(rep, tb, VIGIL_A_MAX))
		return -EPROTO;
	return 0;
}

/*
 * The facts of GET_STATUS that a configuration sets, and nothing that
 * moves by itself (lease left, gate counter): two reads compare equal
 * unless the configuration or the membership changed.
 */
struct tstatus {
	int configured;
	__u32 cluster, timeout, interval, witness, witness_ms, flags;
	__u32 votes, expected, quorum;
	int node, quorate, nlinks;
	char name[VIGIL_NAME_MAX];
	__u64 generation;
	__u32 lease;
	int gate, nprotect, nfence;
};

static inline int status(int fd, __u16 family, struct tstatus *st)
{
	const struct nlattr *tb[VIGIL_A_MAX + 1];
	struct reply rep;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = status_attrs(fd, family, &rep, tb);
	if (ret)
		return ret;
	st->configured = get_u8(tb[VIGIL_A_CONFIGURED]);
	if (st->configured != 1)
		return 0;
	get_u32(tb[VIGIL_A_CLUSTER_ID], &st->cluster);
	st->node = get_u16(tb[VIGIL_A_NODE_ID]);
	if (tb[VIGIL_A_NODE_NAME] && attr_len(tb[VIGIL_A_NODE_NAME]) <= VIGIL_NAME_MAX)
		memcpy(st->name, attr_data(tb[VIGIL_A_NODE_NAME]),
		       attr_len(tb[VIGIL_A_NODE_NAME]));
	get_u32(tb[VIGIL_A_TIMEOUT_MS], &st->timeout);
	get_u32(tb[VIGIL_A_INTERVAL_MS], &st->interval);
	get_u32(tb[VIGIL_A_WITNESS_VOTES], &st->witness);
	get_u32(tb[VIGIL_A_WITNESS_MS], &st->witness_ms);
	get_u32(tb[VIGIL_A_FLAGS], &st->flags);
	get_u32(tb[VIGIL_A_VOTES], &st->votes);
	get_u32(tb[VIGIL_A_EXPECTED_VOTES], &st->expected);
	get_u32(tb[VIGIL_A_QUORUM_VOTES], &st->quorum);
	get_u64(tb[VIGIL_A_GENERATION], &st->generation);
	st->quorate = get_u8(tb[VIGIL_A_QUORATE]);
	st->nlinks = tb[VIGIL_A_LINKS] ? count_nested(tb[VIGIL_A_LINKS]) : 0;
	get_u32(tb[VIGIL_A_LEASE_MS], &st->lease);
	st->gate = get_u8(tb[VIGIL_A_GATE]);
	st->nprotect = tb[VIGIL_A_PROTECT] ? count_nested(tb[VIGIL_A_PROTECT]) : 0;
	st->nfence = tb[VIGIL_A_FENCE] ? count_nested(tb[VIGIL_A_FENCE]) : 0;
	return 0;
}

struct tpeer {
	int id, state;
	int fence_cause;	/* VIGIL_PEER_A_FENCE_CAUSE, -1: absent */
	char name[VIGIL_NAME_MAX];
};

/* GET_PEERS dump into peers[max]; the count, or -errno. */
static inline int dump_peers(int fd, __u16 family, struct tpeer *peers, int max)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static union {
		struct nlmsghdr nlh;
		char buf[RX_SIZE * 4];
	} rx;
	struct req r;
	int i, n = 0;

	req_init(&r, family, NLM_F_DUMP, VIGIL_CMD_GET_PEERS, VIGIL_GENL_VERSION);
	r.nlh.nlmsg_seq = next_seq++;
	if (sendto(fd, r.buf, r.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (i = 0; i < VIGIL_NODES_MAX + RX_MAX_DATAGRAMS; i++) {
		const struct nlmsghdr *nlh = &rx.nlh;
		ssize_t len = recv(fd, rx.buf, sizeof(rx.buf), 0);

		if (len < 0)
			return -errno;
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct nlattr *tb[VIGIL_A_MAX + 1];
			const struct nlattr *pt[VIGIL_PEER_A_MAX + 1];
			const char *attrs;

			if (nlh->nlmsg_seq != r.nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return n;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct reply rep = {};

				parse_error(nlh, &rep);
				return rep.error ? rep.error : -EPROTO;
			}
			if (n == max)
				return -E2BIG;
			attrs = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
			if (parse_attrs(attrs, (const char *)nlh + nlh->nlmsg_len - attrs,
					tb, VIGIL_A_MAX) || !tb[VIGIL_A_PEER] ||
			    !tb[VIGIL_A_GENERATION] ||
			    parse_attrs(attr_data(tb[VIGIL_A_PEER]),
					attr_len(tb[VIGIL_A_PEER]), pt,
					VIGIL_PEER_A_MAX))
				return -EPROTO;
			peers[n].id = get_u16(pt[VIGIL_PEER_A_ID]);
			peers[n].state = get_u8(pt[VIGIL_PEER_A_STATE]);
			peers[n].fence_cause = get_u8(pt[VIGIL_PEER_A_FENCE_CAUSE]);
			peers[n].name[0] = '\0';
			if (pt[VIGIL_PEER_A_NAME] &&
			    attr_len(pt[VIGIL_PEER_A_NAME]) <= VIGIL_NAME_MAX)
				memcpy(peers[n].name, attr_data(pt[VIGIL_PEER_A_NAME]),
				       attr_len(pt[VIGIL_PEER_A_NAME]));
			n++;
		}
	}
	return -EPROTO;
}

/* --- events -------------------------------------------------------------- */

/* Resolve the "events" group of the family and join it on fd. */
static inline int join_events(int fd)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct reply rep;
	struct req r;
	const char *pos, *end;
	__u32 grp = 0;
	int ret;

	req_init(&r, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	req_put_str(&r, CTRL_ATTR_FAMILY_NAME, VIGIL_GENL_NAME);
	ret = transact(fd, &r, &rep);
	if (ret || rep.error)
		return ret ? ret : rep.error;
	if (!reply_genl(&rep, tb, CTRL_ATTR_MAX) || !tb[CTRL_ATTR_MCAST_GROUPS])
		return -ENOENT;
	pos = attr_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	end = pos + attr_len(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (end - pos >= NLA_HDRLEN) {
		const struct nlattr *e = (const struct nlattr *)pos;

		if (e->nla_len < NLA_HDRLEN || e->nla_len > end - pos ||
		    parse_attrs(attr_data(e), attr_len(e), g, CTRL_ATTR_MCAST_GRP_MAX))
			return -EPROTO;
		if (g[CTRL_ATTR_MCAST_GRP_NAME] &&
		    !strcmp(attr_data(g[CTRL_ATTR_MCAST_GRP_NAME]), VIGIL_MCGRP_EVENTS))
			get_u32(g[CTRL_ATTR_MCAST_GRP_ID], &grp);
		pos += NLA_ALIGN(e->nla_len);
	}
	if (!grp)
		return -ENOENT;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	return 0;
}

struct tevent {
	__u32 type;
	int peer, link, quorate;
	int cause, action;	/* VIGIL_A_FENCE_CAUSE/_ACTION, -1: absent */
	int dumping;		/* VIGIL_A_DUMPING, -1: absent */
	__u64 generation;
	long long at_ms;	/* now_ms() when it was read */
};

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The next event on the events socket efd, waiting until @deadline
 * (now_ms() time): 0 with *ev filled, -ETIMEDOUT, -ENOBUFS or -errno.
 * The kernel multicasts each event in an skb of its own, so one datagram
 * holds one event.
 */
static inline int next_event(int efd, __u16 family, long long deadline,
			     struct tevent *ev)
{
	char buf[8192];
	int i;

	for (i = 0; i < 100000; i++) {
		struct pollfd pfd = { .fd = efd, .events = POLLIN };
		long long left = deadline - now_ms();
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		ssize_t len;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		len = recv(efd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct nlattr *tb[VIGIL_A_MAX + 1];
			const struct genlmsghdr *g = NLMSG_DATA(nlh);
			const char *attrs = (const char *)g + GENL_HDRLEN;

			if (nlh->nlmsg_type != family || g->cmd != VIGIL_CMD_EVENT)
				continue;
			if (parse_attrs(attrs, (const char *)nlh + nlh->nlmsg_len - attrs,
					tb, VIGIL_A_MAX) ||
			    !get_u32(tb[VIGIL_A_EVENT], &ev->type))
				return -EPROTO;
			ev->peer = get_u16(tb[VIGIL_A_EVENT_PEER]);
			ev->link = get_u8(tb[VIGIL_A_EVENT_LINK]);
			ev->quorate = get_u8(tb[VIGIL_A_QUORATE]);
			ev->cause = get_u8(tb[VIGIL_A_FENCE_CAUSE]);
			ev->action = get_u8(tb[VIGIL_A_FENCE_ACTION]);
			ev->dumping = get_u8(tb[VIGIL_A_DUMPING]);
			ev->generation = 0;
			get_u64(tb[VIGIL_A_GENERATION], &ev->generation);
			ev->at_ms = now_ms();
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/*
 * Wait up to ms for an event of @type (and from @peer unless -1) on the
 * events socket efd; others are skipped. 0 with *ev filled, -ETIMEDOUT,
 * -ENOBUFS or -errno.
 */
static inline int wait_event(int efd, __u16 family, __u32 type, int peer,
			     int ms, struct tevent *ev)
{
	long long deadline = now_ms() + ms;
	int i, ret;

	for (i = 0; i < 100000; i++) {
		ret = next_event(efd, family, deadline, ev);
		if (ret)
			return ret;
		if (ev->type == type && (peer < 0 || ev->peer == peer))
			return 0;
	}
	return -ETIMEDOUT;
}

/* --- a second namespace -------------------------------------------------- */

/*
 * Open a netlink socket (and join the events group on a second one) in
 * the namespace @ns, then come back.
 */
static inline int sockets_in(const char *ns, int *fd, int *efd)
{
	char path[64];
	int home, there, ret = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET))
		ret = -errno;
	if (!ret) {
		*fd = nl_open();
		*efd = nl_open();
		if (*fd < 0 || *efd < 0 || join_events(*efd))
			ret = -EIO;
		if (setns(home, CLONE_NEWNET))
			ret = -errno;
	}
	if (home >= 0)
		close(home);
	if (there >= 0)
		close(there);
	return ret;
}

/* --- refusals ------------------------------------------------------------ */

/* How a bad configuration must be refused. */
struct bad {
	const char *what;
	struct tcfg c;
	int error;
	int error2;		/* another errno the contract allows, or 0 */
	const char *msg_has;	/* the message must contain this, or NULL */
	/* The offset must fall in one of these spans; none: no offset. */
	struct span *(*where)(struct toffs *o);
};

static inline struct span *at_cluster(struct toffs *o) { return &o->cluster; }
static inline struct span *at_node(struct toffs *o) { return &o->node; }
static inline struct span *at_timeout(struct toffs *o) { return &o->timeout; }
static inline struct span *at_flags(struct toffs *o) { return &o->flags; }
static inline struct span *at_keys(struct toffs *o) { return &o->keys; }
static inline struct span *at_links(struct toffs *o) { return &o->links; }
static inline struct span *at_nodes(struct toffs *o) { return &o->nodes; }
static inline struct span *at_lease(struct toffs *o) { return &o->lease; }
static inline struct span *at_protect(struct toffs *o) { return &o->protect; }
static inline struct span *at_fence(struct toffs *o) { return &o->fence; }

/*
 * SET_CONFIG with b->c: the errno, an ext-ack message (containing
 * b->msg_has), the offset inside b->where, and GET_STATUS unchanged.
 */
static inline void check_refusal(struct __test_metadata *_metadata, int fd,
				 __u16 family, struct bad *b)
{
	struct tstatus before, after;
	struct reply rep;
	struct toffs o;
	struct span *s;
	int ret;

	TH_LOG("%s", b->what);
	ASSERT_EQ(0, status(fd, family, &before));
	ret = set_config(fd, family, &b->c, &rep, &o);
	if (b->error2 && ret == b->error2)
		ret = b->error;
	EXPECT_EQ(b->error, ret) TH_LOG("%s: got %s", b->what, strerror(-ret));
	EXPECT_TRUE(rep.has_msg && rep.msg[0]) TH_LOG("%s: no ext-ack message", b->what);
	if (rep.has_msg)
		TH_LOG("  kernel: %s", rep.msg);
	if (b->msg_has && rep.has_msg)
		EXPECT_NE(NULL, strcasestr(rep.msg, b->msg_has)) {
			TH_LOG("%s: message does not name '%s'", b->what,
			       b->msg_has);
		}
	if (b->where) {
		s = b->where(&o);
		EXPECT_TRUE(rep.has_offs) TH_LOG("%s: no offending attribute", b->what);
		if (rep.has_offs)
			EXPECT_TRUE(rep.offs >= (__u32)s->start && rep.offs < (__u32)s->end) {
				TH_LOG("%s: offset %u not in [%d, %d)", b->what,
				       rep.offs, s->start, s->end);
			}
	}
	ASSERT_EQ(0, status(fd, family, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before))) {
		TH_LOG("%s: the refused config changed the status", b->what);
	}
}

#endif /* _VIGIL_SELFTEST_CFG_HELPERS_H */
