// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for vigil.ko's cluster configuration, peers, witness and
 * events, over raw generic netlink (nl_helpers.h; the configuration
 * builder and the status, peer and event readers are in cfg_helpers.h).
 *
 * Every test runs in a network namespace of its own (the fixture setup
 * unshares one; the harness forks each test), so each starts with an
 * unconfigured vigil instance and leaves nothing behind. The membership
 * tests make a second namespace with 'ip netns add' and join the two by
 * a veth pair; they need /sbin/ip and the veth module.
 */

#include <grp.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/vigil.h>

#include "kselftest_harness.h"
#include "nl_helpers.h"
#include "cfg_helpers.h"

#define TIMEOUT_MS 200		/* heartbeat timeout of the membership tests */
#define FORM_MS 5000		/* time a cluster gets to form, or to notice */

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
