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
	ec->fence_delay_ms = VIGILD_FENCE_DELAY_FACTOR * conf->cluster.timeout_ms;
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

	c->view = *v;
	return vigild_cluster_feed(c, &in);
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

static void fence_next(struct vigild_fencing *f);

static void fence_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct vigild_fencing *f = arg;
	struct vigild_cluster *c = f->c;
	const struct vigil_conf_node *nd = &c->conf->nodes[f->node];
	const struct vigil_conf_fence *m = &c->conf->fences[nd->fence[f->method]];

	f->op = NULL;
	if (o->result == VIGIL_AGENT_OK) {
		vigild_log("fencing node %s: method %s confirmed (%u ms)",
			   nd->name, m->name, o->elapsed_ms);
		feed_result(c, VIGIL_EIN_FENCE_DONE, 0, 0, nd->id, true);
		return;
	}
	vigild_log("fencing node %s: method %s failed: %s (%s)", nd->name,
		   m->name, vigil_agent_result_name(o->result), o->reason);
	f->method++;
	fence_next(f);
}

static void fence_next(struct vigild_fencing *f)
{
	struct vigild_cluster *c = f->c;
	const struct vigil_conf_node *nd = &c->conf->nodes[f->node];
	int ret;

	for (; f->method < nd->n_fence; f->method++) {
		const struct vigil_conf_fence *m = &c->conf->fences[nd->fence[f->method]];

		vigild_log("fencing node %s: trying method %s", nd->name, m->name);
		ret = c->ops->fence(c->ctx, m, fence_done, f, &f->op);
		if (!ret)
			return;
		f->op = NULL;
		vigild_log("fencing node %s: method %s: cannot run: %s",
			   nd->name, m->name, strerror(-ret));
	}
	vigild_log("fencing node %s: no method confirmed", nd->name);
	feed_result(c, VIGIL_EIN_FENCE_DONE, 0, 0, nd->id, false);
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
	if (c->fencing[i].op) {
		vigild_debug("fencing node %s: already running",
			     c->conf->nodes[i].name);
		return;
	}
	c->fencing[i].method = 0;
	fence_next(&c->fencing[i]);
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
}

uint64_t vigild_cluster_next_ms(const struct vigild_cluster *c)
{
	uint64_t next = c->wakeup_ms;
	unsigned int g, k;

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
