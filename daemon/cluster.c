// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the glue between the engine, the module and the agents
 * (cluster.h).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "fence_agent.h"
#include "vigild.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int vigild_cluster_find_self(const struct vigil_conf *conf, const char *name,
			     const char *hostname, char *why, size_t len)
{
	char shortname[256];
	char *dot;
	int i;

	if (name) {
		i = vigil_conf_node_find(conf, name);
		if (i >= 0)
			return i;
		snprintf(why, len, "--node %s: %s has no [node %s]", name,
			 conf->path, name);
		return -ENOENT;
	}
	i = vigil_conf_node_find(conf, hostname);
	if (i >= 0)
		return i;
	snprintf(shortname, sizeof(shortname), "%s", hostname);
	dot = strchr(shortname, '.');
	if (dot) {
		*dot = '\0';
		i = vigil_conf_node_find(conf, shortname);
		if (i >= 0)
			return i;
	}
	snprintf(why, len, "which node is this? the host name `%s' is not the name of a [node] in %s; name it with --node NAME",
		 hostname, conf->path);
	return -ENOENT;
}

int vigild_cluster_engine_conf(const struct vigil_conf *conf,
			       unsigned int self, struct vigil_engine_conf *ec,
			       char *why, size_t len)
{
	const char *msg = NULL;
	unsigned int i, j;

	memset(ec, 0, sizeof(*ec));
	if (conf->n_nodes > VIGIL_ENGINE_NODES_MAX) {
		snprintf(why, len, "%s: %u nodes; vigild handles at most %d",
			 conf->path, conf->n_nodes, VIGIL_ENGINE_NODES_MAX);
		return -EINVAL;
	}
	if (conf->n_groups > VIGIL_ENGINE_GROUPS_MAX) {
		snprintf(why, len, "%s: %u groups; vigild handles at most %d (what one heartbeat payload announces)",
			 conf->path, conf->n_groups, VIGIL_ENGINE_GROUPS_MAX);
		return -EINVAL;
	}
	ec->self = conf->nodes[self].id;
	ec->timeout_ms = conf->cluster.timeout_ms;
	/*
	 * The fencer of rank r waits r delays: long enough for the one before
	 * it to confirm its first method and announce the clearance, or give
	 * up on it. Two fencers running cloud methods at once would race
	 * each other's stop and recovery.
	 */
	ec->fence_delay_ms = VIGILD_FENCE_DELAY_FACTOR * conf->cluster.timeout_ms;
	for (i = 0; i < conf->n_nodes; i++) {
		const struct vigil_conf_node *nd = &conf->nodes[i];
		__u32 d;

		if (!nd->n_fence)
			continue;
		d = conf->fences[nd->fence[0]].timeout_ms +
		    VIGILD_FENCE_DELAY_FACTOR * conf->cluster.timeout_ms;
		if (d > ec->fence_delay_ms)
			ec->fence_delay_ms = d;
	}
	ec->join_wait_ms = VIGILD_JOIN_WAIT_MS;
	ec->gate_trusted = false;
	ec->self_fence_action = conf->cluster.fence[VIGIL_CAUSE_QUORUM].action;
	ec->nnodes = conf->n_nodes;
	for (i = 0; i < conf->n_nodes; i++) {
		ec->nodes[i].id = conf->nodes[i].id;
		ec->nodes[i].votes = conf->nodes[i].votes;
		ec->nodes[i].reset_priority = conf->nodes[i].reset_priority;
		ec->nodes[i].fence_methods = conf->nodes[i].n_fence > 0;
	}
	ec->ngroups = conf->n_groups;
	for (i = 0; i < conf->n_groups; i++) {
		const struct vigil_conf_group *g = &conf->groups[i];
		struct vigil_engine_group_conf *eg = &ec->groups[i];

		if (strlen(g->name) >= sizeof(eg->name)) {
			snprintf(why, len, "%s:%u: [group %s]: the name is longer than %zu characters, which vigild cannot announce",
				 conf->path, g->line, g->name, sizeof(eg->name) - 1);
			return -EINVAL;
		}
		if (g->restart_limit > VIGIL_ENGINE_RESTARTS_MAX) {
			snprintf(why, len, "%s:%u: [group %s] restart_limit %u: vigild counts at most %d restarts",
				 conf->path, g->line, g->name, g->restart_limit,
				 VIGIL_ENGINE_RESTARTS_MAX);
			return -EINVAL;
		}
		strcpy(eg->name, g->name);
		eg->nnodes = g->n_nodes;
		for (j = 0; j < g->n_nodes; j++)
			eg->nodes[j] = conf->nodes[g->nodes[j]].id;
		eg->restart_limit = g->restart_limit;
		eg->restart_window_ms = g->restart_window_ms;
		eg->failback = conf->cluster.failback;
		eg->nresources = g->n_resources;
	}
	if (vigil_engine_conf_check(ec, &msg)) {
		snprintf(why, len, "%s: %s", conf->path, msg ? msg : "refused");
		return -EINVAL;
	}
	return 0;
}

void vigild_cluster_view(const struct vigil_status *st,
			 const struct vigil_peers *peers,
			 struct vigil_engine_view *v)
{
	unsigned int i, l;

	memset(v, 0, sizeof(*v));
	v->quorate = st->quorate;
	/* A module that reports no lease: the lease is quorum itself. */
	v->lease_fresh = st->has_lease_left ? st->lease_left_ms > 0 : st->quorate;
	v->fenced = st->fenced;
	v->incarnation = st->incarnation;
	v->quorum_votes = st->quorum_votes;
	for (i = 0; peers && i < peers->n && v->npeers < VIGIL_ENGINE_NODES_MAX; i++) {
		const struct vigil_peer *p = &peers->peers[i];
		struct vigil_engine_peer *ep = &v->peers[v->npeers++];

		ep->id = p->id;
		ep->state = p->state;
		for (l = 0; l < p->n_links; l++)
			if (p->links[l].up)
				ep->heard = true;
		ep->incarnation = p->incarnation;
		if (p->has_members)
			memcpy(ep->members, p->members, sizeof(ep->members));
		if (p->has_payload && p->payload_len <= VIGIL_PAYLOAD_MAX) {
			ep->payload_len = p->payload_len;
			memcpy(ep->payload, p->payload, p->payload_len);
		}
	}
}

/* --- feeding the engine --------------------------------------------------- */

static uint64_t now(struct vigild_cluster *c)
{
	return c->ops->now_ms(c->ctx);
}

static const struct vigil_conf_resource *resource(struct vigild_cluster *c,
						  unsigned int g, unsigned int k)
{
	return &c->conf->resources[c->conf->groups[g].resources[k]];
}

static void execute(struct vigild_cluster *c, const struct vigil_engine_action *a);
static void fencing_poll(struct vigild_cluster *c);

static int step(struct vigild_cluster *c, const struct vigil_engine_input *in)
{
	unsigned int i;
	int ret;

	ret = vigil_engine_step(&c->engine, now(c), in, &c->out);
	c->wakeup_ms = c->out.wakeup_ms;
	if (c->out.logs_dropped)
		vigild_log("engine: %u log lines dropped", c->out.logs_dropped);
	/* c->out is reused by steps that actions cause: copy each one out. */
	for (i = 0; i < c->out.n; i++) {
		struct vigil_engine_action a = c->out.act[i];

		execute(c, &a);
	}
	return ret;
}

static void pump(struct vigild_cluster *c)
{
	while (c->qlen) {
		struct vigil_engine_input in = c->q[c->qhead];

		c->qhead = (c->qhead + 1) % VIGILD_CLUSTER_QUEUE;
		c->qlen--;
		if (in.type == VIGIL_EIN_VIEW)
			in.view = &c->view;
		step(c, &in);
	}
}

int vigild_cluster_feed(struct vigild_cluster *c,
			const struct vigil_engine_input *in)
{
	int ret;

	if (c->pumping) {
		if (c->qlen == VIGILD_CLUSTER_QUEUE) {
			/* Cannot happen: each action queues at most one. */
			vigild_log("engine: input queue full, dropping an input");
			return -ENOBUFS;
		}
		c->q[(c->qhead + c->qlen++) % VIGILD_CLUSTER_QUEUE] = *in;
		return 0;
	}
	c->pumping = true;
	ret = step(c, in);
	pump(c);
	c->pumping = false;
	return ret;
}

int vigild_cluster_feed_view(struct vigild_cluster *c,
			     const struct vigil_engine_view *v)
{
	struct vigil_engine_input in = { .type = VIGIL_EIN_VIEW, .view = &c->view };

	int ret;

	c->view = *v;
	ret = vigild_cluster_feed(c, &in);
	fencing_poll(c);
	return ret;
}

static void feed_result(struct vigild_cluster *c, enum vigil_engine_input_type t,
			unsigned int g, unsigned int k, uint16_t node, bool ok)
{
	struct vigil_engine_input in = {
		.type = t, .group = g, .resource = k, .node = node, .ok = ok,
	};

	vigild_cluster_feed(c, &in);
}

/* --- monitors -------------------------------------------------------------- */

static void monitors_stop(struct vigild_group *gr)
{
	struct vigild_cluster *c = gr->c;
	unsigned int k;

	for (k = 0; k < VIGIL_ENGINE_RESOURCES_MAX; k++) {
		if (gr->mon[k].op)
			c->ops->cancel(c->ctx, gr->mon[k].op);
		gr->mon[k].op = NULL;
	}
	gr->monitoring = false;
}

static void monitors_start(struct vigild_group *gr, bool at_once)
{
	struct vigild_cluster *c = gr->c;
	unsigned int k, n = c->conf->groups[gr->g].n_resources;
	uint64_t t = now(c);

	monitors_stop(gr);
	for (k = 0; k < n; k++) {
		__u32 iv = resource(c, gr->g, k)->timing.monitor_interval_ms;

		gr->mon[k].unsupported = !iv;
		gr->mon[k].due_ms = at_once ? t : t + iv;
	}
	gr->monitoring = true;
}

static void monitor_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct vigild_monitor *m = arg;
	struct vigild_cluster *c = m->c;
	struct vigild_group *gr = &c->grp[m->g];
	const struct vigil_conf_resource *res = resource(c, m->g, m->k);

	m->op = NULL;
	m->due_ms = now(c) + res->timing.monitor_interval_ms;
	if (o->result == VIGIL_AGENT_OK) {
		vigild_debug("group %s: resource %s: monitor ok", c->conf->groups[m->g].name,
			     res->name);
		return;
	}
	snprintf(gr->last_error, sizeof(gr->last_error), "%s monitor: %s (%s)",
		 res->name, vigil_agent_result_name(o->result), o->reason);
	vigild_log("group %s: resource %s: monitor failed: %s (%s)",
		   c->conf->groups[m->g].name, res->name,
		   vigil_agent_result_name(o->result), o->reason);
	feed_result(c, VIGIL_EIN_MONITOR_FAILED, m->g, m->k, 0, false);
}

static bool group_online(const struct vigild_cluster *c, unsigned int g)
{
	return c->engine.groups[g].local == VIGIL_ELOC_ONLINE &&
	       c->grp[g].op == VIGILD_GOP_NONE;
}

static void monitors_poll(struct vigild_cluster *c)
{
	unsigned int g, k;
	uint64_t t = now(c);

	for (g = 0; g < c->conf->n_groups; g++) {
		struct vigild_group *gr = &c->grp[g];

		if (!group_online(c, g)) {
			if (gr->monitoring && gr->op == VIGILD_GOP_NONE)
				monitors_stop(gr);
			continue;
		}
		if (!gr->monitoring)
			monitors_start(gr, true);
		for (k = 0; k < c->conf->groups[g].n_resources; k++) {
			struct vigild_monitor *m = &gr->mon[k];
			int ret;

			if (m->unsupported || m->op || m->due_ms > t)
				continue;
			ret = c->ops->run(c->ctx, resource(c, g, k),
					  VIGIL_AGENT_MONITOR, 0, monitor_done,
					  m, &m->op);
			if (ret == -EOPNOTSUPP) {
				m->unsupported = true;
				m->op = NULL;
			} else if (ret) {
				m->op = NULL;
				m->due_ms = t + resource(c, g, k)->timing.monitor_interval_ms;
				vigild_log("group %s: resource %s: cannot run its monitor: %s",
					   c->conf->groups[g].name,
					   resource(c, g, k)->name, strerror(-ret));
			}
			/* The monitor may have failed at once and stopped gr. */
			if (!group_online(c, g))
				break;
		}
	}
}

/* --- group operations ------------------------------------------------------ */

static void group_next(struct vigild_group *gr);

static void group_finish(struct vigild_group *gr)
{
	struct vigild_cluster *c = gr->c;
	enum vigild_group_op op = gr->op;
	bool ok = gr->ok;

	gr->op = VIGILD_GOP_NONE;
	gr->aop = NULL;
	switch (op) {
	case VIGILD_GOP_START:
		if (ok)
			monitors_start(gr, false);
		feed_result(c, VIGIL_EIN_START_DONE, gr->g, 0, 0, ok);
		break;
	case VIGILD_GOP_STOP:
		feed_result(c, VIGIL_EIN_STOP_DONE, gr->g, 0, 0, ok);
		break;
	default:
		if (ok)
			monitors_start(gr, false);
		feed_result(c, VIGIL_EIN_RESTART_DONE, gr->g, gr->from, 0, ok);
		break;
	}
}

static void group_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct vigild_group *gr = arg;
	struct vigild_cluster *c = gr->c;
	const struct vigil_conf_resource *res = resource(c, gr->g, gr->pos);
	bool stopping = gr->op == VIGILD_GOP_STOP ||
			gr->op == VIGILD_GOP_RESTART_STOP;

	gr->aop = NULL;
	if (o->result == VIGIL_AGENT_OK) {
		vigild_debug("group %s: resource %s: %s ok (%u ms)",
			     c->conf->groups[gr->g].name, res->name,
			     stopping ? "stop" : "start", o->elapsed_ms);
	} else {
		gr->ok = false;
		snprintf(gr->last_error, sizeof(gr->last_error), "%s %s: %s (%s)",
			 res->name, stopping ? "stop" : "start",
			 vigil_agent_result_name(o->result), o->reason);
		vigild_log("group %s: resource %s: %s failed: %s (%s)",
			   c->conf->groups[gr->g].name, res->name,
			   stopping ? "stop" : "start",
			   vigil_agent_result_name(o->result), o->reason);
		/* A stop goes on with the others; anything else ends here. */
		if (gr->op != VIGILD_GOP_STOP) {
			group_finish(gr);
			return;
		}
	}
	if (stopping)
		gr->pos--;
	else
		gr->pos++;
	group_next(gr);
}

/* Run the action at gr->pos, or finish. */
static void group_next(struct vigild_group *gr)
{
	struct vigild_cluster *c = gr->c;
	int n = c->conf->groups[gr->g].n_resources;
	enum vigil_agent_action act;
	int ret;

	for (;;) {
		if (gr->op == VIGILD_GOP_RESTART_STOP && gr->pos < gr->from) {
			gr->op = VIGILD_GOP_RESTART_START;
			gr->pos = gr->from;
		}
		if ((gr->op == VIGILD_GOP_STOP && gr->pos < 0) ||
		    ((gr->op == VIGILD_GOP_START ||
		      gr->op == VIGILD_GOP_RESTART_START) && gr->pos >= n)) {
			group_finish(gr);
			return;
		}
		act = gr->op == VIGILD_GOP_STOP || gr->op == VIGILD_GOP_RESTART_STOP ?
		      VIGIL_AGENT_STOP : VIGIL_AGENT_START;
		ret = c->ops->run(c->ctx, resource(c, gr->g, gr->pos), act, 0,
				  group_done, gr, &gr->aop);
		if (!ret)
			return;
		gr->aop = NULL;
		gr->ok = false;
		snprintf(gr->last_error, sizeof(gr->last_error), "%s %s: %s",
			 resource(c, gr->g, gr->pos)->name,
			 act == VIGIL_AGENT_STOP ? "stop" : "start",
			 strerror(-ret));
		vigild_log("group %s: %s", c->conf->groups[gr->g].name,
			   gr->last_error);
		if (gr->op != VIGILD_GOP_STOP) {
			group_finish(gr);
			return;
		}
		gr->pos--;
	}
}

static void group_begin(struct vigild_cluster *c, unsigned int g,
			enum vigild_group_op op, unsigned int from)
{
	struct vigild_group *gr = &c->grp[g];
	int n = c->conf->groups[g].n_resources;

	monitors_stop(gr);
	if (gr->aop) {
		vigild_log("group %s: abandoning the operation in flight",
			   c->conf->groups[g].name);
		c->ops->cancel(c->ctx, gr->aop);
		gr->aop = NULL;
	}
	gr->op = op;
	gr->ok = true;
	gr->from = from;
	if (op == VIGILD_GOP_START) {
		gr->last_error[0] = '\0';
		gr->pos = 0;
	} else {
		gr->pos = n - 1;
	}
	group_next(gr);
}

/* --- fencing ----------------------------------------------------------------- */

static const struct vigil_conf_fence *method_of(const struct vigild_fencing *f,
						unsigned int i)
{
	const struct vigil_conf *conf = f->c->conf;

	return &conf->fences[conf->nodes[f->node].fence[i]];
}

static const struct vigil_engine_peer *peer_of(const struct vigild_cluster *c,
					       unsigned int node)
{
	uint16_t id = c->conf->nodes[node].id;
	unsigned int i;

	for (i = 0; i < c->view.npeers; i++)
		if (c->view.peers[i].id == id)
			return &c->view.peers[i];
	return NULL;
}

static bool peer_dumping(const struct vigild_cluster *c, unsigned int node)
{
	const struct vigil_engine_peer *p = peer_of(c, node);

	return p && p->state == VIGIL_PEER_DUMPING;
}

/* Heard and up again in the life being fenced: it was only slow. */
static bool peer_alive(const struct vigild_fencing *f)
{
	const struct vigil_engine_peer *p = peer_of(f->c, f->node);

	return p && p->heard && p->state == VIGIL_PEER_UP &&
	       p->incarnation == f->incarnation;
}

/* Up again in another life: its dump is done, it rebooted. */
static bool peer_back(const struct vigild_fencing *f)
{
	const struct vigil_engine_peer *p = peer_of(f->c, f->node);

	return p && p->heard && p->incarnation != f->incarnation;
}

static void fence_report(struct vigild_fencing *f, bool ok)
{
	struct vigild_cluster *c = f->c;

	if (!f->asked || f->reported)
		return;
	f->reported = true;
	feed_result(c, VIGIL_EIN_FENCE_DONE, 0, 0, c->conf->nodes[f->node].id, ok);
}

static void fence_finish(struct vigild_fencing *f)
{
	const struct vigil_conf_node *nd = &f->c->conf->nodes[f->node];

	f->phase = VIGILD_FENCE_IDLE;
	if (f->asked && !f->reported)
		vigild_log("fencing node %s: no method confirmed", nd->name);
	fence_report(f, false);
}

static void fence_next(struct vigild_fencing *f);
static void recover_next(struct vigild_fencing *f);

/* With -v: what vigil-aws said, call by call (retries included). */
static void log_steps(const char *node, const struct vigil_agent_outcome *o)
{
	const char *p = o->err, *nl;

	if (!vigild_verbose || !p)
		return;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p)
			vigild_debug("node %s: %.*s", node, (int)(nl - p), p);
		if (!*nl)
			break;
	}
}

static void fence_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct vigild_fencing *f = arg;
	const struct vigil_conf_node *nd = &f->c->conf->nodes[f->node];
	const struct vigil_conf_fence *m = method_of(f, f->method);
	int idx = nd->fence[f->method];

	f->op = NULL;
	if (m->type != VIGIL_CONF_FENCE_AGENT)
		log_steps(nd->name, o);
	if (o->result != VIGIL_AGENT_OK) {
		vigild_log("fencing node %s: method %s failed: %s (%s)", nd->name,
			   m->name, vigil_agent_result_name(o->result), o->reason);
		if (f->isolated >= 0 && m->type == VIGIL_CONF_FENCE_AWS_STOP)
			vigild_log("fencing node %s: it stays isolated by %s; its instance was not stopped (vigilctl eni-attach %s once it is safe)",
				   nd->name, f->c->conf->fences[f->isolated].name,
				   nd->name);
		f->method++;
		fence_next(f);
		return;
	}
	switch (m->type) {
	case VIGIL_CONF_FENCE_AWS_ISOLATE:
		vigild_log("fencing node %s: method %s confirmed (%u ms): isolated; failover may proceed, the next method goes on",
			   nd->name, m->name, o->elapsed_ms);
		f->isolated = idx;
		fence_report(f, true);
		f->method++;
		fence_next(f);
		return;
	case VIGIL_CONF_FENCE_AWS_STOP:
		vigild_log("fencing node %s: method %s confirmed (%u ms): stopped",
			   nd->name, m->name, o->elapsed_ms);
		f->stopped = idx;
		fence_report(f, true);
		if (!m->recover) {
			f->phase = VIGILD_FENCE_IDLE;
			return;
		}
		f->phase = f->isolated >= 0 ? VIGILD_FENCE_ATTACH : VIGILD_FENCE_START;
		recover_next(f);
		return;
	default:
		vigild_log("fencing node %s: method %s confirmed (%u ms)",
			   nd->name, m->name, o->elapsed_ms);
		fence_report(f, true);
		f->phase = VIGILD_FENCE_IDLE;
		return;
	}
}

static void fence_next(struct vigild_fencing *f)
{
	struct vigild_cluster *c = f->c;
	const struct vigil_conf_node *nd = &c->conf->nodes[f->node];
	int ret;

	f->phase = VIGILD_FENCE_METHOD;
	/*
	 * A node heard up again in the same life is not fenced any further:
	 * the engine no longer needs it (a FENCE_DONE for an up node clears
	 * nothing), and a stop now could hit a node that is itself fencing
	 * (two overloaded survivors each fencing the other). What isolation
	 * did is undone.
	 */
	if (f->method && peer_alive(f)) {
		vigild_log("fencing node %s: it is up again: not fencing it further",
			   nd->name);
		fence_report(f, true);
		if (f->isolated >= 0) {
			f->stopped = -1;
			f->phase = VIGILD_FENCE_ATTACH;
			recover_next(f);
		} else {
			f->phase = VIGILD_FENCE_IDLE;
		}
		return;
	}
	for (; f->method < nd->n_fence; f->method++) {
		const struct vigil_conf_fence *m = method_of(f, f->method);
		enum vigil_aws_step stepn;

		/* Once isolated, only a forced stop is left to do. */
		if (f->isolated >= 0 && m->type != VIGIL_CONF_FENCE_AWS_STOP)
			continue;
		if (!f->asked && m->type != VIGIL_CONF_FENCE_AWS_ISOLATE &&
		    m->type != VIGIL_CONF_FENCE_AWS_STOP)
			continue;
		if (m->type == VIGIL_CONF_FENCE_AWS_STOP && peer_dumping(c, f->node)) {
			if (!f->dump_until_ms) {
				f->dump_until_ms = now(c) + m->dump_timeout_ms;
				vigild_log("fencing node %s: it is dumping: %s waits until its dump is done (at most %u ms)",
					   nd->name, m->name, m->dump_timeout_ms);
			}
			if (now(c) < f->dump_until_ms) {
				f->phase = VIGILD_FENCE_DUMP_WAIT;
				return;
			}
			vigild_log("fencing node %s: still dumping after %u ms: stopping it",
				   nd->name, m->dump_timeout_ms);
		}
		/* The race guard's half that is ours: no quorum, no fencing. */
		if (!c->engine.quorate) {
			vigild_log("fencing node %s: this node is not quorate: not fencing",
				   nd->name);
			break;
		}
		vigild_log("fencing node %s: trying method %s", nd->name, m->name);
		if (m->type == VIGIL_CONF_FENCE_AGENT) {
			ret = c->ops->fence(c->ctx, m, fence_done, f, &f->op);
		} else {
			stepn = m->type == VIGIL_CONF_FENCE_AWS_ISOLATE ?
				VIGIL_AWS_ISOLATE : VIGIL_AWS_STOP;
			ret = c->ops->aws(c->ctx, m, NULL, f->node, stepn,
					  fence_done, f, &f->op);
		}
		if (!ret)
			return;
		f->op = NULL;
		vigild_log("fencing node %s: method %s: cannot run: %s",
			   nd->name, m->name, strerror(-ret));
	}
	fence_finish(f);
}

static void recover_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct vigild_fencing *f = arg;
	const struct vigil_conf_node *nd = &f->c->conf->nodes[f->node];
	bool attach = f->phase == VIGILD_FENCE_ATTACH;

	f->op = NULL;
	log_steps(nd->name, o);
	if (o->result != VIGIL_AGENT_OK) {
		vigild_log("recovering node %s: %s failed: %s (%s); recover it by hand (vigilctl eni-attach %s)",
			   nd->name, attach ? "re-attaching its ENIs" : "starting it",
			   vigil_agent_result_name(o->result), o->reason, nd->name);
		f->phase = VIGILD_FENCE_IDLE;
		return;
	}
	if (attach && f->stopped >= 0) {
		vigild_log("recovering node %s: ENIs re-attached", nd->name);
		f->phase = VIGILD_FENCE_START;
		recover_next(f);
		return;
	}
	vigild_log("recovering node %s: %s: it comes back as a standby",
		   nd->name, attach ? "ENIs re-attached" : "instance running");
	f->phase = VIGILD_FENCE_IDLE;
}

static void recover_next(struct vigild_fencing *f)
{
	struct vigild_cluster *c = f->c;
	const struct vigil_conf_node *nd = &c->conf->nodes[f->node];
	const struct vigil_conf_fence *iso = f->isolated >= 0 ?
		&c->conf->fences[f->isolated] : NULL;
	const struct vigil_conf_fence *stop = f->stopped >= 0 ?
		&c->conf->fences[f->stopped] : NULL;
	bool attach = f->phase == VIGILD_FENCE_ATTACH;
	int ret;

	vigild_log("recovering node %s: %s", nd->name,
		   attach ? "re-attaching its ENIs" : "starting its instance");
	if (attach)
		ret = c->ops->aws(c->ctx, iso, NULL, f->node, VIGIL_AWS_ATTACH,
				  recover_done, f, &f->op);
	else
		ret = c->ops->aws(c->ctx, stop, iso, f->node, VIGIL_AWS_START,
				  recover_done, f, &f->op);
	if (ret) {
		f->op = NULL;
		vigild_log("recovering node %s: cannot run vigil-aws: %s",
			   nd->name, strerror(-ret));
		f->phase = VIGILD_FENCE_IDLE;
	}
}

static void fence_start(struct vigild_cluster *c, unsigned int i, bool asked)
{
	struct vigild_fencing *f = &c->fencing[i];
	const struct vigil_engine_peer *p = peer_of(c, i);

	f->phase = VIGILD_FENCE_METHOD;
	f->asked = asked;
	f->reported = false;
	f->method = 0;
	f->isolated = -1;
	f->stopped = -1;
	f->dump_until_ms = 0;
	f->incarnation = p ? p->incarnation : 0;
	fence_next(f);
}

static void fence_begin(struct vigild_cluster *c, uint16_t id)
{
	unsigned int i;

	for (i = 0; i < c->conf->n_nodes; i++)
		if (c->conf->nodes[i].id == id)
			break;
	if (i == c->conf->n_nodes) {
		vigild_log("engine asked to fence node id %u, which is not configured",
			   id);
		return;
	}
	if (c->fencing[i].phase != VIGILD_FENCE_IDLE) {
		/* A recovery or a dump's isolation of an earlier request. */
		if (!c->fencing[i].asked) {
			c->fencing[i].asked = true;
			if (c->fencing[i].isolated >= 0 || c->fencing[i].stopped >= 0)
				fence_report(&c->fencing[i], true);
		}
		vigild_debug("fencing node %s: already running",
			     c->conf->nodes[i].name);
		return;
	}
	fence_start(c, i, true);
}

static bool has_isolate(const struct vigil_conf *conf, unsigned int node)
{
	const struct vigil_conf_node *nd = &conf->nodes[node];
	unsigned int i;

	for (i = 0; i < nd->n_fence; i++)
		if (conf->fences[nd->fence[i]].type == VIGIL_CONF_FENCE_AWS_ISOLATE)
			return true;
	return false;
}

/*
 * A dumping node proves its own fence (the engine takes it), but it is
 * isolated all the same, its stop deferred (fence_next()); and a stop
 * that waits for a dump runs when the dump is done or late.
 */
static void fencing_poll(struct vigild_cluster *c)
{
	unsigned int i;

	for (i = 0; i < c->conf->n_nodes; i++) {
		struct vigild_fencing *f = &c->fencing[i];
		const struct vigil_engine_peer *p;

		if (i == c->self)
			continue;
		if (f->phase == VIGILD_FENCE_DUMP_WAIT) {
			if (peer_back(f)) {
				vigild_log("fencing node %s: it is back after its dump: no stop",
					   c->conf->nodes[i].name);
				f->phase = VIGILD_FENCE_ATTACH;
				f->stopped = -1;
				if (f->isolated >= 0)
					recover_next(f);
				else
					f->phase = VIGILD_FENCE_IDLE;
			} else if (now(c) >= f->dump_until_ms ||
				   !peer_dumping(c, i)) {
				fence_next(f);
			}
			continue;
		}
		p = peer_of(c, i);
		/* The first fencer only: two would race each other's recovery. */
		if (f->phase != VIGILD_FENCE_IDLE || !p ||
		    p->state != VIGIL_PEER_DUMPING || p->heard ||
		    f->dump_isolated_inc == p->incarnation ||
		    !has_isolate(c->conf, i) || !c->engine.quorate ||
		    vigil_engine_fencer_rank(&c->engine))
			continue;
		f->dump_isolated_inc = p->incarnation;
		vigild_log("node %s announced it is dumping: isolating it",
			   c->conf->nodes[i].name);
		fence_start(c, i, false);
	}
}

/* --- actions ------------------------------------------------------------------ */

static void execute(struct vigild_cluster *c, const struct vigil_engine_action *a)
{
	struct vigil_engine_persist p;
	int ret;

	switch (a->type) {
	case VIGIL_EACT_LOG:
		vigild_log("%s", a->text);
		break;
	case VIGIL_EACT_SET_PAYLOAD:
		ret = c->ops->set_payload(c->ctx, a->payload, a->payload_len);
		if (ret)
			vigild_log("setting the heartbeat payload: %s", strerror(-ret));
		break;
	case VIGIL_EACT_START:
		group_begin(c, a->group, VIGILD_GOP_START, 0);
		break;
	case VIGIL_EACT_STOP:
		group_begin(c, a->group, VIGILD_GOP_STOP, 0);
		break;
	case VIGIL_EACT_RESTART:
		group_begin(c, a->group, VIGILD_GOP_RESTART_STOP, a->resource);
		break;
	case VIGIL_EACT_FENCE:
		fence_begin(c, a->node);
		break;
	case VIGIL_EACT_SELF_FENCE:
		vigild_log("asking vigil.ko to fence this node (%s)",
			   vigil_fence_action_name(c->engine.conf.self_fence_action) ?: "?");
		ret = c->ops->self_fence(c->ctx, c->engine.conf.self_fence_action);
		if (ret)
			vigild_log("self-fence request failed: %s", strerror(-ret));
		break;
	case VIGIL_EACT_GATE_OPEN:
		ret = c->ops->gate_open(c->ctx);
		if (ret)
			vigild_log("reopening the gate: %s", strerror(-ret));
		else
			vigild_log("gate reopened");
		break;
	case VIGIL_EACT_PERSIST:
		vigil_engine_save(&c->engine, c->boot_id, &p);
		ret = c->ops->persist(c->ctx, &p);
		if (ret)
			vigild_log("saving the engine's state: %s; a restart of vigild would not know what runs here",
				   strerror(-ret));
		break;
	}
}

/* --- the rest ----------------------------------------------------------------- */

int vigild_cluster_init(struct vigild_cluster *c, const struct vigil_conf *conf,
			unsigned int self, const struct vigild_cluster_ops *ops,
			void *ctx, const struct vigil_engine_persist *persist,
			const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
			char *why, size_t len)
{
	struct vigil_engine_conf ec;
	unsigned int g, k;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = vigild_cluster_engine_conf(conf, self, &ec, why, len);
	if (ret)
		return ret;
	c->conf = conf;
	c->self = self;
	c->ops = ops;
	c->ctx = ctx;
	memcpy(c->boot_id, boot_id, VIGIL_ENGINE_BOOT_ID_LEN);
	for (g = 0; g < VIGIL_ENGINE_GROUPS_MAX; g++) {
		c->grp[g].c = c;
		c->grp[g].g = g;
		for (k = 0; k < VIGIL_ENGINE_RESOURCES_MAX; k++) {
			c->grp[g].mon[k].c = c;
			c->grp[g].mon[k].g = g;
			c->grp[g].mon[k].k = k;
		}
	}
	for (k = 0; k < VIGIL_ENGINE_NODES_MAX; k++) {
		c->fencing[k].c = c;
		c->fencing[k].node = k;
		c->fencing[k].isolated = -1;
		c->fencing[k].stopped = -1;
	}
	ret = vigil_engine_init(&c->engine, &ec, persist, boot_id, now(c));
	if (ret) {
		snprintf(why, len, "the engine refused the configuration: %s",
			 strerror(-ret));
		return ret;
	}
	return 0;
}

void vigild_cluster_fini(struct vigild_cluster *c)
{
	unsigned int g;

	for (g = 0; g < VIGIL_ENGINE_GROUPS_MAX; g++) {
		monitors_stop(&c->grp[g]);
		if (c->grp[g].aop)
			c->ops->cancel(c->ctx, c->grp[g].aop);
		c->grp[g].aop = NULL;
	}
	for (g = 0; g < VIGIL_ENGINE_NODES_MAX; g++) {
		if (c->fencing[g].op)
			c->ops->cancel(c->ctx, c->fencing[g].op);
		c->fencing[g].op = NULL;
		c->fencing[g].phase = VIGILD_FENCE_IDLE;
	}
}

void vigild_cluster_tick(struct vigild_cluster *c)
{
	struct vigil_engine_input in = { .type = VIGIL_EIN_TICK };

	if (c->wakeup_ms && c->wakeup_ms <= now(c))
		vigild_cluster_feed(c, &in);
	c->pumping = true;
	monitors_poll(c);
	pump(c);
	c->pumping = false;
	fencing_poll(c);
}

uint64_t vigild_cluster_next_ms(const struct vigild_cluster *c)
{
	uint64_t next = c->wakeup_ms;
	unsigned int g, k;

	for (k = 0; k < c->conf->n_nodes; k++) {
		const struct vigild_fencing *f = &c->fencing[k];

		if (f->phase == VIGILD_FENCE_DUMP_WAIT &&
		    (!next || f->dump_until_ms < next))
			next = f->dump_until_ms;
	}

	for (g = 0; g < c->conf->n_groups; g++) {
		const struct vigild_group *gr = &c->grp[g];

		if (!group_online(c, g))
			continue;
		if (!gr->monitoring)
			return 1;	/* now: start them */
		for (k = 0; k < c->conf->groups[g].n_resources; k++) {
			const struct vigild_monitor *m = &gr->mon[k];

			if (m->unsupported || m->op)
				continue;
			if (!next || m->due_ms < next)
				next = m->due_ms;
		}
	}
	return next;
}

void vigild_cluster_reload(struct vigild_cluster *c,
			   const struct vigil_conf *next)
{
	unsigned int g;

	c->conf = next;
	for (g = 0; g < next->n_groups; g++) {
		c->engine.conf.groups[g].restart_limit = next->groups[g].restart_limit;
		c->engine.conf.groups[g].restart_window_ms = next->groups[g].restart_window_ms;
		/* New intervals count from now. */
		if (c->grp[g].monitoring && c->grp[g].op == VIGILD_GOP_NONE)
			monitors_start(&c->grp[g], false);
	}
}

int vigild_cluster_group_find(const struct vigild_cluster *c, const char *name)
{
	return vigil_conf_group_find(c->conf, name);
}

void vigild_cluster_group_info(const struct vigild_cluster *c, unsigned int g,
			       struct vigild_group_info *info)
{
	struct vigil_engine_status st;
	unsigned int i;

	vigil_engine_group_status(&c->engine, g, &st);
	info->name = c->conf->groups[g].name;
	info->state = vigil_engine_state_name(st.state);
	info->node = "";
	for (i = 0; st.owner && i < c->conf->n_nodes; i++)
		if (c->conf->nodes[i].id == st.owner)
			info->node = c->conf->nodes[i].name;
	info->since_ms = st.since_ms;
	info->reason = vigil_engine_reason_name(st.reason);
	info->last_error = c->grp[g].last_error;
}
