/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild's glue between the decision engine (engine.h), the module and
 * the agents (agent.h, fence_agent.h): it builds the engine's
 * configuration from vigil.conf, turns the module's status and peers into
 * the engine's view, steps the engine and executes its actions in order.
 *
 *  - SET_PAYLOAD, SELF_FENCE, GATE_OPEN, PERSIST: one call each of ops.
 *  - START: the group's resources in order, each with its start timeout;
 *    the first failure ends it (START_DONE !ok). STOP: in reverse order,
 *    each with its stop timeout; a failure does not stop the others from
 *    being stopped, and makes STOP_DONE !ok. RESTART of resource r: stop
 *    the resources from the last down to r, then start them from r up
 *    (what depends on r goes down and comes back with it).
 *  - FENCE: the node's methods in order until one confirms (FENCE_DONE).
 *  - Monitors: each resource of a group that is online here, every
 *    monitor interval, one at a time per resource; anything but "running"
 *    is MONITOR_FAILED.
 *
 * Results go back into the engine from the agents' callbacks; inputs that
 * arrive while actions execute are queued and fed in order. Everything
 * outside goes through struct vigild_cluster_ops, which the unit tests
 * replace with fakes.
 */
#ifndef _VIGILD_CLUSTER_H
#define _VIGILD_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agent.h"
#include "aws_input.h"
#include "conf.h"
#include "engine.h"
#include "nl.h"

/* Engine settings vigil.conf has no key for yet. */
/* fence_delay_ms = 5 x timeout_ms + the longest first method's timeout */
#define VIGILD_FENCE_DELAY_FACTOR 5
#define VIGILD_JOIN_WAIT_MS 60000	/* never-heard nodes: fence after */

#define VIGILD_CLUSTER_QUEUE 64
#define VIGILD_ERROR_LEN 400

struct vigild_cluster_ops {
	uint64_t (*now_ms)(void *ctx);			/* CLOCK_MONOTONIC */
	int (*set_payload)(void *ctx, const uint8_t *p, size_t len);
	int (*self_fence)(void *ctx, uint8_t action);
	int (*gate_open)(void *ctx);
	int (*persist)(void *ctx, const struct vigil_engine_persist *p);
	/* As vigil_agent_run() and vigil_fence_agent_run() (fencing action). */
	int (*run)(void *ctx, const struct vigil_conf_resource *res,
		   enum vigil_agent_action action, __u32 timeout_ms,
		   vigil_agent_done_fn *done, void *arg,
		   struct vigil_agent_op **op);
	int (*fence)(void *ctx, const struct vigil_conf_fence *f,
		     vigil_agent_done_fn *done, void *arg,
		     struct vigil_agent_op **op);
	/* vigil-aws step with the aws-* method f (the ENIs of isolate for a
	   step of an aws-stop method that needs them) on node (an index). */
	int (*aws)(void *ctx, const struct vigil_conf_fence *f,
		   const struct vigil_conf_fence *isolate, unsigned int node,
		   enum vigil_aws_step step, vigil_agent_done_fn *done,
		   void *arg, struct vigil_agent_op **op);
	void (*cancel)(void *ctx, struct vigil_agent_op *op);
};

enum vigild_group_op {
	VIGILD_GOP_NONE,
	VIGILD_GOP_START,
	VIGILD_GOP_STOP,
	VIGILD_GOP_RESTART_STOP,	/* restart: stopping r.. */
	VIGILD_GOP_RESTART_START,	/* restart: starting r.. again */
};

struct vigild_cluster;

struct vigild_monitor {
	struct vigild_cluster *c;
	uint8_t g, k;			/* group, resource within it */
	struct vigil_agent_op *op;	/* in flight, or NULL */
	uint64_t due_ms;
	bool unsupported;		/* no monitor for this resource */
};

struct vigild_group {
	struct vigild_cluster *c;
	uint8_t g;
	enum vigild_group_op op;
	bool ok;			/* every action of op so far */
	uint8_t from;			/* restart: the resource restarted */
	int pos;			/* the resource (in the group) in flight */
	struct vigil_agent_op *aop;
	bool monitoring;
	struct vigild_monitor mon[VIGIL_ENGINE_RESOURCES_MAX];
	char last_error[VIGILD_ERROR_LEN];
};

/*
 * Fencing one node (Documentation/aws.md, "The sequence"): its methods in
 * order until one confirms. An aws-isolate that confirms lets failover
 * proceed at once while the next method (the forced stop) goes on; a
 * confirmed aws-stop is followed by recovery: re-attach the ENIs, start
 * the instance. A dumping node is isolated and its stop deferred.
 */
enum vigild_fence_phase {
	VIGILD_FENCE_IDLE,
	VIGILD_FENCE_METHOD,		/* the node's method number .method */
	VIGILD_FENCE_DUMP_WAIT,		/* a stop waits for the dump */
	VIGILD_FENCE_ATTACH,		/* recovery: re-attach the ENIs */
	VIGILD_FENCE_START,		/* recovery: start the instance */
};

struct vigild_fencing {
	struct vigild_cluster *c;
	unsigned int node;		/* index in conf->nodes */
	enum vigild_fence_phase phase;
	unsigned int method;		/* index in the node's fence list */
	struct vigil_agent_op *op;	/* in flight, or NULL */
	bool asked;			/* the engine asked: it gets an answer */
	bool reported;			/* the engine has it (FENCE_DONE) */
	uint64_t incarnation;		/* the life being fenced */
	int isolated;			/* the aws-isolate that confirmed, or -1 */
	int stopped;			/* the aws-stop that confirmed, or -1 */
	uint64_t dump_until_ms;		/* DUMP_WAIT: stop then at the latest */
	uint64_t dump_isolated_inc;	/* a dumping life already isolated */
};

struct vigild_cluster {
	const struct vigil_conf *conf;
	unsigned int self;		/* index in conf->nodes */
	const struct vigild_cluster_ops *ops;
	void *ctx;
	uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN];
	struct vigil_engine engine;
	struct vigil_engine_out out;
	uint64_t wakeup_ms;		/* the engine's; 0: none */
	struct vigil_engine_view view;	/* the last one fed */
	struct vigild_group grp[VIGIL_ENGINE_GROUPS_MAX];
	struct vigild_fencing fencing[VIGIL_ENGINE_NODES_MAX];
	struct vigil_engine_input q[VIGILD_CLUSTER_QUEUE];
	unsigned int qhead, qlen;
	bool pumping;
};

/*
 * The node vigild runs as: name if given, else the host name (as is,
 * then up to its first dot). Its index, or -ENOENT with why filled in.
 */
int vigild_cluster_find_self(const struct vigil_conf *conf, const char *name,
			     const char *hostname, char *why, size_t len);

/* The engine's configuration for conf on node self. 0 or -EINVAL + why. */
int vigild_cluster_engine_conf(const struct vigil_conf *conf,
			       unsigned int self, struct vigil_engine_conf *ec,
			       char *why, size_t len);

/* The module's status and peers as the engine's view. */
void vigild_cluster_view(const struct vigil_status *st,
			 const struct vigil_peers *peers,
			 struct vigil_engine_view *v);

/*
 * Set c up (c zeroed by the caller is not needed) and feed nothing yet.
 * persist: the state read from disk or NULL. 0 or -EINVAL + why.
 */
int vigild_cluster_init(struct vigild_cluster *c, const struct vigil_conf *conf,
			unsigned int self, const struct vigild_cluster_ops *ops,
			void *ctx, const struct vigil_engine_persist *persist,
			const uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN],
			char *why, size_t len);
/* Cancel everything in flight (no callbacks); the groups keep running. */
void vigild_cluster_fini(struct vigild_cluster *c);

/*
 * Feed one input and execute the actions. The engine's return (for
 * operator inputs: -EAGAIN, -EINVAL), or 0 when it was queued behind
 * the inputs being fed.
 */
int vigild_cluster_feed(struct vigild_cluster *c,
			const struct vigil_engine_input *in);
int vigild_cluster_feed_view(struct vigild_cluster *c,
			     const struct vigil_engine_view *v);

/* The timer: a TICK if the engine asked for one, and monitors due. */
void vigild_cluster_tick(struct vigild_cluster *c);
/* When to call vigild_cluster_tick() next (CLOCK_MONOTONIC ms); 0: never. */
uint64_t vigild_cluster_next_ms(const struct vigild_cluster *c);

/*
 * SIGHUP: next differs from the current configuration only in what may
 * change live (vigil_conf_live_diff() returned 0). The caller frees the
 * old one afterwards.
 */
void vigild_cluster_reload(struct vigild_cluster *c,
			   const struct vigil_conf *next);

/* A group by name: its index, or -1. */
int vigild_cluster_group_find(const struct vigild_cluster *c, const char *name);

/* One group as the control socket shows it. */
struct vigild_group_info {
	const char *name;
	const char *state;		/* vigil_engine_state_name() */
	const char *node;		/* owner's name, or "" */
	uint64_t since_ms;		/* CLOCK_MONOTONIC */
	const char *reason;
	const char *last_error;		/* "" for none */
};
void vigild_cluster_group_info(const struct vigild_cluster *c, unsigned int g,
			       struct vigild_group_info *info);

#endif /* _VIGILD_CLUSTER_H */
