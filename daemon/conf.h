/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigil.conf: the cluster's configuration file, read with libinih and
 * checked here, shared by vigild and vigilctl (check-config). The file's
 * layout, every key and every message are in Documentation/config.md and
 * vigil.conf(5).
 *
 * The model is plain structs with fixed limits (uapi/linux/vigil.h's
 * where there is one). Strings point into the model's own pool; a model
 * is made by vigil_conf_load()/vigil_conf_parse(), never copied, and freed
 * with vigil_conf_free(). After a successful load every reference is
 * resolved (indices into the arrays) and every default filled in: users
 * read the values and never apply defaults themselves.
 *
 * Durations are in milliseconds everywhere in the model.
 */
#ifndef _VIGIL_CONF_H
#define _VIGIL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>
#include <linux/vigil.h>

#include "config.h"	/* libvigil: struct vigil_config, vigil_config_addr */

#define VIGIL_CONF_PATH "/etc/vigil/vigil.conf"

/* The file. */
#define VIGIL_CONF_SIZE_MAX (256 * 1024)
#define VIGIL_CONF_LINE_MAX 4096	/* characters per line, newline excluded */

/* Limits of what the kernel does not limit. */
#define VIGIL_CONF_FENCES_MAX 64		/* [fence] sections */
#define VIGIL_CONF_NODE_FENCES_MAX 8		/* methods per node */
#define VIGIL_CONF_GROUPS_MAX 64
#define VIGIL_CONF_RESOURCES_MAX 256
#define VIGIL_CONF_GROUP_RESOURCES_MAX 32
#define VIGIL_CONF_PARAMS_MAX 32		/* param.* keys per section */

/* Errors kept per run; more are counted, not kept. */
#define VIGIL_CONF_ERRORS_MAX 20
#define VIGIL_CONF_ERROR_LEN 512

/* Defaults. */
#define VIGIL_CONF_DAEMON_WATCHDOG_DEFAULT_MS 5000
#define VIGIL_CONF_KEY_ID_DEFAULT 1
#define VIGIL_CONF_RESET_PRIORITY_DEFAULT 100
#define VIGIL_CONF_RESTART_LIMIT_DEFAULT 3
#define VIGIL_CONF_RESTART_WINDOW_DEFAULT_MS (10 * 60 * 1000)
#define VIGIL_CONF_MONITOR_INTERVAL_DEFAULT_MS (10 * 1000)
#define VIGIL_CONF_START_TIMEOUT_DEFAULT_MS (60 * 1000)
#define VIGIL_CONF_STOP_TIMEOUT_DEFAULT_MS (60 * 1000)
#define VIGIL_CONF_MONITOR_TIMEOUT_DEFAULT_MS (20 * 1000)
#define VIGIL_CONF_FENCE_TIMEOUT_DEFAULT_MS (60 * 1000)
#define VIGIL_CONF_FENCE_STATUS_TIMEOUT_DEFAULT_MS (20 * 1000)
#define VIGIL_CONF_OCF_ROOT "/usr/lib/ocf"

/* Ranges of the resource group timings (ms). */
#define VIGIL_CONF_TIMEOUT_MIN_MS 1000			/* agent timeouts */
#define VIGIL_CONF_TIMEOUT_MAX_MS (60 * 60 * 1000)
#define VIGIL_CONF_INTERVAL_MIN_MS 1000			/* monitor interval, */
#define VIGIL_CONF_INTERVAL_MAX_MS (60 * 60 * 1000)	/* or 0: off */
#define VIGIL_CONF_WINDOW_MIN_MS 1000			/* restart window */
#define VIGIL_CONF_WINDOW_MAX_MS (24 * 60 * 60 * 1000)
#define VIGIL_CONF_RESTART_LIMIT_MAX 100

/* A key = value of a param.KEY line, in file order. */
struct vigil_conf_param {
	const char *key;
	const char *value;
	unsigned int line;
};

struct vigil_conf_cluster {
	unsigned int line;		/* of [cluster] */
	const char *name;
	__u32 id;
	const char *key_file;
	__u8 key_id;
	bool have_key;			/* key read (not with VIGIL_CONF_NO_KEY) */
	__u8 key[VIGIL_KEY_LEN];
	__u32 timeout_ms;
	__u32 interval_ms;		/* derived: timeout / VIGIL_INTERVAL_DIVISOR */
	__u32 lease_ms;			/* the default filled in */
	bool two_node;
	__u32 witness_votes;
	/* Self-fence policy, index enum vigil_fence_cause; [0] unused. The
	 * operator's action is named by each request (action UNSPEC). */
	struct vigil_fence_rule fence[VIGIL_CAUSE_MAX + 1];
	__u32 daemon_watchdog_ms;	/* 0: off */
	unsigned int n_protect;
	char protect[VIGIL_PROTECT_MAX][IFNAMSIZ];
	bool failback;
};

struct vigil_conf_link {
	char name[VIGIL_NAME_MAX];
	unsigned int line;		/* of its [link NAME] */
	__u8 index;			/* on the wire, the same on every node */
	__u8 type;			/* VIGIL_LINK_L2 or VIGIL_LINK_UDP */
	__u8 family;			/* UDP: AF_INET or AF_INET6 */
	char ifname[IFNAMSIZ];		/* "": none (UDP only) */
	__u16 ethertype;		/* L2 */
	__u16 port;			/* UDP: local port */
};

struct vigil_conf_node {
	char name[VIGIL_NAME_MAX];
	unsigned int line;
	__u16 id;
	__u32 votes;
	__u16 reset_priority;		/* lower fences first; ties: lower id */
	/* Per link, index into vigil_conf.links: kind VIGIL_ADDR_NONE when
	 * the node has no address on that link (L2 only: broadcast). */
	struct vigil_config_addr addr[VIGIL_LINKS_MAX];
	unsigned int n_fence;		/* fencing methods, in order */
	unsigned int fence[VIGIL_CONF_NODE_FENCES_MAX];	/* into fences */
};

enum vigil_conf_fence_type {
	VIGIL_CONF_FENCE_AGENT = 1,	/* a ClusterLabs fence agent */
	VIGIL_CONF_FENCE_AWS_ISOLATE,	/* detach the node's service ENIs */
	VIGIL_CONF_FENCE_AWS_STOP,	/* force-stop the node's instance */
};

#define VIGIL_CONF_ENIS_MAX 8		/* enis = of an aws-isolate method */
#define VIGIL_CONF_AWS_ID_MAX 32	/* i-<17 hex>, eni-<17 hex> */
#define VIGIL_CONF_DUMP_TIMEOUT_DEFAULT_MS (10 * 60 * 1000)
#define VIGIL_CONF_AWS_ISOLATE_TIMEOUT_DEFAULT_MS (30 * 1000)
#define VIGIL_CONF_AWS_STOP_TIMEOUT_DEFAULT_MS (3 * 60 * 1000)

struct vigil_conf_eni {
	char id[VIGIL_CONF_AWS_ID_MAX];
	int device_index;		/* where it is re-attached */
};

enum vigil_conf_fence_action {
	VIGIL_CONF_FENCE_OFF = 1,
	VIGIL_CONF_FENCE_REBOOT = 2,
};

struct vigil_conf_fence {
	char name[VIGIL_NAME_MAX];
	unsigned int line;
	enum vigil_conf_fence_type type;
	/* VIGIL_CONF_FENCE_AGENT */
	const char *agent;		/* absolute path */
	enum vigil_conf_fence_action action;
	__u32 timeout_ms;		/* off, on, reboot */
	__u32 status_timeout_ms;	/* status, monitor */
	unsigned int n_params;		/* stdin: key=value lines */
	struct vigil_conf_param params[VIGIL_CONF_PARAMS_MAX];
	/* VIGIL_CONF_FENCE_AWS_*: timeout_ms is the whole method's deadline */
	char instance_id[VIGIL_CONF_AWS_ID_MAX];
	unsigned int n_enis;		/* aws-isolate */
	struct vigil_conf_eni enis[VIGIL_CONF_ENIS_MAX];
	__u32 dump_timeout_ms;		/* aws-stop: a dumping node waits */
	bool recover;			/* aws-stop: then re-attach and start */
};

/* [aws]: the account the aws-* fence methods use (Documentation/aws.md). */
struct vigil_conf_aws {
	bool present;
	unsigned int line;
	const char *region;		/* NULL: from IMDS */
	const char *endpoint;		/* NULL: https://ec2.REGION.amazonaws.com */
	const char *credentials_file;	/* NULL: none */
	const char *profile;		/* NULL: default */
	const char *ca_file;		/* NULL: the system's */
	const char *imds_endpoint;	/* NULL: http://169.254.169.254 */
	__u32 call_timeout_ms;		/* 0: 5 s */
};

enum vigil_conf_resource_type {
	VIGIL_CONF_RES_IP = 1,
	VIGIL_CONF_RES_FS,
	VIGIL_CONF_RES_EXEC,
	VIGIL_CONF_RES_OCF,
};

struct vigil_conf_timing {
	__u32 monitor_interval_ms;	/* 0: not monitored */
	__u32 start_timeout_ms;
	__u32 stop_timeout_ms;
	__u32 monitor_timeout_ms;
};

struct vigil_conf_resource {
	char name[VIGIL_NAME_MAX];
	unsigned int line;
	enum vigil_conf_resource_type type;
	unsigned int group;		/* into groups: every resource has one */
	struct vigil_conf_timing timing;	/* the group's, or its own */
	union {
		struct {
			int family;	/* AF_INET or AF_INET6 */
			union {
				struct in_addr in;
				struct in6_addr in6;
			};
			unsigned int prefix;
			char ifname[IFNAMSIZ];
		} ip;
		struct {
			const char *device;
			const char *mountpoint;
			const char *fstype;
			const char *options;	/* NULL: none */
		} fs;
		struct {
			const char *start;	/* command lines */
			const char *stop;
			const char *monitor;	/* NULL: none */
		} exec;
		struct {
			const char *provider;	/* ocf:PROVIDER:AGENT */
			const char *agent;
			/* OCF_RESKEY_<key>=<value> */
			unsigned int n_params;
			struct vigil_conf_param params[VIGIL_CONF_PARAMS_MAX];
		} ocf;
	};
};

struct vigil_conf_group {
	char name[VIGIL_NAME_MAX];
	unsigned int line;
	unsigned int n_resources;	/* started in order, stopped in reverse */
	unsigned int resources[VIGIL_CONF_GROUP_RESOURCES_MAX];
	unsigned int n_nodes;		/* priority order, best first */
	unsigned int nodes[VIGIL_NODES_MAX];	/* into vigil_conf.nodes */
	unsigned int restart_limit;	/* restarts in place within the window */
	__u32 restart_window_ms;
	struct vigil_conf_timing timing;	/* defaults of its resources */
};

struct vigil_conf {
	const char *path;		/* as given to load/parse */
	struct vigil_conf_cluster cluster;
	unsigned int n_links;
	struct vigil_conf_link links[VIGIL_LINKS_MAX];
	unsigned int n_nodes;
	struct vigil_conf_node nodes[VIGIL_NODES_MAX];
	unsigned int n_fences;
	struct vigil_conf_fence fences[VIGIL_CONF_FENCES_MAX];
	struct vigil_conf_aws aws;
	unsigned int n_groups;
	struct vigil_conf_group groups[VIGIL_CONF_GROUPS_MAX];
	unsigned int n_resources;
	struct vigil_conf_resource resources[VIGIL_CONF_RESOURCES_MAX];
	char *pool;			/* the strings above point here */
	size_t pool_size, pool_used;
};

/*
 * What went wrong, one line each, "FILE:LINE: ..." (or "FILE: ..." for
 * the file as a whole), without a newline. n counts every error, kept or
 * not; only the first VIGIL_CONF_ERRORS_MAX are in msg.
 */
struct vigil_conf_errors {
	unsigned int n;
	char msg[VIGIL_CONF_ERRORS_MAX][VIGIL_CONF_ERROR_LEN];
};

static inline unsigned int vigil_conf_errors_kept(const struct vigil_conf_errors *e)
{
	return e->n < VIGIL_CONF_ERRORS_MAX ? e->n : VIGIL_CONF_ERRORS_MAX;
}

enum vigil_conf_flags {
	/*
	 * Do not open the key file: check its path only. For checking a
	 * file on another machine than the one it is for, and for the
	 * fuzzer; never for a configuration that is used.
	 */
	VIGIL_CONF_NO_KEY = 1U << 0,
};

/*
 * Read and check the file at path. 0 and *out set, or -errno and every
 * error found in errs (-EINVAL: the configuration is wrong; -ENOENT etc.:
 * the file could not be read; -ENOMEM). errs may be NULL.
 */
int vigil_conf_load(const char *path, unsigned int flags,
		    struct vigil_conf **out, struct vigil_conf_errors *errs);

/* The same on text[0..len) that came from a file called name. */
int vigil_conf_parse(const char *name, const char *text, size_t len,
		     unsigned int flags, struct vigil_conf **out,
		     struct vigil_conf_errors *errs);

/* Frees conf (NULL is fine) and wipes the key. */
void vigil_conf_free(struct vigil_conf *conf);

/* Lookups by name: an index, or -1. */
int vigil_conf_node_find(const struct vigil_conf *conf, const char *name);
int vigil_conf_link_find(const struct vigil_conf *conf, const char *name);
int vigil_conf_group_find(const struct vigil_conf *conf, const char *name);

/*
 * Whether next differs from cur only in what vigild can apply without a
 * restart: resource and group timings (monitor intervals and the start,
 * stop and monitor timeouts) and restart limits and windows. 0 if so
 * (identical included); else the number of other differences, each
 * described in why (may be NULL) as "FILE:LINE: [SECTION] KEY: ...".
 */
int vigil_conf_live_diff(const struct vigil_conf *cur,
			 const struct vigil_conf *next,
			 struct vigil_conf_errors *why);

/*
 * The request VIGIL_CMD_SET_CONFIG takes for conf on the node at index
 * self: every value explicit, the key included (conf must have been
 * loaded without VIGIL_CONF_NO_KEY: -ENOKEY otherwise).
 */
int vigil_conf_to_kernel(const struct vigil_conf *conf, unsigned int self,
			 struct vigil_config *out);

/*
 * vigild --check-config and vigilctl check-config: load path and print
 * one line on out ("PATH: ok: cluster ..."), or every error on errf.
 * 0 or the -errno of vigil_conf_load().
 */
int vigil_conf_check(const char *path, unsigned int flags, FILE *out,
		     FILE *errf);

/* Names, for messages and status. */
const char *vigil_conf_resource_type_name(enum vigil_conf_resource_type t);

#endif /* _VIGIL_CONF_H */
