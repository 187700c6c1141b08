// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for vigil.ko's self-fencing API, over raw generic netlink
 * (nl_helpers.h, cfg_helpers.h): the I/O lease, protected interfaces and
 * the fence policy in SET_CONFIG, VIGIL_CMD_FENCE, VIGIL_CMD_GATE_OPEN,
 * the daemon watchdog, and the gate on the data path.
 *
 * Every test runs in a network namespace of its own (the fixture setup
 * unshares one, with a veth pair v0/v1; the harness forks each test), so
 * each starts with an unconfigured vigil instance and leaves nothing
 * behind. The data-path tests add a second namespace with 'ip netns add',
 * joined by a veth pair (va here, b0 there) with IPv4 and IPv6 addresses,
 * and ping across it with busybox ping.
 *
 * No test asks for VIGIL_ACTION_PANIC or VIGIL_ACTION_REBOOT: the fences
 * that act are NONE (events only) and FREEZE (the gate latches).
 */

#include <grp.h>
#include <net/if.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/vigil.h>

#include "kselftest_harness.h"
#include "nl_helpers.h"
#include "cfg_helpers.h"

#define TIMEOUT_MS 200		/* heartbeat timeout of the timing tests */
#define INTERVAL_MS (TIMEOUT_MS / VIGIL_INTERVAL_DIVISOR)
#define FORM_MS 10000		/* time a cluster gets to form, or to notice */
#define QUIET_MS 300		/* how long a refused request must stay quiet */
#define SLACK_MS 20		/* user clock vs jiffies */

#define A4 "10.9.0.1"		/* namespace A (the test's), on va */
#define B4 "10.9.0.2"		/* namespace B, on b0 */
#define A6 "fd09::1"
#define B6 "fd09::2"

/* --- status ---------------------------------------------------------------- */

/* GET_STATUS's self-fencing attributes; -1 or false: absent. */
struct fstatus {
	int configured, quorate, gate, fenced;
	bool has_lease, has_lease_left, has_dropped;
	bool has_daemon_timeout, has_daemon_left;
	__u32 lease, lease_left, timeout, interval;
	__u32 daemon_timeout, daemon_left;
	__u64 dropped;
	bool has_protect, has_fence;
	int nprotect, nfence, npending;
	char protect[TCFG_PROTECT_MAX][IFNAMSIZ];
	struct tfence fence[TCFG_FENCE_MAX], pending[TCFG_FENCE_MAX];
};

/* The nests of a list of VIGIL_FENCE_A_* nests into f[max]; count or -1. */
static int parse_fences(const struct nlattr *list, struct tfence *f, int max)
{
	const char *pos = attr_data(list), *end = pos + attr_len(list);
	const struct nlattr *tb[VIGIL_FENCE_A_MAX + 1];
	int n = 0;

	while (end - pos >= NLA_HDRLEN) {
		const struct nlattr *e = (const struct nlattr *)pos;
		__u32 delay;

		if (e->nla_len < NLA_HDRLEN || e->nla_len > end - pos || n == max ||
		    parse_attrs(attr_data(e), attr_len(e), tb, VIGIL_FENCE_A_MAX))
			return -1;
		f[n].cause = get_u8(tb[VIGIL_FENCE_A_CAUSE]);
		f[n].action = get_u8(tb[VIGIL_FENCE_A_ACTION]);
		f[n].delay = get_u32(tb[VIGIL_FENCE_A_DELAY_MS], &delay) ? (long)delay : -1;
		n++;
		pos += NLA_ALIGN(e->nla_len);
	}
	return n;
}

static int fstatus(int fd, __u16 family, struct fstatus *st)
{
	const struct nlattr *tb[VIGIL_A_MAX + 1];
	struct reply rep;
	int ret;

	memset(st, 0, sizeof(*st));
	st->quorate = st->gate = st->fenced = -1;
	ret = status_attrs(fd, family, &rep, tb);
	if (ret)
		return ret;
	st->configured = get_u8(tb[VIGIL_A_CONFIGURED]);
	st->quorate = get_u8(tb[VIGIL_A_QUORATE]);
	st->gate = get_u8(tb[VIGIL_A_GATE]);
	st->fenced = get_u8(tb[VIGIL_A_FENCED]);
	get_u32(tb[VIGIL_A_TIMEOUT_MS], &st->timeout);
	get_u32(tb[VIGIL_A_INTERVAL_MS], &st->interval);
	st->has_lease = get_u32(tb[VIGIL_A_LEASE_MS], &st->lease);
	st->has_lease_left = get_u32(tb[VIGIL_A_LEASE_LEFT_MS], &st->lease_left);
	st->has_dropped = get_u64(tb[VIGIL_A_GATE_DROPPED], &st->dropped);
	st->has_daemon_timeout = get_u32(tb[VIGIL_A_DAEMON_TIMEOUT_MS],
					 &st->daemon_timeout);
	st->has_daemon_left = get_u32(tb[VIGIL_A_DAEMON_LEFT_MS], &st->daemon_left);

	if (tb[VIGIL_A_PROTECT]) {
		const struct nlattr *l = tb[VIGIL_A_PROTECT];
		const char *pos = attr_data(l), *end = pos + attr_len(l);

		st->has_protect = true;
		while (end - pos >= NLA_HDRLEN) {
			const struct nlattr *e = (const struct nlattr *)pos;

			if (e->nla_len < NLA_HDRLEN || e->nla_len > end - pos ||
			    st->nprotect == TCFG_PROTECT_MAX ||
			    !attr_len(e) || attr_len(e) > IFNAMSIZ ||
			    ((const char *)attr_data(e))[attr_len(e) - 1])
				return -EPROTO;
			memcpy(st->protect[st->nprotect++], attr_data(e), attr_len(e));
			pos += NLA_ALIGN(e->nla_len);
		}
	}
	if (tb[VIGIL_A_FENCE]) {
		st->has_fence = true;
		st->nfence = parse_fences(tb[VIGIL_A_FENCE], st->fence, TCFG_FENCE_MAX);
		if (st->nfence < 0)
			return -EPROTO;
	}
	if (tb[VIGIL_A_FENCE_PENDING]) {
		st->npending = parse_fences(tb[VIGIL_A_FENCE_PENDING], st->pending,
					    TCFG_FENCE_MAX);
		if (st->npending < 0)
			return -EPROTO;
	}
	return 0;
}

/* The nest of @cause in f[n], or NULL. */
static const struct tfence *fence_of(const struct tfence *f, int n, int cause)
{
	int i;

	for (i = 0; i < n; i++)
		if (f[i].cause == cause)
			return &f[i];
	return NULL;
}

/* Poll the status until the gate is @gate; the last status read. */
static int wait_gate(int fd, __u16 family, int gate, int ms, struct fstatus *st)
{
	long long deadline = now_ms() + ms;
	int ret;

	for (;;) {
		ret = fstatus(fd, family, st);
		if (ret || st->gate == gate || now_ms() > deadline)
			return ret;
		usleep(20 * 1000);
	}
}

/*
 * VIGIL_A_FENCED after a NONE action of @cause acted: absent (-1), since
 * it is "the enum vigil_fence_cause whose FREEZE latched the gate".
 */
static int fenced_after_none(int cause)
{
	(void)cause;
	return -1;
}

/* --- commands ---------------------------------------------------------------- */

/*
 * @cmd with no attribute (@type 0) or one of @len bytes; the kernel's
 * verdict (or the exchange's -errno). *@off: where the attribute went.
 */
static int command(int fd, __u16 family, __u8 cmd, __u16 type,
		   const void *data, __u16 len, struct reply *rep, int *off)
{
	struct req r;
	int ret, at = 0;

	req_init(&r, family, 0, cmd, VIGIL_GENL_VERSION);
	if (type)
		at = req_put(&r, type, data, len);
	if (off)
		*off = at;
	ret = transact(fd, &r, rep);
	return ret ? ret : rep->error;
}

static int cmd0(int fd, __u16 family, __u8 cmd, struct reply *rep)
{
	return command(fd, family, cmd, 0, NULL, 0, rep, NULL);
}

static int fence_cmd(int fd, __u16 family, __u8 action, struct reply *rep)
{
	return command(fd, family, VIGIL_CMD_FENCE, VIGIL_A_FENCE_ACTION,
		       &action, sizeof(action), rep, NULL);
}

static int daemon_register(int fd, __u16 family, __u32 ms, struct reply *rep)
{
	return command(fd, family, VIGIL_CMD_DAEMON_REGISTER,
		       VIGIL_A_DAEMON_TIMEOUT_MS, &ms, sizeof(ms), rep, NULL);
}

/* --- events ------------------------------------------------------------------- */

#define EVLOG_MAX 512

/* Every event read so far, in order: waits do not lose the others. */
struct evlog {
	int n;
	struct tevent ev[EVLOG_MAX];
};

/* The first event from index @from on of @type (and @peer, @cause unless -1). */
static int evlog_find(const struct evlog *l, int from, __u32 type, int peer,
		      int cause)
{
	int i;

	for (i = from; i < l->n; i++) {
		const struct tevent *e = &l->ev[i];

		if (e->type == type && (peer < 0 || e->peer == peer) &&
		    (cause < 0 || e->cause == cause))
			return i;
	}
	return -1;
}

/*
 * Wait up to ms for an event of @type (@peer, @cause unless -1) at index
 * @from or later, logging every event read. Its index, or -errno.
 */
static int evlog_wait(int efd, __u16 family, struct evlog *l, int from,
		      __u32 type, int peer, int cause, int ms)
{
	long long deadline = now_ms() + ms;
	int i, ret;

	i = evlog_find(l, from, type, peer, cause);
	while (i < 0) {
		if (l->n == EVLOG_MAX)
			return -E2BIG;
		ret = next_event(efd, family, deadline, &l->ev[l->n]);
		if (ret)
			return ret;
		l->n++;
		i = evlog_find(l, l->n - 1, type, peer, cause);
	}
	return i;
}

/* Log every event that arrives within ms. */
static int evlog_collect(int efd, __u16 family, struct evlog *l, int ms)
{
	long long deadline = now_ms() + ms;
	int ret;

	while (l->n < EVLOG_MAX) {
		ret = next_event(efd, family, deadline, &l->ev[l->n]);
		if (ret == -ETIMEDOUT)
			return 0;
		if (ret)
			return ret;
		l->n++;
	}
	return -E2BIG;
}

/* How many fence events (pending, fence, cancelled) from @from on. */
static int fence_events(const struct evlog *l, int from)
{
	int i, n = 0;

	for (i = from; i < l->n; i++)
		n += l->ev[i].type == VIGIL_EV_FENCE_PENDING ||
		     l->ev[i].type == VIGIL_EV_FENCE ||
		     l->ev[i].type == VIGIL_EV_FENCE_CANCELLED;
	return n;
}

/* --- the fixture ---------------------------------------------------------------- */

FIXTURE(fence) {
	int fd, efd;		/* requests, events: namespace A */
	int bfd, befd;		/* the same in namespace B */
	__u16 family;
	char peer_ns[32];	/* namespace B, "" if none */
	struct evlog log, blog;	/* events of A and of B */
};

FIXTURE_SETUP(fence)
{
	int ret;

	self->fd = self->efd = self->bfd = self->befd = -1;
	self->peer_ns[0] = '\0';
	self->log.n = self->blog.n = 0;
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
	self->efd = nl_open();
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, join_events(self->efd));
}

FIXTURE_TEARDOWN(fence)
{
	char cmd[96];
	int fds[] = { self->fd, self->efd, self->bfd, self->befd };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (self->peer_ns[0]) {
		snprintf(cmd, sizeof(cmd), IP " netns del %s", self->peer_ns);
		run(cmd);
	}
}

static void assert_config(struct __test_metadata *_metadata, int fd,
			  __u16 family, const struct tcfg *c)
{
	struct reply rep;
	struct toffs o;

	ASSERT_EQ(0, set_config(fd, family, c, &rep, &o)) {
		TH_LOG("refused: %s (%s)", strerror(-rep.error),
		       rep.has_msg ? rep.msg : "no message");
	}
}

/* A one-node cluster (one vote: quorate alone, lease infinite) on v0. */
static struct tcfg one_node(void)
{
	struct tcfg c = base_l2();

	c.nnodes = 1;
	return c;
}

static void protect(struct tcfg *c, const char *ifname)
{
	c->protect[c->nprotect++] = ifname;
}

static void policy(struct tcfg *c, int cause, int action, long delay)
{
	c->fence[c->nfence++] = (struct tfence){ cause, action, delay };
}

/* --- configuration ------------------------------------------------------------- */

TEST_F(fence, lease_default_and_bounds_accepted)
{
	/* timeout, lease given (-1: default), lease expected */
	static const long cases[][3] = {
		{ -1, -1, VIGIL_TIMEOUT_DEFAULT_MS * 9 / 10 },
		{ 1000, -1, 900 },
		{ 50, -1, 45 },
		{ 60000, -1, 54000 },
		{ 500, 300, 300 },	/* 3 intervals of 100 */
		{ 500, 490, 490 },	/* 500 * 0.99 / 1.01 = 490.1 */
		{ 1000, 600, 600 },
		{ 1000, 980, 980 },	/* 980.2 */
	};
	struct fstatus st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tcfg c = base_l2();

		c.timeout = cases[i][0];
		c.lease = cases[i][1];
		TH_LOG("timeout %ld, lease %ld", c.timeout, c.lease);
		assert_config(_metadata, self->fd, self->family, &c);
		ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
		EXPECT_TRUE(st.has_lease);
		EXPECT_EQ(cases[i][2], st.lease);
	}

	/* What an unprotected, never quorate instance shows. */
	EXPECT_EQ(0, st.quorate);
	EXPECT_TRUE(st.has_lease_left);
	EXPECT_EQ(0, st.lease_left) TH_LOG("not quorate: the lease is not fresh");
	EXPECT_EQ(VIGIL_GATE_NONE, st.gate);
	EXPECT_TRUE(st.has_dropped);
	EXPECT_EQ(0, st.dropped);
	EXPECT_EQ(-1, st.fenced) TH_LOG("VIGIL_A_FENCED present: not fenced");
	EXPECT_EQ(0, st.npending);
	EXPECT_TRUE(st.has_daemon_timeout);
	EXPECT_EQ(0, st.daemon_timeout);
	EXPECT_FALSE(st.has_daemon_left);
	EXPECT_EQ(0, st.nprotect);
	/* A cause not named: NONE, no delay (the operator's: no action). */
	for (i = 0; i < (size_t)st.nfence; i++) {
		TH_LOG("default policy: cause %ld action %ld delay %ld",
		       st.fence[i].cause, st.fence[i].action, st.fence[i].delay);
		EXPECT_EQ(st.fence[i].cause == VIGIL_CAUSE_OPERATOR ? -1 :
			  VIGIL_ACTION_NONE, st.fence[i].action);
		EXPECT_EQ(0, st.fence[i].delay);
	}
}

TEST_F(fence, bad_configs_refused)
{
	static struct bad bads[40];
	static const char *const ifs[] = { "v0", "v1", "p0", "q0", "p1", "q1",
					   "p2", "q2", "p3", "q3" };
	struct tcfg good = base_l2();
	int n = 0, i, pass;

	ASSERT_EQ(0, run(IP " link add p0 type veth peer name q0 && "
			 IP " link add p1 type veth peer name q1 && "
			 IP " link add p2 type veth peer name q2 && "
			 IP " link add p3 type veth peer name q3"));
	protect(&good, "v0");

#define BAD(w, err, err2, has, at) (bads[n] = (struct bad){ .what = (w), \
	.c = good, .error = (err), .error2 = (err2), .msg_has = (has), \
	.where = (at) }, &bads[n++].c)

	BAD("lease 299 < 3 intervals of 100", -EINVAL, 0, "lease", at_lease)->lease = 299;
	BAD("lease 0", -EINVAL, 0, "lease", at_lease)->lease = 0;
	BAD("lease 491 > 500 * 0.99 / 1.01", -EINVAL, 0, "lease", at_lease)->lease = 491;
	BAD("lease 500 = timeout", -EINVAL, 0, "lease", at_lease)->lease = 500;
	{
		struct tcfg *c = BAD("timeout 1000, lease 599", -EINVAL, 0,
				     "lease", at_lease);

		c->timeout = 1000;
		c->lease = 599;
	}
	{
		struct tcfg *c = BAD("timeout 1000, lease 981", -EINVAL, 0,
				     "lease", at_lease);

		c->timeout = 1000;
		c->lease = 981;
	}
	BAD("protect a missing interface", -ENODEV, 0, "nosuchif0",
	    at_protect)->protect[0] = "nosuchif0";
	{
		struct tcfg *c = BAD("protect 9 interfaces", -EINVAL, 0, NULL,
				     at_protect);

		c->nprotect = VIGIL_PROTECT_MAX + 1;
		for (i = 0; i < c->nprotect; i++)
			c->protect[i] = ifs[i];
	}
	BAD("protect a name of IFNAMSIZ bytes", -EINVAL, -ERANGE, NULL,
	    at_protect)->protect[0] = "abcdefghijklmnop";
	{
		struct tcfg *c = BAD("fence cause 0", -ERANGE, -EINVAL, NULL, at_fence);

		policy(c, VIGIL_CAUSE_NONE, VIGIL_ACTION_NONE, 0);
	}
	{
		struct tcfg *c = BAD("fence cause 4", -ERANGE, -EINVAL, NULL, at_fence);

		policy(c, VIGIL_CAUSE_MAX + 1, VIGIL_ACTION_NONE, 0);
	}
	{
		struct tcfg *c = BAD("fence action 0", -ERANGE, -EINVAL, NULL, at_fence);

		policy(c, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_UNSPEC, 0);
	}
	{
		struct tcfg *c = BAD("fence action 5", -ERANGE, -EINVAL, NULL, at_fence);

		policy(c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_MAX + 1, 0);
	}
	{
		struct tcfg *c = BAD("fence nest without a cause", -EINVAL, 0, NULL,
				     at_fence);

		policy(c, -1, VIGIL_ACTION_NONE, 0);
	}
	{
		struct tcfg *c = BAD("duplicate fence cause", -EINVAL, 0, NULL, at_fence);

		policy(c, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_NONE, 0);
		policy(c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE, 0);
		policy(c, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_FREEZE, 10);
	}
	{
		struct tcfg *c = BAD("fence delay 60001", -ERANGE, -EINVAL, NULL,
				     at_fence);

		policy(c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE,
		       VIGIL_TIMEOUT_MAX_MS + 1);
	}
	{
		struct tcfg *c = BAD("freeze without a protected interface",
				     -EINVAL, 0, NULL, at_fence);

		c->nprotect = 0;
		policy(c, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_FREEZE, 0);
	}
#undef BAD

	/* Refused on an unconfigured instance, then on a configured one. */
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			assert_config(_metadata, self->fd, self->family, &good);
		for (i = 0; i < n; i++)
			check_refusal(_metadata, self->fd, self->family, &bads[i]);
	}
}

TEST_F(fence, protect_listed_and_gate_closed)
{
	static const char *const ifs[] = { "v0", "v1", "p0", "q0", "p1", "q1",
					   "p2", "q2" };
	struct tcfg c = base_l2();
	struct fstatus st;
	int i;

	ASSERT_EQ(0, run(IP " link add p0 type veth peer name q0 && "
			 IP " link add p1 type veth peer name q1 && "
			 IP " link add p2 type veth peer name q2"));
	for (i = 0; i < VIGIL_PROTECT_MAX; i++)
		protect(&c, ifs[i]);
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	ASSERT_EQ(VIGIL_PROTECT_MAX, st.nprotect);
	for (i = 0; i < VIGIL_PROTECT_MAX; i++)
		EXPECT_STREQ(ifs[i], st.protect[i]);
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate) TH_LOG("3 nodes, 2 absent: no lease");
	EXPECT_EQ(0, st.lease_left);

	c.nprotect = 0;
	protect(&c, "v1");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	ASSERT_EQ(1, st.nprotect);
	EXPECT_STREQ("v1", st.protect[0]);
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate);

	c.nprotect = 0;
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.nprotect);
	EXPECT_EQ(VIGIL_GATE_NONE, st.gate) TH_LOG("no protected interface left");
}

TEST_F(fence, fence_policy_read_back)
{
	struct tcfg c = base_l2();
	const struct tfence *f;
	struct fstatus st;

	protect(&c, "v0");
	policy(&c, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_FREEZE, 1500);
	policy(&c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE, VIGIL_TIMEOUT_MAX_MS);
	policy(&c, VIGIL_CAUSE_OPERATOR, VIGIL_ACTION_NONE, 250);
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	ASSERT_TRUE(st.has_fence);

	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_QUORUM);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(VIGIL_ACTION_FREEZE, f->action);
	EXPECT_EQ(1500, f->delay);
	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_DAEMON);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(VIGIL_ACTION_NONE, f->action);
	EXPECT_EQ(VIGIL_TIMEOUT_MAX_MS, f->delay);
	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_OPERATOR);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(-1, f->action) TH_LOG("operator: the request names the action");
	EXPECT_EQ(250, f->delay);

	/* A new configuration replaces the whole policy. */
	c.nfence = 0;
	policy(&c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_FREEZE, 0);
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_DAEMON);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(VIGIL_ACTION_FREEZE, f->action);
	EXPECT_EQ(0, f->delay);
	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_QUORUM);
	if (f) {
		EXPECT_EQ(VIGIL_ACTION_NONE, f->action) TH_LOG("old quorum policy kept");
		EXPECT_EQ(0, f->delay);
	}
	f = fence_of(st.fence, st.nfence, VIGIL_CAUSE_OPERATOR);
	if (f)
		EXPECT_EQ(0, f->delay) TH_LOG("old operator delay kept");
}

/* --- FENCE and GATE_OPEN --------------------------------------------------------- */

TEST_F(fence, unconfigured_is_enoent)
{
	struct reply rep;

	EXPECT_EQ(-ENOENT, fence_cmd(self->fd, self->family, VIGIL_ACTION_NONE, &rep));
	EXPECT_EQ(-ENOENT, daemon_register(self->fd, self->family, 1000, &rep));
	EXPECT_EQ(-ENOENT, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_PET, &rep));
	EXPECT_EQ(-ENOENT, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER,
				&rep));
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log, QUIET_MS));
	EXPECT_EQ(0, fence_events(&self->log, 0));
}

/* A refusal: errno (or err2), a message, the offset @off (or none: -1). */
static void expect_refused(struct __test_metadata *_metadata, const char *what,
			   int ret, const struct reply *rep, int err, int err2,
			   int off)
{
	TH_LOG("%s: %s%s%s", what, strerror(-ret), rep->has_msg ? ": " : "",
	       rep->has_msg ? rep->msg : "");
	if (err2 && ret == err2)
		ret = err;
	EXPECT_EQ(err, ret) TH_LOG("%s", what);
	EXPECT_TRUE(rep->has_msg && rep->msg[0]) TH_LOG("%s: no ext-ack message", what);
	if (off >= 0) {
		EXPECT_TRUE(rep->has_offs) TH_LOG("%s: no offending attribute", what);
		if (rep->has_offs)
			EXPECT_EQ((__u32)off, rep->offs) TH_LOG("%s", what);
	}
}

TEST_F(fence, requests_validated)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	__u8 action;
	__u32 ms;
	int ret, off;

	assert_config(_metadata, self->fd, self->family, &c);

	ret = cmd0(self->fd, self->family, VIGIL_CMD_FENCE, &rep);
	expect_refused(_metadata, "FENCE without an action", ret, &rep,
		       -EINVAL, 0, -1);
	EXPECT_FALSE(rep.has_offs);
	EXPECT_TRUE(rep.has_miss_type);
	EXPECT_EQ(VIGIL_A_FENCE_ACTION, rep.miss_type);

	action = VIGIL_ACTION_UNSPEC;
	ret = command(self->fd, self->family, VIGIL_CMD_FENCE, VIGIL_A_FENCE_ACTION,
		      &action, 1, &rep, &off);
	expect_refused(_metadata, "FENCE action 0", ret, &rep, -ERANGE, -EINVAL, off);
	action = VIGIL_ACTION_MAX + 1;
	ret = command(self->fd, self->family, VIGIL_CMD_FENCE, VIGIL_A_FENCE_ACTION,
		      &action, 1, &rep, &off);
	expect_refused(_metadata, "FENCE action 5", ret, &rep, -ERANGE, -EINVAL, off);

	ret = fence_cmd(self->fd, self->family, VIGIL_ACTION_FREEZE, &rep);
	expect_refused(_metadata, "FENCE FREEZE without a protected interface",
		       ret, &rep, -EINVAL, 0, -1);

	action = VIGIL_ACTION_NONE;
	ret = command(self->fd, self->family, VIGIL_CMD_GATE_OPEN,
		      VIGIL_A_FENCE_ACTION, &action, 1, &rep, &off);
	expect_refused(_metadata, "GATE_OPEN with an attribute", ret, &rep,
		       -EINVAL, 0, off);

	ret = cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_REGISTER, &rep);
	expect_refused(_metadata, "DAEMON_REGISTER without a timeout", ret, &rep,
		       -EINVAL, 0, -1);
	EXPECT_TRUE(rep.has_miss_type);
	EXPECT_EQ(VIGIL_A_DAEMON_TIMEOUT_MS, rep.miss_type);

	ms = 1000;
	ret = command(self->fd, self->family, VIGIL_CMD_DAEMON_PET,
		      VIGIL_A_DAEMON_TIMEOUT_MS, &ms, sizeof(ms), &rep, &off);
	expect_refused(_metadata, "DAEMON_PET with an attribute", ret, &rep,
		       -EINVAL, 0, off);
	ret = command(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER,
		      VIGIL_A_DAEMON_TIMEOUT_MS, &ms, sizeof(ms), &rep, &off);
	expect_refused(_metadata, "DAEMON_UNREGISTER with an attribute", ret, &rep,
		       -EINVAL, 0, off);

	/* None of it fenced anything. */
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log, QUIET_MS));
	EXPECT_EQ(0, fence_events(&self->log, 0));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(-1, st.fenced);
	EXPECT_EQ(0, st.daemon_timeout);
}

TEST_F(fence, fence_none_emits_event)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	int i;

	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_NONE, &rep));
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_FENCE,
		       -1, -1, 3000);
	ASSERT_LE(0, i) TH_LOG("no VIGIL_EV_FENCE: %s", strerror(-i));
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, self->log.ev[i].cause);
	EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[i].action);

	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(fenced_after_none(VIGIL_CAUSE_OPERATOR), st.fenced)
		TH_LOG("NONE acted: FENCED names the cause");
	EXPECT_EQ(VIGIL_GATE_NONE, st.gate);
	EXPECT_EQ(0, st.npending);
}

TEST_F(fence, fence_waits_for_operator_delay)
{
	const int delay = 1000;
	struct tcfg c = base_l2();
	const struct tfence *p;
	struct fstatus st;
	struct reply rep;
	long long sent;
	int i, j;

	policy(&c, VIGIL_CAUSE_OPERATOR, VIGIL_ACTION_NONE, delay);
	assert_config(_metadata, self->fd, self->family, &c);
	sent = now_ms();
	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_NONE, &rep));

	i = evlog_wait(self->efd, self->family, &self->log, 0,
		       VIGIL_EV_FENCE_PENDING, -1, -1, delay);
	ASSERT_LE(0, i) TH_LOG("no VIGIL_EV_FENCE_PENDING: %s", strerror(-i));
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, self->log.ev[i].cause);
	EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[i].action);
	EXPECT_GT(0, evlog_find(&self->log, 0, VIGIL_EV_FENCE, -1, -1))
		TH_LOG("VIGIL_EV_FENCE before the delay");

	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	if (now_ms() < sent + delay - 100) {
		p = fence_of(st.pending, st.npending, VIGIL_CAUSE_OPERATOR);
		ASSERT_NE(NULL, p) TH_LOG("VIGIL_A_FENCE_PENDING has no operator nest");
		EXPECT_EQ(VIGIL_ACTION_NONE, p->action);
		EXPECT_LT(0, p->delay);
		EXPECT_GE(delay, p->delay);
		EXPECT_EQ(-1, st.fenced) TH_LOG("fenced before the delay");
	}

	j = evlog_wait(self->efd, self->family, &self->log, i, VIGIL_EV_FENCE,
		       -1, -1, delay + 5000);
	ASSERT_LE(0, j) TH_LOG("no VIGIL_EV_FENCE after the delay: %s", strerror(-j));
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, self->log.ev[j].cause);
	EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[j].action);
	EXPECT_LE(sent + delay - SLACK_MS, self->log.ev[j].at_ms) {
		TH_LOG("fenced %lld ms after the request, delay %d",
		       self->log.ev[j].at_ms - sent, delay);
	}
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.npending);
	EXPECT_EQ(fenced_after_none(VIGIL_CAUSE_OPERATOR), st.fenced);
}

TEST_F(fence, freeze_latches_gate_open_needs_quorum)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	int i, ret;

	protect(&c, "v0");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate);

	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_FREEZE, &rep)) {
		TH_LOG("FENCE FREEZE: %s (%s)", strerror(-rep.error), rep.msg);
	}
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_FENCE,
		       -1, -1, 3000);
	ASSERT_LE(0, i) TH_LOG("no VIGIL_EV_FENCE: %s", strerror(-i));
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, self->log.ev[i].cause);
	EXPECT_EQ(VIGIL_ACTION_FREEZE, self->log.ev[i].action);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_LATCHED, st.gate);
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, st.fenced);

	ret = cmd0(self->fd, self->family, VIGIL_CMD_GATE_OPEN, &rep);
	expect_refused(_metadata, "GATE_OPEN, not quorate", ret, &rep, -EAGAIN, 0, -1);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_LATCHED, st.gate);
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, st.fenced);
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log, QUIET_MS));
	EXPECT_GT(0, evlog_find(&self->log, 0, VIGIL_EV_GATE_OPENED, -1, -1));
}

TEST_F(fence, gate_open_one_node)
{
	struct tcfg c = one_node();
	struct fstatus st;
	struct reply rep;
	int i;

	protect(&c, "v0");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_OPEN, 2000, &st));
	EXPECT_EQ(1, st.quorate);
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_EQ(UINT32_MAX, st.lease_left) TH_LOG("one vote of one: lease infinite");

	/* Not latched: left as it is, and no event. */
	EXPECT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_GATE_OPEN, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);

	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_FREEZE, &rep));
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_FENCE,
		       -1, -1, 3000);
	ASSERT_LE(0, i);
	EXPECT_EQ(VIGIL_ACTION_FREEZE, self->log.ev[i].action);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_LATCHED, st.gate);
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, st.fenced);
	EXPECT_GT(0, evlog_find(&self->log, 0, VIGIL_EV_GATE_OPENED, -1, -1))
		TH_LOG("VIGIL_EV_GATE_OPENED for a gate that was not latched");

	ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_GATE_OPEN, &rep)) {
		TH_LOG("GATE_OPEN: %s (%s)", strerror(-rep.error), rep.msg);
	}
	i = evlog_wait(self->efd, self->family, &self->log, i,
		       VIGIL_EV_GATE_OPENED, -1, -1, 3000);
	EXPECT_LE(0, i) TH_LOG("no VIGIL_EV_GATE_OPENED");
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_EQ(-1, st.fenced) TH_LOG("GATE_OPEN clears VIGIL_A_FENCED");
}

/* --- the daemon watchdog ---------------------------------------------------------- */

TEST_F(fence, daemon_register_validated)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	__u32 ms;
	int ret, off;

	c.timeout = TIMEOUT_MS;
	assert_config(_metadata, self->fd, self->family, &c);
	EXPECT_EQ(-ENOENT, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_PET, &rep));
	EXPECT_EQ(-ENOENT, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER,
				&rep));

	ms = 2 * INTERVAL_MS - 1;
	ret = command(self->fd, self->family, VIGIL_CMD_DAEMON_REGISTER,
		      VIGIL_A_DAEMON_TIMEOUT_MS, &ms, sizeof(ms), &rep, &off);
	expect_refused(_metadata, "register below 2 intervals", ret, &rep,
		       -EINVAL, 0, off);
	ms = VIGIL_TIMEOUT_MAX_MS + 1;
	ret = command(self->fd, self->family, VIGIL_CMD_DAEMON_REGISTER,
		      VIGIL_A_DAEMON_TIMEOUT_MS, &ms, sizeof(ms), &rep, &off);
	expect_refused(_metadata, "register above 60000", ret, &rep,
		       -ERANGE, -EINVAL, off);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.daemon_timeout);

	EXPECT_EQ(0, daemon_register(self->fd, self->family, VIGIL_TIMEOUT_MAX_MS, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_TIMEOUT_MAX_MS, st.daemon_timeout);
	EXPECT_EQ(0, daemon_register(self->fd, self->family, 2 * INTERVAL_MS, &rep))
		TH_LOG("2 intervals exactly: %s", rep.msg);
	EXPECT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.daemon_timeout);
}

TEST_F_TIMEOUT(fence, daemon_silence_fences, 60)
{
	const int timeout = 400;
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	long long sent;
	int i, j;

	c.timeout = TIMEOUT_MS;
	policy(&c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE, 0);
	assert_config(_metadata, self->fd, self->family, &c);
	sent = now_ms();
	ASSERT_EQ(0, daemon_register(self->fd, self->family, timeout, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(timeout, st.daemon_timeout);
	EXPECT_TRUE(st.has_daemon_left);
	EXPECT_GE(timeout, st.daemon_left);

	i = evlog_wait(self->efd, self->family, &self->log, 0,
		       VIGIL_EV_DAEMON_REGISTERED, -1, -1, 3000);
	ASSERT_LE(0, i) TH_LOG("no VIGIL_EV_DAEMON_REGISTERED");
	j = evlog_wait(self->efd, self->family, &self->log, i, VIGIL_EV_FENCE,
		       -1, -1, timeout + 5000);
	ASSERT_LE(0, j) TH_LOG("no VIGIL_EV_FENCE after the daemon went quiet");
	EXPECT_EQ(VIGIL_CAUSE_DAEMON, self->log.ev[j].cause);
	EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[j].action);
	EXPECT_LE(sent + timeout - SLACK_MS, self->log.ev[j].at_ms) {
		TH_LOG("fenced %lld ms after registering with %d",
		       self->log.ev[j].at_ms - sent, timeout);
	}
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(fenced_after_none(VIGIL_CAUSE_DAEMON), st.fenced);
}

TEST_F_TIMEOUT(fence, daemon_pets_keep_it_quiet, 60)
{
	const int timeout = 1000;
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	long long end;
	int i, from;

	c.timeout = TIMEOUT_MS;
	policy(&c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE, 0);
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, daemon_register(self->fd, self->family, timeout, &rep));
	end = now_ms() + 3 * timeout;
	while (now_ms() < end) {
		usleep(100 * 1000);
		ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_PET, &rep));
	}
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(timeout, st.daemon_timeout);
	EXPECT_GE(timeout, st.daemon_left);
	EXPECT_LT(timeout / 2, st.daemon_left) TH_LOG("just petted");

	/* Registering again changes the timeout. */
	ASSERT_EQ(0, daemon_register(self->fd, self->family, 2 * timeout, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(2 * timeout, st.daemon_timeout);

	ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.daemon_timeout);
	EXPECT_FALSE(st.has_daemon_left);
	from = evlog_wait(self->efd, self->family, &self->log, 0,
			  VIGIL_EV_DAEMON_REGISTERED, -1, -1, 1000);
	EXPECT_LE(0, from);
	i = evlog_wait(self->efd, self->family, &self->log, 0,
		       VIGIL_EV_DAEMON_UNREGISTERED, -1, -1, 1000);
	EXPECT_LE(0, i) TH_LOG("no VIGIL_EV_DAEMON_UNREGISTERED");

	/* A clean stop: quiet well past the timeout. */
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log,
				   2 * timeout + 500));
	EXPECT_EQ(0, fence_events(&self->log, 0));
	EXPECT_EQ(-ENOENT, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_PET, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(-1, st.fenced);
}

TEST_F_TIMEOUT(fence, daemon_pet_cancels_pending, 60)
{
	const int timeout = 300, delay = 3000;
	struct tcfg c = base_l2();
	const struct tfence *p;
	struct fstatus st;
	struct reply rep;
	int i, j;

	c.timeout = TIMEOUT_MS;
	policy(&c, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_NONE, delay);
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, daemon_register(self->fd, self->family, timeout, &rep));
	i = evlog_wait(self->efd, self->family, &self->log, 0,
		       VIGIL_EV_FENCE_PENDING, -1, -1, timeout + 5000);
	ASSERT_LE(0, i) TH_LOG("no VIGIL_EV_FENCE_PENDING");
	EXPECT_EQ(VIGIL_CAUSE_DAEMON, self->log.ev[i].cause);
	EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[i].action);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	p = fence_of(st.pending, st.npending, VIGIL_CAUSE_DAEMON);
	EXPECT_NE(NULL, p) TH_LOG("VIGIL_A_FENCE_PENDING has no daemon nest");

	ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_PET, &rep)) {
		TH_LOG("PET while pending: %s (%s)", strerror(-rep.error), rep.msg);
	}
	j = evlog_wait(self->efd, self->family, &self->log, i,
		       VIGIL_EV_FENCE_CANCELLED, -1, -1, 3000);
	ASSERT_LE(0, j) TH_LOG("no VIGIL_EV_FENCE_CANCELLED after a pet");
	EXPECT_EQ(VIGIL_CAUSE_DAEMON, self->log.ev[j].cause);
	ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_DAEMON_UNREGISTER, &rep));
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log, delay + 1000));
	EXPECT_GT(0, evlog_find(&self->log, 0, VIGIL_EV_FENCE, -1, -1))
		TH_LOG("fenced after the cancel");
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.npending);
	EXPECT_EQ(-1, st.fenced);
}

/* --- permissions -------------------------------------------------------------------- */

/* In a child as nobody: 0, or the step that did not get -EPERM (or 200+). */
static int unprivileged(__u16 family)
{
	struct reply rep;
	int fd;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 200;
	fd = nl_open();
	if (fd < 0)
		return 201;
	if (fence_cmd(fd, family, VIGIL_ACTION_NONE, &rep) != -EPERM)
		return 1;
	if (fence_cmd(fd, family, VIGIL_ACTION_FREEZE, &rep) != -EPERM)
		return 2;
	if (cmd0(fd, family, VIGIL_CMD_GATE_OPEN, &rep) != -EPERM)
		return 3;
	if (daemon_register(fd, family, 1000, &rep) != -EPERM)
		return 4;
	if (cmd0(fd, family, VIGIL_CMD_DAEMON_PET, &rep) != -EPERM)
		return 5;
	if (cmd0(fd, family, VIGIL_CMD_DAEMON_UNREGISTER, &rep) != -EPERM)
		return 6;
	return 0;
}

TEST_F(fence, unprivileged_is_refused)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	struct reply rep;
	int status;
	pid_t pid;

	protect(&c, "v0");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, daemon_register(self->fd, self->family, VIGIL_TIMEOUT_MAX_MS, &rep));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged(self->family));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("step %d did not get EPERM (1: FENCE NONE, 2: FENCE FREEZE, 3: GATE_OPEN, 4: DAEMON_REGISTER, 5: DAEMON_PET, 6: DAEMON_UNREGISTER; 200: drop, 201: socket)",
		       WEXITSTATUS(status));
	}

	/* Nothing happened. */
	ASSERT_EQ(0, evlog_collect(self->efd, self->family, &self->log, QUIET_MS));
	EXPECT_EQ(0, fence_events(&self->log, 0));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate);
	EXPECT_EQ(-1, st.fenced);
	EXPECT_EQ(VIGIL_TIMEOUT_MAX_MS, st.daemon_timeout);
}

/* --- the gate on the data path ------------------------------------------------------ */

/* Run @cmd with /bin/sh in namespace @ns (NULL: this one); 0 if it exits 0. */
static int run_in(const char *ns, const char *cmd)
{
	char path[64];
	int status, fd;
	pid_t pid;

	if (!ns)
		return run(cmd);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* One ping from @ns (NULL: here) to @addr answered, in up to 3 tries. */
static bool reaches(const char *ns, const char *addr)
{
	char cmd[128];
	int i;

	snprintf(cmd, sizeof(cmd), "ping -c 1 -W 1 %s >/dev/null 2>&1", addr);
	for (i = 0; i < 3; i++)
		if (!run_in(ns, cmd))
			return true;
	return false;
}

/* Two pings from @ns to @addr, none answered. */
static bool blocked(const char *ns, const char *addr)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ping -c 2 -W 2 %s >/dev/null 2>&1", addr);
	return run_in(ns, cmd) != 0;
}

/*
 * Namespace B joined to this one by va (here) and b0 (there), with
 * A4/A6 and B4/B6 and link-local fe80::a/fe80::b, sockets in B, and
 * pings that pass both ways before any gate.
 */
static void make_peer_ns(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fence) *self)
{
	const char *ns = self->peer_ns;
	char cmd[1024];

	snprintf(self->peer_ns, sizeof(self->peer_ns), "vgf%d", getpid());
	snprintf(cmd, sizeof(cmd),
		 IP " netns add %s && " IP " link add va type veth peer name b0 netns %s && "
		 IP " link set va up && " IP " -n %s link set b0 up && " IP " -n %s link set lo up && "
		 IP " addr add " A4 "/24 dev va && " IP " -n %s addr add " B4 "/24 dev b0 && "
		 IP " addr add " A6 "/64 dev va nodad && " IP " -n %s addr add " B6 "/64 dev b0 nodad && "
		 IP " addr add fe80::a/64 dev va nodad && " IP " -n %s addr add fe80::b/64 dev b0 nodad",
		 ns, ns, ns, ns, ns, ns, ns);
	ASSERT_EQ(0, run(cmd));
	ASSERT_EQ(0, sockets_in(ns, &self->bfd, &self->befd));
	ASSERT_TRUE(reaches(NULL, B4)) TH_LOG("no gate yet, yet no IPv4 ping");
	ASSERT_TRUE(reaches(NULL, B6)) TH_LOG("no gate yet, yet no IPv6 ping");
	ASSERT_TRUE(reaches(ns, A4));
	ASSERT_TRUE(reaches(ns, A6));
}

TEST_F_TIMEOUT(fence, closed_gate_drops_service_traffic, 120)
{
	struct tcfg c = base_l2();
	struct fstatus st;
	__u64 before;

	make_peer_ns(_metadata, self);
	c.links[0].ifname = "va";
	protect(&c, "va");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, st.quorate);
	EXPECT_EQ(0, st.lease_left);
	ASSERT_EQ(VIGIL_GATE_CLOSED, st.gate);
	before = st.dropped;

	EXPECT_TRUE(blocked(NULL, B4)) TH_LOG("IPv4 out through a closed gate");
	EXPECT_TRUE(blocked(NULL, B6)) TH_LOG("IPv6 out through a closed gate");
	EXPECT_TRUE(blocked(self->peer_ns, A4)) TH_LOG("IPv4 in through a closed gate");
	EXPECT_TRUE(blocked(self->peer_ns, A6)) TH_LOG("IPv6 in through a closed gate");
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate);
	/* At least the 2 echo requests of each outgoing ping, and the incoming. */
	EXPECT_LE(before + 8, st.dropped) {
		TH_LOG("VIGIL_A_GATE_DROPPED %llu -> %llu",
		       (unsigned long long)before, (unsigned long long)st.dropped);
	}

	/* Without the protected interface the gate is gone. */
	c.nprotect = 0;
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_NONE, st.gate);
	EXPECT_TRUE(reaches(NULL, B4));
	EXPECT_TRUE(reaches(NULL, B6));
}

TEST_F_TIMEOUT(fence, one_node_gate_passes_freeze_blocks, 120)
{
	struct tcfg c = one_node();
	struct fstatus st;
	struct reply rep;
	__u64 before;

	make_peer_ns(_metadata, self);
	c.links[0].ifname = "va";
	protect(&c, "va");
	assert_config(_metadata, self->fd, self->family, &c);
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_OPEN, 2000, &st));
	ASSERT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_EQ(UINT32_MAX, st.lease_left);
	EXPECT_TRUE(reaches(NULL, B4));
	EXPECT_TRUE(reaches(NULL, B6));
	EXPECT_TRUE(reaches(self->peer_ns, A4));
	EXPECT_TRUE(reaches(self->peer_ns, A6));

	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_FREEZE, &rep));
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_LATCHED, 3000, &st));
	ASSERT_EQ(VIGIL_GATE_LATCHED, st.gate);
	before = st.dropped;
	EXPECT_TRUE(blocked(NULL, B4)) TH_LOG("IPv4 out through a latched gate");
	EXPECT_TRUE(blocked(NULL, B6)) TH_LOG("IPv6 out through a latched gate");
	EXPECT_TRUE(blocked(self->peer_ns, A4)) TH_LOG("IPv4 in through a latched gate");
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_LE(before + 6, st.dropped);

	ASSERT_EQ(0, cmd0(self->fd, self->family, VIGIL_CMD_GATE_OPEN, &rep)) {
		TH_LOG("GATE_OPEN: %s (%s)", strerror(-rep.error), rep.msg);
	}
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_TRUE(reaches(NULL, B4));
	EXPECT_TRUE(reaches(NULL, B6));
}

/* Node @id's entry in the GET_PEERS dump of fd, or state -1. */
static struct tpeer peer_of(int fd, __u16 family, int id)
{
	struct tpeer peers[4], none = { .id = id, .state = -1, .fence_cause = -1 };
	int i, n;

	n = dump_peers(fd, family, peers, 4);
	for (i = 0; i < n; i++)
		if (peers[i].id == id)
			return peers[i];
	return none;
}

/*
 * Nodes 1 (here) and 2 (in B) of 3 over L2 on the veth, node 1 protecting
 * va. Node 1 freezes: node 2 hears the announcement (PEER_FENCED, state
 * SELF_FENCED with the cause); node 1 is still quorate (node 2 is up), and
 * once its lease is fresh GATE_OPEN reopens its gate, node 2 sees it up
 * again and the pings pass.
 */
TEST_F_TIMEOUT(fence, freeze_seen_by_peer_then_reopened, 120)
{
	struct tcfg a = base_l2(), b;
	struct fstatus st;
	struct tpeer p;
	struct reply rep;
	struct toffs o;
	long long deadline;
	int i, ret;

	make_peer_ns(_metadata, self);
	a.timeout = TIMEOUT_MS;
	a.links[0].ifname = "va";
	b = a;
	b.node = 2;
	b.links[0].ifname = "b0";
	protect(&a, "va");
	assert_config(_metadata, self->fd, self->family, &a);
	ASSERT_EQ(0, set_config(self->bfd, self->family, &b, &rep, &o));
	ASSERT_LE(0, evlog_wait(self->efd, self->family, &self->log, 0,
				VIGIL_EV_PEER_UP, 2, -1, FORM_MS));
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_OPEN, FORM_MS, &st));
	ASSERT_EQ(VIGIL_GATE_OPEN, st.gate);

	ASSERT_EQ(0, fence_cmd(self->fd, self->family, VIGIL_ACTION_FREEZE, &rep));
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(VIGIL_GATE_LATCHED, st.gate);
	i = evlog_wait(self->befd, self->family, &self->blog, 0,
		       VIGIL_EV_PEER_FENCED, 1, -1, FORM_MS);
	ASSERT_LE(0, i) TH_LOG("node 2 never heard node 1's freeze");
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, self->blog.ev[i].cause);
	EXPECT_EQ(0, self->blog.ev[i].dumping);
	p = peer_of(self->bfd, self->family, 1);
	EXPECT_EQ(VIGIL_PEER_SELF_FENCED, p.state);
	EXPECT_EQ(VIGIL_CAUSE_OPERATOR, p.fence_cause);
	EXPECT_TRUE(blocked(NULL, B4)) TH_LOG("frozen, yet a ping passed");

	/* Quorate all along (node 2 is up): reopen once the lease is fresh. */
	deadline = now_ms() + FORM_MS;
	do {
		usleep(100 * 1000);
		ret = cmd0(self->fd, self->family, VIGIL_CMD_GATE_OPEN, &rep);
	} while (ret == -EAGAIN && now_ms() < deadline);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	EXPECT_EQ(0, ret) {
		TH_LOG("GATE_OPEN while node 2 is up: %s (%s); quorate %d, lease left %u",
		       strerror(-ret), rep.msg, st.quorate, st.lease_left);
	}
	if (ret) {
		evlog_collect(self->efd, self->family, &self->log, 200);
		i = evlog_find(&self->log, 0, VIGIL_EV_FENCE, -1, VIGIL_CAUSE_QUORUM);
		TH_LOG("meanwhile on node 1: lease expired: %s, quorum cause acted: %s",
		       evlog_find(&self->log, 0, VIGIL_EV_LEASE_EXPIRED, -1, -1) >= 0 ?
		       "yes" : "no", i >= 0 ? "yes" : "no");
		return;
	}
	EXPECT_EQ(-1, st.fenced);
	deadline = now_ms() + FORM_MS;
	do {
		usleep(50 * 1000);
		p = peer_of(self->bfd, self->family, 1);
	} while (p.state != VIGIL_PEER_UP && now_ms() < deadline);
	EXPECT_EQ(VIGIL_PEER_UP, p.state) TH_LOG("node 2 does not see node 1 up again");
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_OPEN, FORM_MS, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_TRUE(reaches(NULL, B4));
}

enum transport { T_L2, T_UDP4, T_UDP6 };

/*
 * Nodes 1 (here, on va) and 2 (in B, on b0) of 3, both protecting the
 * veth their heartbeats use; node 3 never comes. Alone each is not
 * quorate and its gate is closed: the heartbeats must still pass the
 * gate, the two must see each other, gain quorum and a lease, and open
 * their gates; when node 2 stops counting (another cluster id), node 1
 * loses quorum and its lease, the quorum cause fires (NONE) and the gate
 * closes again.
 */
static void membership_through_gate(struct __test_metadata *_metadata,
				    FIXTURE_DATA(fence) *self, enum transport t)
{
	static const __u8 in4[3][4] = { { 10, 9, 0, 1 }, { 10, 9, 0, 2 },
					{ 10, 9, 0, 3 } };
	struct tcfg a = base_l2(), b;
	struct fstatus st;
	struct reply rep;
	struct toffs o;
	int i;

	make_peer_ns(_metadata, self);
	/* Nothing resolved before the gate closes: heartbeats resolve their own. */
	ASSERT_EQ(0, run(IP " neigh flush dev va"));
	ASSERT_EQ(0, run_in(self->peer_ns, IP " neigh flush dev b0"));

	a.timeout = TIMEOUT_MS;
	a.links[0].ifname = "va";
	if (t == T_UDP4) {
		a.links[0] = (struct tlink){ .index = 0, .name = "u4",
			.type = VIGIL_LINK_UDP, .family = AF_INET };
	} else if (t == T_UDP6) {
		a.links[0] = (struct tlink){ .index = 0, .name = "u6",
			.type = VIGIL_LINK_UDP, .ifname = "va", .family = AF_INET6 };
	}
	for (i = 0; t != T_L2 && i < 3; i++) {
		struct taddr *ad = &a.nodes[i].addrs[0];

		a.nodes[i].naddrs = 1;
		*ad = (struct taddr){ .link = 0, .kind = t == T_UDP4 ? A_IN : A_IN6 };
		if (t == T_UDP4) {
			memcpy(ad->bytes, in4[i], 4);
		} else {	/* fe80::a, fe80::b, fe80::c */
			ad->bytes[0] = 0xfe;
			ad->bytes[1] = 0x80;
			ad->bytes[15] = 0xa + i;
		}
	}
	policy(&a, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_NONE, 0);
	b = a;
	b.node = 2;
	if (t != T_UDP4)
		b.links[0].ifname = "b0";
	protect(&a, "va");
	protect(&b, "b0");

	assert_config(_metadata, self->fd, self->family, &a);
	ASSERT_EQ(0, fstatus(self->fd, self->family, &st));
	ASSERT_EQ(VIGIL_GATE_CLOSED, st.gate);
	EXPECT_TRUE(blocked(NULL, B4)) TH_LOG("closed gate, yet a ping passed");

	ASSERT_EQ(0, set_config(self->bfd, self->family, &b, &rep, &o)) {
		TH_LOG("node 2: %s (%s)", strerror(-rep.error), rep.msg);
	}
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_PEER_UP,
		       2, -1, FORM_MS);
	ASSERT_LE(0, i) TH_LOG("node 1 never saw node 2 up through the gate");
	i = evlog_wait(self->befd, self->family, &self->blog, 0, VIGIL_EV_PEER_UP,
		       1, -1, FORM_MS);
	ASSERT_LE(0, i) TH_LOG("node 2 never saw node 1 up through the gate");
	EXPECT_LE(0, evlog_wait(self->efd, self->family, &self->log, 0,
				VIGIL_EV_QUORUM_GAINED, -1, -1, FORM_MS));
	EXPECT_LE(0, evlog_wait(self->efd, self->family, &self->log, 0,
				VIGIL_EV_LEASE_RENEWED, -1, -1, FORM_MS))
		TH_LOG("no VIGIL_EV_LEASE_RENEWED once quorate");

	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_OPEN, FORM_MS, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate) TH_LOG("quorate, yet the gate is closed");
	EXPECT_EQ(1, st.quorate);
	EXPECT_LE(st.lease_left, st.lease);
	ASSERT_EQ(0, wait_gate(self->bfd, self->family, VIGIL_GATE_OPEN, FORM_MS, &st));
	EXPECT_EQ(VIGIL_GATE_OPEN, st.gate);
	EXPECT_TRUE(reaches(NULL, B4)) TH_LOG("both gates open, yet no IPv4 ping");
	EXPECT_TRUE(reaches(NULL, B6)) TH_LOG("both gates open, yet no IPv6 ping");

	/* Node 2 leaves the cluster: node 1 loses quorum and its lease. */
	b.cluster = a.cluster + 1;
	ASSERT_EQ(0, set_config(self->bfd, self->family, &b, &rep, &o));
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_QUORUM_LOST,
		       -1, -1, FORM_MS);
	ASSERT_LE(0, i) TH_LOG("node 1 kept quorum");
	EXPECT_LE(0, evlog_wait(self->efd, self->family, &self->log, 0,
				VIGIL_EV_LEASE_EXPIRED, -1, -1, FORM_MS));
	i = evlog_wait(self->efd, self->family, &self->log, 0, VIGIL_EV_FENCE,
		       -1, VIGIL_CAUSE_QUORUM, FORM_MS);
	EXPECT_LE(0, i) TH_LOG("no VIGIL_EV_FENCE for the quorum cause");
	if (i >= 0)
		EXPECT_EQ(VIGIL_ACTION_NONE, self->log.ev[i].action);
	ASSERT_EQ(0, wait_gate(self->fd, self->family, VIGIL_GATE_CLOSED, FORM_MS, &st));
	EXPECT_EQ(VIGIL_GATE_CLOSED, st.gate);
	EXPECT_EQ(0, st.lease_left);
	EXPECT_EQ(fenced_after_none(VIGIL_CAUSE_QUORUM), st.fenced);
	EXPECT_TRUE(blocked(NULL, B4)) TH_LOG("lease gone, yet a ping passed");
}

TEST_F_TIMEOUT(fence, l2_membership_through_closed_gate, 120)
{
	membership_through_gate(_metadata, self, T_L2);
}

TEST_F_TIMEOUT(fence, udp4_membership_through_closed_gate, 120)
{
	membership_through_gate(_metadata, self, T_UDP4);
}

TEST_F_TIMEOUT(fence, udp6_membership_through_closed_gate, 120)
{
	membership_through_gate(_metadata, self, T_UDP6);
}

TEST_HARNESS_MAIN
