// SPDX-License-Identifier: GPL-2.0
/*
 * vigild's glue (daemon/cluster.c) against fake agents and a fake module:
 * a group starts its resources in order, stops them in reverse, restarts
 * in place from the failed resource up, reports failures back into the
 * engine; stop failures ask for the self-fence; fence methods are tried
 * in order. And the engine's state on disk (daemon/state.c): round trip,
 * atomic replacement, torn and foreign files ignored.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/libvigil/core.c"
#include "../../tools/libvigil/nl.c"
#include "../../tools/libvigil/config.c"
#include "../../daemon/conf.c"
#include "../../daemon/agent.c"
#include "../../daemon/agent_ip.c"
#include "../../daemon/agent_fs.c"
#include "../../daemon/fence_agent.c"
#include "../../daemon/aws_input.c"
#include "../../daemon/engine.c"
#include "../../daemon/log.c"
#include "../../daemon/state.c"
#include "../../daemon/cluster.c"
#include "tap.h"

/* --- the fakes ------------------------------------------------------------- */

#define CALLS 64
#define PENDING 64

static uint64_t clock_ms = 1000;
static char calls[CALLS][64];
static unsigned int ncalls;
static int persists, payloads, self_fences, gate_opens;
static uint8_t self_fence_action;
static struct vigil_engine_persist saved;

struct pending {
	bool live;
	char what[64];
	vigil_agent_done_fn *done;
	void *arg;
};
static struct pending pend[PENDING];

static void call(const char *what)
{
	if (ncalls < CALLS)
		snprintf(calls[ncalls++], sizeof(calls[0]), "%s", what);
}

static uint64_t f_now(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static int f_payload(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx, (void)p, (void)len;
	payloads++;
	return 0;
}

static int f_self_fence(void *ctx, uint8_t action)
{
	(void)ctx;
	self_fences++;
	self_fence_action = action;
	call("self-fence");
	return 0;
}

static int f_gate_open(void *ctx)
{
	(void)ctx;
	gate_opens++;
	return 0;
}

static int f_persist(void *ctx, const struct vigil_engine_persist *p)
{
	(void)ctx;
	persists++;
	saved = *p;
	return 0;
}

static int queue(const char *what, vigil_agent_done_fn *done, void *arg,
		 struct vigil_agent_op **op)
{
	unsigned int i;

	for (i = 0; i < PENDING; i++)
		if (!pend[i].live)
			break;
	if (i == PENDING)
		return -ENOMEM;
	pend[i].live = true;
	snprintf(pend[i].what, sizeof(pend[i].what), "%s", what);
	pend[i].done = done;
	pend[i].arg = arg;
	if (op)
		*op = (struct vigil_agent_op *)&pend[i];
	call(what);
	return 0;
}

static int f_run(void *ctx, const struct vigil_conf_resource *res,
		 enum vigil_agent_action action, __u32 timeout_ms,
		 vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	char what[64];

	(void)ctx, (void)timeout_ms;
	if (action == VIGIL_AGENT_MONITOR && res->type == VIGIL_CONF_RES_EXEC &&
	    !res->exec.monitor)
		return -EOPNOTSUPP;
	snprintf(what, sizeof(what), "%s %s", res->name,
		 vigil_agent_action_name(action));
	return queue(what, done, arg, op);
}

static int f_fence(void *ctx, const struct vigil_conf_fence *f,
		   vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	char what[64];

	(void)ctx;
	snprintf(what, sizeof(what), "fence %s", f->name);
	return queue(what, done, arg, op);
}

static int f_aws(void *ctx, const struct vigil_conf_fence *f,
		 const struct vigil_conf_fence *isolate, unsigned int node,
		 enum vigil_aws_step step, vigil_agent_done_fn *done, void *arg,
		 struct vigil_agent_op **op)
{
	char what[160];

	(void)ctx, (void)node;
	snprintf(what, sizeof(what), "aws %s %s%s%s", f->name,
		 vigil_aws_step_name(step), isolate ? " with " : "",
		 isolate ? isolate->name : "");
	return queue(what, done, arg, op);
}

static void f_cancel(void *ctx, struct vigil_agent_op *op)
{
	struct pending *p = (struct pending *)op;

	(void)ctx;
	call("cancel");
	p->live = false;
}

static const struct vigild_cluster_ops fake_ops = {
	.now_ms = f_now, .set_payload = f_payload, .self_fence = f_self_fence,
	.gate_open = f_gate_open, .persist = f_persist, .run = f_run,
	.fence = f_fence, .aws = f_aws, .cancel = f_cancel,
};

/* Complete the pending action called what with result; false if none. */
static bool complete(const char *what, enum vigil_agent_result result)
{
	struct vigil_agent_outcome o = { .result = result, .exit_status = -1 };
	unsigned int i;

	snprintf(o.reason, sizeof(o.reason), "%s", result ? "exit 1" : "exit 0");
	for (i = 0; i < PENDING; i++) {
		if (pend[i].live && !strcmp(pend[i].what, what)) {
			pend[i].live = false;
			pend[i].done(pend[i].arg, &o);
			return true;
		}
	}
	return false;
}

static unsigned int npending(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < PENDING; i++)
		n += pend[i].live;
	return n;
}

/* The calls made since the last look, joined with ", ". */
static const char *took(void)
{
	static char buf[1024];
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ncalls; i++) {
		if (i)
			strcat(buf, ", ");
		strcat(buf, calls[i]);
	}
	ncalls = 0;
	return buf;
}

static void reset(void)
{
	memset(pend, 0, sizeof(pend));
	ncalls = 0;
	persists = payloads = self_fences = gate_opens = 0;
}

/* --- the configuration ------------------------------------------------------ */

static const char conf_text[] =
	"[cluster]\nname = t\nid = 7\nkey_file = /etc/vigil/vigil.key\n"
	"timeout_ms = 500\non_quorum_loss = freeze\nprotect = svc\n"
	"[link a]\nindex = 0\ntype = l2\ninterface = a\n"
	"[node n1]\nid = 1\n"
	"[node n2]\nid = 2\nfence = f1 f2\n[node n3]\nid = 3\n"
	"[fence f1]\ntype = agent\nagent = /bin/false\n"
	"[fence f2]\ntype = agent\nagent = /bin/true\n"
	"[group web]\nresources = a b c\nnodes = n1\nmonitor_interval = 5s\n"
	"restart_limit = 1\n"
	"[resource a]\ntype = exec\nstart = a\nstop = a\nmonitor = a\n"
	"[resource b]\ntype = exec\nstart = b\nstop = b\nmonitor = b\n"
	"[resource c]\ntype = exec\nstart = c\nstop = c\n";

static struct vigil_conf *load(const char *text)
{
	struct vigil_conf_errors errs = { 0 };
	struct vigil_conf *conf = NULL;
	unsigned int i;

	if (vigil_conf_parse("test.conf", text, strlen(text), VIGIL_CONF_NO_KEY,
			     &conf, &errs)) {
		for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
			tap_diag("%s", errs.msg[i]);
		return NULL;
	}
	return conf;
}

/* n2 up and heard, announcing nothing; or down after having been up. */
static void view(struct vigil_engine_view *v, bool n2_up, bool quorate)
{
	memset(v, 0, sizeof(*v));
	v->quorate = quorate;
	v->lease_fresh = quorate;
	v->incarnation = 11;
	v->quorum_votes = 1;
	v->npeers = 1;
	v->peers[0].id = 2;
	v->peers[0].state = n2_up ? VIGIL_PEER_UP : VIGIL_PEER_DOWN;
	v->peers[0].heard = n2_up;
	v->peers[0].incarnation = 22;
}

static const uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN] = { 1, 2, 3 };

static void test_find_self(const struct vigil_conf *conf)
{
	char why[256] = "";

	tap_is_int(vigild_cluster_find_self(conf, "n2", "x", why, sizeof(why)), 1,
		   "find_self: --node n2");
	tap_is_int(vigild_cluster_find_self(conf, NULL, "n1.example.com", why,
					    sizeof(why)), 0,
		   "find_self: the host name up to its first dot");
	tap_is_int(vigild_cluster_find_self(conf, "n9", "n1", why, sizeof(why)),
		   -ENOENT, "find_self: --node n9 is refused (no fallback to the host name)");
	tap_is_str(why, "--node n9: test.conf has no [node n9]", "... with a message");
	tap_is_int(vigild_cluster_find_self(conf, NULL, "box", why, sizeof(why)),
		   -ENOENT, "find_self: an unknown host name");
	tap_ok(strstr(why, "host name `box'") && strstr(why, "--node NAME"),
	       "... says which name and what to do: %s", why);
}

static void test_view(void)
{
	struct vigil_status st = { .quorate = true, .incarnation = 5,
				   .quorum_votes = 2, .has_lease_left = true,
				   .lease_left_ms = 0 };
	struct vigil_peers peers = { .n = 1 };
	struct vigil_engine_view v;

	peers.peers[0].id = 3;
	peers.peers[0].state = VIGIL_PEER_UP;
	peers.peers[0].incarnation = 9;
	peers.peers[0].n_links = 2;
	peers.peers[0].links[1].up = true;
	peers.peers[0].has_payload = true;
	peers.peers[0].payload_len = 2;
	peers.peers[0].payload[1] = 0xab;
	vigild_cluster_view(&st, &peers, &v);
	tap_ok(v.quorate && !v.lease_fresh && v.incarnation == 5 &&
	       v.quorum_votes == 2, "view: quorum, lease left 0 is not fresh");
	tap_ok(v.npeers == 1 && v.peers[0].id == 3 && v.peers[0].heard &&
	       v.peers[0].payload_len == 2 && v.peers[0].payload[1] == 0xab,
	       "view: the peer, heard on a link, with its payload");
	st.has_lease_left = false;
	vigild_cluster_view(&st, &peers, &v);
	tap_ok(v.lease_fresh, "view: no lease reported: quorum is the lease");
}

static void test_group(struct vigil_conf *conf)
{
	static struct vigild_cluster c;
	struct vigil_engine_view v;
	struct vigild_group_info info;
	char why[256] = "";
	int ret;

	reset();
	ret = vigild_cluster_init(&c, conf, 0, &fake_ops, NULL, NULL, boot, why,
				  sizeof(why));
	tap_is_int(ret, 0, "init on n1 %s", why);

	view(&v, true, true);
	v.peers[0].state = VIGIL_PEER_DOWN;
	v.peers[0].heard = false;
	vigild_cluster_feed_view(&c, &v);
	tap_is_str(took(), "a start", "view: the group starts with its first resource");
	tap_ok(persists >= 1 && payloads >= 1, "... state persisted, payload set");
	vigild_cluster_group_info(&c, 0, &info);
	tap_is_str(info.state, "starting", "... status starting");

	tap_ok(complete("a start", VIGIL_AGENT_OK), "a started");
	tap_is_str(took(), "b start", "... then b");
	complete("b start", VIGIL_AGENT_OK);
	tap_is_str(took(), "c start", "... then c");
	complete("c start", VIGIL_AGENT_OK);
	tap_is_str(took(), "", "... then nothing");
	vigild_cluster_group_info(&c, 0, &info);
	tap_is_str(info.state, "online", "group online");
	tap_is_str(info.node, "n1", "... on n1");
	tap_ok(saved.groups[0].local == VIGIL_ELOC_ONLINE, "... persisted online");
	tap_ok(vigild_cluster_next_ms(&c) == 1000 + 5000,
	       "monitors due after the interval (%llu)",
	       (unsigned long long)vigild_cluster_next_ms(&c));

	clock_ms += 5000;
	vigild_cluster_tick(&c);
	tap_is_str(took(), "a monitor, b monitor",
		   "tick: monitors of the resources that have one");
	complete("a monitor", VIGIL_AGENT_OK);
	complete("b monitor", VIGIL_AGENT_NOT_RUNNING);
	tap_is_str(took(), "c stop",
		   "b not running: restart in place from b: stop c first");
	vigild_cluster_group_info(&c, 0, &info);
	tap_ok(strstr(info.last_error, "b monitor"), "... last error: %s",
	       info.last_error);
	complete("c stop", VIGIL_AGENT_OK);
	complete("b stop", VIGIL_AGENT_OK);
	tap_is_str(took(), "b stop, b start", "... then b, then start b");
	complete("b start", VIGIL_AGENT_OK);
	tap_is_str(took(), "c start", "... and c");
	complete("c start", VIGIL_AGENT_OK);
	vigild_cluster_group_info(&c, 0, &info);
	tap_is_str(info.state, "online", "... online again");

	/* The operator stops it: reverse order. */
	{
		struct vigil_engine_input in = { .type = VIGIL_EIN_OP_STOP };

		ret = vigild_cluster_feed(&c, &in);
	}
	tap_is_int(ret, 0, "operator stop accepted");
	tap_is_str(took(), "c stop", "... c first");
	complete("c stop", VIGIL_AGENT_OK);
	tap_is_str(took(), "b stop", "... then b");
	complete("b stop", VIGIL_AGENT_ERR_GENERIC);
	tap_is_str(took(), "a stop", "... a stop failed b: a is still stopped");
	complete("a stop", VIGIL_AGENT_OK);
	tap_is_str(took(), "self-fence", "... a stop that failed: self-fence");
	tap_is_int(self_fence_action, VIGIL_ACTION_FREEZE, "... with the cluster's action");
	vigild_cluster_fini(&c);
}

static void test_start_failure(struct vigil_conf *conf)
{
	static struct vigild_cluster c;
	struct vigil_engine_view v;
	char why[256] = "";

	reset();
	vigild_cluster_init(&c, conf, 0, &fake_ops, NULL, NULL, boot, why,
			    sizeof(why));
	view(&v, false, true);
	vigild_cluster_feed_view(&c, &v);
	took();
	complete("a start", VIGIL_AGENT_OK);
	complete("b start", VIGIL_AGENT_TIMEOUT);
	tap_is_str(took(), "b start, c stop",
		   "b's start timed out: c is never started, the group is stopped from the end");
	complete("c stop", VIGIL_AGENT_OK);
	complete("b stop", VIGIL_AGENT_OK);
	complete("a stop", VIGIL_AGENT_OK);
	tap_is_str(took(), "b stop, a stop", "... every resource stopped");
	tap_is_int(npending(), 0, "... nothing left in flight");
	tap_is_int(self_fences, 0, "... no self-fence");
	vigild_cluster_fini(&c);
}

static void test_restore(struct vigil_conf *conf)
{
	static struct vigild_cluster c;
	struct vigil_engine_view v;
	struct vigil_engine_persist p;
	char why[256] = "";

	reset();
	memset(&p, 0, sizeof(p));
	vigild_cluster_init(&c, conf, 0, &fake_ops, NULL, NULL, boot, why,
			    sizeof(why));
	view(&v, false, true);
	vigild_cluster_feed_view(&c, &v);
	complete("a start", VIGIL_AGENT_OK);
	complete("b start", VIGIL_AGENT_OK);
	complete("c start", VIGIL_AGENT_OK);
	p = saved;
	vigild_cluster_fini(&c);

	/* A new vigild, same boot: nothing is started again. */
	reset();
	vigild_cluster_init(&c, conf, 0, &fake_ops, NULL, &p, boot, why, sizeof(why));
	vigild_cluster_feed_view(&c, &v);
	tap_is_str(took(), "", "restart of vigild: the online group is not touched");
	tap_ok(vigild_cluster_next_ms(&c) == 1, "... its monitors are due at once");
	vigild_cluster_tick(&c);
	tap_is_str(took(), "a monitor, b monitor", "... and run");
	vigild_cluster_fini(&c);
}

/* Node n2 goes down, is fenced: f1 fails, f2 confirms. */
static void test_fence(void)
{
	static const char text[] =
		"[cluster]\nname = t\nid = 7\nkey_file = /etc/vigil/vigil.key\n"
		"timeout_ms = 500\n"
		"[link a]\nindex = 0\ntype = l2\ninterface = a\n"
		"[node n1]\nid = 1\n[node n2]\nid = 2\nfence = f1 f2\n"
		"[node n3]\nid = 3\n"
		"[fence f1]\ntype = agent\nagent = /bin/false\n"
		"[fence f2]\ntype = agent\nagent = /bin/true\n"
		"[group web]\nresources = a\nnodes = n2 n1\n"
		"[resource a]\ntype = exec\nstart = a\nstop = a\n";
	static struct vigild_cluster c;
	struct vigil_conf *conf = load(text);
	struct vigil_engine_view v;
	char why[256] = "";
	int i;

	reset();
	if (!conf || vigild_cluster_init(&c, conf, 0, &fake_ops, NULL, NULL, boot,
					 why, sizeof(why))) {
		tap_ok(false, "fence: init %s", why);
		vigil_conf_free(conf);
		return;
	}
	view(&v, true, true);
	v.quorum_votes = 2;
	v.npeers = 2;
	v.peers[1].id = 3;
	v.peers[1].state = VIGIL_PEER_UP;
	v.peers[1].heard = true;
	v.peers[1].incarnation = 33;
	/* n3 announces nothing: make it not matter by a digest of ours. */
	vigild_cluster_feed_view(&c, &v);
	/* n2 was up, goes down. */
	v.peers[0].state = VIGIL_PEER_DOWN;
	v.peers[0].heard = false;
	v.peers[1].state = VIGIL_PEER_DOWN;
	v.peers[1].heard = false;
	v.quorum_votes = 1;
	clock_ms += 10;
	vigild_cluster_feed_view(&c, &v);
	for (i = 0; i < 5 && !strstr(calls[0], "fence") ; i++) {
		clock_ms += 5000;
		vigild_cluster_tick(&c);
		if (ncalls)
			break;
	}
	tap_is_str(took(), "fence f1", "n2 down: fenced with its first method");
	complete("fence f1", VIGIL_AGENT_ERR_GENERIC);
	tap_is_str(took(), "fence f2", "... f1 failed: the second");
	complete("fence f2", VIGIL_AGENT_OK);
	tap_ok(c.engine.nodes[1].cleared, "... confirmed: n2 cleared in the engine");
	vigild_cluster_fini(&c);
	vigil_conf_free(conf);
}

/*
 * The AWS sequence (Documentation/aws.md, "The sequence"): n2 runs web
 * and goes down; its methods are iso (aws-isolate) and stop (aws-stop).
 */
static const char aws_text[] =
	"[cluster]\nname = t\nid = 7\nkey_file = /etc/vigil/vigil.key\n"
	"timeout_ms = 500\n"
	"[link a]\nindex = 0\ntype = l2\ninterface = a\n"
	"[node n1]\nid = 1\n[node n2]\nid = 2\nfence = iso stop\n"
	"[node n3]\nid = 3\n"
	"[aws]\nregion = lab-1\n"
	"[fence iso]\ntype = aws-isolate\ninstance_id = i-00000000000000002\n"
	"enis = eni-00000000000000023:2\n"
	"[fence stop]\ntype = aws-stop\ninstance_id = i-00000000000000002\n"
	"dump_timeout = 10s\n"
	"[group web]\nresources = a\nnodes = n2 n1\n"
	"[resource a]\ntype = exec\nstart = a\nstop = a\n";

static struct vigild_cluster aws_c;

/*
 * Up to n2 going down in state (DOWN or DUMPING); then ticks until a call
 * is made (or 30 s pass). false if the cluster could not be set up.
 */
static bool aws_setup(struct vigil_conf *conf, struct vigil_engine_view *v,
		      uint8_t state, bool quorate)
{
	char why[256] = "";
	int i;

	reset();
	if (!conf || vigild_cluster_init(&aws_c, conf, 0, &fake_ops, NULL, NULL,
					 boot, why, sizeof(why))) {
		tap_ok(false, "aws: init %s", why);
		return false;
	}
	view(v, true, true);
	v->quorum_votes = 2;
	v->npeers = 2;
	v->peers[1].id = 3;
	v->peers[1].state = VIGIL_PEER_UP;
	v->peers[1].heard = true;
	v->peers[1].incarnation = 33;
	vigild_cluster_feed_view(&aws_c, v);
	v->peers[0].state = state;
	v->peers[0].heard = false;
	v->peers[1].state = VIGIL_PEER_DOWN;
	v->peers[1].heard = false;
	v->quorum_votes = 1;
	v->quorate = quorate;
	clock_ms += 10;
	vigild_cluster_feed_view(&aws_c, v);
	for (i = 0; i < 6 && !ncalls; i++) {
		clock_ms += 5000;
		vigild_cluster_tick(&aws_c);
	}
	return true;
}

static void test_fence_aws(void)
{
	struct vigil_conf *conf = load(aws_text);
	struct vigil_engine_view v;

	/* Isolation confirmed: failover may go on; the stop runs on. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, true))
		goto out;
	tap_is_int(aws_c.engine.conf.fence_delay_ms, 30000 + 5 * 500,
		   "aws: the rank delay covers the first method's timeout");
	tap_is_str(took(), "aws iso isolate", "aws: n2 down: isolated first");
	tap_ok(!aws_c.engine.nodes[1].cleared, "... not cleared before isolation is confirmed");
	complete("aws iso isolate", VIGIL_AGENT_OK);
	tap_ok(aws_c.engine.nodes[1].cleared, "... confirmed: n2 cleared, failover proceeds");
	tap_is_str(took(), "a start, aws stop stop", "... web starts on n1 while the forced stop runs");
	complete("aws stop stop", VIGIL_AGENT_OK);
	tap_is_str(took(), "aws iso attach", "stop confirmed: recovery re-attaches the ENIs");
	complete("aws iso attach", VIGIL_AGENT_OK);
	tap_is_str(took(), "aws stop start with iso", "... then starts the instance");
	complete("aws stop start with iso", VIGIL_AGENT_OK);
	tap_ok(npending() == 1 && !ncalls && aws_c.fencing[1].phase == VIGILD_FENCE_IDLE,
	       "... and the sequence is over (web's start is what is left)");
	vigild_cluster_fini(&aws_c);

	/* Isolation fails, the stop confirms: failover after the stop. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, true))
		goto out;
	took();
	complete("aws iso isolate", VIGIL_AGENT_ERR_GENERIC);
	tap_is_str(took(), "aws stop stop", "aws: isolation failed: the stop is tried");
	tap_ok(!aws_c.engine.nodes[1].cleared, "... n2 not cleared yet");
	complete("aws stop stop", VIGIL_AGENT_OK);
	tap_ok(aws_c.engine.nodes[1].cleared, "... stop confirmed: cleared");
	tap_is_str(took(), "a start, aws stop start", "... web starts; recovery: nothing to re-attach, start");
	complete("aws stop start", VIGIL_AGENT_OK);
	vigild_cluster_fini(&aws_c);

	/* Both fail: no fence, the group waits. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, true))
		goto out;
	took();
	complete("aws iso isolate", VIGIL_AGENT_ERR_GENERIC);
	complete("aws stop stop", VIGIL_AGENT_TIMEOUT);
	tap_ok(!aws_c.engine.nodes[1].cleared && !npending(),
	       "aws: both fail: not cleared, nothing runs");
	/* The wait comes once every fencer's turn has passed. */
	clock_ms += 3 * aws_c.engine.conf.fence_delay_ms;
	vigild_cluster_tick(&aws_c);
	{
		struct vigild_group_info gi;

		vigild_cluster_group_info(&aws_c, 0, &gi);
		tap_is_str(gi.state, "wait", "... web is in switchover wait");
	}
	vigild_cluster_fini(&aws_c);

	/* A stop that fails after isolation leaves the node isolated. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, true))
		goto out;
	took();
	complete("aws iso isolate", VIGIL_AGENT_OK);
	complete("aws stop stop", VIGIL_AGENT_ERR_GENERIC);
	tap_is_str(took(), "a start, aws stop stop", "aws: isolated, then the stop...");
	tap_ok(aws_c.engine.nodes[1].cleared && npending() == 1 &&
	       aws_c.fencing[1].phase == VIGILD_FENCE_IDLE,
	       "... fails: n2 stays cleared and isolated, no recovery");
	vigild_cluster_fini(&aws_c);

	/* A dumping node: isolated, its stop waits for the dump. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DUMPING, true))
		goto out;
	tap_is_str(took(), "a start, aws iso isolate", "aws: dumping n2 is proof (web starts) and is isolated");
	complete("aws iso isolate", VIGIL_AGENT_OK);
	tap_ok(!ncalls, "... not stopped while it dumps");
	clock_ms += 5000;
	vigild_cluster_tick(&aws_c);
	tap_ok(!ncalls, "... nor 5 s later");
	clock_ms += 6000;
	vigild_cluster_tick(&aws_c);
	tap_is_str(took(), "aws stop stop", "... stopped once dump_timeout has passed");
	vigild_cluster_fini(&aws_c);

	/* A dumping node that comes back: no stop, its ENIs back. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DUMPING, true))
		goto out;
	took();
	complete("aws iso isolate", VIGIL_AGENT_OK);
	v.peers[0].state = VIGIL_PEER_UP;
	v.peers[0].heard = true;
	v.peers[0].incarnation = 23;
	clock_ms += 1000;
	vigild_cluster_feed_view(&aws_c, &v);
	tap_is_str(took(), "aws iso attach", "aws: back after its dump: not stopped, ENIs re-attached");
	vigild_cluster_fini(&aws_c);

	/* Isolated, then heard up again in the same life: no stop. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, true))
		goto out;
	took();
	v.peers[0].state = VIGIL_PEER_UP;
	v.peers[0].heard = true;
	clock_ms += 1000;
	vigild_cluster_feed_view(&aws_c, &v);
	took();
	complete("aws iso isolate", VIGIL_AGENT_OK);
	tap_is_str(took(), "aws iso attach",
		   "aws: n2 up again after its isolation: not stopped, its ENIs back");
	complete("aws iso attach", VIGIL_AGENT_OK);
	tap_ok(!aws_c.engine.nodes[1].cleared && aws_c.fencing[1].phase == VIGILD_FENCE_IDLE,
	       "... not cleared (it is up), the sequence is over");
	vigild_cluster_fini(&aws_c);

	/* Not quorate: nobody is fenced. */
	if (!aws_setup(conf, &v, VIGIL_PEER_DOWN, false))
		goto out;
	tap_ok(!ncalls && !npending(), "aws: not quorate: no AWS call at all");
	vigild_cluster_fini(&aws_c);
out:
	vigil_conf_free(conf);
}

/* --- state on disk ------------------------------------------------------------ */

static void test_state(void)
{
	char dir[] = "/tmp/vigil-state-XXXXXX", path[256];
	struct vigil_engine_persist p, q;
	uint8_t id[VIGIL_ENGINE_BOOT_ID_LEN];
	struct stat sb;
	int fd;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp");
		return;
	}
	tap_is_int(vigild_state_load(dir, &q), -ENOENT, "state: no file: -ENOENT");
	memset(&p, 0, sizeof(p));
	p.magic = VIGIL_ENGINE_PERSIST_MAGIC;
	p.version = VIGIL_ENGINE_PERSIST_VERSION;
	p.digest = 0x1234;
	p.ngroups = 2;
	p.groups[1].rec.epoch = 9;
	p.groups[1].rec.owner = 3;
	p.groups[1].local = VIGIL_ELOC_ONLINE;
	tap_is_int(vigild_state_save(dir, &p), 0, "state: saved");
	snprintf(path, sizeof(path), "%s/%s", dir, VIGILD_STATE_FILE);
	tap_ok(!stat(path, &sb) && (sb.st_mode & 0777) == 0600, "... mode 0600");
	snprintf(path, sizeof(path), "%s/.%s.tmp", dir, VIGILD_STATE_FILE);
	tap_ok(stat(path, &sb) && errno == ENOENT, "... no temporary file left");
	memset(&q, 0, sizeof(q));
	tap_ok(!vigild_state_load(dir, &q) && !memcmp(&p, &q, sizeof(p)),
	       "state: round trip");

	/* A torn temporary file (a crash mid-write) is not the state. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (write(fd, "VGEN", 4) != 4)
		tap_diag("short write");
	close(fd);
	memset(&q, 0, sizeof(q));
	tap_ok(!vigild_state_load(dir, &q) && q.groups[1].rec.epoch == 9,
	       "state: a torn temporary file is ignored");
	p.groups[1].rec.epoch = 10;
	tap_is_int(vigild_state_save(dir, &p), 0, "... and replaced by the next save");
	tap_ok(!vigild_state_load(dir, &q) && q.groups[1].rec.epoch == 10,
	       "... which is read back");

	/* The file itself torn or altered: refused. */
	snprintf(path, sizeof(path), "%s/%s", dir, VIGILD_STATE_FILE);
	tap_is_int(truncate(path, sizeof(p) - 1), 0, "truncate");
	tap_is_int(vigild_state_load(dir, &q), -EBADMSG, "state: a short file is refused");
	vigild_state_save(dir, &p);
	fd = open(path, O_WRONLY);
	if (pwrite(fd, "\xff", 1, 12) != 1)
		tap_diag("short write");
	close(fd);
	tap_is_int(vigild_state_load(dir, &q), -EBADMSG, "state: a flipped byte is refused");
	p.version = 99;
	vigild_state_save(dir, &p);
	tap_is_int(vigild_state_load(dir, &q), -EBADMSG, "state: another version is refused");
	unlink(path);
	rmdir(dir);
	tap_ok(vigild_state_save(dir, &p) == -ENOENT, "state: a missing directory: -ENOENT");

	/* The boot id. */
	snprintf(path, sizeof(path), "/tmp/vigil-bootid-%d", getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (write(fd, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n", 37) != 37)
		tap_diag("short write");
	close(fd);
	tap_ok(!vigild_boot_id(path, id) && id[0] == 0x0f && id[15] == 0xf0,
	       "boot id: parsed");
	fd = open(path, O_WRONLY | O_TRUNC);
	if (write(fd, "0f1e\n", 5) != 5)
		tap_diag("short write");
	close(fd);
	tap_is_int(vigild_boot_id(path, id), -EBADMSG, "boot id: too short: refused");
	unlink(path);
	tap_ok(!vigild_boot_id(VIGILD_BOOT_ID_PATH, id), "boot id: this machine's");
}

int main(void)
{
	struct vigil_conf *conf = load(conf_text);

	tap_ok(conf != NULL, "the test configuration loads");
	if (!conf)
		return tap_done();
	test_find_self(conf);
	test_view();
	test_group(conf);
	test_start_failure(conf);
	test_restore(conf);
	test_fence();
	test_fence_aws();
	test_state();
	vigil_conf_free(conf);
	return tap_done();
}
