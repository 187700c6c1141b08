/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: the configuration of one vigil instance, as VIGIL_CMD_SET_CONFIG
 * takes it (uapi/linux/vigil.h), and the builder of that request.
 *
 * The model carries what the caller asked for and nothing more: values of
 * 0 (or has_* false) mean "leave the attribute out, the kernel's default
 * applies". The kernel validates everything; the builder checks only what
 * it must to stay inside the arrays.
 */
#ifndef _VIGIL_CONFIG_H
#define _VIGIL_CONFIG_H

#include <stdbool.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/types.h>
#include <linux/vigil.h>

#define VIGIL_CONFIG_KEYS_MAX 2
/* One fence rule per cause: VIGIL_CAUSE_QUORUM .. VIGIL_CAUSE_MAX. */
#define VIGIL_CONFIG_FENCE_MAX VIGIL_CAUSE_MAX

struct vigil_config_key {
	__u8 id;
	__u8 secret[VIGIL_KEY_LEN];
	bool primary;			/* VIGIL_KEY_A_PRIMARY */
};

struct vigil_config_link {
	__u8 index;
	char name[VIGIL_NAME_MAX];
	__u8 type;			/* enum vigil_link_type */
	char ifname[IFNAMSIZ];		/* "": left out */
	__u16 ethertype;		/* L2; 0: left out */
	__u16 port;			/* UDP; 0: left out */
	__u8 family;			/* UDP: AF_INET or AF_INET6; 0: left out */
};

/* Where to send to a node on one link: exactly one of the three. */
enum vigil_config_addr_kind {
	VIGIL_ADDR_NONE,
	VIGIL_ADDR_MAC,
	VIGIL_ADDR_IN,
	VIGIL_ADDR_IN6,
};

struct vigil_config_addr {
	__u8 link;			/* a link index */
	enum vigil_config_addr_kind kind;
	union {
		__u8 mac[6];
		struct in_addr in;
		struct in6_addr in6;
	};
	__u16 port;			/* 0: left out */
};

struct vigil_config_node {
	__u16 id;
	char name[VIGIL_NAME_MAX];
	bool has_votes;
	__u32 votes;
	unsigned int n_addrs;
	struct vigil_config_addr addrs[VIGIL_LINKS_MAX];
};

/*
 * A self-fence rule (a VIGIL_A_FENCE element): what to do when cause
 * fires, after delay_ms. In a VIGIL_A_FENCE_PENDING element of the status,
 * delay_ms is the time left.
 */
struct vigil_fence_rule {
	__u8 cause;			/* enum vigil_fence_cause */
	__u8 action;			/* enum vigil_fence_action; in the
					 * status, UNSPEC for the operator
					 * cause (the request names it) */
	__u32 delay_ms;			/* always sent; 0: no delay */
};

struct vigil_config {
	__u32 cluster_id;
	__u16 node_id;
	__u32 timeout_ms;		/* 0: left out */
	__u32 flags;			/* VIGIL_CFG_F_*; 0: left out */
	__u32 witness_votes;		/* 0: left out */
	unsigned int n_keys;
	struct vigil_config_key keys[VIGIL_CONFIG_KEYS_MAX];
	unsigned int n_links;
	struct vigil_config_link links[VIGIL_LINKS_MAX];
	unsigned int n_nodes;
	struct vigil_config_node nodes[VIGIL_NODES_MAX];
	/* Self-fencing. */
	__u32 lease_ms;			/* 0: left out */
	unsigned int n_protect;		/* 0: VIGIL_A_PROTECT left out */
	char protect[VIGIL_PROTECT_MAX][IFNAMSIZ];
	unsigned int n_fence;		/* 0: VIGIL_A_FENCE left out */
	struct vigil_fence_rule fence[VIGIL_CONFIG_FENCE_MAX];
};

struct nl_msg;

/*
 * Append the attributes of VIGIL_CMD_SET_CONFIG for cfg to msg, whose
 * genetlink header is already there. Each element of a nested list is a
 * nest of type 0. -EINVAL if a count exceeds its array, -EMSGSIZE if msg
 * is too small.
 */
int vigil_config_put(struct nl_msg *msg, const struct vigil_config *cfg);

/* An upper bound of the payload vigil_config_put() appends for cfg. */
size_t vigil_config_size(const struct vigil_config *cfg);

#endif /* _VIGIL_CONFIG_H */
