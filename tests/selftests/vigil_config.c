// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for vigil.ko's cluster configuration, peers, witness and
 * events, over raw generic netlink (nl_helpers.h).
 *
 * Every test runs in a network namespace of its own (the fixture setup
 * unshares one; the harness forks each test), so each starts with an
 * unconfigured vigil instance and leaves nothing behind. The membership
 * tests make a second namespace with 'ip netns add' and join the two by
 * a veth pair; they need /sbin/ip and the veth module.
 */

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/vigil.h>

#include "kselftest_harness.h"
#include "nl_helpers.h"

#define IP "/sbin/ip"
#define TIMEOUT_MS 200		/* heartbeat timeout of the membership tests */
#define FORM_MS 5000		/* time a cluster gets to form, or to notice */

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

/* A test's configuration; -1 leaves a scalar out, a count of -1 a list. */
struct tcfg {
	long cluster, node, timeout, flags, witness;
	int nkeys;
	struct tkey keys[3];
	int nlinks;
	struct tlink links[3];
	int nnodes;
	struct tnode nodes[4];
};

/* Where the builder put each attribute: [start, end) of each. */
struct span {
	int start, end;
};

struct toffs {
	struct span cluster, node, timeout, flags, witness, keys, links, nodes;
	struct span key[3], link[3], nodee[4];
};

static int put_span(struct span *s, int off, struct req *r)
{
	s->start = off;
	s->end = r->nlh.nlmsg_len;
	return off;
}

static void build_config(struct req *r, __u16 family, const struct tcfg *c,
			 struct toffs *o)
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
}

/* Three nodes over L2 on "v0", this node 1. */
static struct tcfg base_l2(void)
{
	struct tcfg c = {
		.cluster = 4242, .node = 1, .timeout = -1, .flags = -1,
		.witness = -1,
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

static int run(const char *cmd)
{
	int ret = system(cmd);

	return ret == 0 ? 0 : -1;
}

static int set_config(int fd, __u16 family, const struct tcfg *c,
		      struct reply *rep, struct toffs *o)
{
	struct req r;
	int ret;

	build_config(&r, family, c, o);
	ret = transact(fd, &r, rep);
	return ret ? ret : rep->error;
}

/* --- reading replies ---------------------------------------------------- */

static bool get_u32(const struct nlattr *nla, __u32 *v)
{
	if (!nla || attr_len(nla) != sizeof(*v))
		return false;
	memcpy(v, attr_data(nla), sizeof(*v));
	return true;
}

static bool get_u64(const struct nlattr *nla, __u64 *v)
{
	if (!nla || attr_len(nla) != sizeof(*v))
		return false;
	memcpy(v, attr_data(nla), sizeof(*v));
	return true;
}

static int get_u8(const struct nlattr *nla)
{
	if (!nla || attr_len(nla) != 1)
		return -1;
	return *(const __u8 *)attr_data(nla);
}

static int get_u16(const struct nlattr *nla)
{
	__u16 v;

	if (!nla || attr_len(nla) != sizeof(v))
		return -1;
	memcpy(&v, attr_data(nla), sizeof(v));
	return v;
}

static int count_nested(const struct nlattr *nla)
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

/* The facts of GET_STATUS that a configuration sets. */
struct tstatus {
	int configured;
	__u32 cluster, timeout, interval, witness, witness_ms, flags;
	__u32 votes, expected, quorum;
	int node, quorate, nlinks;
	char name[VIGIL_NAME_MAX];
	__u64 generation;
};

static int status(int fd, __u16 family, struct tstatus *st)
{
	const struct nlattr *tb[VIGIL_A_MAX + 1];
	struct reply rep;
	struct req r;
	int ret;

	memset(st, 0, sizeof(*st));
	req_init(&r, family, 0, VIGIL_CMD_GET_STATUS, VIGIL_GENL_VERSION);
	ret = transact(fd, &r, &rep);
	if (ret || rep.error)
		return ret ? ret : rep.error;
	if (!reply_genl(&rep, tb, VIGIL_A_MAX))
		return -EPROTO;
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
	return 0;
}

struct tpeer {
	int id, state;
	char name[VIGIL_NAME_MAX];
};

/* GET_PEERS dump into peers[max]; the count, or -errno. */
static int dump_peers(int fd, __u16 family, struct tpeer *peers, int max)
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
static int join_events(int fd)
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
	__u64 generation;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait up to ms for an event of @type (and from @peer unless -1) on the
 * events socket efd; others are skipped. 0 with *ev filled, -ETIMEDOUT,
 * -ENOBUFS or -errno.
 */
static int wait_event(int efd, __u16 family, __u32 type, int peer, int ms,
		      struct tevent *ev)
{
	long long deadline = now_ms() + ms;
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
			__u32 t;

			if (nlh->nlmsg_type != family || g->cmd != VIGIL_CMD_EVENT)
				continue;
			if (parse_attrs(attrs, (const char *)nlh + nlh->nlmsg_len - attrs,
					tb, VIGIL_A_MAX) ||
			    !get_u32(tb[VIGIL_A_EVENT], &t))
				return -EPROTO;
			if (t != type)
				continue;
			if (peer >= 0 && get_u16(tb[VIGIL_A_EVENT_PEER]) != peer)
				continue;
			ev->type = t;
			ev->peer = get_u16(tb[VIGIL_A_EVENT_PEER]);
			ev->link = get_u8(tb[VIGIL_A_EVENT_LINK]);
			ev->quorate = get_u8(tb[VIGIL_A_QUORATE]);
			ev->generation = 0;
			get_u64(tb[VIGIL_A_GENERATION], &ev->generation);
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/* --- the fixture --------------------------------------------------------- */

FIXTURE(cfg) {
	int fd;
	__u16 family;
	char peer_ns[32];	/* second namespace, "" if none */
};

FIXTURE_SETUP(cfg)
{
	int ret;

	self->fd = -1;
	self->peer_ns[0] = '\0';
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, run(IP " link set lo up"));
	ASSERT_EQ(0, run(IP " link add v0 type veth peer name v1"));
	ASSERT_EQ(0, run(IP " link set v0 up && " IP " link set v1 up"));
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	ret = genl_resolve(self->fd, VIGIL_GENL_NAME, &self->family);
	ASSERT_EQ(0, ret) TH_LOG("resolving '%s': %s", VIGIL_GENL_NAME,
				 strerror(-ret));
}

FIXTURE_TEARDOWN(cfg)
{
	char cmd[96];

	if (self->fd >= 0)
		close(self->fd);
	if (self->peer_ns[0]) {
		snprintf(cmd, sizeof(cmd), IP " netns del %s", self->peer_ns);
		run(cmd);
	}
}

static void assert_reflected(struct __test_metadata *_metadata, int fd,
			     __u16 family, const struct tcfg *c)
{
	struct tstatus st;

	ASSERT_EQ(0, status(fd, family, &st));
	ASSERT_EQ(1, st.configured);
	EXPECT_EQ(c->cluster, st.cluster);
	EXPECT_EQ(c->node, st.node);
	EXPECT_STREQ(c->nodes[c->node - 1].name, st.name);
	EXPECT_EQ(c->timeout >= 0 ? c->timeout : VIGIL_TIMEOUT_DEFAULT_MS,
		  st.timeout);
	EXPECT_EQ(st.timeout / VIGIL_INTERVAL_DIVISOR, st.interval);
	EXPECT_EQ(c->witness >= 0 ? c->witness : 0, st.witness);
	EXPECT_EQ(c->flags >= 0 ? c->flags : 0, st.flags);
	EXPECT_EQ(c->nlinks, st.nlinks);
	EXPECT_LE(st.quorum, st.expected);
}

static void assert_accepted(struct __test_metadata *_metadata, int fd,
			    __u16 family, const struct tcfg *c)
{
	struct reply rep;
	struct toffs o;

	ASSERT_EQ(0, set_config(fd, family, c, &rep, &o)) {
		TH_LOG("refused: %s (%s)", strerror(-rep.error),
		       rep.has_msg ? rep.msg : "no message");
	}
	assert_reflected(_metadata, fd, family, c);
}

TEST_F(cfg, l2_accepted)
{
	struct tcfg c = base_l2();

	c.links[0].ethertype = 0x88b6;
	c.timeout = 1000;
	assert_accepted(_metadata, self->fd, self->family, &c);
}

TEST_F(cfg, udp4_accepted)
{
	struct tcfg c = base_l2();
	int i;

	c.links[0] = (struct tlink){ .index = 3, .name = "u", .type = VIGIL_LINK_UDP,
				     .port = 6000, .family = AF_INET };
	for (i = 1; i < 3; i++) {
		c.nodes[i].naddrs = 1;
		c.nodes[i].addrs[0] = (struct taddr){ .link = 3, .kind = A_IN,
			.bytes = { 192, 0, 2, i + 1 }, .port = 6000 };
	}
	assert_accepted(_metadata, self->fd, self->family, &c);
}

TEST_F(cfg, udp6_two_keys_witness_accepted)
{
	struct tcfg c = base_l2();
	int i;

	c.links[0] = (struct tlink){ .index = 7, .name = "u6", .type = VIGIL_LINK_UDP,
				     .ifname = "v0", .family = AF_INET6 };
	for (i = 1; i < 3; i++) {
		c.nodes[i].naddrs = 1;
		c.nodes[i].addrs[0] = (struct taddr){ .link = 7, .kind = A_IN6,
			.bytes = { 0xfe, 0x80, [15] = i + 1 } };
	}
	c.nkeys = 2;
	c.keys[1] = (struct tkey){ .id = 2, .len = VIGIL_KEY_LEN, .primary = true };
	c.witness = 2;
	assert_accepted(_metadata, self->fd, self->family, &c);
}

TEST_F(cfg, two_node_accepted)
{
	struct tcfg c = base_l2();
	struct tstatus st;

	c.nnodes = 2;
	c.flags = VIGIL_CFG_F_TWO_NODE;
	assert_accepted(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, status(self->fd, self->family, &st));
	EXPECT_EQ(1, st.quorate) TH_LOG("two-node: one node alone is quorate");
}

/* How a bad configuration must be refused. */
struct bad {
	const char *what;
	struct tcfg c;
	int error;
	/* The offset must fall in one of these spans; none: no offset. */
	struct span *(*where)(struct toffs *o);
};

static struct span *at_cluster(struct toffs *o) { return &o->cluster; }
static struct span *at_node(struct toffs *o) { return &o->node; }
static struct span *at_timeout(struct toffs *o) { return &o->timeout; }
static struct span *at_flags(struct toffs *o) { return &o->flags; }
static struct span *at_keys(struct toffs *o) { return &o->keys; }
static struct span *at_links(struct toffs *o) { return &o->links; }
static struct span *at_nodes(struct toffs *o) { return &o->nodes; }

static void check_refusal(struct __test_metadata *_metadata, int fd,
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
	EXPECT_EQ(b->error, ret) TH_LOG("%s: got %s", b->what, strerror(-ret));
	EXPECT_TRUE(rep.has_msg && rep.msg[0]) TH_LOG("%s: no ext-ack message", b->what);
	if (rep.has_msg)
		TH_LOG("  kernel: %s", rep.msg);
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

TEST_F(cfg, bad_configs_refused)
{
	static struct bad bads[40];
	struct tcfg good = base_l2();
	int n = 0, i, pass;

#define BAD(w, err, at) (bads[n] = (struct bad){ .what = (w), .c = good, \
	.error = (err), .where = (at) }, &bads[n++].c)

	BAD("no cluster id", -EINVAL, NULL)->cluster = -1;
	BAD("cluster id 0", -EINVAL, at_cluster)->cluster = 0;
	BAD("no node id", -EINVAL, NULL)->node = -1;
	BAD("no keys", -EINVAL, NULL)->nkeys = -1;
	BAD("no links", -EINVAL, NULL)->nlinks = -1;
	BAD("no nodes", -EINVAL, NULL)->nnodes = -1;
	BAD("node id 0", -EINVAL, at_nodes)->nodes[2].id = 0;
	BAD("node id 257", -EINVAL, at_nodes)->nodes[2].id = 257;
	BAD("duplicate node id", -EINVAL, at_nodes)->nodes[2].id = 2;
	BAD("duplicate node name", -EINVAL, at_nodes)->nodes[2].name = "n2";
	BAD("self not among the nodes", -EINVAL, at_node)->node = 4;
	BAD("key of 31 bytes", -ERANGE, at_keys)->keys[0].len = VIGIL_KEY_LEN - 1;
	{
		struct tcfg *c = BAD("two primary keys", -EINVAL, at_keys);

		c->nkeys = 2;
		c->keys[0].primary = true;
		c->keys[1] = (struct tkey){ .id = 2, .len = VIGIL_KEY_LEN, .primary = true };
	}
	{
		struct tcfg *c = BAD("three keys", -EINVAL, at_keys);

		c->nkeys = 3;
		c->keys[1] = (struct tkey){ .id = 2, .len = VIGIL_KEY_LEN, .primary = true };
		c->keys[2] = (struct tkey){ .id = 3, .len = VIGIL_KEY_LEN };
	}
	BAD("link index 8", -ERANGE, at_links)->links[0].index = VIGIL_LINKS_MAX;
	{
		struct tcfg *c = BAD("duplicate link index", -EINVAL, at_links);

		c->nlinks = 2;
		c->links[1] = (struct tlink){ .index = 0, .name = "b",
			.type = VIGIL_LINK_L2, .ifname = "v1" };
	}
	BAD("unknown ifname", -ENODEV, at_links)->links[0].ifname = "nosuchif0";
	BAD("L2 ethertype 0x05ff", -ERANGE, at_links)->links[0].ethertype = 0x05ff;
	{
		struct tcfg *c = BAD("UDP link, a node without an address",
				     -EINVAL, at_nodes);

		c->links[0] = (struct tlink){ .index = 0, .name = "u",
			.type = VIGIL_LINK_UDP, .family = AF_INET };
		c->nodes[1].naddrs = 1;
		c->nodes[1].addrs[0] = (struct taddr){ .link = 0, .kind = A_IN,
			.bytes = { 192, 0, 2, 2 } };
	}
	{
		struct tcfg *c = BAD("TWO_NODE with 3 votes", -EINVAL, NULL);

		c->flags = VIGIL_CFG_F_TWO_NODE;
	}
	BAD("2 nodes without witness or TWO_NODE", -EINVAL, NULL)->nnodes = 2;
	BAD("timeout 49", -EINVAL, at_timeout)->timeout = VIGIL_TIMEOUT_MIN_MS - 1;
	BAD("timeout 60001", -EINVAL, at_timeout)->timeout = VIGIL_TIMEOUT_MAX_MS + 1;
	BAD("unknown flag bits", -EINVAL, at_flags)->flags = 1U << 5;
#undef BAD

	/* Refused on an unconfigured instance, then on a configured one. */
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			assert_accepted(_metadata, self->fd, self->family, &good);
		for (i = 0; i < n; i++)
			check_refusal(_metadata, self->fd, self->family, &bads[i]);
	}
	assert_reflected(_metadata, self->fd, self->family, &good);
}

/* In a child as nobody: the errno of each privileged command, or 200+. */
static int unprivileged(__u16 family)
{
	struct tcfg c = base_l2();
	struct tpeer peers[4];
	struct reply rep;
	struct toffs o;
	struct req r;
	__u32 ms = 1000;
	int fd, ret;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 200;
	fd = nl_open();
	if (fd < 0)
		return 201;
	ret = set_config(fd, family, &c, &rep, &o);
	if (ret != -EPERM)
		return 202;
	req_init(&r, family, 0, VIGIL_CMD_SET_PAYLOAD, VIGIL_GENL_VERSION);
	req_put(&r, VIGIL_A_PAYLOAD, "x", 1);
	if (transact(fd, &r, &rep) || rep.error != -EPERM)
		return 203;
	req_init(&r, family, 0, VIGIL_CMD_SET_WITNESS, VIGIL_GENL_VERSION);
	req_put_u32(&r, VIGIL_A_WITNESS_MS, ms);
	if (transact(fd, &r, &rep) || rep.error != -EPERM)
		return 204;
	if (dump_peers(fd, family, peers, 4) != -EPERM)
		return 205;
	return 0;
}

TEST_F(cfg, unprivileged_is_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged(self->family));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("step %d did not get EPERM (200: drop, 201: socket, 202: SET_CONFIG, 203: SET_PAYLOAD, 204: SET_WITNESS, 205: GET_PEERS)",
		       WEXITSTATUS(status));
	}
}

TEST_F(cfg, peers_unknown_after_config)
{
	struct tcfg c = base_l2();
	struct tpeer peers[8];
	int n, i;

	c.nnodes = 4;
	c.nodes[3] = (struct tnode){ .id = 200, .name = "n200", .votes = 2 };
	c.node = 2;
	assert_accepted(_metadata, self->fd, self->family, &c);
	n = dump_peers(self->fd, self->family, peers, 8);
	ASSERT_EQ(3, n) TH_LOG("dump: %s", n < 0 ? strerror(-n) : "wrong count");
	for (i = 0; i < n; i++) {
		EXPECT_NE(2, peers[i].id);
		EXPECT_EQ(VIGIL_PEER_UNKNOWN, peers[i].state);
	}
	EXPECT_EQ(1, peers[0].id);
	EXPECT_STREQ("n1", peers[0].name);
	EXPECT_EQ(3, peers[1].id);
	EXPECT_EQ(200, peers[2].id);
	EXPECT_STREQ("n200", peers[2].name);
}

TEST_F(cfg, witness_and_payload)
{
	struct tcfg c = base_l2();
	struct tstatus st;
	struct reply rep;
	struct req r;
	__u8 big[VIGIL_PAYLOAD_MAX + 1] = {};

	assert_accepted(_metadata, self->fd, self->family, &c);
	req_init(&r, self->family, 0, VIGIL_CMD_SET_WITNESS, VIGIL_GENL_VERSION);
	req_put_u32(&r, VIGIL_A_WITNESS_MS, 1000);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(-ENOENT, rep.error) TH_LOG("SET_WITNESS without witness votes");

	c.witness = 1;
	assert_accepted(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(0, rep.error);
	ASSERT_EQ(0, status(self->fd, self->family, &st));
	EXPECT_LT(0, st.witness_ms);
	EXPECT_GE(1000, st.witness_ms);

	req_init(&r, self->family, 0, VIGIL_CMD_SET_WITNESS, VIGIL_GENL_VERSION);
	req_put_u32(&r, VIGIL_A_WITNESS_MS, 0);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(0, rep.error);
	ASSERT_EQ(0, status(self->fd, self->family, &st));
	EXPECT_EQ(0, st.witness_ms) TH_LOG("0 revokes");

	req_init(&r, self->family, 0, VIGIL_CMD_SET_PAYLOAD, VIGIL_GENL_VERSION);
	req_put(&r, VIGIL_A_PAYLOAD, "hello", 5);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(0, rep.error);
	req_init(&r, self->family, 0, VIGIL_CMD_SET_PAYLOAD, VIGIL_GENL_VERSION);
	req_put(&r, VIGIL_A_PAYLOAD, big, sizeof(big));
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	EXPECT_EQ(-ERANGE, rep.error) TH_LOG("payload of %zu bytes", sizeof(big));
}

TEST_F(cfg, config_changed_event)
{
	struct tcfg c = base_l2();
	struct tevent ev;
	struct reply rep;
	struct toffs o;
	int efd;

	efd = nl_open();
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, join_events(efd));
	ASSERT_EQ(0, set_config(self->fd, self->family, &c, &rep, &o));
	ASSERT_EQ(0, wait_event(efd, self->family, VIGIL_EV_CONFIG_CHANGED, -1,
				1000, &ev));
	close(efd);
}

/*
 * Open a netlink socket (and join the events group on a second one) in
 * the namespace @ns, then come back.
 */
static int sockets_in(const char *ns, int *fd, int *efd)
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

/*
 * Two namespaces joined by a veth pair (v0 here, "b0" there), each one
 * node of a 2-node cluster. @udp6: over UDP/IPv6 link-local with
 * TWO_NODE; else over L2 with one witness vote, never granted, so that
 * losing the peer loses quorum.
 */
static void two_nodes(struct __test_metadata *_metadata,
		      FIXTURE_DATA(cfg) *self, bool udp6)
{
	struct tcfg a = base_l2(), b;
	struct tevent ev;
	struct tstatus st;
	struct tpeer peers[2];
	struct reply rep;
	struct toffs o;
	char cmd[512];
	int efd, bfd = -1, befd = -1;
	const char *ns = self->peer_ns;

	snprintf(self->peer_ns, sizeof(self->peer_ns), "vgt%d", getpid());
	snprintf(cmd, sizeof(cmd),
		 IP " netns add %s && " IP " link add va type veth peer name b0 netns %s && "
		 IP " link set va up && " IP " -n %s link set b0 up && " IP " -n %s link set lo up",
		 ns, ns, ns, ns);
	ASSERT_EQ(0, run(cmd));
	if (udp6) {
		snprintf(cmd, sizeof(cmd),
			 IP " addr add fe80::a/64 dev va nodad && "
			 IP " -n %s addr add fe80::b/64 dev b0 nodad", ns);
		ASSERT_EQ(0, run(cmd));
	}
	ASSERT_EQ(0, sockets_in(ns, &bfd, &befd));
	efd = nl_open();
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, join_events(efd));

	a.timeout = TIMEOUT_MS;
	a.nnodes = 2;
	a.links[0].ifname = "va";
	if (udp6) {
		a.flags = VIGIL_CFG_F_TWO_NODE;
		a.links[0] = (struct tlink){ .index = 0, .name = "a",
			.type = VIGIL_LINK_UDP, .ifname = "va", .family = AF_INET6 };
		a.nodes[0].naddrs = a.nodes[1].naddrs = 1;
		a.nodes[0].addrs[0] = (struct taddr){ .link = 0, .kind = A_IN6,
			.bytes = { 0xfe, 0x80, [15] = 0xa } };
		a.nodes[1].addrs[0] = (struct taddr){ .link = 0, .kind = A_IN6,
			.bytes = { 0xfe, 0x80, [15] = 0xb } };
	} else {
		a.witness = 1;
	}
	b = a;
	b.node = 2;
	b.links[0].ifname = "b0";

	ASSERT_EQ(0, set_config(self->fd, self->family, &a, &rep, &o)) {
		TH_LOG("node 1: %s (%s)", strerror(-rep.error), rep.msg);
	}
	ASSERT_EQ(0, set_config(bfd, self->family, &b, &rep, &o)) {
		TH_LOG("node 2: %s (%s)", strerror(-rep.error), rep.msg);
	}

	ASSERT_EQ(0, wait_event(efd, self->family, VIGIL_EV_PEER_UP, 2, FORM_MS, &ev))
		TH_LOG("node 1 never saw node 2 up");
	ASSERT_EQ(0, wait_event(befd, self->family, VIGIL_EV_PEER_UP, 1, FORM_MS, &ev))
		TH_LOG("node 2 never saw node 1 up");
	ASSERT_EQ(1, dump_peers(self->fd, self->family, peers, 2));
	EXPECT_EQ(VIGIL_PEER_UP, peers[0].state);
	ASSERT_EQ(1, dump_peers(bfd, self->family, peers, 2));
	EXPECT_EQ(VIGIL_PEER_UP, peers[0].state);
	ASSERT_EQ(0, status(self->fd, self->family, &st));
	EXPECT_EQ(1, st.quorate);

	ASSERT_EQ(0, run(IP " link set va down"));
	ASSERT_EQ(0, wait_event(efd, self->family, VIGIL_EV_PEER_DOWN, 2, FORM_MS, &ev))
		TH_LOG("node 1 never saw node 2 down");
	ASSERT_EQ(0, wait_event(befd, self->family, VIGIL_EV_PEER_DOWN, 1, FORM_MS, &ev))
		TH_LOG("node 2 never saw node 1 down");
	ASSERT_EQ(0, status(self->fd, self->family, &st));
	if (udp6) {
		EXPECT_EQ(1, st.quorate) TH_LOG("TWO_NODE: still quorate alone");
	} else {
		EXPECT_EQ(0, st.quorate);
		EXPECT_EQ(0, wait_event(efd, self->family, VIGIL_EV_QUORUM_LOST, -1,
					FORM_MS, &ev)) {
			TH_LOG("no QUORUM_LOST after the event");
		}
	}
	ASSERT_EQ(1, dump_peers(self->fd, self->family, peers, 2));
	EXPECT_EQ(VIGIL_PEER_DOWN, peers[0].state);
	close(efd);
	close(bfd);
	close(befd);
}

TEST_F_TIMEOUT(cfg, two_namespaces_l2_witness, 60)
{
	two_nodes(_metadata, self, false);
}

TEST_F_TIMEOUT(cfg, two_namespaces_udp6_two_node, 60)
{
	two_nodes(_metadata, self, true);
}

TEST_HARNESS_MAIN
