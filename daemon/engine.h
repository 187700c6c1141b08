/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild's decision engine: group placement, local recovery, fencing
 * decisions, the switchover wait, operator commands. Pure C: no I/O, no
 * clock, no allocation, no globals. The event loop feeds it one input at a
 * time with the current time, and executes the actions it returns; a
 * simulator drives a whole cluster of them (tests/unit/test_engine.c).
 * Documentation/failover.md is the design and the safety argument.
 *
 *	vigil_engine_init(e, &conf, &persisted_or_NULL, boot_id, now);
 *	vigil_engine_step(e, now, &input, &out);	for each input
 *	... execute out.act[0 .. out.n - 1] in order; arm a timer for
 *	    out.wakeup_ms (0: none) and feed VIGIL_EIN_TICK then ...
 *	vigil_engine_save(e, &persist);		after every step that
 *						returned VIGIL_EACT_PERSIST
 */
#ifndef _VIGIL_ENGINE_H
#define _VIGIL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vigil.h>

#define VIGIL_ENGINE_NODES_MAX 32	/* configured nodes, this one included */
#define VIGIL_ENGINE_GROUPS_MAX 12	/* what fits in one payload */
#define VIGIL_ENGINE_CLEARED_MAX 3	/* clearances one payload carries */
#define VIGIL_ENGINE_NAME_MAX 32	/* group names, including the NUL */
#define VIGIL_ENGINE_RESTARTS_MAX 16	/* restart_limit at most */
#define VIGIL_ENGINE_RESOURCES_MAX 32	/* resources in a group */
#define VIGIL_ENGINE_ACTIONS_MAX 192	/* actions one step may return */
#define VIGIL_ENGINE_LOG_MAX 120	/* a log line, including the NUL */
#define VIGIL_ENGINE_BOOT_ID_LEN 16

/* The payload (Documentation/failover.md, "The announcement"). */
#define VIGIL_ENGINE_WIRE_VERSION 1
#define VIGIL_ENGINE_WIRE_HDR_LEN 8
#define VIGIL_ENGINE_WIRE_CLEARED_LEN 8
#define VIGIL_ENGINE_WIRE_GROUP_LEN 8
#if VIGIL_ENGINE_WIRE_HDR_LEN + \
	VIGIL_ENGINE_CLEARED_MAX * VIGIL_ENGINE_WIRE_CLEARED_LEN + \
	VIGIL_ENGINE_GROUPS_MAX * VIGIL_ENGINE_WIRE_GROUP_LEN > VIGIL_PAYLOAD_MAX
#error "the engine's announcement does not fit in a heartbeat payload"
#endif

/* --- configuration (filled by the glue from vigil.conf) ------------------ */

struct vigil_engine_node_conf {
	uint16_t id;			/* 1..VIGIL_NODES_MAX, distinct */
	uint32_t votes;
	uint32_t reset_priority;	/* lower fences first; ties: lower id */
	bool fence_methods;		/* at least one peer-fence method */
};

struct vigil_engine_group_conf {
	char name[VIGIL_ENGINE_NAME_MAX];
	uint8_t nnodes;			/* 1..nnodes of the cluster */
	uint16_t nodes[VIGIL_ENGINE_NODES_MAX];	/* priority order, best first */
	uint8_t restart_limit;		/* 0..VIGIL_ENGINE_RESTARTS_MAX */
	uint32_t restart_window_ms;
	bool failback;			/* move back to a better node (off) */
	uint8_t nresources;		/* 1..VIGIL_ENGINE_RESOURCES_MAX */
};

struct vigil_engine_conf {
	uint16_t self;			/* this node's id */
	uint32_t timeout_ms;		/* the module's timeout_ms */
	uint32_t fence_delay_ms;	/* per reset-priority rank */
	uint32_t join_wait_ms;		/* never-heard nodes: fence after */
	/*
	 * The operator asserts that every group's service I/O passes the
	 * lease gate (protected interfaces): then the lease rule and a frozen
	 * peer's announced self-fence count as fencing.
	 */
	bool gate_trusted;
	/* The self-fence action of the cluster (enum vigil_fence_action). */
	uint8_t self_fence_action;
	uint8_t nnodes;
	struct vigil_engine_node_conf nodes[VIGIL_ENGINE_NODES_MAX];
	uint8_t ngroups;
	struct vigil_engine_group_conf groups[VIGIL_ENGINE_GROUPS_MAX];
};

/* --- what the module reports (VIGIL_CMD_GET_STATUS, GET_PEERS) ----------- */

struct vigil_engine_peer {
	uint16_t id;
	uint8_t state;			/* enum vigil_peer_state */
	bool heard;			/* a link delivers heartbeats now */
	uint64_t incarnation;		/* 0: never heard */
	uint8_t members[VIGIL_MEMBERS_BYTES];	/* its membership view */
	uint16_t payload_len;
	uint8_t payload[VIGIL_PAYLOAD_MAX];
};

struct vigil_engine_view {
	bool quorate;
	bool lease_fresh;		/* lease_left_ms > 0 */
	bool fenced;			/* VIGIL_A_FENCED: our gate is latched */
	uint64_t incarnation;		/* this node's */
	uint32_t quorum_votes;		/* VIGIL_A_QUORUM_VOTES */
	uint8_t npeers;
	struct vigil_engine_peer peers[VIGIL_ENGINE_NODES_MAX];
};

/* --- inputs --------------------------------------------------------------- */

enum vigil_engine_input_type {
	VIGIL_EIN_TICK,			/* a wakeup_ms came, nothing else */
	VIGIL_EIN_VIEW,			/* .view: the module's state now */
	VIGIL_EIN_START_DONE,		/* .group, .ok */
	VIGIL_EIN_STOP_DONE,		/* .group, .ok (a timeout: !ok) */
	VIGIL_EIN_RESTART_DONE,		/* .group, .resource, .ok */
	VIGIL_EIN_MONITOR_FAILED,	/* .group, .resource */
	VIGIL_EIN_FENCE_DONE,		/* .node, .ok: every method tried */
	VIGIL_EIN_OP_START,		/* .group */
	VIGIL_EIN_OP_STOP,		/* .group */
	VIGIL_EIN_OP_SWITCHOVER,	/* .group, .node (0: the next one) */
	VIGIL_EIN_OP_ACT,		/* .group: resume from wait */
};

struct vigil_engine_input {
	enum vigil_engine_input_type type;
	uint8_t group;			/* index in conf.groups */
	uint8_t resource;
	uint16_t node;
	bool ok;
	const struct vigil_engine_view *view;
};

/* --- outputs -------------------------------------------------------------- */

enum vigil_engine_action_type {
	VIGIL_EACT_LOG,			/* .text */
	VIGIL_EACT_SET_PAYLOAD,		/* .payload, .payload_len */
	VIGIL_EACT_START,		/* .group: start its resources in order */
	VIGIL_EACT_STOP,		/* .group: stop them in reverse order */
	VIGIL_EACT_RESTART,		/* .group, .resource: restart in place */
	VIGIL_EACT_FENCE,		/* .node, .incarnation: try each method */
	VIGIL_EACT_SELF_FENCE,		/* VIGIL_CMD_FENCE with the cluster's action */
	VIGIL_EACT_GATE_OPEN,		/* VIGIL_CMD_GATE_OPEN: groups are stopped */
	VIGIL_EACT_PERSIST,		/* write vigil_engine_save() atomically */
};

enum vigil_engine_reason {
	VIGIL_ER_NONE,
	VIGIL_ER_PLACED,		/* the placement names this node */
	VIGIL_ER_MOVED,			/* the placement names another node */
	VIGIL_ER_OP_START,
	VIGIL_ER_OP_STOP,
	VIGIL_ER_OP_SWITCHOVER,
	VIGIL_ER_OP_ACT,
	VIGIL_ER_STARTED,
	VIGIL_ER_STOPPED,
	VIGIL_ER_START_FAILED,
	VIGIL_ER_STOP_FAILED,
	VIGIL_ER_MONITOR_FAILED,
	VIGIL_ER_RESTARTED,
	VIGIL_ER_RESTART_FAILED,
	VIGIL_ER_RESTART_LIMIT,
	VIGIL_ER_OWNER_LOST,		/* the node that ran it is not up */
	VIGIL_ER_OWNER_FAILED,		/* the node that ran it gave up on it */
	VIGIL_ER_NO_NODE,		/* no eligible node */
	VIGIL_ER_FAILBACK,
	VIGIL_ER_FENCE,			/* fencing a node that is not up */
	VIGIL_ER_FENCED,		/* a fence method confirmed */
	VIGIL_ER_FENCE_FAILED,		/* no method confirmed */
	VIGIL_ER_FENCED_BY_PEER,	/* a peer announced it fenced it */
	VIGIL_ER_PEER_SELF_FENCED,	/* its last gasp or freeze: proof */
	VIGIL_ER_LEASE_RULE,		/* a quorum declared it dead: proof */
	VIGIL_ER_WAIT,			/* no fence and no proof: switchover wait */
	VIGIL_ER_SELF_FENCED,		/* this node's gate latched */
	VIGIL_ER_NO_QUORUM,
	VIGIL_ER_CONFIG_MISMATCH,	/* a peer announces another digest */
	VIGIL_ER_RESTORED,		/* from the persisted state */
	VIGIL_ER_REJOINED,		/* back in a new life: standby */
	VIGIL_ER_GATE_OPEN,
	VIGIL_ER_LEFT,			/* left cleanly with nothing running */
	__VIGIL_ER_LAST
};

struct vigil_engine_action {
	enum vigil_engine_action_type type;
	enum vigil_engine_reason reason;
	uint8_t group;
	uint8_t resource;
	uint16_t node;
	uint64_t incarnation;
	uint16_t payload_len;
	uint8_t payload[VIGIL_PAYLOAD_MAX];
	char text[VIGIL_ENGINE_LOG_MAX];
};

struct vigil_engine_out {
	unsigned int n;
	unsigned int logs_dropped;	/* log lines that did not fit */
	uint64_t wakeup_ms;		/* feed a TICK at this time; 0: none */
	struct vigil_engine_action act[VIGIL_ENGINE_ACTIONS_MAX];
};

/* --- the announcement (payload) ------------------------------------------ */

enum vigil_engine_mode {
	VIGIL_EMODE_RUN = 0,		/* run on .owner (0: nowhere eligible) */
	VIGIL_EMODE_STOPPED = 1,	/* the operator stopped it; owner 0 */
	VIGIL_EMODE_WAIT = 2,		/* switchover wait; owner: the target */
};
#define VIGIL_EREC_MODE_MASK 0x03
#define VIGIL_EREC_F_CLEAR 0x40		/* forget every node's failure of it */
#define VIGIL_EREC_F_ACT 0x80		/* the operator vouched: no fence */
#define VIGIL_EREC_F_ALL (VIGIL_EREC_MODE_MASK | VIGIL_EREC_F_CLEAR | \
			  VIGIL_EREC_F_ACT)

/* Where a group should run: the greatest record known wins. */
struct vigil_engine_record {
	uint32_t epoch;			/* 0: no decision yet */
	uint16_t owner;
	uint8_t flags;			/* mode | VIGIL_EREC_F_* */
};

/* A group on one node. */
enum vigil_engine_local {
	VIGIL_ELOC_IDLE = 0,		/* not running here */
	VIGIL_ELOC_STARTING = 1,
	VIGIL_ELOC_ONLINE = 2,
	VIGIL_ELOC_STOPPING = 3,
	VIGIL_ELOC_STOP_FAILED = 4,	/* cannot release it: self-fencing */
	VIGIL_ELOC_RESTARTING = 5,	/* a resource restarts in place */
	__VIGIL_ELOC_LAST
};
#define VIGIL_ELOC_MASK 0x0f
#define VIGIL_ELOC_F_EXCLUDED 0x10	/* failed here: do not place here */

#define VIGIL_EANN_F_SELF_FENCING 0x01	/* asked for its own self-fence */
#define VIGIL_EANN_F_ALL VIGIL_EANN_F_SELF_FENCING

struct vigil_engine_announce {
	uint8_t flags;
	uint32_t digest;
	uint8_t ngroups;
	uint8_t ncleared;
	struct {
		uint16_t node;
		uint32_t incarnation;	/* vigil_engine_inc32() of it */
	} cleared[VIGIL_ENGINE_CLEARED_MAX];
	struct {
		struct vigil_engine_record rec;
		uint8_t local;		/* enum vigil_engine_local | F_EXCLUDED */
	} groups[VIGIL_ENGINE_GROUPS_MAX];
};

/* Bytes written, or -EINVAL for an announcement that would not decode. */
int vigil_engine_encode(const struct vigil_engine_announce *a, uint8_t *buf,
			size_t len);
/* 0, or -EINVAL for anything but an exact, well-formed announcement. */
int vigil_engine_decode(const uint8_t *buf, size_t len,
			struct vigil_engine_announce *a);
int vigil_engine_rec_cmp(const struct vigil_engine_record *a,
			 const struct vigil_engine_record *b);
uint32_t vigil_engine_inc32(uint64_t incarnation);

/* --- persisted state (/var/lib/vigil/, written atomically) --------------- */

#define VIGIL_ENGINE_PERSIST_MAGIC 0x5647454eU	/* "VGEN" */
#define VIGIL_ENGINE_PERSIST_VERSION 1

struct vigil_engine_persist {
	uint32_t magic;
	uint32_t version;
	uint32_t digest;		/* of the configuration that wrote it */
	uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN];	/* /proc/sys/kernel/random/boot_id */
	uint8_t ngroups;
	struct {
		struct vigil_engine_record rec;
		uint8_t local;		/* enum vigil_engine_local | F_EXCLUDED */
	} groups[VIGIL_ENGINE_GROUPS_MAX];
};

/* --- the engine ----------------------------------------------------------- */

enum vigil_engine_fence {
	VIGIL_EFENCE_NONE,
	VIGIL_EFENCE_RUNNING,
	VIGIL_EFENCE_FAILED,
};

/* What this engine knows of one configured node (itself included). */
struct vigil_engine_node {
	uint8_t state;			/* enum vigil_peer_state */
	bool heard;
	uint64_t incarnation;
	uint8_t members[VIGIL_MEMBERS_BYTES];
	bool valid;			/* up, and its announcement decodes and
					   has our digest */
	bool have_ann;			/* ann is from this incarnation */
	bool told_mismatch;
	struct vigil_engine_announce ann;
	uint64_t up_since_ms;		/* this incarnation up since */
	uint64_t down_since_ms;		/* not up since (0: up) */
	/* fencing: cleared means it cannot run anything until its next life */
	bool cleared;
	uint64_t cleared_inc;
	enum vigil_engine_reason cleared_why;
	enum vigil_engine_fence fence;
	uint64_t fence_inc;
	uint64_t fence_failed_ms;
};

struct vigil_engine_group {
	struct vigil_engine_record rec;
	uint8_t local;			/* enum vigil_engine_local */
	bool excluded;
	bool exclude_after_stop;
	bool pending_stop;		/* restored mid-operation: stop first */
	uint8_t nrestarts;
	uint64_t restarts[VIGIL_ENGINE_RESTARTS_MAX];
	/* what an operator sees */
	enum vigil_engine_reason reason;
	uint64_t since_ms;
	uint8_t shown;			/* enum vigil_engine_state last logged */
};

struct vigil_engine {
	struct vigil_engine_conf conf;
	uint32_t digest;
	uint8_t self;			/* index of this node in conf.nodes */
	uint64_t now_ms;
	uint64_t started_ms;
	bool have_view;
	bool quorate;
	bool lease_fresh;
	bool fenced;			/* our gate is latched */
	bool gate_open_sent;
	uint64_t reopened_ms;		/* our gate reopened then (0: never) */
	bool self_fence_sent;
	uint64_t incarnation;
	uint64_t inc_since_ms;
	uint32_t quorum_votes;
	uint16_t payload_len;
	uint8_t payload[VIGIL_PAYLOAD_MAX];
	bool persist_dirty;
	struct vigil_engine_node nodes[VIGIL_ENGINE_NODES_MAX];
	struct vigil_engine_group groups[VIGIL_ENGINE_GROUPS_MAX];
	struct vigil_engine_out *out;	/* during a step only */
};

/* The states an operator sees (vigilctl status). */
enum vigil_engine_state {
	VIGIL_ES_ONLINE,		/* running here */
	VIGIL_ES_STANDBY,		/* running elsewhere, or about to */
	VIGIL_ES_STARTING,
	VIGIL_ES_STOPPING,
	VIGIL_ES_WAIT,			/* switchover wait: vigilctl act */
	VIGIL_ES_STOPPED,		/* stopped by the operator */
	VIGIL_ES_FAILED,		/* nowhere to run, or cannot stop here */
	__VIGIL_ES_LAST
};

struct vigil_engine_status {
	enum vigil_engine_state state;
	uint16_t owner;			/* where it runs or should (0: none) */
	uint32_t epoch;
	bool excluded;			/* failed on this node */
	enum vigil_engine_reason reason;
	uint64_t since_ms;
};

/*
 * 0, or -EINVAL with a reason in *why for a configuration the engine
 * cannot take (the config parser should have refused it earlier).
 */
int vigil_engine_conf_check(const struct vigil_engine_conf *conf,
			    const char **why);
uint32_t vigil_engine_digest(const struct vigil_engine_conf *conf);
/*
 * persist: the state the previous daemon saved, or NULL. It is taken only
 * when its digest is this configuration's and its boot id this boot's
 * (else the groups ran in another life of the node: they are not running).
 */
int vigil_engine_init(struct vigil_engine *e,
		      const struct vigil_engine_conf *conf,
		      const struct vigil_engine_persist *persist,
		      const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
		      uint64_t now_ms);
/* 0, or -EINVAL for an input that names no group, node or resource. */
int vigil_engine_step(struct vigil_engine *e, uint64_t now_ms,
		      const struct vigil_engine_input *in,
		      struct vigil_engine_out *out);
void vigil_engine_save(const struct vigil_engine *e,
		       const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
		       struct vigil_engine_persist *p);
void vigil_engine_group_status(const struct vigil_engine *e, unsigned int g,
			       struct vigil_engine_status *st);
/* This node's rank among the fencers (valid nodes by reset priority, id): 0 first. */
unsigned int vigil_engine_fencer_rank(const struct vigil_engine *e);

const char *vigil_engine_state_name(enum vigil_engine_state s);
const char *vigil_engine_reason_name(enum vigil_engine_reason r);
const char *vigil_engine_action_name(enum vigil_engine_action_type t);

#endif /* _VIGIL_ENGINE_H */
