// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vigild's decision engine (daemon/engine.c): the payload
 * encoding (round trips and malformed input), transition by transition
 * scenarios, and a simulator that drives a cluster of 3 to 5 engines over
 * a fake vigil.ko (heartbeats, membership, quorum, the I/O lease, the
 * self-fence and its last gasp) and fake agents and fence methods, with
 * kills, partitions, one-way cuts, monitor, start, stop and fence
 * failures, daemon restarts and operator commands, and checks on every
 * tick that no group is active on two nodes (a node counts until it is
 * dead, or, when the gate is trusted, while its gate is closed), and at
 * the end of each schedule, once the faults stop, that every group runs
 * on exactly one node.
 *
 *	ENGINE_SIM_SCHEDULES=N	number of random schedules (default 120)
 *	ENGINE_SIM_SEED=S	first seed (default 1)
 *	ENGINE_SIM_VERBOSE=1	print every engine's log lines
 */

#include <stdlib.h>

#include "../../daemon/engine.c"
#include "tap.h"

/* --- randomness (xorshift64*) ------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static bool chance(unsigned int per_mille)
{
	return rn(1000) < per_mille;
}

/* --- payload ------------------------------------------------------------- */

static void fill_ann(struct vigil_engine_announce *a)
{
	memset(a, 0, sizeof(*a));
	a->flags = VIGIL_EANN_F_SELF_FENCING;
	a->digest = 0xdeadbeef;
	a->ngroups = VIGIL_ENGINE_GROUPS_MAX;
	a->ncleared = VIGIL_ENGINE_CLEARED_MAX;
	for (unsigned int i = 0; i < a->ncleared; i++) {
		a->cleared[i].node = (uint16_t)(256 - i);
		a->cleared[i].incarnation = 0x01020304U * (i + 1);
	}
	for (unsigned int g = 0; g < a->ngroups; g++) {
		a->groups[g].rec.epoch = 0x10000000U + g;
		a->groups[g].rec.owner = (uint16_t)(g % 3 == 1 ? 0 : g + 1);
		a->groups[g].rec.flags = g % 3 == 1 ? VIGIL_EMODE_STOPPED :
					 g % 3 == 2 ? VIGIL_EMODE_WAIT :
					 VIGIL_EMODE_RUN | VIGIL_EREC_F_ACT;
		a->groups[g].local = (uint8_t)((g % __VIGIL_ELOC_LAST) |
					       (g & 1 ? VIGIL_ELOC_F_EXCLUDED : 0));
	}
}

static bool ann_eq(const struct vigil_engine_announce *a,
		   const struct vigil_engine_announce *b)
{
	if (a->flags != b->flags || a->digest != b->digest ||
	    a->ngroups != b->ngroups || a->ncleared != b->ncleared)
		return false;
	for (unsigned int i = 0; i < a->ncleared; i++)
		if (a->cleared[i].node != b->cleared[i].node ||
		    a->cleared[i].incarnation != b->cleared[i].incarnation)
			return false;
	for (unsigned int g = 0; g < a->ngroups; g++)
		if (!rec_eq(&a->groups[g].rec, &b->groups[g].rec) ||
		    a->groups[g].local != b->groups[g].local)
			return false;
	return true;
}

static int decode_mut(const uint8_t *buf, size_t len, size_t off, uint8_t v)
{
	uint8_t copy[VIGIL_PAYLOAD_MAX + 8];
	struct vigil_engine_announce a;

	memcpy(copy, buf, len);
	copy[off] = v;
	return vigil_engine_decode(copy, len, &a);
}

static void test_payload(void)
{
	struct vigil_engine_announce a, b;
	uint8_t buf[VIGIL_PAYLOAD_MAX + 8];
	int len, bad;

	fill_ann(&a);
	len = vigil_engine_encode(&a, buf, sizeof(buf));
	tap_is_int(len, VIGIL_PAYLOAD_MAX, "payload: a full announcement takes the 128 bytes");
	tap_is_int(vigil_engine_decode(buf, (size_t)len, &b), 0, "payload: decodes");
	tap_ok(ann_eq(&a, &b), "payload: round trip");
	tap_is_int(buf[0], VIGIL_ENGINE_WIRE_VERSION, "payload: version byte first");
	tap_is_int(get32(buf + 4), 0xdeadbeef, "payload: digest big-endian at 4");
	tap_is_int(vigil_engine_encode(&a, buf, VIGIL_PAYLOAD_MAX - 1), -EINVAL,
		   "payload: encode refuses a short buffer");

	/* Every truncation and every extension is refused. */
	bad = 0;
	for (int l = 0; l < len; l++)
		bad += vigil_engine_decode(buf, (size_t)l, &b) == -EINVAL;
	tap_is_int(bad, len, "payload: every truncation refused");
	buf[len] = 0;
	tap_is_int(vigil_engine_decode(buf, (size_t)len + 1, &b), -EINVAL,
		   "payload: a trailing byte refused (and above 128)");

	tap_is_int(decode_mut(buf, (size_t)len, 0, 2), -EINVAL, "payload: version 2 refused");
	tap_is_int(decode_mut(buf, (size_t)len, 1, 0x80), -EINVAL, "payload: unknown flag refused");
	tap_is_int(decode_mut(buf, (size_t)len, 2, 13), -EINVAL, "payload: 13 groups refused");
	tap_is_int(decode_mut(buf, (size_t)len, 3, 4), -EINVAL, "payload: 4 clearances refused");
	tap_is_int(decode_mut(buf, (size_t)len, 2, 11), -EINVAL,
		   "payload: group count disagreeing with the length refused");
	/* cleared[0]: node at 8, reserved at 10 */
	tap_is_int(decode_mut(buf, (size_t)len, 10, 1), -EINVAL, "payload: reserved bytes must be 0");
	tap_is_int(decode_mut(buf, (size_t)len, 8, 0x02), -EINVAL, "payload: node id above 256 refused");
	{
		uint8_t c[VIGIL_PAYLOAD_MAX];

		memcpy(c, buf, (size_t)len);
		c[8] = 0;
		c[9] = 0;
		tap_is_int(vigil_engine_decode(c, (size_t)len, &b), -EINVAL, "payload: node id 0 refused");
		memcpy(c + 16, c + 8, 2);
		c[8] = 0;
		c[9] = 7;
		c[16] = 0;
		c[17] = 7;
		tap_is_int(vigil_engine_decode(c, (size_t)len, &b), -EINVAL,
			   "payload: a node cleared twice refused");
	}
	/* groups start at 8 + 3 * 8 = 32: epoch 32, owner 36, flags 38, local 39 */
	tap_is_int(decode_mut(buf, (size_t)len, 38, 0x03), -EINVAL, "payload: mode 3 refused");
	tap_is_int(decode_mut(buf, (size_t)len, 38, 0x04), -EINVAL, "payload: unknown record flag refused");
	tap_is_int(decode_mut(buf, (size_t)len, 39, 6), -EINVAL, "payload: unknown local state refused");
	tap_is_int(decode_mut(buf, (size_t)len, 39, 0x20), -EINVAL, "payload: unknown local flag refused");
	tap_is_int(decode_mut(buf, (size_t)len, 36, 0x01), -EINVAL, "payload: owner above 256 refused");
	/* group 1 is STOPPED: an owner there is refused */
	tap_is_int(decode_mut(buf, (size_t)len, 40 + 5, 3), -EINVAL, "payload: a stopped group with an owner refused");
	/* group 2 is WAIT: act is refused there */
	tap_is_int(decode_mut(buf, (size_t)len, 48 + 6, VIGIL_EMODE_WAIT | VIGIL_EREC_F_ACT), -EINVAL,
		   "payload: act on a wait record refused");
	{
		uint8_t c[VIGIL_PAYLOAD_MAX];

		memcpy(c, buf, (size_t)len);
		memset(c + 32, 0, 4);	/* epoch 0 with an owner */
		tap_is_int(vigil_engine_decode(c, (size_t)len, &b), -EINVAL,
			   "payload: epoch 0 with a decision refused");
		memset(c + 36, 0, 3);
		tap_is_int(vigil_engine_decode(c, (size_t)len, &b), 0,
			   "payload: epoch 0 without a decision accepted");
	}
	/* An empty announcement: just the header. */
	memset(&a, 0, sizeof(a));
	tap_is_int(vigil_engine_encode(&a, buf, sizeof(buf)), 8, "payload: empty announcement is 8 bytes");
	tap_is_int(vigil_engine_decode(buf, 8, &b), 0, "payload: and decodes");

	/* Random bytes: whatever decodes must encode back to the same bytes. */
	bad = 0;
	for (int i = 0; i < 200000; i++) {
		uint8_t r[VIGIL_PAYLOAD_MAX], again[VIGIL_PAYLOAD_MAX];
		size_t l = 8 + rn(VIGIL_PAYLOAD_MAX - 7);

		for (size_t k = 0; k < l; k++)
			r[k] = (uint8_t)rnd();
		r[0] = 1;
		r[1] &= 1;
		r[2] %= 4;
		r[3] %= 2;
		if (vigil_engine_decode(r, l, &b))
			continue;
		if (vigil_engine_encode(&b, again, sizeof(again)) != (int)l ||
		    memcmp(again, r, l))
			bad++;
	}
	tap_is_int(bad, 0, "payload: random input that decodes encodes back to itself");

	{
		struct vigil_engine_record x = { 5, 2, 0 }, y = { 5, 3, 0 }, z = { 6, 1, 0 };

		tap_ok(vigil_engine_rec_cmp(&x, &y) < 0 && vigil_engine_rec_cmp(&y, &z) < 0 &&
		       vigil_engine_rec_cmp(&z, &x) > 0 && !vigil_engine_rec_cmp(&x, &x),
		       "records: ordered by epoch, then owner, then flags");
	}
}

/* --- configuration --------------------------------------------------------- */

#define SN 5			/* nodes at most in the simulator */
#define SG 3			/* groups */
#define TIMEOUT 500
#define INTERVAL (TIMEOUT / VIGIL_INTERVAL_DIVISOR)
#define LEASE 400
#define TICK 10

static void make_conf(struct vigil_engine_conf *c, unsigned int n,
		      unsigned int ng, uint16_t self, bool gate_trusted,
		      uint8_t action, bool failback)
{
	memset(c, 0, sizeof(*c));
	c->self = self;
	c->timeout_ms = TIMEOUT;
	c->fence_delay_ms = 300;
	c->join_wait_ms = 2000;
	c->gate_trusted = gate_trusted;
	c->self_fence_action = action;
	c->nnodes = (uint8_t)n;
	for (unsigned int i = 0; i < n; i++) {
		c->nodes[i].id = (uint16_t)(i + 1);
		c->nodes[i].votes = 1;
		/* node 2 is the best fencer, then 1, 3, ... */
		c->nodes[i].reset_priority = i == 1 ? 0 : i + 1;
		c->nodes[i].fence_methods = true;
	}
	c->ngroups = (uint8_t)ng;
	for (unsigned int g = 0; g < ng; g++) {
		struct vigil_engine_group_conf *gc = &c->groups[g];

		snprintf(gc->name, sizeof(gc->name), "g%u", g);
		/* g0: 1, 2, 3, ...; g1: 2, 3, ..., 1; g2: the last three */
		if (g == 2 && n > 3) {
			gc->nnodes = 3;
			for (unsigned int i = 0; i < 3; i++)
				gc->nodes[i] = (uint16_t)(n - i);
		} else {
			gc->nnodes = (uint8_t)n;
			for (unsigned int i = 0; i < n; i++)
				gc->nodes[i] = (uint16_t)((i + g) % n + 1);
		}
		gc->restart_limit = 2;
		gc->restart_window_ms = 5000;
		gc->failback = failback && g == 0;
		gc->nresources = 3;
	}
}

static void test_conf(void)
{
	struct vigil_engine_conf c, d;
	const char *why = NULL;

	make_conf(&c, 3, 3, 1, false, VIGIL_ACTION_REBOOT, false);
	tap_is_int(vigil_engine_conf_check(&c, &why), 0, "conf: the test configuration is good");
	d = c;
	d.self = 9;
	tap_ok(vigil_engine_conf_check(&d, &why) == -EINVAL && why, "conf: self not a node refused (%s)", why);
	d = c;
	d.groups[1].nodes[1] = d.groups[1].nodes[0];
	tap_ok(vigil_engine_conf_check(&d, &why) == -EINVAL, "conf: a node twice in a list refused (%s)", why);
	d = c;
	snprintf(d.groups[2].name, sizeof(d.groups[2].name), "g0");
	tap_ok(vigil_engine_conf_check(&d, &why) == -EINVAL, "conf: a group name twice refused (%s)", why);
	d = c;
	d.groups[0].restart_limit = 17;
	tap_ok(vigil_engine_conf_check(&d, &why) == -EINVAL, "conf: restart limit 17 refused (%s)", why);
	d = c;
	d.ngroups = 13;
	tap_ok(vigil_engine_conf_check(&d, &why) == -EINVAL, "conf: 13 groups refused (%s)", why);

	d = c;
	d.self = 2;
	tap_is_int(vigil_engine_digest(&d), vigil_engine_digest(&c), "digest: the same on every node");
	d = c;
	d.groups[0].restart_limit = 5;
	d.groups[0].restart_window_ms = 1;
	tap_is_int(vigil_engine_digest(&d), vigil_engine_digest(&c), "digest: restart limits are local");
	d = c;
	d.groups[0].failback = true;
	tap_ok(vigil_engine_digest(&d) != vigil_engine_digest(&c), "digest: failback counts");
	d = c;
	d.groups[1].nodes[0] = c.groups[1].nodes[1];
	d.groups[1].nodes[1] = c.groups[1].nodes[0];
	tap_ok(vigil_engine_digest(&d) != vigil_engine_digest(&c), "digest: the priority order counts");
	d = c;
	d.nodes[0] = c.nodes[2];
	d.nodes[2] = c.nodes[0];
	tap_is_int(vigil_engine_digest(&d), vigil_engine_digest(&c), "digest: the order nodes are listed in does not");
}

/* --- the simulator: a fake vigil.ko, agents and fence methods ---------------- */

enum { OP_NONE, OP_START, OP_STOP, OP_RESTART };

struct sim_node {
	bool alive, daemon;
	uint64_t inc;
	uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN];
	uint64_t revive_at;		/* dead: when it boots again */
	uint64_t daemon_at;		/* daemon down: when it restarts */
	struct vigil_engine eng;
	struct vigil_engine_persist disk;
	bool have_disk;
	uint8_t payload[VIGIL_PAYLOAD_MAX];
	uint16_t plen;
	bool active[SG];		/* resources may be running */
	struct { int type; uint64_t at; bool ok; } op[SG];
	struct { bool pending; uint64_t at; bool ok; } fence[SN];
	bool latched;			/* freeze: gate latched */
	bool had_quorum;
	uint64_t wakeup;
	bool fail_stop[SG], fail_start[SG];
	uint64_t next_hb;
	/* the module's view of each peer */
	uint64_t heard_at[SN], heard_inc[SN];
	uint8_t sticky[SN];		/* SELF_FENCED / DUMPING announced */
	bool pfencing[SN];		/* last heartbeat had the fencing flag */
	uint8_t ppayload[SN][VIGIL_PAYLOAD_MAX];
	uint16_t pplen[SN];
	uint8_t pmembers[SN][VIGIL_MEMBERS_BYTES];
};

struct sim {
	unsigned int n, ng;
	uint64_t now;
	uint64_t next_inc;
	bool conn[SN][SN];		/* frames from i reach j */
	bool gate_trusted, failback;
	uint8_t action;			/* the quorum cause's action */
	unsigned int fence_ok, start_ok, restart_ok;	/* per mille */
	bool verbose;
	struct sim_node nd[SN];
	unsigned int violations;
	unsigned int errors;		/* engine returned -EINVAL, lost logs */
	char first[256];
	/* counters */
	unsigned int starts, stops, fences, self_fences, restarts, waits;
	unsigned int acts, kills, partitions, daemon_restarts, freezes;
	unsigned int frozen_reboots;
};

static struct sim S;

static bool peer_up(const struct sim_node *x, unsigned int j)
{
	return x->heard_inc[j] && S.now - x->heard_at[j] < TIMEOUT;
}

static uint8_t peer_state(const struct sim_node *x, unsigned int j)
{
	if (!x->heard_inc[j])
		return VIGIL_PEER_UNKNOWN;
	if (x->sticky[j])
		return x->sticky[j];
	if (peer_up(x, j) && x->pfencing[j])
		return VIGIL_PEER_SELF_FENCED;
	return peer_up(x, j) ? VIGIL_PEER_UP : VIGIL_PEER_DOWN;
}

static unsigned int quorum(void)
{
	return S.n / 2 + 1;
}

static bool quorate(unsigned int i)
{
	const struct sim_node *x = &S.nd[i];
	unsigned int votes = 1;

	/* a frozen node that still heartbeats keeps its vote (fencing.md) */
	for (unsigned int j = 0; j < S.n; j++)
		if (j != i && peer_up(x, j) && !x->sticky[j])
			votes++;
	return votes >= quorum();
}

/* Evidence: j heard i, and i heard j echo it (frozen or not). */
static bool lease_fresh(unsigned int i)
{
	unsigned int votes = 1;

	for (unsigned int j = 0; j < S.n; j++) {
		uint64_t a, b, ev;

		if (j == i || !S.nd[i].heard_inc[j] ||
		    S.nd[j].heard_inc[i] != S.nd[i].inc || S.nd[i].sticky[j])
			continue;
		a = S.nd[j].heard_at[i];
		b = S.nd[i].heard_at[j];
		ev = a < b ? a : b;
		if (ev + LEASE > S.now)
			votes++;
	}
	return votes >= quorum();
}

static void members_of(unsigned int i, uint8_t *m)
{
	memset(m, 0, VIGIL_MEMBERS_BYTES);
	m[i / 8] |= (uint8_t)(1U << (i % 8));
	for (unsigned int j = 0; j < S.n; j++)
		if (j != i && peer_up(&S.nd[i], j) && !S.nd[i].sticky[j])
			m[j / 8] |= (uint8_t)(1U << (j % 8));
}

/* Is g's service reachable from node i (for the invariant)? */
static bool serving(unsigned int i, unsigned int g)
{
	const struct sim_node *x = &S.nd[i];

	if (!x->alive || !x->active[g])
		return false;
	if (!S.gate_trusted)
		return true;
	return !x->latched && lease_fresh(i);
}

static void sim_log(unsigned int i, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sim_log(unsigned int i, const char *fmt, ...)
{
	va_list ap;

	if (!S.verbose)
		return;
	printf("# %6llu n%u ", (unsigned long long)S.now, i + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void build_view(unsigned int i, struct vigil_engine_view *v)
{
	const struct sim_node *x = &S.nd[i];
	unsigned int k = 0;

	memset(v, 0, sizeof(*v));
	v->quorate = quorate(i);
	v->lease_fresh = lease_fresh(i);
	v->fenced = x->latched;
	v->incarnation = x->inc;
	v->quorum_votes = quorum();
	for (unsigned int j = 0; j < S.n; j++) {
		struct vigil_engine_peer *p = &v->peers[k++];

		if (j == i) {
			k--;
			continue;
		}
		p->id = (uint16_t)(j + 1);
		p->state = peer_state(x, j);
		p->heard = peer_up(x, j);
		p->incarnation = x->heard_inc[j];
		memcpy(p->members, x->pmembers[j], sizeof(p->members));
		p->payload_len = x->pplen[j];
		memcpy(p->payload, x->ppayload[j], x->pplen[j]);
	}
	v->npeers = (uint8_t)k;
}

static void kill_node(unsigned int i, uint64_t revive_after);
static void self_fence(unsigned int i, uint8_t action, bool dumping);

static void run_actions(unsigned int i, const struct vigil_engine_out *o)
{
	struct sim_node *x = &S.nd[i];

	if (o->logs_dropped)
		S.errors++;
	x->wakeup = o->wakeup_ms;
	for (unsigned int k = 0; k < o->n && x->alive && x->daemon; k++) {
		const struct vigil_engine_action *a = &o->act[k];

		switch (a->type) {
		case VIGIL_EACT_LOG:
			sim_log(i, "%s", a->text);
			break;
		case VIGIL_EACT_SET_PAYLOAD:
			memcpy(x->payload, a->payload, a->payload_len);
			x->plen = a->payload_len;
			break;
		case VIGIL_EACT_START:
			S.starts++;
			x->active[a->group] = true;
			x->op[a->group].type = OP_START;
			x->op[a->group].at = S.now + 20 + rn(180);
			x->op[a->group].ok = !x->fail_start[a->group] && chance(S.start_ok);
			x->fail_start[a->group] = false;
			sim_log(i, "START g%u", a->group);
			break;
		case VIGIL_EACT_STOP:
			S.stops++;
			x->op[a->group].type = OP_STOP;
			x->op[a->group].at = S.now + 20 + rn(180);
			x->op[a->group].ok = !x->fail_stop[a->group];
			x->fail_stop[a->group] = false;
			sim_log(i, "STOP g%u", a->group);
			break;
		case VIGIL_EACT_RESTART:
			S.restarts++;
			x->op[a->group].type = OP_RESTART;
			x->op[a->group].at = S.now + 20 + rn(100);
			x->op[a->group].ok = chance(S.restart_ok);
			break;
		case VIGIL_EACT_FENCE:
			S.fences++;
			x->fence[a->node - 1].pending = true;
			x->fence[a->node - 1].at = S.now + 50 + rn(250);
			x->fence[a->node - 1].ok = chance(S.fence_ok);
			sim_log(i, "FENCE n%u", a->node);
			break;
		case VIGIL_EACT_SELF_FENCE:
			S.self_fences++;
			self_fence(i, VIGIL_ACTION_REBOOT, false);
			return;
		case VIGIL_EACT_GATE_OPEN:
			if (x->latched && quorate(i) && lease_fresh(i)) {
				x->latched = false;
				sim_log(i, "gate reopened");
			}
			break;
		case VIGIL_EACT_PERSIST:
			vigil_engine_save(&x->eng, x->boot_id, &x->disk);
			x->have_disk = true;
			break;
		}
	}
}

static void feed(unsigned int i, const struct vigil_engine_input *in)
{
	struct sim_node *x = &S.nd[i];
	static struct vigil_engine_out out;
	int ret;

	if (!x->alive || !x->daemon)
		return;
	ret = vigil_engine_step(&x->eng, S.now, in, &out);
	if (ret == -EINVAL)
		S.errors++;
	run_actions(i, &out);
}

static void feed_view(unsigned int i)
{
	static struct vigil_engine_view v;
	struct vigil_engine_input in = { .type = VIGIL_EIN_VIEW, .view = &v };

	build_view(i, &v);
	feed(i, &in);
}

static void daemon_start(unsigned int i)
{
	struct sim_node *x = &S.nd[i];
	struct vigil_engine_conf c;

	make_conf(&c, S.n, S.ng, (uint16_t)(i + 1), S.gate_trusted, S.action,
		  S.failback);
	x->daemon = true;
	x->wakeup = 0;
	memset(x->op, 0, sizeof(x->op));
	memset(x->fence, 0, sizeof(x->fence));
	if (vigil_engine_init(&x->eng, &c, x->have_disk ? &x->disk : NULL,
			      x->boot_id, S.now))
		S.errors++;
	feed_view(i);
}

static void boot(unsigned int i)
{
	struct sim_node *x = &S.nd[i];

	x->alive = true;
	x->inc = ++S.next_inc;
	for (unsigned int k = 0; k < VIGIL_ENGINE_BOOT_ID_LEN; k++)
		x->boot_id[k] = (uint8_t)rnd();
	x->revive_at = 0;
	x->latched = false;
	x->had_quorum = false;
	x->plen = 0;
	memset(x->active, 0, sizeof(x->active));
	memset(x->fail_stop, 0, sizeof(x->fail_stop));
	memset(x->fail_start, 0, sizeof(x->fail_start));
	memset(x->heard_at, 0, sizeof(x->heard_at));
	memset(x->heard_inc, 0, sizeof(x->heard_inc));
	memset(x->sticky, 0, sizeof(x->sticky));
	memset(x->pfencing, 0, sizeof(x->pfencing));
	memset(x->pplen, 0, sizeof(x->pplen));
	x->next_hb = S.now + rn(INTERVAL);
	daemon_start(i);
}

static void kill_node(unsigned int i, uint64_t revive_after)
{
	struct sim_node *x = &S.nd[i];

	if (!x->alive)
		return;
	x->alive = false;
	x->daemon = false;
	memset(x->active, 0, sizeof(x->active));
	x->revive_at = revive_after ? S.now + revive_after : 0;
	sim_log(i, "dies");
}

/* The last gasp reaches the peers that hear this node, then it reboots. */
static void self_fence(unsigned int i, uint8_t action, bool dumping)
{
	struct sim_node *x = &S.nd[i];

	if (action == VIGIL_ACTION_FREEZE) {
		if (!x->latched)
			S.freezes++;
		x->latched = true;
		sim_log(i, "freezes");
		return;
	}
	if (action != VIGIL_ACTION_REBOOT && action != VIGIL_ACTION_PANIC)
		return;
	for (unsigned int j = 0; j < S.n; j++)
		if (j != i && S.conn[i][j] && S.nd[j].alive &&
		    S.nd[j].heard_inc[i] == x->inc)
			S.nd[j].sticky[i] = dumping ? VIGIL_PEER_DUMPING :
					   VIGIL_PEER_SELF_FENCED;
	sim_log(i, "self-fences (%s)", dumping ? "dump" : "reboot");
	kill_node(i, 1000 + rn(2000));
}

static void heartbeat(unsigned int i)
{
	struct sim_node *x = &S.nd[i];
	uint8_t m[VIGIL_MEMBERS_BYTES];

	members_of(i, m);
	for (unsigned int j = 0; j < S.n; j++) {
		struct sim_node *y = &S.nd[j];

		if (j == i || !S.conn[i][j] || !y->alive)
			continue;
		if (y->heard_inc[i] != x->inc)
			y->sticky[i] = 0;
		y->heard_inc[i] = x->inc;
		y->heard_at[i] = S.now;
		y->pfencing[i] = x->latched;
		if (!x->latched)
			y->sticky[i] = 0;
		memcpy(y->ppayload[i], x->payload, x->plen);
		y->pplen[i] = x->plen;
		memcpy(y->pmembers[i], m, sizeof(m));
	}
}

static void check_invariant(void)
{
	for (unsigned int g = 0; g < S.ng; g++) {
		unsigned int count = 0;
		char who[64] = "";

		for (unsigned int i = 0; i < S.n; i++)
			if (serving(i, g)) {
				count++;
				snprintf(who + strlen(who), sizeof(who) - strlen(who), " n%u", i + 1);
			}
		if (count > 1) {
			if (!S.violations)
				snprintf(S.first, sizeof(S.first),
					 "t=%llu g%u active on%s",
					 (unsigned long long)S.now, g, who);
			S.violations++;
		}
	}
}

/* One tick of the world. */
static void sim_tick(unsigned int view_pct)
{
	S.now += TICK;
	for (unsigned int i = 0; i < S.n; i++) {
		struct sim_node *x = &S.nd[i];

		if (!x->alive) {
			if (x->revive_at && S.now >= x->revive_at) {
				sim_log(i, "boots");
				boot(i);
			}
			continue;
		}
		if (S.now >= x->next_hb) {
			heartbeat(i);
			x->next_hb += INTERVAL;
		}
	}
	for (unsigned int i = 0; i < S.n; i++) {
		struct sim_node *x = &S.nd[i];
		bool q;

		if (!x->alive)
			continue;
		/* the module's quorum cause */
		q = quorate(i) && lease_fresh(i);
		if (x->had_quorum && !q) {
			x->had_quorum = false;
			self_fence(i, S.action, chance(300));
			if (!x->alive)
				continue;
		}
		if (q)
			x->had_quorum = true;
		if (!x->daemon) {
			if (S.now >= x->daemon_at)
				daemon_start(i);
			continue;
		}
		for (unsigned int g = 0; g < S.ng; g++) {
			struct vigil_engine_input in = { .group = (uint8_t)g };

			if (!x->op[g].type || S.now < x->op[g].at)
				continue;
			in.ok = x->op[g].ok;
			switch (x->op[g].type) {
			case OP_START:
				in.type = VIGIL_EIN_START_DONE;
				break;
			case OP_STOP:
				in.type = VIGIL_EIN_STOP_DONE;
				if (in.ok)
					x->active[g] = false;
				break;
			default:
				in.type = VIGIL_EIN_RESTART_DONE;
			}
			x->op[g].type = OP_NONE;
			feed(i, &in);
			if (!x->alive || !x->daemon)
				break;
		}
		for (unsigned int t = 0; t < S.n && x->alive && x->daemon; t++) {
			struct vigil_engine_input in = {
				.type = VIGIL_EIN_FENCE_DONE,
				.node = (uint16_t)(t + 1),
			};

			if (!x->fence[t].pending || S.now < x->fence[t].at)
				continue;
			x->fence[t].pending = false;
			in.ok = x->fence[t].ok;
			if (in.ok) {
				sim_log(i, "fenced n%u", t + 1);
				kill_node(t, 1000 + rn(2000));
			}
			feed(i, &in);
		}
		if (!x->alive || !x->daemon)
			continue;
		if (rn(100) < view_pct) {
			feed_view(i);
		} else if (x->wakeup && S.now >= x->wakeup) {
			struct vigil_engine_input in = { .type = VIGIL_EIN_TICK };

			feed(i, &in);
		}
	}
	check_invariant();
}

static void sim_reset(unsigned int n, unsigned int ng, bool gate_trusted,
		      uint8_t action, bool failback)
{
	memset(&S, 0, sizeof(S));
	S.n = n;
	S.ng = ng;
	S.now = 1000;
	S.gate_trusted = gate_trusted;
	S.action = action;
	S.failback = failback;
	S.fence_ok = 1000;
	S.start_ok = 1000;
	S.restart_ok = 1000;
	S.verbose = getenv("ENGINE_SIM_VERBOSE") != NULL;
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			S.conn[i][j] = true;
	for (unsigned int i = 0; i < n; i++)
		boot(i);
}

static void run_ms(uint64_t ms)
{
	uint64_t end = S.now + ms;

	while (S.now < end)
		sim_tick(70);
}

/* Where each group is active and online: node index + 1, 0, or -1 if >1. */
static int online_on(unsigned int g)
{
	int where = 0;

	for (unsigned int i = 0; i < S.n; i++) {
		const struct sim_node *x = &S.nd[i];

		if (!x->alive || !x->daemon ||
		    x->eng.groups[g].local != VIGIL_ELOC_ONLINE || !x->active[g])
			continue;
		where = where ? -1 : (int)i + 1;
	}
	return where;
}

static struct vigil_engine_status status_of(unsigned int i, unsigned int g)
{
	struct vigil_engine_status st;

	vigil_engine_group_status(&S.nd[i].eng, g, &st);
	return st;
}

static int op(unsigned int i, enum vigil_engine_input_type t, unsigned int g,
	      uint16_t node)
{
	static struct vigil_engine_out out;
	struct vigil_engine_input in = {
		.type = t, .group = (uint8_t)g, .node = node,
	};
	struct sim_node *x = &S.nd[i];
	int ret;

	if (!x->alive || !x->daemon)
		return -ESRCH;
	ret = vigil_engine_step(&x->eng, S.now, &in, &out);
	run_actions(i, &out);
	return ret;
}

static void cut(unsigned int a, unsigned int b)
{
	S.conn[a][b] = S.conn[b][a] = false;
}

static void heal(void)
{
	for (unsigned int i = 0; i < S.n; i++)
		for (unsigned int j = 0; j < S.n; j++)
			S.conn[i][j] = true;
}

static void isolate(unsigned int a)
{
	for (unsigned int j = 0; j < S.n; j++)
		if (j != a)
			cut(a, j);
}

/* --- scenarios, transition by transition --------------------------------------- */

static void test_cold_start(void)
{
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	tap_is_int(online_on(0), 1, "cold start: g0 online on n1, its first node");
	tap_is_int(online_on(1), 2, "cold start: g1 online on n2");
	tap_is_int(online_on(2), 3, "cold start: g2 online on n3");
	tap_is_int(status_of(1, 0).state, VIGIL_ES_STANDBY, "cold start: n2 shows g0 standby");
	tap_is_int(status_of(1, 0).owner, 1, "cold start: n2 shows g0's owner n1");
	tap_is_int(S.fences, 0, "cold start: nobody fenced");
	tap_is_int(S.violations, 0, "cold start: never active twice");
}

static void test_cold_start_missing_node(void)
{
	/* n3 never comes: after join_wait it is fenced, then groups start */
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	kill_node(2, 0);
	run_ms(1500);
	tap_is_int(online_on(0), 0, "startup: nothing starts while n3 was never heard");
	run_ms(3000);
	tap_ok(S.fences >= 1, "startup: the missing n3 is fenced after join_wait (%u)", S.fences);
	tap_is_int(online_on(0), 1, "startup: then g0 starts on n1");
	tap_is_int(online_on(2), 1, "startup: g2 (3, 1, 2) on n1 while n3 is out");
}

static void test_kill_owner(void)
{
	unsigned int fences;

	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	fences = S.fences;
	kill_node(0, 0);
	run_ms(300);
	tap_is_int(online_on(0), 0, "kill n1: g0 not yet elsewhere (before the timeout)");
	run_ms(2000);
	tap_is_int(S.fences, fences + 1, "kill n1: fenced once (no race)");
	tap_is_int(online_on(0), 2, "kill n1: g0 online on n2 after the fence");
	tap_is_int(status_of(2, 0).state, VIGIL_ES_STANDBY, "kill n1: n3 shows g0 standby");
	tap_is_int(status_of(2, 0).owner, 2, "kill n1: owner n2 on n3");
	tap_is_int(online_on(1), 2, "kill n1: g1 stays on n2");
	/* n1 comes back: standby, no failback */
	S.nd[0].revive_at = S.now + 10;
	run_ms(3000);
	tap_ok(S.nd[0].alive, "kill n1: n1 rebooted");
	tap_is_int(status_of(0, 0).state, VIGIL_ES_STANDBY, "rejoin: n1 is standby for g0");
	tap_is_int(online_on(0), 2, "rejoin: g0 stays on n2 (failback off)");
	tap_is_int(S.violations, 0, "kill n1: never active twice");
}

static void test_failback(void)
{
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, true);
	run_ms(3000);
	kill_node(0, 2000);
	run_ms(1500);
	tap_is_int(online_on(0), 2, "failback: g0 moved to n2");
	run_ms(5000);
	tap_is_int(online_on(0), 1, "failback: g0 back on n1 once it rejoined");
	tap_is_int(S.violations, 0, "failback: never active twice");
}

static void test_fence_fails_wait_act(void)
{
	int ret;

	sim_reset(3, 3, false, VIGIL_ACTION_NONE, false);
	run_ms(3000);
	S.fence_ok = 0;
	kill_node(0, 0);
	run_ms(4000);
	tap_is_int(online_on(0), 0, "fence fails: g0 starts nowhere");
	tap_is_int(status_of(1, 0).state, VIGIL_ES_WAIT, "fence fails: g0 in wait on n2");
	tap_is_int(status_of(2, 0).state, VIGIL_ES_WAIT, "fence fails: and on n3");
	tap_is_int(op(2, VIGIL_EIN_OP_ACT, 1, 0), -EAGAIN, "act: refused for a group not in wait");
	ret = op(2, VIGIL_EIN_OP_ACT, 0, 0);
	tap_is_int(ret, 0, "act: accepted on n3");
	run_ms(1500);
	tap_is_int(online_on(0), 2, "act: g0 online on n2");
	tap_is_int(S.violations, 0, "wait/act: never active twice");
}

static void test_fence_fails_then_peer_fences(void)
{
	/* n2 (best reset priority) fails; n3 fences after its delay */
	sim_reset(3, 3, false, VIGIL_ACTION_NONE, false);
	run_ms(3000);
	S.fence_ok = 0;
	kill_node(0, 0);
	run_ms(TIMEOUT + 200);
	S.fence_ok = 1000;
	run_ms(3000);
	tap_ok(S.fences >= 2, "rank: the second fencer tries after its delay (%u fences)", S.fences);
	tap_is_int(online_on(0), 2, "rank: g0 online on n2 once n3 fenced n1");
	tap_is_int(S.violations, 0, "rank: never active twice");
}

static void test_partition_minority(void)
{
	/* n1 alone: loses quorum, action none: survivors must fence it */
	sim_reset(3, 3, false, VIGIL_ACTION_NONE, false);
	run_ms(3000);
	isolate(0);
	run_ms(3000);
	tap_is_int(online_on(0), 2, "partition: g0 on n2 after n1 was fenced");
	tap_ok(S.fences >= 1, "partition: n1 fenced");
	heal();
	run_ms(5000);
	tap_is_int(online_on(0), 2, "partition healed: g0 stays on n2");
	tap_is_int(status_of(0, 0).state, VIGIL_ES_STANDBY, "partition healed: n1 standby");
	tap_is_int(S.violations, 0, "partition: never active twice");
}

static void test_lease_rule(void)
{
	/* gate trusted, freeze: no fence method needed */
	sim_reset(3, 3, true, VIGIL_ACTION_FREEZE, false);
	run_ms(3000);
	S.fence_ok = 0;
	isolate(0);
	run_ms(2500);
	tap_is_int(online_on(0), 2, "lease rule: g0 on n2 without a fence");
	tap_ok(S.nd[0].latched, "lease rule: n1 froze");
	heal();
	run_ms(4000);
	tap_ok(!S.nd[0].latched, "lease rule: n1 stopped g0 and reopened its gate");
	tap_is_int(status_of(0, 0).state, VIGIL_ES_STANDBY, "lease rule: n1 standby");
	tap_is_int(online_on(0), 2, "lease rule: g0 stays on n2");
	tap_is_int(S.violations, 0, "lease rule: never serving twice");
}

static void test_last_gasp(void)
{
	/* n1 reboots after its last gasp: proof, no fence, no wait */
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	S.fence_ok = 0;
	self_fence(0, VIGIL_ACTION_REBOOT, false);
	run_ms(1500);
	tap_is_int(online_on(0), 2, "last gasp: g0 on n2 with no fence method working");
	tap_is_int(S.fences, 0, "last gasp: nobody fenced");
	tap_is_int(S.violations, 0, "last gasp: never active twice");
}

static void test_local_recovery(void)
{
	struct vigil_engine_input in = {
		.type = VIGIL_EIN_MONITOR_FAILED, .group = 0, .resource = 1,
	};

	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	feed(0, &in);
	tap_is_int(S.nd[0].eng.groups[0].local, VIGIL_ELOC_RESTARTING, "monitor failure: restart in place");
	tap_is_int(status_of(0, 0).state, VIGIL_ES_STARTING, "monitor failure: shown as starting");
	run_ms(500);
	tap_is_int(online_on(0), 1, "monitor failure: online again on n1");
	feed(0, &in);
	run_ms(500);
	tap_is_int(online_on(0), 1, "second failure: still restarted in place (limit 2)");
	tap_is_int(S.restarts, 2, "two restarts");
	feed(0, &in);
	run_ms(2000);
	tap_is_int(S.restarts, 2, "third failure in the window: no restart");
	tap_is_int(online_on(0), 2, "third failure: failover to n2 without a fence");
	tap_ok(status_of(0, 0).excluded, "n1 marked failed for g0");
	tap_is_int(S.fences, 0, "local failover: nobody fenced");
	tap_is_int(op(1, VIGIL_EIN_OP_SWITCHOVER, 0, 1), -EAGAIN, "switchover to a node that failed g0 refused");
	tap_is_int(op(1, VIGIL_EIN_OP_SWITCHOVER, 0, 9), -EINVAL, "switchover to an unknown node refused");
	/* operator start clears the failure everywhere */
	tap_is_int(op(2, VIGIL_EIN_OP_START, 0, 0), 0, "operator start accepted");
	run_ms(2000);
	tap_ok(!status_of(0, 0).excluded, "operator start: n1's failure forgotten");
	tap_is_int(online_on(0), 1, "operator start: g0 placed on its first node again");
	tap_is_int(S.violations, 0, "local recovery: never active twice");
}

static void test_stop_fails(void)
{
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	S.nd[0].fail_stop[0] = true;
	tap_is_int(op(0, VIGIL_EIN_OP_SWITCHOVER, 0, 3), 0, "switchover g0 to n3");
	run_ms(300);
	tap_ok(S.self_fences == 1 && !S.nd[0].alive, "stop fails: n1 self-fences");
	run_ms(1500);
	tap_is_int(online_on(0), 3, "stop fails: g0 on n3 after n1's self-fence");
	tap_is_int(S.violations, 0, "stop fails: never active twice");
}

static void test_switchover_and_stop(void)
{
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	tap_is_int(op(1, VIGIL_EIN_OP_SWITCHOVER, 0, 0), 0, "switchover g0 to the next node");
	run_ms(1000);
	tap_is_int(online_on(0), 2, "switchover: g0 on n2");
	tap_is_int(op(2, VIGIL_EIN_OP_SWITCHOVER, 0, 1), 0, "switchover g0 back to n1");
	run_ms(1000);
	tap_is_int(online_on(0), 1, "switchover: g0 back on n1");
	tap_is_int(S.fences, 0, "switchover: no fence");
	tap_is_int(op(2, VIGIL_EIN_OP_STOP, 0, 0), 0, "stop g0");
	run_ms(1000);
	tap_is_int(online_on(0), 0, "stop: g0 runs nowhere");
	tap_is_int(status_of(1, 0).state, VIGIL_ES_STOPPED, "stop: shown stopped");
	tap_is_int(op(1, VIGIL_EIN_OP_SWITCHOVER, 0, 0), -EAGAIN, "stopped: switchover refused");
	tap_is_int(op(1, VIGIL_EIN_OP_START, 0, 0), 0, "start g0");
	run_ms(1000);
	tap_is_int(online_on(0), 1, "start: g0 on n1");
	tap_is_int(S.violations, 0, "switchover/stop/start: never active twice");
}

static void test_daemon_restart(void)
{
	unsigned int starts, stops;

	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	run_ms(3000);
	starts = S.starts;
	stops = S.stops;
	S.nd[0].daemon = false;
	S.nd[0].daemon_at = S.now + 300;
	run_ms(2000);
	tap_is_int(S.starts, starts, "daemon restart: nothing started");
	tap_is_int(S.stops, stops, "daemon restart: nothing stopped");
	tap_is_int(online_on(0), 1, "daemon restart: g0 still online on n1");
	tap_is_int(status_of(0, 0).state, VIGIL_ES_ONLINE, "daemon restart: n1 shows g0 online");
	/* a restart mid-switchover: the stop is done again, then it moves */
	tap_is_int(op(0, VIGIL_EIN_OP_SWITCHOVER, 0, 2), 0, "switchover g0 to n2");
	tap_is_int(S.nd[0].eng.groups[0].local, VIGIL_ELOC_STOPPING, "n1 stopping g0");
	S.nd[0].daemon = false;
	S.nd[0].op[0].type = OP_NONE;
	S.nd[0].daemon_at = S.now + 100;
	stops = S.stops;
	run_ms(2000);
	tap_is_int(S.stops, stops + 1, "daemon restart mid-stop: the stop is issued again");
	tap_is_int(online_on(0), 2, "daemon restart mid-stop: g0 on n2");
	tap_is_int(S.violations, 0, "daemon restart: never active twice");
}

static void test_quorum_loss_no_start(void)
{
	struct vigil_engine_out *out = calloc(1, sizeof(*out));
	struct vigil_engine e;
	struct vigil_engine_conf c;
	struct vigil_engine_view v;
	struct vigil_engine_input in = { .type = VIGIL_EIN_VIEW, .view = &v };
	uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN] = { 1 };
	unsigned int starts = 0;

	make_conf(&c, 3, 1, 1, false, VIGIL_ACTION_REBOOT, false);
	vigil_engine_init(&e, &c, NULL, boot, 100);
	memset(&v, 0, sizeof(v));
	v.incarnation = 1;
	v.quorate = false;
	v.lease_fresh = true;
	v.quorum_votes = 2;
	for (uint64_t t = 100; t < 20000; t += 100) {
		vigil_engine_step(&e, t, &in, out);
		for (unsigned int k = 0; k < out->n; k++)
			starts += out->act[k].type == VIGIL_EACT_START ||
				  out->act[k].type == VIGIL_EACT_FENCE;
	}
	tap_is_int(starts, 0, "no quorum: nothing started, nobody fenced");
	in.type = VIGIL_EIN_OP_START;
	tap_is_int(vigil_engine_step(&e, 20000, &in, out), -EAGAIN, "no quorum: operator start refused");
	in.type = VIGIL_EIN_MONITOR_FAILED;
	in.group = 5;
	tap_is_int(vigil_engine_step(&e, 20000, &in, out), -EINVAL, "an unknown group refused");
	free(out);
}

static void test_persist(void)
{
	struct vigil_engine_persist p;
	struct vigil_engine e;
	struct vigil_engine_conf c;
	uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN] = { 7 }, other[VIGIL_ENGINE_BOOT_ID_LEN] = { 8 };

	make_conf(&c, 3, 2, 1, false, VIGIL_ACTION_REBOOT, false);
	vigil_engine_init(&e, &c, NULL, boot, 0);
	e.groups[0].rec = (struct vigil_engine_record){ 4, 1, VIGIL_EMODE_RUN };
	e.groups[0].local = VIGIL_ELOC_ONLINE;
	e.groups[1].rec = (struct vigil_engine_record){ 9, 2, VIGIL_EMODE_WAIT };
	vigil_engine_save(&e, boot, &p);
	vigil_engine_init(&e, &c, &p, boot, 0);
	tap_is_int(e.groups[0].local, VIGIL_ELOC_ONLINE, "persist: online here restored");
	tap_is_int(e.groups[1].rec.epoch, 9, "persist: the wait record restored");
	tap_is_int(rec_mode(&e.groups[1].rec), VIGIL_EMODE_WAIT, "persist: still in wait");
	vigil_engine_init(&e, &c, &p, other, 0);
	tap_is_int(e.groups[0].local, VIGIL_ELOC_IDLE, "persist: another boot: nothing runs here");
	tap_is_int(e.groups[0].rec.epoch, 4, "persist: another boot: the epoch is kept");
	c.groups[0].failback = true;
	vigil_engine_init(&e, &c, &p, boot, 0);
	tap_is_int(e.groups[0].rec.epoch, 0, "persist: another configuration: ignored");
	make_conf(&c, 3, 2, 1, false, VIGIL_ACTION_REBOOT, false);
	p.groups[0].local = 0x0f;
	vigil_engine_init(&e, &c, &p, boot, 0);
	tap_is_int(e.groups[0].rec.epoch, 0, "persist: a malformed file: ignored");
}

static void test_config_mismatch(void)
{
	sim_reset(3, 3, false, VIGIL_ACTION_REBOOT, false);
	/* n3 has another configuration: its announcement is not taken */
	{
		struct vigil_engine_conf c;
		static struct vigil_engine_out out;

		make_conf(&c, 3, 3, 3, false, VIGIL_ACTION_REBOOT, false);
		c.groups[1].failback = true;
		vigil_engine_init(&S.nd[2].eng, &c, NULL, S.nd[2].boot_id, S.now);
		(void)out;
	}
	run_ms(4000);
	tap_is_int(online_on(0), 0, "config mismatch: g0 (n3 may run it) does not start");
	tap_is_int(S.fences, 0, "config mismatch: n3 is up: not fenced");
	tap_is_int(S.violations, 0, "config mismatch: never active twice");
}

/* --- random schedules ---------------------------------------------------------------- */

static bool act_is_safe(unsigned int i)
{
	/* the operator made sure: every node not up in i's view is dead */
	for (unsigned int j = 0; j < S.n; j++)
		if (j != i && S.nd[j].alive &&
		    peer_state(&S.nd[i], j) != VIGIL_PEER_UP)
			return false;
	return true;
}

static void random_fault(void)
{
	unsigned int i = rn(S.n), j = rn(S.n), g = rn(S.ng);
	struct sim_node *x = &S.nd[i];

	switch (rn(12)) {
	case 0:
		S.kills++;
		kill_node(i, rn(3) ? 1000 + rn(4000) : 0);
		break;
	case 1:	/* a random split */
		S.partitions++;
		for (unsigned int a = 0; a < S.n; a++)
			for (unsigned int b = a + 1; b < S.n; b++)
				if ((rnd() & 1) != 0)
					cut(a, b);
		break;
	case 2:
		if (i != j) {
			S.partitions++;
			S.conn[i][j] = false;	/* one way */
		}
		break;
	case 3:
	case 4:
		heal();
		break;
	case 5:
		if (x->alive && x->daemon) {
			S.daemon_restarts++;
			x->daemon = false;
			x->daemon_at = S.now + 50 + rn(500);
		}
		break;
	case 6:
	case 7:
		if (x->alive && x->daemon && x->eng.groups[g].local == VIGIL_ELOC_ONLINE) {
			struct vigil_engine_input in = {
				.type = VIGIL_EIN_MONITOR_FAILED, .group = (uint8_t)g,
				.resource = (uint8_t)rn(3),
			};

			feed(i, &in);
		}
		break;
	case 8:
		if (rn(2))
			x->fail_stop[g] = true;
		else
			x->fail_start[g] = true;
		break;
	case 9:
		op(i, rn(3) ? VIGIL_EIN_OP_SWITCHOVER : rn(2) ? VIGIL_EIN_OP_STOP :
		   VIGIL_EIN_OP_START, g, (uint16_t)rn(S.n + 1));
		break;
	case 10:
		if (x->alive && x->daemon &&
		    rec_mode(&x->eng.groups[g].rec) == VIGIL_EMODE_WAIT &&
		    act_is_safe(i)) {
			S.acts++;
			op(i, VIGIL_EIN_OP_ACT, g, 0);
		}
		break;
	default:
		if (x->alive && rn(4) == 0)
			self_fence(i, VIGIL_ACTION_REBOOT, rn(2));
		break;
	}
}

/* After the faults: every group runs on exactly one node. */
static bool settle(char *why, size_t len)
{
	heal();
	S.fence_ok = 1000;
	S.start_ok = 1000;
	S.restart_ok = 1000;
	for (unsigned int i = 0; i < S.n; i++) {
		memset(S.nd[i].fail_stop, 0, sizeof(S.nd[i].fail_stop));
		memset(S.nd[i].fail_start, 0, sizeof(S.nd[i].fail_start));
		if (!S.nd[i].alive)
			S.nd[i].revive_at = S.now + 10;
		if (S.nd[i].alive && !S.nd[i].daemon)
			S.nd[i].daemon_at = S.now;
	}
	run_ms(8000);
	/*
	 * A node frozen for good (a group it cannot stop) is rebooted by
	 * the operator.
	 */
	for (unsigned int i = 0; i < S.n; i++)
		if (S.nd[i].alive && S.nd[i].latched) {
			S.frozen_reboots++;
			kill_node(i, 10);
		}
	run_ms(4000);
	for (unsigned int g = 0; g < S.ng; g++) {
		for (unsigned int i = 0; i < S.n; i++) {
			const struct vigil_engine_record *r = &S.nd[i].eng.groups[g].rec;

			if (rec_mode(r) == VIGIL_EMODE_WAIT) {
				S.waits++;
				op(i, VIGIL_EIN_OP_ACT, g, 0);
				break;
			}
			if (rec_mode(r) == VIGIL_EMODE_STOPPED || !r->owner ||
			    status_of(i, g).excluded) {
				op(i, VIGIL_EIN_OP_START, g, 0);
				break;
			}
		}
	}
	run_ms(8000);
	for (unsigned int g = 0; g < S.ng; g++) {
		int where = online_on(g);

		if (where <= 0) {
			snprintf(why, len, "g%u online on %s", g, where ? "several nodes" : "no node");
			return false;
		}
		for (unsigned int i = 0; i < S.n; i++) {
			if (!S.nd[i].alive || !S.nd[i].daemon) {
				snprintf(why, len, "n%u not up", i + 1);
				return false;
			}
			if (!rec_eq(&S.nd[i].eng.groups[g].rec,
				    &S.nd[(unsigned int)where - 1].eng.groups[g].rec)) {
				snprintf(why, len, "n%u disagrees on g%u", i + 1, g);
				return false;
			}
			if ((int)i + 1 != where && S.nd[i].active[g]) {
				snprintf(why, len, "g%u still active on n%u", g, i + 1);
				return false;
			}
		}
	}
	return true;
}

static void test_random(void)
{
	unsigned int schedules = 120, bad_safety = 0, bad_live = 0, errors = 0;
	uint64_t seed = 1;
	const char *env;
	char why[128], first_safety[300] = "", first_live[200] = "";
	unsigned long long starts = 0, fences = 0, kills = 0, parts = 0, drs = 0,
			   acts = 0, selff = 0, restarts = 0, freezes = 0, waits = 0,
			   frozen = 0;

	env = getenv("ENGINE_SIM_SCHEDULES");
	if (env)
		schedules = (unsigned int)strtoul(env, NULL, 0);
	env = getenv("ENGINE_SIM_SEED");
	if (env)
		seed = strtoull(env, NULL, 0);
	for (unsigned int s = 0; s < schedules; s++) {
		static const uint8_t actions[] = {
			VIGIL_ACTION_NONE, VIGIL_ACTION_FREEZE, VIGIL_ACTION_REBOOT,
		};
		uint64_t this_seed = seed + s;
		unsigned int n, mode;
		uint64_t end;

		rng = this_seed * 0x9E3779B97F4A7C15ULL + 1;
		n = 3 + rn(3);
		mode = rn(3);
		sim_reset(n, SG, rn(2), actions[mode], rn(2));
		S.fence_ok = rn(4) ? 700 + rn(301) : rn(500);
		S.start_ok = 900 + rn(101);
		S.restart_ok = 800 + rn(201);
		run_ms(3000);
		end = S.now + 20000 + rn(20000);
		while (S.now < end) {
			if (chance(25))
				random_fault();
			sim_tick(50 + rn(50));
		}
		if (S.violations) {
			if (!bad_safety++)
				snprintf(first_safety, sizeof(first_safety),
					 "seed %llu (n=%u gate_trusted=%d action=%u): %s",
					 (unsigned long long)this_seed, n, S.gate_trusted,
					 S.action, S.first);
		} else if (!settle(why, sizeof(why))) {
			if (!bad_live++)
				snprintf(first_live, sizeof(first_live), "seed %llu: %s",
					 (unsigned long long)this_seed, why);
		}
		if (S.violations && !bad_safety) {
			bad_safety++;
			snprintf(first_safety, sizeof(first_safety), "seed %llu after settling: %s",
				 (unsigned long long)this_seed, S.first);
		}
		errors += S.errors;
		starts += S.starts;
		fences += S.fences;
		kills += S.kills;
		parts += S.partitions;
		drs += S.daemon_restarts;
		acts += S.acts;
		selff += S.self_fences;
		restarts += S.restarts;
		freezes += S.freezes;
		waits += S.waits;
		frozen += S.frozen_reboots;
	}
	tap_diag("%u schedules: %llu starts, %llu restarts, %llu fences, %llu kills, %llu cuts, "
		 "%llu daemon restarts, %llu self-fences, %llu freezes, %llu acts; at the end: "
		 "%llu groups in wait, %llu frozen nodes rebooted",
		 schedules, starts, restarts, fences, kills, parts, drs, selff, freezes, acts, waits,
		 frozen);
	if (!tap_is_int(bad_safety, 0, "random schedules: no group ever active on two nodes"))
		tap_diag("first: %s", first_safety);
	if (!tap_is_int(bad_live, 0, "random schedules: once faults stop, every group runs on exactly one node"))
		tap_diag("first: %s", first_live);
	tap_is_int(errors, 0, "random schedules: no input refused, no log line lost");
}

int main(void)
{
	rng = 42;
	test_payload();
	test_conf();
	test_persist();
	test_quorum_loss_no_start();
	test_cold_start();
	test_cold_start_missing_node();
	test_kill_owner();
	test_failback();
	test_fence_fails_wait_act();
	test_fence_fails_then_peer_fences();
	test_partition_minority();
	test_lease_rule();
	test_last_gasp();
	test_local_recovery();
	test_stop_fails();
	test_switchover_and_stop();
	test_daemon_restart();
	test_config_mismatch();
	test_random();
	return tap_done();
}
