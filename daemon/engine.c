// SPDX-License-Identifier: GPL-2.0
/*
 * vigild's decision engine (engine.h): who runs each resource group, when
 * a group restarts in place, moves, waits, or makes its node fence itself,
 * and which peer to fence. Pure: no I/O, no clock (time comes with each
 * input), no allocation, no globals. Documentation/failover.md has the
 * rules and why they are safe; the comments here point to its sections.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Log lines stop when fewer slots than this are left: actions never do. */
#define LOG_RESERVE 64

/* --- small helpers ------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint32_t vigil_engine_inc32(uint64_t incarnation)
{
	return (uint32_t)(incarnation >> 32) ^ (uint32_t)incarnation;
}

int vigil_engine_rec_cmp(const struct vigil_engine_record *a,
			 const struct vigil_engine_record *b)
{
	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	if (a->owner != b->owner)
		return a->owner < b->owner ? -1 : 1;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	return 0;
}

static bool rec_eq(const struct vigil_engine_record *a,
		   const struct vigil_engine_record *b)
{
	return !vigil_engine_rec_cmp(a, b);
}

static unsigned int rec_mode(const struct vigil_engine_record *r)
{
	return r->flags & VIGIL_EREC_MODE_MASK;
}

/* --- the announcement ------------------------------------------------------ */

static bool rec_ok(const struct vigil_engine_record *r)
{
	if (r->flags & ~VIGIL_EREC_F_ALL)
		return false;
	if (r->owner > VIGIL_NODES_MAX)
		return false;
	if (r->epoch == 0)	/* no decision yet: nothing else */
		return r->owner == 0 && r->flags == 0;
	switch (rec_mode(r)) {
	case VIGIL_EMODE_RUN:
		return true;
	case VIGIL_EMODE_STOPPED:
		return r->owner == 0 && !(r->flags & VIGIL_EREC_F_ACT);
	case VIGIL_EMODE_WAIT:
		return !(r->flags & VIGIL_EREC_F_ACT);
	default:
		return false;
	}
}

static bool local_ok(uint8_t l)
{
	return !(l & ~(VIGIL_ELOC_MASK | VIGIL_ELOC_F_EXCLUDED)) &&
	       (l & VIGIL_ELOC_MASK) < __VIGIL_ELOC_LAST;
}

static bool ann_ok(const struct vigil_engine_announce *a)
{
	unsigned int i, j;

	if (a->flags & ~VIGIL_EANN_F_ALL)
		return false;
	if (a->ngroups > VIGIL_ENGINE_GROUPS_MAX ||
	    a->ncleared > VIGIL_ENGINE_CLEARED_MAX)
		return false;
	for (i = 0; i < a->ncleared; i++) {
		if (a->cleared[i].node < 1 ||
		    a->cleared[i].node > VIGIL_NODES_MAX)
			return false;
		for (j = 0; j < i; j++)
			if (a->cleared[j].node == a->cleared[i].node)
				return false;
	}
	for (i = 0; i < a->ngroups; i++)
		if (!rec_ok(&a->groups[i].rec) ||
		    !local_ok(a->groups[i].local))
			return false;
	return true;
}

static size_t ann_len(const struct vigil_engine_announce *a)
{
	return VIGIL_ENGINE_WIRE_HDR_LEN +
	       a->ncleared * VIGIL_ENGINE_WIRE_CLEARED_LEN +
	       a->ngroups * VIGIL_ENGINE_WIRE_GROUP_LEN;
}

int vigil_engine_encode(const struct vigil_engine_announce *a, uint8_t *buf,
			size_t len)
{
	unsigned int i;
	uint8_t *p;

	if (!ann_ok(a) || len < ann_len(a))
		return -EINVAL;
	buf[0] = VIGIL_ENGINE_WIRE_VERSION;
	buf[1] = a->flags;
	buf[2] = a->ngroups;
	buf[3] = a->ncleared;
	put32(buf + 4, a->digest);
	p = buf + VIGIL_ENGINE_WIRE_HDR_LEN;
	for (i = 0; i < a->ncleared; i++, p += VIGIL_ENGINE_WIRE_CLEARED_LEN) {
		put16(p, a->cleared[i].node);
		put16(p + 2, 0);
		put32(p + 4, a->cleared[i].incarnation);
	}
	for (i = 0; i < a->ngroups; i++, p += VIGIL_ENGINE_WIRE_GROUP_LEN) {
		put32(p, a->groups[i].rec.epoch);
		put16(p + 4, a->groups[i].rec.owner);
		p[6] = a->groups[i].rec.flags;
		p[7] = a->groups[i].local;
	}
	return (int)(p - buf);
}

int vigil_engine_decode(const uint8_t *buf, size_t len,
			struct vigil_engine_announce *a)
{
	const uint8_t *p;
	unsigned int i;

	memset(a, 0, sizeof(*a));
	if (len < VIGIL_ENGINE_WIRE_HDR_LEN || len > VIGIL_PAYLOAD_MAX)
		return -EINVAL;
	if (buf[0] != VIGIL_ENGINE_WIRE_VERSION)
		return -EINVAL;
	a->flags = buf[1];
	a->ngroups = buf[2];
	a->ncleared = buf[3];
	a->digest = get32(buf + 4);
	if (a->ngroups > VIGIL_ENGINE_GROUPS_MAX ||
	    a->ncleared > VIGIL_ENGINE_CLEARED_MAX || len != ann_len(a))
		goto bad;
	p = buf + VIGIL_ENGINE_WIRE_HDR_LEN;
	for (i = 0; i < a->ncleared; i++, p += VIGIL_ENGINE_WIRE_CLEARED_LEN) {
		if (get16(p + 2))
			goto bad;
		a->cleared[i].node = get16(p);
		a->cleared[i].incarnation = get32(p + 4);
	}
	for (i = 0; i < a->ngroups; i++, p += VIGIL_ENGINE_WIRE_GROUP_LEN) {
		a->groups[i].rec.epoch = get32(p);
		a->groups[i].rec.owner = get16(p + 4);
		a->groups[i].rec.flags = p[6];
		a->groups[i].local = p[7];
	}
	if (!ann_ok(a))
		goto bad;
	return 0;
bad:
	memset(a, 0, sizeof(*a));
	return -EINVAL;
}

/* --- configuration --------------------------------------------------------- */

static int node_index(const struct vigil_engine_conf *c, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < c->nnodes; i++)
		if (c->nodes[i].id == id)
			return (int)i;
	return -1;
}

int vigil_engine_conf_check(const struct vigil_engine_conf *c,
			    const char **why)
{
	unsigned int i, j, k;
	const char *w = NULL;

	if (c->nnodes < 1 || c->nnodes > VIGIL_ENGINE_NODES_MAX)
		w = "between 1 and 32 nodes";
	else if (c->ngroups > VIGIL_ENGINE_GROUPS_MAX)
		w = "at most 12 groups";
	else if (!c->timeout_ms)
		w = "timeout_ms is 0";
	else if (c->self_fence_action > VIGIL_ACTION_MAX)
		w = "unknown self-fence action";
	if (w)
		goto bad;
	for (i = 0; i < c->nnodes && !w; i++) {
		if (c->nodes[i].id < 1 || c->nodes[i].id > VIGIL_NODES_MAX)
			w = "a node id out of 1..256";
		for (j = 0; j < i && !w; j++)
			if (c->nodes[j].id == c->nodes[i].id)
				w = "a node id twice";
	}
	if (!w && node_index(c, c->self) < 0)
		w = "this node is not a configured node";
	for (i = 0; i < c->ngroups && !w; i++) {
		const struct vigil_engine_group_conf *g = &c->groups[i];

		if (!memchr(g->name, 0, sizeof(g->name)) || !g->name[0])
			w = "a group name empty or too long";
		else if (g->nnodes < 1 || g->nnodes > c->nnodes)
			w = "a group's node list is empty or too long";
		else if (g->restart_limit > VIGIL_ENGINE_RESTARTS_MAX)
			w = "a restart limit above 16";
		else if (g->nresources < 1 ||
			 g->nresources > VIGIL_ENGINE_RESOURCES_MAX)
			w = "a group without resources or with more than 32";
		for (j = 0; j < g->nnodes && !w; j++) {
			if (node_index(c, g->nodes[j]) < 0)
				w = "a group names a node that is not configured";
			for (k = 0; k < j && !w; k++)
				if (g->nodes[k] == g->nodes[j])
					w = "a group names a node twice";
		}
		for (j = 0; j < i && !w; j++)
			if (!strcmp(c->groups[j].name, g->name))
				w = "a group name twice";
	}
	if (!w)
		return 0;
bad:
	if (why)
		*why = w;
	return -EINVAL;
}

static uint32_t fnv(uint32_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

static uint32_t fnv32(uint32_t h, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return fnv(h, b, sizeof(b));
}

/*
 * What every node must agree on to place groups the same way: the nodes
 * (by id), their votes and reset priorities, the groups in order with
 * their node lists and failback, and the fencing assumptions. Restart
 * limits and timeouts are local and may differ during a rolling reload.
 */
uint32_t vigil_engine_digest(const struct vigil_engine_conf *c)
{
	uint32_t h = 2166136261U;
	unsigned int id, i, j;

	h = fnv(h, "vigil-engine", 12);
	h = fnv32(h, VIGIL_ENGINE_WIRE_VERSION);
	h = fnv32(h, c->nnodes);
	for (id = 1; id <= VIGIL_NODES_MAX; id++) {
		int n = node_index(c, id);

		if (n < 0)
			continue;
		h = fnv32(h, id);
		h = fnv32(h, c->nodes[n].votes);
		h = fnv32(h, c->nodes[n].reset_priority);
		h = fnv32(h, c->nodes[n].fence_methods);
	}
	h = fnv32(h, c->gate_trusted);
	h = fnv32(h, c->self_fence_action);
	h = fnv32(h, c->ngroups);
	for (i = 0; i < c->ngroups; i++) {
		const struct vigil_engine_group_conf *g = &c->groups[i];

		h = fnv(h, g->name, strnlen(g->name, sizeof(g->name)) + 1);
		h = fnv32(h, g->failback);
		h = fnv32(h, g->nnodes);
		for (j = 0; j < g->nnodes; j++)
			h = fnv32(h, g->nodes[j]);
	}
	return h;
}

/* --- names ------------------------------------------------------------------ */

const char *vigil_engine_state_name(enum vigil_engine_state s)
{
	static const char *const names[] = {
		[VIGIL_ES_ONLINE] = "online",
		[VIGIL_ES_STANDBY] = "standby",
		[VIGIL_ES_STARTING] = "starting",
		[VIGIL_ES_STOPPING] = "stopping",
		[VIGIL_ES_WAIT] = "wait",
		[VIGIL_ES_STOPPED] = "stopped",
		[VIGIL_ES_FAILED] = "failed",
	};

	return (unsigned int)s < ARRAY_LEN(names) ? names[s] : "?";
}

const char *vigil_engine_reason_name(enum vigil_engine_reason r)
{
	static const char *const names[] = {
		[VIGIL_ER_NONE] = "none",
		[VIGIL_ER_PLACED] = "placed here",
		[VIGIL_ER_MOVED] = "placed on another node",
		[VIGIL_ER_OP_START] = "operator start",
		[VIGIL_ER_OP_STOP] = "operator stop",
		[VIGIL_ER_OP_SWITCHOVER] = "operator switchover",
		[VIGIL_ER_OP_ACT] = "operator act",
		[VIGIL_ER_STARTED] = "started",
		[VIGIL_ER_STOPPED] = "stopped",
		[VIGIL_ER_START_FAILED] = "start failed",
		[VIGIL_ER_STOP_FAILED] = "stop failed",
		[VIGIL_ER_MONITOR_FAILED] = "monitor failed",
		[VIGIL_ER_RESTARTED] = "restarted in place",
		[VIGIL_ER_RESTART_FAILED] = "restart failed",
		[VIGIL_ER_RESTART_LIMIT] = "restart limit reached",
		[VIGIL_ER_OWNER_LOST] = "its node is down",
		[VIGIL_ER_OWNER_FAILED] = "its node gave up on it",
		[VIGIL_ER_NO_NODE] = "no eligible node",
		[VIGIL_ER_FAILBACK] = "failback",
		[VIGIL_ER_FENCE] = "fencing",
		[VIGIL_ER_FENCED] = "fenced",
		[VIGIL_ER_FENCE_FAILED] = "fence failed",
		[VIGIL_ER_FENCED_BY_PEER] = "fenced by a peer",
		[VIGIL_ER_PEER_SELF_FENCED] = "announced its self-fence",
		[VIGIL_ER_LEASE_RULE] = "a quorum declared it dead (lease rule)",
		[VIGIL_ER_WAIT] = "no fence confirmed: switchover wait",
		[VIGIL_ER_SELF_FENCED] = "this node is self-fenced",
		[VIGIL_ER_NO_QUORUM] = "no quorum",
		[VIGIL_ER_CONFIG_MISMATCH] = "configuration differs",
		[VIGIL_ER_RESTORED] = "restored after a daemon restart",
		[VIGIL_ER_REJOINED] = "rejoined",
		[VIGIL_ER_GATE_OPEN] = "groups stopped: reopening the gate",
		[VIGIL_ER_LEFT] = "left cleanly with nothing running",
	};

	return (unsigned int)r < ARRAY_LEN(names) && names[r] ? names[r] : "?";
}

const char *vigil_engine_action_name(enum vigil_engine_action_type t)
{
	static const char *const names[] = {
		[VIGIL_EACT_LOG] = "log",
		[VIGIL_EACT_SET_PAYLOAD] = "set-payload",
		[VIGIL_EACT_START] = "start",
		[VIGIL_EACT_STOP] = "stop",
		[VIGIL_EACT_RESTART] = "restart",
		[VIGIL_EACT_FENCE] = "fence",
		[VIGIL_EACT_SELF_FENCE] = "self-fence",
		[VIGIL_EACT_GATE_OPEN] = "gate-open",
		[VIGIL_EACT_PERSIST] = "persist",
	};

	return (unsigned int)t < ARRAY_LEN(names) ? names[t] : "?";
}

/* --- output ----------------------------------------------------------------- */

static struct vigil_engine_action *emit(struct vigil_engine *e,
					enum vigil_engine_action_type type,
					enum vigil_engine_reason reason)
{
	struct vigil_engine_out *o = e->out;
	struct vigil_engine_action *a;

	if (o->n >= ARRAY_LEN(o->act))
		return NULL;	/* cannot happen: see LOG_RESERVE */
	a = &o->act[o->n++];
	memset(a, 0, offsetof(struct vigil_engine_action, payload));
	a->type = type;
	a->reason = reason;
	a->text[0] = 0;
	return a;
}

__attribute__((format(printf, 3, 4)))
static void logf_(struct vigil_engine *e, enum vigil_engine_reason reason,
		  const char *fmt, ...)
{
	struct vigil_engine_action *a;
	va_list ap;

	if (e->out->n + LOG_RESERVE >= ARRAY_LEN(e->out->act)) {
		e->out->logs_dropped++;
		return;
	}
	a = emit(e, VIGIL_EACT_LOG, reason);
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, ap);
	va_end(ap);
}

static void wake_at(struct vigil_engine *e, uint64_t t)
{
	if (t <= e->now_ms)
		t = e->now_ms + 1;
	if (!e->out->wakeup_ms || t < e->out->wakeup_ms)
		e->out->wakeup_ms = t;
}

static const char *gname(const struct vigil_engine *e, unsigned int g)
{
	return e->conf.groups[g].name;
}

/* --- nodes -------------------------------------------------------------------- */

static uint16_t self_id(const struct vigil_engine *e)
{
	return e->conf.nodes[e->self].id;
}

static bool is_self(const struct vigil_engine *e, unsigned int n)
{
	return n == e->self;
}

/* Up in the module's view (this node always is). */
static bool node_up(const struct vigil_engine *e, unsigned int n)
{
	return is_self(e, n) || e->nodes[n].state == VIGIL_PEER_UP;
}

/* Up, and speaking for itself with our configuration. */
static bool node_valid(const struct vigil_engine *e, unsigned int n)
{
	return is_self(e, n) || e->nodes[n].valid;
}

static bool is_candidate(const struct vigil_engine *e, unsigned int g,
			 uint16_t id)
{
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int i;

	for (i = 0; i < gc->nnodes; i++)
		if (gc->nodes[i] == id)
			return true;
	return false;
}

static int cand_rank(const struct vigil_engine *e, unsigned int g, uint16_t id)
{
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int i;

	for (i = 0; i < gc->nnodes; i++)
		if (gc->nodes[i] == id)
			return (int)i;
	return -1;
}

static bool self_can_decide(const struct vigil_engine *e)
{
	return e->have_view && e->quorate && !e->fenced;
}

/*
 * Fencing and placing need a fresh lease too: a node cut off from the
 * others loses its lease before they declare it dead, so it never fences
 * them first (failover.md, "Who fences").
 */
static bool self_can_act(const struct vigil_engine *e)
{
	return self_can_decide(e) && e->lease_fresh;
}

/*
 * A node whose gate was latched starts nothing for a timeout after it
 * reopened: peers that were frozen with it may still look frozen to it,
 * and it to them ("Proof").
 */
static bool just_reopened(const struct vigil_engine *e)
{
	return e->reopened_ms &&
	       e->now_ms < e->reopened_ms + e->conf.timeout_ms;
}

static bool self_can_start(const struct vigil_engine *e)
{
	return self_can_act(e) && !e->self_fence_sent && !just_reopened(e);
}

/* The local state of group g on node n, as far as we know. */
static uint8_t local_of(const struct vigil_engine *e, unsigned int n,
			unsigned int g)
{
	if (is_self(e, n))
		return e->groups[g].local |
		       (e->groups[g].excluded ? VIGIL_ELOC_F_EXCLUDED : 0);
	return e->nodes[n].ann.groups[g].local;
}

static bool local_idle(uint8_t l)
{
	return (l & VIGIL_ELOC_MASK) == VIGIL_ELOC_IDLE;
}

/* May group g be placed on node n now? */
static bool eligible(const struct vigil_engine *e, unsigned int g,
		     unsigned int n, bool ignore_exclusion)
{
	uint8_t l;

	if (!is_candidate(e, g, e->conf.nodes[n].id) || !node_valid(e, n))
		return false;
	if (is_self(e, n)) {
		if (!self_can_decide(e) || e->self_fence_sent)
			return false;
	} else if (e->nodes[n].ann.flags & VIGIL_EANN_F_SELF_FENCING) {
		return false;
	}
	l = local_of(e, n, g);
	if ((l & VIGIL_ELOC_MASK) == VIGIL_ELOC_STOP_FAILED)
		return false;
	return ignore_exclusion || !(l & VIGIL_ELOC_F_EXCLUDED);
}

/* The first eligible node in g's list, other than skip (an id or 0). */
static uint16_t best_eligible(const struct vigil_engine *e, unsigned int g,
			      uint16_t skip, bool ignore_exclusion)
{
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int i;

	for (i = 0; i < gc->nnodes; i++) {
		int n = node_index(&e->conf, gc->nodes[i]);

		if (gc->nodes[i] != skip &&
		    eligible(e, g, (unsigned int)n, ignore_exclusion))
			return gc->nodes[i];
	}
	return 0;
}

/*
 * Fencers: this node and the valid peers, by reset priority then id. The
 * first is also the coordinator that places groups ("Who decides").
 */
static bool fencer_before(const struct vigil_engine *e, unsigned int a,
			  unsigned int b)
{
	const struct vigil_engine_node_conf *na = &e->conf.nodes[a];
	const struct vigil_engine_node_conf *nb = &e->conf.nodes[b];

	if (na->reset_priority != nb->reset_priority)
		return na->reset_priority < nb->reset_priority;
	return na->id < nb->id;
}

static unsigned int self_rank(const struct vigil_engine *e,
			      unsigned int *nfencers)
{
	unsigned int n, rank = 0, count = 0;

	for (n = 0; n < e->conf.nnodes; n++) {
		if (!node_valid(e, n))
			continue;
		count++;
		if (!is_self(e, n) && fencer_before(e, n, e->self))
			rank++;
	}
	if (nfencers)
		*nfencers = count;
	return rank;
}

unsigned int vigil_engine_fencer_rank(const struct vigil_engine *e)
{
	return self_rank(e, NULL);
}

static bool members_has(const uint8_t *m, uint16_t id)
{
	return m[(id - 1) / 8] & (1U << ((id - 1) % 8));
}

/* --- clearance: a node that is not up cannot run anything ------------------- */

static bool cleared_now(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];

	return !node_up(e, n) && nd->cleared &&
	       nd->cleared_inc == nd->incarnation;
}

static void set_cleared(struct vigil_engine *e, unsigned int n,
			enum vigil_engine_reason why)
{
	struct vigil_engine_node *nd = &e->nodes[n];

	if (cleared_now(e, n))
		return;
	nd->cleared = true;
	nd->cleared_inc = nd->incarnation;
	nd->cleared_why = why;
	logf_(e, why, "node %u is out: %s", e->conf.nodes[n].id,
	      vigil_engine_reason_name(why));
}

/* The self-fence it announced proves it (failover.md, "Proof"). */
static bool self_fence_proven(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];
	uint8_t act = e->conf.self_fence_action;

	if (nd->state == VIGIL_PEER_DUMPING)
		return true;
	if (nd->state != VIGIL_PEER_SELF_FENCED)
		return false;
	if (e->conf.gate_trusted)
		return true;
	return !nd->heard &&
	       (act == VIGIL_ACTION_PANIC || act == VIGIL_ACTION_REBOOT);
}

/* The lease rule (fencing.md, "The timing rule"; failover.md, "Proof"). */
static bool lease_rule(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];
	uint16_t id = e->conf.nodes[n].id;
	uint64_t votes = 0;
	unsigned int p;

	/* With action none a renewed lease reopens the gate: no proof. */
	if (!e->conf.gate_trusted || !self_can_decide(e) || nd->heard ||
	    !e->quorum_votes || e->conf.self_fence_action < VIGIL_ACTION_FREEZE)
		return false;
	/* This node: its module declared n dead (or never heard it in a
	   life that has lasted a timeout). */
	if (nd->state != VIGIL_PEER_UNKNOWN ||
	    e->now_ms >= e->inc_since_ms + e->conf.timeout_ms)
		votes += e->conf.nodes[e->self].votes;
	for (p = 0; p < e->conf.nnodes; p++) {
		const struct vigil_engine_node *pd = &e->nodes[p];

		if (is_self(e, p) || p == n || !pd->valid)
			continue;
		if (members_has(pd->members, id))
			continue;
		if (e->now_ms < pd->up_since_ms + e->conf.timeout_ms)
			continue;
		votes += e->conf.nodes[p].votes;
	}
	return votes >= e->quorum_votes;
}

/* It left cleanly and said nothing runs there. */
static bool left_idle(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];
	unsigned int g;

	if (nd->state != VIGIL_PEER_LEFT || !nd->have_ann ||
	    (nd->ann.flags & VIGIL_EANN_F_SELF_FENCING))
		return false;
	for (g = 0; g < e->conf.ngroups; g++)
		if (!local_idle(nd->ann.groups[g].local))
			return false;
	return true;
}

static bool fenced_by_peer(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];
	uint16_t id = e->conf.nodes[n].id;
	unsigned int p, i;

	for (p = 0; p < e->conf.nnodes; p++) {
		const struct vigil_engine_node *pd = &e->nodes[p];

		if (is_self(e, p) || !pd->valid)
			continue;
		for (i = 0; i < pd->ann.ncleared; i++)
			if (pd->ann.cleared[i].node == id &&
			    pd->ann.cleared[i].incarnation ==
			    vigil_engine_inc32(nd->incarnation))
				return true;
	}
	return false;
}

/*
 * A fence ends a node's life: it stays cleared until the module reports it
 * up (or in another life). A proof holds only while it holds, so it is
 * evaluated again on each step.
 */
static void update_clearance(struct vigil_engine *e)
{
	unsigned int n;

	for (n = 0; n < e->conf.nnodes; n++) {
		struct vigil_engine_node *nd = &e->nodes[n];
		enum vigil_engine_reason why = VIGIL_ER_NONE;

		if (is_self(e, n))
			continue;
		if (node_up(e, n)) {
			nd->cleared = false;
			continue;
		}
		if (cleared_now(e, n) && (nd->cleared_why == VIGIL_ER_FENCED ||
					  nd->cleared_why == VIGIL_ER_FENCED_BY_PEER))
			continue;
		if (self_fence_proven(e, n))
			why = VIGIL_ER_PEER_SELF_FENCED;
		else if (left_idle(e, n))
			why = VIGIL_ER_LEFT;
		else if (lease_rule(e, n))
			why = VIGIL_ER_LEASE_RULE;
		else if (fenced_by_peer(e, n))
			why = VIGIL_ER_FENCED_BY_PEER;
		if (why == VIGIL_ER_NONE) {
			nd->cleared = false;
			continue;
		}
		if (cleared_now(e, n) && nd->cleared_why == why)
			continue;
		nd->cleared = false;
		set_cleared(e, n, why);
	}
}

/*
 * May node n, which is not up, be ignored when the owner of record r
 * starts group g? Yes if it is cleared, if the operator vouched (act), or
 * if the last thing it said in this life was that it had taken r and was
 * not running g, and r does not name it ("The start rule").
 */
static bool out_of_the_way(const struct vigil_engine *e, unsigned int n,
			   unsigned int g, const struct vigil_engine_record *r)
{
	const struct vigil_engine_node *nd = &e->nodes[n];

	if (cleared_now(e, n) || (r->flags & VIGIL_EREC_F_ACT))
		return true;
	return nd->have_ann && rec_eq(&nd->ann.groups[g].rec, r) &&
	       local_idle(nd->ann.groups[g].local) &&
	       r->owner != e->conf.nodes[n].id;
}

/*
 * The start rule: this node may start g under its record only when every
 * other node that may run g is up and says it has taken exactly this
 * record and does not run g, or is out of the way.
 */
static bool may_start(const struct vigil_engine *e, unsigned int g)
{
	const struct vigil_engine_group *gs = &e->groups[g];
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int i;

	if (!self_can_start(e) || rec_mode(&gs->rec) != VIGIL_EMODE_RUN ||
	    gs->rec.owner != self_id(e) || gs->excluded)
		return false;
	for (i = 0; i < gc->nnodes; i++) {
		unsigned int n = (unsigned int)node_index(&e->conf, gc->nodes[i]);
		const struct vigil_engine_node *nd = &e->nodes[n];

		if (is_self(e, n))
			continue;
		if (!node_up(e, n)) {
			if (!out_of_the_way(e, n, g, &gs->rec))
				return false;
			continue;
		}
		if (!nd->valid || !rec_eq(&nd->ann.groups[g].rec, &gs->rec) ||
		    !local_idle(nd->ann.groups[g].local))
			return false;
	}
	return true;
}

/* --- records ------------------------------------------------------------------ */

static const char *mode_name(const struct vigil_engine_record *r)
{
	switch (rec_mode(r)) {
	case VIGIL_EMODE_RUN:
		return r->owner ? "run" : "run (nowhere)";
	case VIGIL_EMODE_STOPPED:
		return "stopped";
	default:
		return "wait";
	}
}

static void set_reason(struct vigil_engine *e, unsigned int g,
		       enum vigil_engine_reason why)
{
	e->groups[g].reason = why;
}

static void take_record(struct vigil_engine *e, unsigned int g,
			const struct vigil_engine_record *r,
			enum vigil_engine_reason why, bool published)
{
	struct vigil_engine_group *gs = &e->groups[g];

	gs->rec = *r;
	if (r->flags & VIGIL_EREC_F_CLEAR)
		gs->excluded = false;
	e->persist_dirty = true;
	set_reason(e, g, why);
	logf_(e, why, "group %s: %s epoch %u: %s on node %u (%s)", gname(e, g),
	      published ? "placed" : "learnt", r->epoch, mode_name(r),
	      r->owner, vigil_engine_reason_name(why));
}

static void publish(struct vigil_engine *e, unsigned int g, uint16_t owner,
		    uint8_t flags, enum vigil_engine_reason why)
{
	struct vigil_engine_record r = {
		.epoch = e->groups[g].rec.epoch + 1,
		.owner = owner,
		.flags = flags,
	};

	if (r.epoch == 0)	/* 2^32 moves: stay put rather than wrap */
		return;
	take_record(e, g, &r, why, true);
}

/* Take the greatest record any valid peer announces. */
static void adopt_records(struct vigil_engine *e)
{
	unsigned int g, n;

	for (g = 0; g < e->conf.ngroups; g++) {
		const struct vigil_engine_record *best = &e->groups[g].rec;

		for (n = 0; n < e->conf.nnodes; n++)
			if (!is_self(e, n) && e->nodes[n].valid &&
			    vigil_engine_rec_cmp(&e->nodes[n].ann.groups[g].rec,
						 best) > 0)
				best = &e->nodes[n].ann.groups[g].rec;
		if (best != &e->groups[g].rec) {
			struct vigil_engine_record r = *best;

			take_record(e, g, &r,
				    r.owner == self_id(e) ? VIGIL_ER_PLACED :
				    VIGIL_ER_MOVED, false);
		}
	}
}

/* --- local groups --------------------------------------------------------------- */

static void set_local(struct vigil_engine *e, unsigned int g, uint8_t local,
		      enum vigil_engine_reason why)
{
	e->groups[g].local = local;
	set_reason(e, g, why);
	e->persist_dirty = true;
}

static void do_start(struct vigil_engine *e, unsigned int g,
		     enum vigil_engine_reason why)
{
	struct vigil_engine_action *a = emit(e, VIGIL_EACT_START, why);

	a->group = (uint8_t)g;
	set_local(e, g, VIGIL_ELOC_STARTING, why);
}

static void do_stop(struct vigil_engine *e, unsigned int g,
		    enum vigil_engine_reason why, bool exclude)
{
	struct vigil_engine_action *a = emit(e, VIGIL_EACT_STOP, why);

	a->group = (uint8_t)g;
	e->groups[g].exclude_after_stop |= exclude;
	set_local(e, g, VIGIL_ELOC_STOPPING, why);
}

static void do_self_fence(struct vigil_engine *e, enum vigil_engine_reason why)
{
	if (e->self_fence_sent)
		return;
	e->self_fence_sent = true;
	emit(e, VIGIL_EACT_SELF_FENCE, why);
	logf_(e, why, "self-fencing: %s", vigil_engine_reason_name(why));
}

static void local_steps(struct vigil_engine *e)
{
	bool all_idle = true;
	unsigned int g;

	if (just_reopened(e))
		wake_at(e, e->reopened_ms + e->conf.timeout_ms);
	for (g = 0; g < e->conf.ngroups; g++) {
		struct vigil_engine_group *gs = &e->groups[g];
		bool mine = rec_mode(&gs->rec) != VIGIL_EMODE_STOPPED &&
			    gs->rec.owner == self_id(e);

		switch (gs->local) {
		case VIGIL_ELOC_IDLE:
			if (may_start(e, g))
				do_start(e, g, gs->rec.flags & VIGIL_EREC_F_ACT ?
					 VIGIL_ER_OP_ACT : VIGIL_ER_PLACED);
			break;
		case VIGIL_ELOC_ONLINE:
			if (e->fenced)
				do_stop(e, g, VIGIL_ER_SELF_FENCED, false);
			else if (!mine)
				do_stop(e, g, rec_mode(&gs->rec) ==
					VIGIL_EMODE_STOPPED ? VIGIL_ER_OP_STOP :
					VIGIL_ER_MOVED, false);
			break;
		case VIGIL_ELOC_STOP_FAILED:
			do_self_fence(e, VIGIL_ER_STOP_FAILED);
			break;
		default:
			break;
		}
		if (gs->local != VIGIL_ELOC_IDLE)
			all_idle = false;
	}
	/* A latched gate reopens once nothing runs here (fencing.md). */
	if (e->fenced && all_idle && e->quorate && e->lease_fresh &&
	    !e->gate_open_sent && !e->self_fence_sent) {
		e->gate_open_sent = true;
		emit(e, VIGIL_EACT_GATE_OPEN, VIGIL_ER_GATE_OPEN);
		logf_(e, VIGIL_ER_GATE_OPEN, "no group runs here: reopening the gate");
	}
}

/* --- fencing and placement (the coordinator) ------------------------------------ */

/*
 * A node that is not up, not cleared, and may run a group that is not
 * stopped, is fenced: the next placement of that group will need it
 * ("Who fences").
 */
static bool needs_fence(const struct vigil_engine *e, unsigned int n)
{
	uint16_t id = e->conf.nodes[n].id;
	unsigned int g;

	if (is_self(e, n) || node_up(e, n) || cleared_now(e, n))
		return false;
	for (g = 0; g < e->conf.ngroups; g++)
		if (is_candidate(e, g, id) &&
		    rec_mode(&e->groups[g].rec) != VIGIL_EMODE_STOPPED)
			return true;
	return false;
}

/* When this node fences n, and when n counts as unfenceable. */
static uint64_t down_base(const struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];
	uint64_t t = nd->down_since_ms;

	if (!nd->incarnation && t < e->started_ms + e->conf.join_wait_ms)
		t = e->started_ms + e->conf.join_wait_ms;
	/* After a last gasp, give it the time to fall silent: the proof. */
	if (nd->state == VIGIL_PEER_SELF_FENCED || nd->state == VIGIL_PEER_DUMPING)
		t += e->conf.timeout_ms;
	return t;
}

static uint64_t stuck_at(const struct vigil_engine *e, unsigned int n)
{
	unsigned int nfencers;

	self_rank(e, &nfencers);
	return down_base(e, n) + e->conf.timeout_ms +
	       (uint64_t)nfencers * e->conf.fence_delay_ms;
}

static bool stuck(struct vigil_engine *e, unsigned int n)
{
	const struct vigil_engine_node *nd = &e->nodes[n];

	if (nd->fence == VIGIL_EFENCE_RUNNING)
		return false;
	if (e->now_ms < stuck_at(e, n)) {
		wake_at(e, stuck_at(e, n));
		return false;
	}
	return true;
}

static void fencing(struct vigil_engine *e)
{
	unsigned int n, rank = self_rank(e, NULL);

	if (!self_can_act(e))
		return;
	for (n = 0; n < e->conf.nnodes; n++) {
		struct vigil_engine_node *nd = &e->nodes[n];
		uint64_t at;
		struct vigil_engine_action *a;

		if (!needs_fence(e, n) || !e->conf.nodes[n].fence_methods)
			continue;
		if (nd->fence == VIGIL_EFENCE_RUNNING ||
		    (nd->fence == VIGIL_EFENCE_FAILED &&
		     nd->fence_inc == nd->incarnation))
			continue;
		at = down_base(e, n) + (uint64_t)rank * e->conf.fence_delay_ms;
		if (e->now_ms < at) {
			wake_at(e, at);
			continue;
		}
		nd->fence = VIGIL_EFENCE_RUNNING;
		nd->fence_inc = nd->incarnation;
		a = emit(e, VIGIL_EACT_FENCE, VIGIL_ER_FENCE);
		a->node = e->conf.nodes[n].id;
		a->incarnation = nd->incarnation;
		logf_(e, VIGIL_ER_FENCE, "fencing node %u (rank %u)",
		      e->conf.nodes[n].id, rank);
	}
}

/*
 * Nodes that are not up and not cleared, other than target: they block a
 * new record for g. 1: some blocker may still be cleared; 2: every
 * blocker is stuck (no fence, no proof in time); 0: none.
 */
static int blockers(struct vigil_engine *e, unsigned int g, uint16_t target)
{
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	bool any = false, waiting = false;
	unsigned int i;

	for (i = 0; i < gc->nnodes; i++) {
		unsigned int n = (unsigned int)node_index(&e->conf, gc->nodes[i]);

		if (gc->nodes[i] == target || node_up(e, n) ||
		    cleared_now(e, n))
			continue;
		any = true;
		if (!stuck(e, n))
			waiting = true;
	}
	return !any ? 0 : waiting ? 1 : 2;
}

static void place(struct vigil_engine *e, unsigned int g)
{
	struct vigil_engine_group *gs = &e->groups[g];
	const struct vigil_engine_record *r = &gs->rec;
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int mode = rec_mode(r);
	uint16_t owner = r->owner, target;
	enum vigil_engine_reason why;
	int on = owner ? node_index(&e->conf, owner) : -1;
	bool owner_ok = on >= 0 && eligible(e, g, (unsigned int)on, false);
	int b;

	if (mode == VIGIL_EMODE_STOPPED)
		return;
	if (on >= 0 && node_up(e, (unsigned int)on) &&
	    !node_valid(e, (unsigned int)on))
		return;		/* it may run g: we cannot tell */
	/* Let the owner take the record before judging it by its state. */
	if (on >= 0 && !is_self(e, (unsigned int)on) &&
	    node_valid(e, (unsigned int)on) &&
	    !rec_eq(&e->nodes[on].ann.groups[g].rec, r))
		return;

	if (mode == VIGIL_EMODE_WAIT) {
		target = owner_ok ? owner : best_eligible(e, g, 0, false);
		if (target && !blockers(e, g, target))
			publish(e, g, target, VIGIL_EMODE_RUN, VIGIL_ER_FENCED);
		return;
	}

	/* RUN: keep the owner while it may run g, unless failback. */
	if (owner_ok) {
		uint8_t ol = local_of(e, (unsigned int)on, g);
		uint16_t best = best_eligible(e, g, 0, false);

		if (gc->failback && best && best != owner &&
		    cand_rank(e, g, best) < cand_rank(e, g, owner) &&
		    (ol & VIGIL_ELOC_MASK) == VIGIL_ELOC_ONLINE &&
		    local_idle(local_of(e, (unsigned int)node_index(&e->conf, best), g))) {
			if (!blockers(e, g, best))
				publish(e, g, best, VIGIL_EMODE_RUN,
					VIGIL_ER_FAILBACK);
			return;
		}
		/* The owner has not started: is it held up for good? */
		if (local_idle(ol) && r->epoch &&
		    !(r->flags & VIGIL_EREC_F_ACT)) {
			bool held = false, all_stuck = true;

			for (unsigned int i = 0; i < gc->nnodes; i++) {
				unsigned int n = (unsigned int)node_index(&e->conf, gc->nodes[i]);

				if (gc->nodes[i] == owner || node_up(e, n) ||
				    out_of_the_way(e, n, g, r))
					continue;
				held = true;
				if (!stuck(e, n))
					all_stuck = false;
			}
			if (held && all_stuck)
				publish(e, g, owner, VIGIL_EMODE_WAIT,
					VIGIL_ER_WAIT);
		}
		return;
	}
	/* A candidate that is up but not heard from yet may be the better
	   place, and may run g: wait for its announcement. */
	for (unsigned int i = 0; i < gc->nnodes; i++) {
		unsigned int n = (unsigned int)node_index(&e->conf, gc->nodes[i]);

		if (node_up(e, n) && !node_valid(e, n))
			return;
	}

	/* A new placement: the best eligible node. */
	target = best_eligible(e, g, 0, false);
	if (!r->epoch)
		why = VIGIL_ER_PLACED;
	else if (on >= 0 && !node_up(e, (unsigned int)on))
		why = VIGIL_ER_OWNER_LOST;
	else if (owner)
		why = VIGIL_ER_OWNER_FAILED;
	else
		why = VIGIL_ER_NO_NODE;
	if (!target) {
		if (owner && r->epoch && on >= 0 && node_up(e, (unsigned int)on))
			publish(e, g, 0, VIGIL_EMODE_RUN, VIGIL_ER_NO_NODE);
		return;
	}
	if (target == owner && r->epoch)
		return;
	b = blockers(e, g, target);
	if (b == 0)
		publish(e, g, target, VIGIL_EMODE_RUN, why);
	else if (b == 2)
		publish(e, g, target, VIGIL_EMODE_WAIT, VIGIL_ER_WAIT);
}

static bool coordinator(const struct vigil_engine *e)
{
	return self_can_act(e) && self_rank(e, NULL) == 0;
}

/* --- the announcement of this node ------------------------------------------------ */

static void announce(struct vigil_engine *e)
{
	struct vigil_engine_announce a = {
		.flags = e->self_fence_sent ? VIGIL_EANN_F_SELF_FENCING : 0,
		.digest = e->digest,
		.ngroups = e->conf.ngroups,
	};
	uint8_t buf[VIGIL_PAYLOAD_MAX];
	struct vigil_engine_action *act;
	unsigned int g, n;
	int len;

	for (n = 0; n < e->conf.nnodes &&
	     a.ncleared < VIGIL_ENGINE_CLEARED_MAX; n++) {
		if (is_self(e, n) || !cleared_now(e, n) ||
		    e->nodes[n].cleared_why != VIGIL_ER_FENCED)
			continue;
		a.cleared[a.ncleared].node = e->conf.nodes[n].id;
		a.cleared[a.ncleared].incarnation =
			vigil_engine_inc32(e->nodes[n].incarnation);
		a.ncleared++;
	}
	for (g = 0; g < e->conf.ngroups; g++) {
		a.groups[g].rec = e->groups[g].rec;
		a.groups[g].local = local_of(e, e->self, g);
	}
	len = vigil_engine_encode(&a, buf, sizeof(buf));
	if (len < 0)
		return;		/* cannot happen: our own state is well-formed */
	if (len == e->payload_len && !memcmp(buf, e->payload, (size_t)len))
		return;
	memcpy(e->payload, buf, (size_t)len);
	e->payload_len = (uint16_t)len;
	act = emit(e, VIGIL_EACT_SET_PAYLOAD, VIGIL_ER_NONE);
	memcpy(act->payload, buf, (size_t)len);
	act->payload_len = (uint16_t)len;
}

/* --- status -------------------------------------------------------------------------- */

void vigil_engine_group_status(const struct vigil_engine *e, unsigned int g,
			       struct vigil_engine_status *st)
{
	const struct vigil_engine_group *gs = &e->groups[g];

	memset(st, 0, sizeof(*st));
	if (g >= e->conf.ngroups)
		return;
	st->owner = gs->rec.owner;
	st->epoch = gs->rec.epoch;
	st->excluded = gs->excluded;
	st->reason = gs->reason;
	st->since_ms = gs->since_ms;
	switch (gs->local) {
	case VIGIL_ELOC_ONLINE:
		st->state = VIGIL_ES_ONLINE;
		return;
	case VIGIL_ELOC_STARTING:
	case VIGIL_ELOC_RESTARTING:
		st->state = VIGIL_ES_STARTING;
		return;
	case VIGIL_ELOC_STOPPING:
		st->state = VIGIL_ES_STOPPING;
		return;
	case VIGIL_ELOC_STOP_FAILED:
		st->state = VIGIL_ES_FAILED;
		return;
	default:
		break;
	}
	switch (rec_mode(&gs->rec)) {
	case VIGIL_EMODE_WAIT:
		st->state = VIGIL_ES_WAIT;
		break;
	case VIGIL_EMODE_STOPPED:
		st->state = VIGIL_ES_STOPPED;
		break;
	default:
		st->state = gs->rec.epoch && !gs->rec.owner ? VIGIL_ES_FAILED :
			    VIGIL_ES_STANDBY;
	}
}

static void log_states(struct vigil_engine *e)
{
	struct vigil_engine_status st;
	unsigned int g;

	for (g = 0; g < e->conf.ngroups; g++) {
		struct vigil_engine_group *gs = &e->groups[g];

		vigil_engine_group_status(e, g, &st);
		if (st.state == gs->shown)
			continue;
		logf_(e, gs->reason, "group %s: %s -> %s (%s)", gname(e, g),
		      vigil_engine_state_name(gs->shown),
		      vigil_engine_state_name(st.state),
		      vigil_engine_reason_name(gs->reason));
		gs->shown = (uint8_t)st.state;
		gs->since_ms = e->now_ms;
	}
}

/* --- init, persistence ------------------------------------------------------------------ */

static bool persist_usable(const struct vigil_engine *e,
			   const struct vigil_engine_persist *p)
{
	unsigned int g;

	if (p->magic != VIGIL_ENGINE_PERSIST_MAGIC ||
	    p->version != VIGIL_ENGINE_PERSIST_VERSION ||
	    p->digest != e->digest || p->ngroups != e->conf.ngroups)
		return false;
	for (g = 0; g < p->ngroups; g++)
		if (!rec_ok(&p->groups[g].rec) || !local_ok(p->groups[g].local))
			return false;
	return true;
}

int vigil_engine_init(struct vigil_engine *e,
		      const struct vigil_engine_conf *conf,
		      const struct vigil_engine_persist *p,
		      const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
		      uint64_t now_ms)
{
	unsigned int g;
	bool same_boot;

	if (vigil_engine_conf_check(conf, NULL))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->conf = *conf;
	e->digest = vigil_engine_digest(conf);
	e->self = (uint8_t)node_index(conf, conf->self);
	e->now_ms = now_ms;
	e->started_ms = now_ms;
	for (g = 0; g < conf->ngroups; g++) {
		e->groups[g].shown = VIGIL_ES_STANDBY;
		e->groups[g].since_ms = now_ms;
	}
	if (!p || !persist_usable(e, p))
		return 0;
	same_boot = !memcmp(p->boot_id, boot_id, VIGIL_ENGINE_BOOT_ID_LEN);
	for (g = 0; g < conf->ngroups; g++) {
		struct vigil_engine_group *gs = &e->groups[g];
		uint8_t l = p->groups[g].local & VIGIL_ELOC_MASK;

		gs->rec = p->groups[g].rec;
		gs->reason = VIGIL_ER_RESTORED;
		if (!same_boot)
			continue;	/* another life: nothing runs here */
		gs->excluded = p->groups[g].local & VIGIL_ELOC_F_EXCLUDED;
		if (l == VIGIL_ELOC_ONLINE) {
			gs->local = VIGIL_ELOC_ONLINE;
			gs->shown = VIGIL_ES_ONLINE;
		} else if (l == VIGIL_ELOC_STOP_FAILED) {
			gs->local = VIGIL_ELOC_STOP_FAILED;
		} else if (l != VIGIL_ELOC_IDLE) {
			/* Interrupted mid-start, -restart or -stop: stop it
			   on the first step (the stop must be idempotent). */
			gs->local = VIGIL_ELOC_STOPPING;
			gs->pending_stop = true;
		}
	}
	return 0;
}

void vigil_engine_save(const struct vigil_engine *e,
		       const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
		       struct vigil_engine_persist *p)
{
	unsigned int g;

	memset(p, 0, sizeof(*p));
	p->magic = VIGIL_ENGINE_PERSIST_MAGIC;
	p->version = VIGIL_ENGINE_PERSIST_VERSION;
	p->digest = e->digest;
	memcpy(p->boot_id, boot_id, VIGIL_ENGINE_BOOT_ID_LEN);
	p->ngroups = e->conf.ngroups;
	for (g = 0; g < e->conf.ngroups; g++) {
		p->groups[g].rec = e->groups[g].rec;
		p->groups[g].local = local_of(e, e->self, g);
	}
}

/* --- inputs ---------------------------------------------------------------------------- */

static void take_view(struct vigil_engine *e, const struct vigil_engine_view *v)
{
	bool first = !e->have_view;
	unsigned int n, i;

	if (first || v->incarnation != e->incarnation)
		e->inc_since_ms = e->now_ms;
	e->have_view = true;
	e->incarnation = v->incarnation;
	if (e->quorate != v->quorate)
		logf_(e, VIGIL_ER_NO_QUORUM, "%s", v->quorate ?
		      "quorum gained" : "quorum lost: no decisions");
	e->quorate = v->quorate;
	e->lease_fresh = v->lease_fresh;
	if (!v->fenced)
		e->gate_open_sent = false;
	if (!v->fenced && e->fenced)
		e->reopened_ms = e->now_ms;
	else if (v->fenced && !e->fenced)
		logf_(e, VIGIL_ER_SELF_FENCED, "this node is self-fenced: stopping its groups");
	e->fenced = v->fenced;
	e->quorum_votes = v->quorum_votes;

	for (n = 0; n < e->conf.nnodes; n++) {
		struct vigil_engine_node *nd = &e->nodes[n];
		const struct vigil_engine_peer *p = NULL;
		struct vigil_engine_peer none;
		struct vigil_engine_announce a;
		bool was_up = nd->state == VIGIL_PEER_UP;

		if (is_self(e, n))
			continue;
		for (i = 0; i < v->npeers && i < VIGIL_ENGINE_NODES_MAX; i++)
			if (v->peers[i].id == e->conf.nodes[n].id)
				p = &v->peers[i];
		if (!p) {
			memset(&none, 0, sizeof(none));
			p = &none;
		}
		if (p->incarnation != nd->incarnation) {
			nd->have_ann = false;
			nd->told_mismatch = false;
			if (p->state == VIGIL_PEER_UP && nd->incarnation)
				logf_(e, VIGIL_ER_REJOINED, "node %u is back in a new life",
				      e->conf.nodes[n].id);
		}
		if (p->state == VIGIL_PEER_UP &&
		    (!was_up || p->incarnation != nd->incarnation))
			nd->up_since_ms = e->now_ms;
		if (p->state != VIGIL_PEER_UP && (was_up || first))
			nd->down_since_ms = e->now_ms;
		if (p->state == VIGIL_PEER_UP)
			nd->down_since_ms = 0;
		if (was_up && p->state != VIGIL_PEER_UP)
			logf_(e, VIGIL_ER_OWNER_LOST, "node %u is not up (state %u)",
			      e->conf.nodes[n].id, p->state);
		nd->state = p->state;
		nd->heard = p->heard;
		nd->incarnation = p->incarnation;
		memcpy(nd->members, p->members, sizeof(nd->members));
		nd->valid = false;
		if (p->payload_len) {
			if (vigil_engine_decode(p->payload, p->payload_len, &a) ||
			    a.digest != e->digest ||
			    a.ngroups != e->conf.ngroups) {
				nd->have_ann = false;
				if (!nd->told_mismatch)
					logf_(e, VIGIL_ER_CONFIG_MISMATCH,
					      "node %u: its announcement %s: it blocks the groups it may run",
					      e->conf.nodes[n].id,
					      vigil_engine_decode(p->payload, p->payload_len, &a) ?
					      "is malformed" : "has another configuration digest");
				nd->told_mismatch = true;
			} else {
				nd->ann = a;
				nd->have_ann = true;
				nd->told_mismatch = false;
			}
		}
		nd->valid = nd->state == VIGIL_PEER_UP && nd->have_ann;
	}
}

static int take_monitor_failure(struct vigil_engine *e, unsigned int g,
				unsigned int res)
{
	struct vigil_engine_group *gs = &e->groups[g];
	const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
	unsigned int i, kept = 0;
	struct vigil_engine_action *a;

	if (gs->local != VIGIL_ELOC_ONLINE)
		return 0;	/* late, or already recovering */
	for (i = 0; i < gs->nrestarts; i++)
		if (e->now_ms - gs->restarts[i] < gc->restart_window_ms)
			gs->restarts[kept++] = gs->restarts[i];
	gs->nrestarts = (uint8_t)kept;
	logf_(e, VIGIL_ER_MONITOR_FAILED, "group %s: resource %u failed its monitor (%u of %u restarts used)",
	      gname(e, g), res, kept, gc->restart_limit);
	if (kept < gc->restart_limit && self_can_start(e)) {
		gs->restarts[gs->nrestarts++] = e->now_ms;
		a = emit(e, VIGIL_EACT_RESTART, VIGIL_ER_MONITOR_FAILED);
		a->group = (uint8_t)g;
		a->resource = (uint8_t)res;
		set_local(e, g, VIGIL_ELOC_RESTARTING, VIGIL_ER_MONITOR_FAILED);
		return 0;
	}
	do_stop(e, g, kept < gc->restart_limit ? VIGIL_ER_NO_QUORUM :
		VIGIL_ER_RESTART_LIMIT, true);
	return 0;
}

static int take_done(struct vigil_engine *e, const struct vigil_engine_input *in)
{
	struct vigil_engine_group *gs = &e->groups[in->group];
	unsigned int g = in->group;

	switch (in->type) {
	case VIGIL_EIN_START_DONE:
		if (gs->local != VIGIL_ELOC_STARTING)
			return 0;
		if (in->ok) {
			set_local(e, g, VIGIL_ELOC_ONLINE, VIGIL_ER_STARTED);
			return 0;
		}
		/* Clean up what did start, and do not try here again. */
		do_stop(e, g, VIGIL_ER_START_FAILED, true);
		return 0;
	case VIGIL_EIN_RESTART_DONE:
		if (gs->local != VIGIL_ELOC_RESTARTING)
			return 0;
		if (in->ok)
			set_local(e, g, VIGIL_ELOC_ONLINE, VIGIL_ER_RESTARTED);
		else
			do_stop(e, g, VIGIL_ER_RESTART_FAILED, true);
		return 0;
	case VIGIL_EIN_STOP_DONE:
		if (gs->local != VIGIL_ELOC_STOPPING)
			return 0;
		if (in->ok) {
			if (gs->exclude_after_stop)
				gs->excluded = true;
			gs->exclude_after_stop = false;
			set_local(e, g, VIGIL_ELOC_IDLE, gs->excluded ?
				  gs->reason : VIGIL_ER_STOPPED);
			return 0;
		}
		/* It cannot release the group: it must not keep it. */
		set_local(e, g, VIGIL_ELOC_STOP_FAILED, VIGIL_ER_STOP_FAILED);
		do_self_fence(e, VIGIL_ER_STOP_FAILED);
		return 0;
	default:
		return -EINVAL;
	}
}

static int take_fence_done(struct vigil_engine *e, unsigned int n, bool ok)
{
	struct vigil_engine_node *nd = &e->nodes[n];

	if (nd->fence != VIGIL_EFENCE_RUNNING)
		return 0;
	if (!ok) {
		nd->fence = VIGIL_EFENCE_FAILED;
		nd->fence_failed_ms = e->now_ms;
		logf_(e, VIGIL_ER_FENCE_FAILED, "node %u: no fence method confirmed",
		      e->conf.nodes[n].id);
		return 0;
	}
	nd->fence = VIGIL_EFENCE_NONE;
	/* Only the life it was fenced in is over. */
	if (!node_up(e, n) && nd->incarnation == nd->fence_inc)
		set_cleared(e, n, VIGIL_ER_FENCED);
	return 0;
}

static int take_operator(struct vigil_engine *e,
			 const struct vigil_engine_input *in)
{
	unsigned int g = in->group;
	struct vigil_engine_group *gs = &e->groups[g];
	const struct vigil_engine_record *r = &gs->rec;
	uint16_t target = in->node;
	int tn;

	if (!self_can_decide(e))
		return -EAGAIN;
	switch (in->type) {
	case VIGIL_EIN_OP_START:
		/* Every node forgets its failure of g (VIGIL_EREC_F_CLEAR). */
		gs->excluded = false;
		target = best_eligible(e, g, 0, true);
		publish(e, g, target, VIGIL_EMODE_RUN | VIGIL_EREC_F_CLEAR,
			VIGIL_ER_OP_START);
		return 0;
	case VIGIL_EIN_OP_STOP:
		publish(e, g, 0, VIGIL_EMODE_STOPPED, VIGIL_ER_OP_STOP);
		return 0;
	case VIGIL_EIN_OP_ACT:
		if (rec_mode(r) != VIGIL_EMODE_WAIT)
			return -EAGAIN;
		tn = r->owner ? node_index(&e->conf, r->owner) : -1;
		if (tn < 0 || !eligible(e, g, (unsigned int)tn, false))
			target = best_eligible(e, g, 0, false);
		else
			target = r->owner;
		if (!target)
			return -EAGAIN;
		publish(e, g, target, VIGIL_EMODE_RUN | VIGIL_EREC_F_ACT,
			VIGIL_ER_OP_ACT);
		return 0;
	case VIGIL_EIN_OP_SWITCHOVER:
		if (rec_mode(r) != VIGIL_EMODE_RUN)
			return -EAGAIN;
		if (target) {
			tn = node_index(&e->conf, target);
			if (tn < 0 || !is_candidate(e, g, target))
				return -EINVAL;
			if (target == r->owner ||
			    !eligible(e, g, (unsigned int)tn, false))
				return -EAGAIN;
		} else {
			/* The next eligible node after the owner, in order. */
			const struct vigil_engine_group_conf *gc = &e->conf.groups[g];
			int from = r->owner ? cand_rank(e, g, r->owner) : -1;
			unsigned int i;

			for (i = 1; i <= gc->nnodes && !target; i++) {
				uint16_t id = gc->nodes[(unsigned int)(from + (int)i) % gc->nnodes];

				if (id != r->owner &&
				    eligible(e, g, (unsigned int)node_index(&e->conf, id), false))
					target = id;
			}
			if (!target)
				return -EAGAIN;
		}
		publish(e, g, target, VIGIL_EMODE_RUN, VIGIL_ER_OP_SWITCHOVER);
		return 0;
	default:
		return -EINVAL;
	}
}

static int take_input(struct vigil_engine *e, const struct vigil_engine_input *in)
{
	int n;

	switch (in->type) {
	case VIGIL_EIN_TICK:
		return 0;
	case VIGIL_EIN_VIEW:
		if (!in->view)
			return -EINVAL;
		take_view(e, in->view);
		return 0;
	case VIGIL_EIN_FENCE_DONE:
		n = node_index(&e->conf, in->node);
		if (n < 0 || is_self(e, (unsigned int)n))
			return -EINVAL;
		return take_fence_done(e, (unsigned int)n, in->ok);
	default:
		break;
	}
	if (in->group >= e->conf.ngroups)
		return -EINVAL;
	switch (in->type) {
	case VIGIL_EIN_START_DONE:
	case VIGIL_EIN_STOP_DONE:
	case VIGIL_EIN_RESTART_DONE:
		return take_done(e, in);
	case VIGIL_EIN_MONITOR_FAILED:
		if (in->resource >= e->conf.groups[in->group].nresources)
			return -EINVAL;
		return take_monitor_failure(e, in->group, in->resource);
	case VIGIL_EIN_OP_START:
	case VIGIL_EIN_OP_STOP:
	case VIGIL_EIN_OP_SWITCHOVER:
	case VIGIL_EIN_OP_ACT:
		return take_operator(e, in);
	default:
		return -EINVAL;
	}
}

/* --- the step --------------------------------------------------------------------------- */

int vigil_engine_step(struct vigil_engine *e, uint64_t now_ms,
		      const struct vigil_engine_input *in,
		      struct vigil_engine_out *out)
{
	struct vigil_engine_action persist;
	unsigned int g;
	int ret;

	out->n = 0;
	out->logs_dropped = 0;
	out->wakeup_ms = 0;
	e->out = out;
	if (now_ms > e->now_ms)
		e->now_ms = now_ms;

	for (g = 0; g < e->conf.ngroups; g++) {
		struct vigil_engine_group *gs = &e->groups[g];

		if (gs->pending_stop) {
			gs->pending_stop = false;
			do_stop(e, g, VIGIL_ER_RESTORED, false);
		}
	}
	ret = take_input(e, in);
	if (e->have_view) {
		/* Twice: a placement made here may unblock a local step. */
		adopt_records(e);
		update_clearance(e);
		local_steps(e);
		fencing(e);
		if (coordinator(e))
			for (g = 0; g < e->conf.ngroups; g++)
				place(e, g);
		local_steps(e);
		announce(e);
	}
	log_states(e);
	if (e->persist_dirty) {
		/* First, so the file says "starting" before anything starts. */
		e->persist_dirty = false;
		if (out->n < ARRAY_LEN(out->act)) {
			memset(&persist, 0, sizeof(persist));
			persist.type = VIGIL_EACT_PERSIST;
			memmove(&out->act[1], &out->act[0],
				out->n * sizeof(out->act[0]));
			out->act[0] = persist;
			out->n++;
		}
	}
	e->out = NULL;
	return ret;
}
