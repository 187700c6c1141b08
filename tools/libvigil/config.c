// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: the VIGIL_CMD_SET_CONFIG request, built exactly as
 * uapi/linux/vigil.h documents it.
 */

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "config.h"

/* Room for one attribute of len bytes, header and padding included. */
#define ATTR_SPACE(len) NLA_ALIGN(NLA_HDRLEN + (len))

static int put_key(struct nl_msg *msg, const struct vigil_config_key *k)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (!nest ||
	    nla_put_u8(msg, VIGIL_KEY_A_ID, k->id) < 0 ||
	    nla_put(msg, VIGIL_KEY_A_SECRET, VIGIL_KEY_LEN, k->secret) < 0 ||
	    (k->primary && nla_put_flag(msg, VIGIL_KEY_A_PRIMARY) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_link(struct nl_msg *msg, const struct vigil_config_link *l)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (!nest ||
	    nla_put_u8(msg, VIGIL_LINK_A_INDEX, l->index) < 0 ||
	    nla_put_string(msg, VIGIL_LINK_A_NAME, l->name) < 0 ||
	    nla_put_u8(msg, VIGIL_LINK_A_TYPE, l->type) < 0 ||
	    (l->ifname[0] &&
	     nla_put_string(msg, VIGIL_LINK_A_IFNAME, l->ifname) < 0) ||
	    (l->ethertype &&
	     nla_put_u16(msg, VIGIL_LINK_A_ETHERTYPE, l->ethertype) < 0) ||
	    (l->port && nla_put_u16(msg, VIGIL_LINK_A_PORT, l->port) < 0) ||
	    (l->family && nla_put_u8(msg, VIGIL_LINK_A_FAMILY, l->family) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_addr(struct nl_msg *msg, const struct vigil_config_addr *a)
{
	struct nlattr *nest = nla_nest_start(msg, 0);
	int ret;

	if (!nest || nla_put_u8(msg, VIGIL_ADDR_A_LINK, a->link) < 0)
		return -EMSGSIZE;
	switch (a->kind) {
	case VIGIL_ADDR_MAC:
		ret = nla_put(msg, VIGIL_ADDR_A_MAC, sizeof(a->mac), a->mac);
		break;
	case VIGIL_ADDR_IN:
		ret = nla_put(msg, VIGIL_ADDR_A_IN, sizeof(a->in), &a->in);
		break;
	case VIGIL_ADDR_IN6:
		ret = nla_put(msg, VIGIL_ADDR_A_IN6, sizeof(a->in6), &a->in6);
		break;
	default:
		ret = 0;
		break;
	}
	if (ret < 0 ||
	    (a->port && nla_put_u16(msg, VIGIL_ADDR_A_PORT, a->port) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_node(struct nl_msg *msg, const struct vigil_config_node *n)
{
	struct nlattr *nest, *addrs;
	unsigned int i;
	int ret;

	if (n->n_addrs > VIGIL_LINKS_MAX)
		return -EINVAL;
	nest = nla_nest_start(msg, 0);
	if (!nest ||
	    nla_put_u16(msg, VIGIL_NODE_A_ID, n->id) < 0 ||
	    nla_put_string(msg, VIGIL_NODE_A_NAME, n->name) < 0 ||
	    (n->has_votes && nla_put_u32(msg, VIGIL_NODE_A_VOTES, n->votes) < 0))
		return -EMSGSIZE;
	if (n->n_addrs) {
		addrs = nla_nest_start(msg, VIGIL_NODE_A_ADDRS);
		if (!addrs)
			return -EMSGSIZE;
		for (i = 0; i < n->n_addrs; i++) {
			ret = put_addr(msg, &n->addrs[i]);
			if (ret)
				return ret;
		}
		nla_nest_end(msg, addrs);
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_fence(struct nl_msg *msg, const struct vigil_fence_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (!nest ||
	    nla_put_u8(msg, VIGIL_FENCE_A_CAUSE, r->cause) < 0 ||
	    nla_put_u8(msg, VIGIL_FENCE_A_ACTION, r->action) < 0 ||
	    nla_put_u32(msg, VIGIL_FENCE_A_DELAY_MS, r->delay_ms) < 0)
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* VIGIL_A_PROTECT and VIGIL_A_FENCE, each only when it has elements. */
static int put_fencing(struct nl_msg *msg, const struct vigil_config *cfg)
{
	struct nlattr *nest;
	unsigned int i;
	int ret;

	if (cfg->lease_ms &&
	    nla_put_u32(msg, VIGIL_A_LEASE_MS, cfg->lease_ms) < 0)
		return -EMSGSIZE;
	if (cfg->n_protect) {
		nest = nla_nest_start(msg, VIGIL_A_PROTECT);
		if (!nest)
			return -EMSGSIZE;
		for (i = 0; i < cfg->n_protect; i++) {
			if (nla_put_string(msg, 0, cfg->protect[i]) < 0)
				return -EMSGSIZE;
		}
		nla_nest_end(msg, nest);
	}
	if (cfg->n_fence) {
		nest = nla_nest_start(msg, VIGIL_A_FENCE);
		if (!nest)
			return -EMSGSIZE;
		for (i = 0; i < cfg->n_fence; i++) {
			ret = put_fence(msg, &cfg->fence[i]);
			if (ret)
				return ret;
		}
		nla_nest_end(msg, nest);
	}
	return 0;
}

int vigil_config_put(struct nl_msg *msg, const struct vigil_config *cfg)
{
	struct nlattr *nest;
	unsigned int i;
	int ret;

	if (cfg->n_keys > VIGIL_CONFIG_KEYS_MAX ||
	    cfg->n_links > VIGIL_LINKS_MAX || cfg->n_nodes > VIGIL_NODES_MAX ||
	    cfg->n_protect > VIGIL_PROTECT_MAX ||
	    cfg->n_fence > VIGIL_CONFIG_FENCE_MAX)
		return -EINVAL;

	if (nla_put_u32(msg, VIGIL_A_CLUSTER_ID, cfg->cluster_id) < 0 ||
	    nla_put_u16(msg, VIGIL_A_NODE_ID, cfg->node_id) < 0 ||
	    (cfg->timeout_ms &&
	     nla_put_u32(msg, VIGIL_A_TIMEOUT_MS, cfg->timeout_ms) < 0) ||
	    (cfg->witness_votes &&
	     nla_put_u32(msg, VIGIL_A_WITNESS_VOTES, cfg->witness_votes) < 0) ||
	    (cfg->flags && nla_put_u32(msg, VIGIL_A_FLAGS, cfg->flags) < 0))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, VIGIL_A_KEYS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_keys; i++) {
		ret = put_key(msg, &cfg->keys[i]);
		if (ret)
			return ret;
	}
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, VIGIL_A_LINKS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_links; i++) {
		ret = put_link(msg, &cfg->links[i]);
		if (ret)
			return ret;
	}
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, VIGIL_A_NODES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_nodes; i++) {
		ret = put_node(msg, &cfg->nodes[i]);
		if (ret)
			return ret;
	}
	nla_nest_end(msg, nest);
	return put_fencing(msg, cfg);
}

size_t vigil_config_size(const struct vigil_config *cfg)
{
	const size_t key = ATTR_SPACE(0) + ATTR_SPACE(1) +
			   ATTR_SPACE(VIGIL_KEY_LEN) + ATTR_SPACE(0);
	const size_t link = ATTR_SPACE(0) + 3 * ATTR_SPACE(1) +
			    ATTR_SPACE(VIGIL_NAME_MAX) + ATTR_SPACE(IFNAMSIZ) +
			    2 * ATTR_SPACE(2);
	const size_t addr = ATTR_SPACE(0) + ATTR_SPACE(1) +
			    ATTR_SPACE(sizeof(struct in6_addr)) + ATTR_SPACE(2);
	const size_t node = ATTR_SPACE(0) + ATTR_SPACE(2) +
			    ATTR_SPACE(VIGIL_NAME_MAX) + ATTR_SPACE(4) +
			    ATTR_SPACE(0) + VIGIL_LINKS_MAX * addr;
	const size_t fence = ATTR_SPACE(0) + 2 * ATTR_SPACE(1) + ATTR_SPACE(4);

	return 6 * ATTR_SPACE(4) + 5 * ATTR_SPACE(0) +
	       VIGIL_CONFIG_KEYS_MAX * key + VIGIL_LINKS_MAX * link +
	       VIGIL_PROTECT_MAX * ATTR_SPACE(IFNAMSIZ) +
	       VIGIL_CONFIG_FENCE_MAX * fence +
	       (size_t)(cfg->n_nodes < VIGIL_NODES_MAX ? cfg->n_nodes :
			VIGIL_NODES_MAX) * node;
}
