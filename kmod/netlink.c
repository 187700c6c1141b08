// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink interface of vigil.ko; the contract is documented in
 * uapi/linux/vigil.h. Requests act on the instance of the requesting
 * socket's network namespace. Doit handlers are serialised by the genl
 * mutex (the family is not parallel_ops), so SET_CONFIG never races
 * itself.
 */

#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/socket.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/vigil.h>

#include "instance.h"
#include "auth.h"
#include "heartbeat.h"
#include "link.h"
#include "netlink.h"
#include "fence.h"

static_assert(sizeof(VIGIL_VERSION) <= VIGIL_VERSION_MAX);

#define NO_ATTRS_MSG "status request takes no attributes"

static struct genl_family vigil_genl_family;

void vigil_nl_err(struct vigil_instance *vi, struct netlink_ext_ack *extack,
		  const struct nlattr *attr, const char *fmt, ...)
{
	va_list ap;

	if (!extack)
		return;
	va_start(ap, fmt);
	vsnprintf(vi->errmsg, sizeof(vi->errmsg), fmt, ap);
	va_end(ap);
	extack->_msg = vi->errmsg;
	extack->bad_attr = attr;
}

/* A required attribute: refuse with @msg and report it missing. */
#define REQUIRE(extack, nest, tb, type, msg) ({				\
	bool __missing = !(tb)[type];					\
									\
	if (__missing) {						\
		NL_SET_ERR_MSG_ATTR(extack, nest, msg);			\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
	}								\
	__missing;							\
})

/*
 * Per-command request policies: what each command accepts is exactly what
 * CTRL_CMD_GETPOLICY advertises, and the core refuses the rest with a
 * message and the offending attribute.
 */
static const struct nla_policy vigil_status_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_VERSION]	= { .type = NLA_REJECT, .reject_message = NO_ATTRS_MSG },
	[VIGIL_A_PROTOCOL]	= { .type = NLA_REJECT, .reject_message = NO_ATTRS_MSG },
};

static const struct nla_policy vigil_peers_policy[VIGIL_A_MAX + 1] = {
};

static const struct nla_policy vigil_key_policy[VIGIL_KEY_A_MAX + 1] = {
	[VIGIL_KEY_A_ID]	= { .type = NLA_U8 },
	[VIGIL_KEY_A_SECRET]	= NLA_POLICY_EXACT_LEN(VIGIL_KEY_LEN),
	[VIGIL_KEY_A_PRIMARY]	= { .type = NLA_FLAG },
};

static const struct nla_policy vigil_link_policy[VIGIL_LINK_A_MAX + 1] = {
	[VIGIL_LINK_A_INDEX]	= NLA_POLICY_MAX(NLA_U8, VIGIL_LINKS_MAX - 1),
	[VIGIL_LINK_A_NAME]	= { .type = NLA_NUL_STRING, .len = VIGIL_NAME_MAX - 1 },
	[VIGIL_LINK_A_TYPE]	= NLA_POLICY_RANGE(NLA_U8, VIGIL_LINK_L2, VIGIL_LINK_UDP),
	[VIGIL_LINK_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VIGIL_LINK_A_ETHERTYPE] = NLA_POLICY_MIN(NLA_U16, ETH_P_802_3_MIN),
	[VIGIL_LINK_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[VIGIL_LINK_A_FAMILY]	= { .type = NLA_U8 },
};

static const struct nla_policy vigil_addr_policy[VIGIL_ADDR_A_MAX + 1] = {
	[VIGIL_ADDR_A_LINK]	= NLA_POLICY_MAX(NLA_U8, VIGIL_LINKS_MAX - 1),
	[VIGIL_ADDR_A_MAC]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[VIGIL_ADDR_A_IN]	= NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VIGIL_ADDR_A_IN6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VIGIL_ADDR_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy vigil_node_policy[VIGIL_NODE_A_MAX + 1] = {
	[VIGIL_NODE_A_ID]	= { .type = NLA_U16 },
	[VIGIL_NODE_A_NAME]	= { .type = NLA_NUL_STRING, .len = VIGIL_NAME_MAX - 1 },
	[VIGIL_NODE_A_VOTES]	= NLA_POLICY_MAX(NLA_U32, VIGIL_VOTES_MAX),
	[VIGIL_NODE_A_ADDRS]	= NLA_POLICY_NESTED_ARRAY(vigil_addr_policy),
};

static struct netlink_range_validation vigil_delay_range = {
	.min = 0,
	.max = VIGIL_TIMEOUT_MAX_MS,
};

static struct netlink_range_validation vigil_daemon_range = {
	.min = 1,
	.max = VIGIL_TIMEOUT_MAX_MS,
};

static const struct nla_policy vigil_fence_policy[VIGIL_FENCE_A_MAX + 1] = {
	[VIGIL_FENCE_A_CAUSE]	= NLA_POLICY_RANGE(NLA_U8, VIGIL_CAUSE_QUORUM,
						   VIGIL_CAUSE_MAX),
	[VIGIL_FENCE_A_ACTION]	= NLA_POLICY_RANGE(NLA_U8, VIGIL_ACTION_NONE,
						   VIGIL_ACTION_MAX),
	[VIGIL_FENCE_A_DELAY_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &vigil_delay_range),
};

static const struct nla_policy vigil_config_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_CLUSTER_ID]	= { .type = NLA_U32 },
	[VIGIL_A_NODE_ID]	= { .type = NLA_U16 },
	[VIGIL_A_TIMEOUT_MS]	= { .type = NLA_U32 },
	[VIGIL_A_WITNESS_VOTES]	= NLA_POLICY_MAX(NLA_U32, VIGIL_VOTES_MAX),
	[VIGIL_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __VIGIL_CFG_F_ALL),
	[VIGIL_A_KEYS]		= NLA_POLICY_NESTED_ARRAY(vigil_key_policy),
	[VIGIL_A_LINKS]		= NLA_POLICY_NESTED_ARRAY(vigil_link_policy),
	[VIGIL_A_NODES]		= NLA_POLICY_NESTED_ARRAY(vigil_node_policy),
	[VIGIL_A_LEASE_MS]	= { .type = NLA_U32 },
	[VIGIL_A_PROTECT]	= { .type = NLA_NESTED },
	[VIGIL_A_FENCE]		= NLA_POLICY_NESTED_ARRAY(vigil_fence_policy),
};

static const struct nla_policy vigil_payload_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_PAYLOAD]	= { .type = NLA_BINARY, .len = VIGIL_PAYLOAD_MAX },
};

static struct netlink_range_validation vigil_witness_range = {
	.min = 0,
	.max = VIGIL_TIMEOUT_MAX_MS,
};

static const struct nla_policy vigil_witness_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_WITNESS_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vigil_witness_range),
};

static const struct nla_policy vigil_fence_cmd_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_FENCE_ACTION]	= NLA_POLICY_RANGE(NLA_U8, VIGIL_ACTION_NONE,
						   VIGIL_ACTION_MAX),
};

static const struct nla_policy vigil_daemon_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_DAEMON_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							    &vigil_daemon_range),
};

/* Commands without attributes. */
static const struct nla_policy vigil_empty_policy[VIGIL_A_MAX + 1] = {
};

/* --- replies -------------------------------------------------------------- */

static u32 ms_since(s64 now_ns, s64 then_ns)
{
	u64 ms = now_ns > then_ns ? div_u64(now_ns - then_ns, NSEC_PER_MSEC) : 0;

	return min_t(u64, ms, U32_MAX);
}

static int put_counters(struct sk_buff *msg, const u64 *cnt)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, VIGIL_LINK_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = VIGIL_CNT_UNSPEC + 1; i <= VIGIL_CNT_MAX; i++) {
		if (nla_put_u64_64bit(msg, i, cnt[i], VIGIL_CNT_UNSPEC))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_local_link(struct sk_buff *msg, struct vigil_link *link)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, 0);
	if (!nest ||
	    nla_put_u8(msg, VIGIL_LINK_A_INDEX, link->index) ||
	    nla_put_string(msg, VIGIL_LINK_A_NAME, link->name) ||
	    nla_put_u8(msg, VIGIL_LINK_A_TYPE, link->type) ||
	    (link->ifname[0] &&
	     nla_put_string(msg, VIGIL_LINK_A_IFNAME, link->ifname)) ||
	    nla_put_u32(msg, VIGIL_LINK_A_IFINDEX, link->ifindex) ||
	    nla_put_u8(msg, VIGIL_LINK_A_UP, vigil_link_is_up(link)))
		return -EMSGSIZE;
	if (link->type == VIGIL_LINK_L2) {
		if (nla_put_u16(msg, VIGIL_LINK_A_ETHERTYPE, link->ethertype))
			return -EMSGSIZE;
	} else if (nla_put_u16(msg, VIGIL_LINK_A_PORT, link->port) ||
		   nla_put_u8(msg, VIGIL_LINK_A_FAMILY, link->family)) {
		return -EMSGSIZE;
	}
	if (put_counters(msg, link->cnt))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static u32 ms_until(s64 now_ns, s64 then_ns)
{
	return ms_since(then_ns, now_ns);
}

static int put_fence_policy(struct sk_buff *msg, u8 cause, u8 action,
			    u32 delay_ms)
{
	struct nlattr *nest = nla_nest_start(msg, 0);

	if (!nest ||
	    nla_put_u8(msg, VIGIL_FENCE_A_CAUSE, cause) ||
	    (action && nla_put_u8(msg, VIGIL_FENCE_A_ACTION, action)) ||
	    nla_put_u32(msg, VIGIL_FENCE_A_DELAY_MS, delay_ms))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_fence_status(struct sk_buff *msg, struct vigil_instance *vi,
			    struct vigil_config *cfg, s64 now)
{
	struct nlattr *nest;
	u32 lease_left = 0;
	unsigned int i;
	u8 cause;

	if (vi->lease_until_ns == VIGIL_LEASE_FOREVER)
		lease_left = U32_MAX;
	else if (now < vi->lease_until_ns)
		lease_left = min_t(u32, ms_until(now, vi->lease_until_ns),
				   U32_MAX - 1);
	if (nla_put_u32(msg, VIGIL_A_LEASE_MS, cfg->lease_ms) ||
	    nla_put_u32(msg, VIGIL_A_LEASE_LEFT_MS, lease_left) ||
	    nla_put_u64_64bit(msg, VIGIL_A_LEASE_END_NS,
			      vi->lease_until_ns == VIGIL_LEASE_FOREVER ?
			      U64_MAX : (u64)max_t(s64, vi->lease_until_ns, 0),
			      VIGIL_A_UNSPEC) ||
	    nla_put_u8(msg, VIGIL_A_GATE, vigil_gate_state(vi, cfg, now)) ||
	    nla_put_u64_64bit(msg, VIGIL_A_GATE_DROPPED,
			      atomic64_read(&vi->gate_dropped), VIGIL_A_UNSPEC) ||
	    (vi->latched && nla_put_u8(msg, VIGIL_A_FENCED, vi->latched)) ||
	    nla_put_u32(msg, VIGIL_A_DAEMON_TIMEOUT_MS, vi->daemon_timeout_ms) ||
	    (vi->daemon_timeout_ms &&
	     nla_put_u32(msg, VIGIL_A_DAEMON_LEFT_MS,
			 ms_until(now, vi->daemon_deadline_ns))))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, VIGIL_A_PROTECT);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->nprotect; i++) {
		if (nla_put_string(msg, 0, cfg->protect[i]))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, VIGIL_A_FENCE);
	if (!nest)
		return -EMSGSIZE;
	for (cause = VIGIL_CAUSE_QUORUM; cause <= VIGIL_CAUSE_MAX; cause++) {
		const struct vigil_fence_policy *f = &cfg->fence[cause];

		if (put_fence_policy(msg, cause,
				     cause == VIGIL_CAUSE_OPERATOR ? 0 : f->action,
				     f->delay_ms))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, VIGIL_A_FENCE_PENDING);
	if (!nest)
		return -EMSGSIZE;
	for (cause = VIGIL_CAUSE_QUORUM; cause <= VIGIL_CAUSE_MAX; cause++) {
		if (vi->pending[cause].armed &&
		    put_fence_policy(msg, cause, vi->pending[cause].action,
				     ms_until(now, vi->pending[cause].deadline_ns)))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_status(struct sk_buff *msg, struct vigil_instance *vi)
{
	struct vigil_config *cfg = vigil_cfg_locked(vi);
	s64 now = ktime_get_boottime_ns();
	struct nlattr *links;
	u32 witness_ms = 0;
	unsigned int li;

	if (nla_put_string(msg, VIGIL_A_VERSION, VIGIL_VERSION) ||
	    nla_put_u32(msg, VIGIL_A_PROTOCOL, VIGIL_PROTOCOL_VERSION) ||
	    nla_put_u8(msg, VIGIL_A_CONFIGURED, !!cfg))
		return -EMSGSIZE;
	if (!cfg)
		return 0;
	if (cfg->witness_votes && vi->witness_until_ns > now)
		witness_ms = DIV_ROUND_UP_ULL(vi->witness_until_ns - now,
					      NSEC_PER_MSEC);
	if (nla_put_u32(msg, VIGIL_A_CLUSTER_ID, cfg->cluster_id) ||
	    nla_put_u16(msg, VIGIL_A_NODE_ID, cfg->self_id) ||
	    nla_put_string(msg, VIGIL_A_NODE_NAME,
			   cfg->nodes[cfg->self_idx].name) ||
	    nla_put_u64_64bit(msg, VIGIL_A_INCARNATION, vi->incarnation,
			      VIGIL_A_UNSPEC) ||
	    nla_put_u32(msg, VIGIL_A_TIMEOUT_MS, cfg->timeout_ms) ||
	    nla_put_u32(msg, VIGIL_A_INTERVAL_MS, cfg->interval_ms) ||
	    nla_put_u8(msg, VIGIL_A_QUORATE, vi->quorate) ||
	    nla_put_u64_64bit(msg, VIGIL_A_GENERATION, vi->generation,
			      VIGIL_A_UNSPEC) ||
	    nla_put_u32(msg, VIGIL_A_VOTES, vi->votes) ||
	    nla_put_u32(msg, VIGIL_A_EXPECTED_VOTES, cfg->quorum.expected) ||
	    nla_put_u32(msg, VIGIL_A_QUORUM_VOTES, cfg->quorum.needed) ||
	    nla_put_u32(msg, VIGIL_A_WITNESS_VOTES, cfg->witness_votes) ||
	    nla_put_u32(msg, VIGIL_A_WITNESS_MS, witness_ms) ||
	    nla_put_u32(msg, VIGIL_A_FLAGS, cfg->flags) ||
	    put_fence_status(msg, vi, cfg, now))
		return -EMSGSIZE;
	links = nla_nest_start(msg, VIGIL_A_LINKS);
	if (!links)
		return -EMSGSIZE;
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		if (cfg->links[li] && put_local_link(msg, cfg->links[li]))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, links);
	return 0;
}

static int vigil_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vigil_genl_family, 0,
				VIGIL_CMD_GET_STATUS);
	if (!hdr)
		goto err_free;

	spin_lock_bh(&vi->lock);
	ret = put_status(msg, vi);
	spin_unlock_bh(&vi->lock);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int put_peer_link(struct sk_buff *msg, const struct vigil_link *link,
			 const struct vigil_peer_link *pl, s64 now)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, 0);
	if (!nest ||
	    nla_put_u8(msg, VIGIL_LINK_A_INDEX, link->index) ||
	    nla_put_string(msg, VIGIL_LINK_A_NAME, link->name) ||
	    nla_put_u8(msg, VIGIL_LINK_A_UP, pl->up) ||
	    (pl->last_rx_ns &&
	     nla_put_u32(msg, VIGIL_LINK_A_LAST_SEEN_MS,
			 ms_since(now, pl->last_rx_ns))) ||
	    (pl->srtt_us &&
	     nla_put_u32(msg, VIGIL_LINK_A_RTT_US, pl->srtt_us)) ||
	    put_counters(msg, pl->cnt))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_peer(struct sk_buff *msg, struct vigil_config *cfg,
		    const struct vigil_node *n, s64 now)
{
	const struct vigil_peer *p = &n->peer;
	struct nlattr *nest, *links;
	unsigned int li;

	nest = nla_nest_start(msg, VIGIL_A_PEER);
	if (!nest ||
	    nla_put_u16(msg, VIGIL_PEER_A_ID, n->id) ||
	    nla_put_string(msg, VIGIL_PEER_A_NAME, n->name) ||
	    nla_put_u32(msg, VIGIL_PEER_A_VOTES, n->votes) ||
	    nla_put_u8(msg, VIGIL_PEER_A_STATE, p->state) ||
	    nla_put_u64_64bit(msg, VIGIL_PEER_A_INCARNATION, p->incarnation,
			      VIGIL_PEER_A_UNSPEC) ||
	    (p->last_rx_ns &&
	     nla_put_u32(msg, VIGIL_PEER_A_LAST_SEEN_MS,
			 ms_since(now, p->last_rx_ns))) ||
	    nla_put_u8(msg, VIGIL_PEER_A_QUORATE,
		       !!(p->flags & VIGIL_HB_F_QUORATE)) ||
	    nla_put_u64_64bit(msg, VIGIL_PEER_A_GENERATION, p->generation,
			      VIGIL_PEER_A_UNSPEC) ||
	    nla_put(msg, VIGIL_PEER_A_MEMBERS, VIGIL_MEMBERS_BYTES, p->members) ||
	    nla_put(msg, VIGIL_PEER_A_PAYLOAD, p->payload_len, p->payload) ||
	    ((p->state == VIGIL_PEER_SELF_FENCED ||
	      p->state == VIGIL_PEER_DUMPING) &&
	     nla_put_u8(msg, VIGIL_PEER_A_FENCE_CAUSE, p->fence_cause)))
		return -EMSGSIZE;
	links = nla_nest_start(msg, VIGIL_PEER_A_LINKS);
	if (!links)
		return -EMSGSIZE;
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		if (cfg->links[li] &&
		    put_peer_link(msg, cfg->links[li], &p->links[li], now))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, links);
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * cb->args[0]: the next node index; args[1]: the generation at the start
 * of the dump; args[2]: 1 once args[1] is set.
 */
static int vigil_get_peers(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vigil_instance *vi = vigil_instance_get(sock_net(skb->sk));
	unsigned long idx = cb->args[0];
	struct vigil_config *cfg;
	s64 now;

	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg)
		goto out;
	if (!cb->args[2]) {
		cb->args[1] = vi->generation;
		cb->args[2] = 1;
	}
	now = ktime_get_boottime_ns();
	for (; idx < cfg->nnodes; idx++) {
		void *hdr;

		if (idx == cfg->self_idx)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vigil_genl_family,
				  NLM_F_MULTI, VIGIL_CMD_GET_PEERS);
		if (!hdr)
			break;
		if (nla_put_u64_64bit(skb, VIGIL_A_GENERATION, cb->args[1],
				      VIGIL_A_UNSPEC) ||
		    put_peer(skb, cfg, &cfg->nodes[idx], now)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = idx;
out:
	spin_unlock_bh(&vi->lock);
	return skb->len;
}

/* --- SET_CONFIG ----------------------------------------------------------- */

static int parse_keys(struct vigil_instance *vi, struct vigil_config *cfg,
		      const struct nlattr *keys, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIGIL_KEY_A_MAX + 1];
	const struct nlattr *e;
	unsigned int i, primaries = 0;
	int rem, ret;

	nla_for_each_nested(e, keys, rem) {
		struct vigil_key *k = &cfg->keys[cfg->nkeys];

		if (cfg->nkeys == ARRAY_SIZE(cfg->keys)) {
			NL_SET_ERR_MSG_ATTR(extack, e, "at most 2 keys");
			return -EINVAL;
		}
		ret = nla_parse_nested(tb, VIGIL_KEY_A_MAX, e, vigil_key_policy,
				       extack);
		if (ret)
			return ret;
		if (REQUIRE(extack, e, tb, VIGIL_KEY_A_ID, "key id missing") ||
		    REQUIRE(extack, e, tb, VIGIL_KEY_A_SECRET,
			    "key secret missing"))
			return -EINVAL;
		k->id = nla_get_u8(tb[VIGIL_KEY_A_ID]);
		for (i = 0; i < cfg->nkeys; i++) {
			if (cfg->keys[i].id == k->id) {
				NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_KEY_A_ID],
						    "duplicate key id");
				return -EINVAL;
			}
		}
		nla_memcpy(k->secret, tb[VIGIL_KEY_A_SECRET], VIGIL_KEY_LEN);
		k->primary = nla_get_flag(tb[VIGIL_KEY_A_PRIMARY]);
		primaries += k->primary;
		cfg->nkeys++;
	}
	if (!cfg->nkeys) {
		NL_SET_ERR_MSG_ATTR(extack, keys, "at least one key is needed");
		return -EINVAL;
	}
	if (cfg->nkeys == 1) {
		cfg->keys[0].primary = true;
	} else if (primaries != 1) {
		NL_SET_ERR_MSG_ATTR(extack, keys,
				    "exactly one of two keys must be primary");
		return -EINVAL;
	}
	for (i = 0; i < cfg->nkeys; i++) {
		if (cfg->keys[i].primary)
			cfg->primary = &cfg->keys[i];
		ret = vigil_key_setup(&cfg->keys[i]);
		if (ret) {
			vigil_nl_err(vi, extack, keys,
				     "cannot set up hmac(sha256): error %d", ret);
			return ret;
		}
	}
	return 0;
}

static int parse_link(struct vigil_instance *vi, struct vigil_config *cfg,
		      const struct nlattr *e, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIGIL_LINK_A_MAX + 1];
	struct vigil_link *link;
	unsigned int i;
	u8 index;
	int ret;

	ret = nla_parse_nested(tb, VIGIL_LINK_A_MAX, e, vigil_link_policy,
			       extack);
	if (ret)
		return ret;
	if (REQUIRE(extack, e, tb, VIGIL_LINK_A_INDEX, "link index missing") ||
	    REQUIRE(extack, e, tb, VIGIL_LINK_A_NAME, "link name missing") ||
	    REQUIRE(extack, e, tb, VIGIL_LINK_A_TYPE, "link type missing"))
		return -EINVAL;
	index = nla_get_u8(tb[VIGIL_LINK_A_INDEX]);
	if (cfg->links[index]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_LINK_A_INDEX],
				    "duplicate link index");
		return -EINVAL;
	}
	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;
	cfg->links[index] = link;
	cfg->nlinks++;
	link->vi = vi;
	link->index = index;
	link->type = nla_get_u8(tb[VIGIL_LINK_A_TYPE]);
	nla_strscpy(link->name, tb[VIGIL_LINK_A_NAME], sizeof(link->name));
	if (tb[VIGIL_LINK_A_IFNAME]) {
		nla_strscpy(link->ifname, tb[VIGIL_LINK_A_IFNAME],
			    sizeof(link->ifname));
		link->ifname_attr = tb[VIGIL_LINK_A_IFNAME];
	}

	if (link->type == VIGIL_LINK_L2) {
		if (!link->ifname[0]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "L2 link needs an interface name");
			NL_SET_ERR_ATTR_MISS(extack, e, VIGIL_LINK_A_IFNAME);
			return -EINVAL;
		}
		if (tb[VIGIL_LINK_A_PORT] || tb[VIGIL_LINK_A_FAMILY]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_LINK_A_PORT] ?:
					    tb[VIGIL_LINK_A_FAMILY],
					    "port and family are for UDP links only");
			return -EINVAL;
		}
		link->ethertype = tb[VIGIL_LINK_A_ETHERTYPE] ?
				  nla_get_u16(tb[VIGIL_LINK_A_ETHERTYPE]) :
				  VIGIL_ETHERTYPE_DEFAULT;
	} else {
		if (tb[VIGIL_LINK_A_ETHERTYPE]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_LINK_A_ETHERTYPE],
					    "ethertype is for L2 links only");
			return -EINVAL;
		}
		if (REQUIRE(extack, e, tb, VIGIL_LINK_A_FAMILY,
			    "UDP link needs a family"))
			return -EINVAL;
		link->family = nla_get_u8(tb[VIGIL_LINK_A_FAMILY]);
		if (link->family != AF_INET && link->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_LINK_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		link->port = tb[VIGIL_LINK_A_PORT] ?
			     nla_get_u16(tb[VIGIL_LINK_A_PORT]) :
			     VIGIL_UDP_PORT_DEFAULT;
	}

	/* UDP sockets bind the wildcard address; L2 handlers the interface. */
	for (i = 0; i < VIGIL_LINKS_MAX; i++) {
		struct vigil_link *o = cfg->links[i];

		if (!o || o == link || o->type != link->type)
			continue;
		if (link->type == VIGIL_LINK_UDP && o->family == link->family &&
		    o->port == link->port) {
			vigil_nl_err(vi, extack, e,
				     "UDP links %u and %u use the same port %u",
				     o->index, index, link->port);
			return -EINVAL;
		}
		if (link->type == VIGIL_LINK_L2 &&
		    o->ethertype == link->ethertype &&
		    !strcmp(o->ifname, link->ifname)) {
			vigil_nl_err(vi, extack, e,
				     "L2 links %u and %u use the same interface and EtherType",
				     o->index, index);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_addr(struct vigil_instance *vi, struct vigil_config *cfg,
		      struct vigil_node *n, const struct nlattr *e,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIGIL_ADDR_A_MAX + 1];
	struct vigil_link *link;
	struct vigil_addr *a;
	u8 li;
	int ret;

	ret = nla_parse_nested(tb, VIGIL_ADDR_A_MAX, e, vigil_addr_policy,
			       extack);
	if (ret)
		return ret;
	if (REQUIRE(extack, e, tb, VIGIL_ADDR_A_LINK, "address without a link"))
		return -EINVAL;
	li = nla_get_u8(tb[VIGIL_ADDR_A_LINK]);
	link = cfg->links[li];
	if (!link) {
		vigil_nl_err(vi, extack, tb[VIGIL_ADDR_A_LINK],
			     "address of node %u for link %u, which is not configured",
			     n->id, li);
		return -EINVAL;
	}
	a = &n->addr[li];
	if (a->set) {
		vigil_nl_err(vi, extack, e,
			     "node %u has two addresses on link %u", n->id, li);
		return -EINVAL;
	}
	if (link->type == VIGIL_LINK_L2) {
		if (tb[VIGIL_ADDR_A_IN] || tb[VIGIL_ADDR_A_IN6] ||
		    tb[VIGIL_ADDR_A_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "an address on an L2 link is a MAC only");
			return -EINVAL;
		}
		if (REQUIRE(extack, e, tb, VIGIL_ADDR_A_MAC,
			    "an address on an L2 link needs a MAC"))
			return -EINVAL;
		nla_memcpy(a->mac, tb[VIGIL_ADDR_A_MAC], ETH_ALEN);
		if (!is_valid_ether_addr(a->mac) && !is_multicast_ether_addr(a->mac)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_ADDR_A_MAC],
					    "MAC address is all zeroes");
			return -EINVAL;
		}
	} else {
		int want = link->family == AF_INET ? VIGIL_ADDR_A_IN :
						     VIGIL_ADDR_A_IN6;

		if (tb[VIGIL_ADDR_A_MAC] ||
		    tb[want == VIGIL_ADDR_A_IN ? VIGIL_ADDR_A_IN6 :
					      VIGIL_ADDR_A_IN]) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "address does not match the link's family");
			return -EINVAL;
		}
		if (REQUIRE(extack, e, tb, want,
			    "an address on a UDP link needs an IP address"))
			return -EINVAL;
		if (want == VIGIL_ADDR_A_IN) {
			a->in = nla_get_in_addr(tb[want]);
		} else {
			a->in6 = nla_get_in6_addr(tb[want]);
			if ((ipv6_addr_type(&a->in6) & IPV6_ADDR_LINKLOCAL) &&
			    !link->ifname[0]) {
				vigil_nl_err(vi, extack, tb[want],
					     "IPv6 link-local address needs link %u to name its interface",
					     li);
				return -EINVAL;
			}
		}
		a->port = tb[VIGIL_ADDR_A_PORT] ?
			  nla_get_u16(tb[VIGIL_ADDR_A_PORT]) :
			  VIGIL_UDP_PORT_DEFAULT;
	}
	a->set = true;
	return 0;
}

static int parse_node(struct vigil_instance *vi, struct vigil_config *cfg,
		      const struct nlattr *e, struct netlink_ext_ack *extack)
{
	struct vigil_node *n = &cfg->nodes[cfg->nnodes];
	struct nlattr *tb[VIGIL_NODE_A_MAX + 1];
	const struct nlattr *a;
	unsigned int i;
	int rem, ret;

	ret = nla_parse_nested(tb, VIGIL_NODE_A_MAX, e, vigil_node_policy,
			       extack);
	if (ret)
		return ret;
	if (REQUIRE(extack, e, tb, VIGIL_NODE_A_ID, "node id missing") ||
	    REQUIRE(extack, e, tb, VIGIL_NODE_A_NAME, "node name missing"))
		return -EINVAL;
	n->id = nla_get_u16(tb[VIGIL_NODE_A_ID]);
	if (!n->id || n->id > VIGIL_NODES_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_NODE_A_ID],
				    "node id must be 1..256");
		return -EINVAL;
	}
	if (cfg->node_idx[n->id]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_NODE_A_ID],
				    "duplicate node id");
		return -EINVAL;
	}
	nla_strscpy(n->name, tb[VIGIL_NODE_A_NAME], sizeof(n->name));
	if (!n->name[0]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_NODE_A_NAME],
				    "node name is empty");
		return -EINVAL;
	}
	for (i = 0; i < cfg->nnodes; i++) {
		if (!strcmp(cfg->nodes[i].name, n->name)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VIGIL_NODE_A_NAME],
					    "duplicate node name");
			return -EINVAL;
		}
	}
	n->votes = tb[VIGIL_NODE_A_VOTES] ?
		   nla_get_u32(tb[VIGIL_NODE_A_VOTES]) : 1;
	if (tb[VIGIL_NODE_A_ADDRS]) {
		nla_for_each_nested(a, tb[VIGIL_NODE_A_ADDRS], rem) {
			ret = parse_addr(vi, cfg, n, a, extack);
			if (ret)
				return ret;
		}
	}
	if (n->id != cfg->self_id) {
		for (i = 0; i < VIGIL_LINKS_MAX; i++) {
			struct vigil_link *link = cfg->links[i];

			if (link && link->type == VIGIL_LINK_UDP &&
			    !n->addr[i].set) {
				vigil_nl_err(vi, extack, e,
					     "UDP link %u needs an address for every other node (node %u has none)",
					     i, n->id);
				return -EINVAL;
			}
		}
	} else {
		memset(n->addr, 0, sizeof(n->addr));
		cfg->self_idx = cfg->nnodes;
	}
	vigil_peer_init(&n->peer, n->id, n->votes);
	vigil_members_set(cfg->node_bits, n->id);
	cfg->node_idx[n->id] = ++cfg->nnodes;
	return 0;
}

static const char *const cause_keys[] = {
	[VIGIL_CAUSE_QUORUM]	= "quorum",
	[VIGIL_CAUSE_DAEMON]	= "daemon",
	[VIGIL_CAUSE_OPERATOR]	= "operator",
};

static int parse_protect(struct vigil_instance *vi, struct vigil_config *cfg,
			 const struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int i;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		const char *name = nla_data(a);
		int len = nla_len(a);

		if (cfg->nprotect == VIGIL_PROTECT_MAX) {
			vigil_nl_err(vi, extack, a,
				     "more than %u protected interfaces",
				     VIGIL_PROTECT_MAX);
			return -EINVAL;
		}
		if (len < 2 || len > IFNAMSIZ || strnlen(name, len) != len - 1) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "protected interface: not an interface name (1-15 characters and a NUL)");
			return -EINVAL;
		}
		for (i = 0; i < cfg->nprotect; i++) {
			if (!strcmp(cfg->protect[i], name)) {
				vigil_nl_err(vi, extack, a,
					     "interface '%s' is protected twice",
					     name);
				return -EINVAL;
			}
		}
		strscpy(cfg->protect[cfg->nprotect], name, IFNAMSIZ);
		cfg->protect_attr[cfg->nprotect] = a;
		cfg->nprotect++;
	}
	return 0;
}

static int parse_fence(struct vigil_instance *vi, struct vigil_config *cfg,
		       const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIGIL_FENCE_A_MAX + 1];
	const struct nlattr *e;
	unsigned long seen = 0;
	int rem, ret;

	nla_for_each_nested(e, nest, rem) {
		struct vigil_fence_policy *f;
		u8 cause;

		ret = nla_parse_nested(tb, VIGIL_FENCE_A_MAX, e,
				       vigil_fence_policy, extack);
		if (ret)
			return ret;
		if (REQUIRE(extack, e, tb, VIGIL_FENCE_A_CAUSE,
			    "fence policy without a cause"))
			return -EINVAL;
		cause = nla_get_u8(tb[VIGIL_FENCE_A_CAUSE]);
		if (cause != VIGIL_CAUSE_OPERATOR &&
		    REQUIRE(extack, e, tb, VIGIL_FENCE_A_ACTION,
			    "fence policy without an action"))
			return -EINVAL;
		if (seen & BIT(cause)) {
			vigil_nl_err(vi, extack, tb[VIGIL_FENCE_A_CAUSE],
				     "fence policy for cause %s given twice",
				     cause_keys[cause]);
			return -EINVAL;
		}
		seen |= BIT(cause);
		f = &cfg->fence[cause];
		if (tb[VIGIL_FENCE_A_ACTION] && cause != VIGIL_CAUSE_OPERATOR)
			f->action = nla_get_u8(tb[VIGIL_FENCE_A_ACTION]);
		if (tb[VIGIL_FENCE_A_DELAY_MS])
			f->delay_ms = nla_get_u32(tb[VIGIL_FENCE_A_DELAY_MS]);
		if (f->action == VIGIL_ACTION_FREEZE && !cfg->nprotect) {
			vigil_nl_err(vi, extack, tb[VIGIL_FENCE_A_ACTION],
				     "action freeze for cause %s needs a protected interface",
				     cause_keys[cause]);
			return -EINVAL;
		}
	}
	return 0;
}

static struct vigil_config *parse_config(struct vigil_instance *vi,
					 struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct vigil_config *cfg;
	const struct nlattr *e;
	unsigned int count = 0;
	const char *why;
	u64 votes = 0;
	unsigned int i;
	int rem, ret;

	if (REQUIRE(extack, NULL, attrs, VIGIL_A_CLUSTER_ID,
		    "cluster id missing") ||
	    REQUIRE(extack, NULL, attrs, VIGIL_A_NODE_ID, "node id missing") ||
	    REQUIRE(extack, NULL, attrs, VIGIL_A_KEYS, "keys missing") ||
	    REQUIRE(extack, NULL, attrs, VIGIL_A_LINKS, "links missing") ||
	    REQUIRE(extack, NULL, attrs, VIGIL_A_NODES, "nodes missing"))
		return ERR_PTR(-EINVAL);
	if (!nla_get_u32(attrs[VIGIL_A_CLUSTER_ID])) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VIGIL_A_CLUSTER_ID],
				    "cluster id must not be 0");
		return ERR_PTR(-EINVAL);
	}
	nla_for_each_nested(e, attrs[VIGIL_A_NODES], rem)
		count++;
	if (!count || count > VIGIL_NODES_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VIGIL_A_NODES],
				    "1..256 nodes are needed");
		return ERR_PTR(-EINVAL);
	}

	cfg = kvzalloc(struct_size(cfg, nodes, count), GFP_KERNEL);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	cfg->cluster_id = nla_get_u32(attrs[VIGIL_A_CLUSTER_ID]);
	cfg->self_id = nla_get_u16(attrs[VIGIL_A_NODE_ID]);
	cfg->timeout_ms = attrs[VIGIL_A_TIMEOUT_MS] ?
			  nla_get_u32(attrs[VIGIL_A_TIMEOUT_MS]) :
			  VIGIL_TIMEOUT_DEFAULT_MS;
	cfg->witness_votes = attrs[VIGIL_A_WITNESS_VOTES] ?
			     nla_get_u32(attrs[VIGIL_A_WITNESS_VOTES]) : 0;
	cfg->flags = attrs[VIGIL_A_FLAGS] ?
		     nla_get_u32(attrs[VIGIL_A_FLAGS]) : 0;

	ret = vigil_timing(cfg->timeout_ms, &cfg->interval_ms, &why);
	if (ret) {
		vigil_nl_err(vi, extack, attrs[VIGIL_A_TIMEOUT_MS], "%s", why);
		goto err;
	}
	cfg->lease_ms = attrs[VIGIL_A_LEASE_MS] ?
			nla_get_u32(attrs[VIGIL_A_LEASE_MS]) :
			vigil_lease_default(cfg->timeout_ms);
	ret = vigil_lease_check(cfg->timeout_ms, cfg->interval_ms,
				cfg->lease_ms, &why);
	if (ret) {
		vigil_nl_err(vi, extack, attrs[VIGIL_A_LEASE_MS],
			     "lease_ms %u is %s (allowed: %u..%u with timeout_ms %u)",
			     cfg->lease_ms, why,
			     VIGIL_LEASE_MIN_INTERVALS * cfg->interval_ms,
			     vigil_lease_max(cfg->timeout_ms), cfg->timeout_ms);
		goto err;
	}
	for (i = VIGIL_CAUSE_QUORUM; i <= VIGIL_CAUSE_MAX; i++)
		cfg->fence[i].action = VIGIL_ACTION_NONE;
	if (attrs[VIGIL_A_PROTECT]) {
		ret = parse_protect(vi, cfg, attrs[VIGIL_A_PROTECT], extack);
		if (ret)
			goto err;
	}
	if (attrs[VIGIL_A_FENCE]) {
		ret = parse_fence(vi, cfg, attrs[VIGIL_A_FENCE], extack);
		if (ret)
			goto err;
	}

	nla_for_each_nested(e, attrs[VIGIL_A_LINKS], rem) {
		ret = parse_link(vi, cfg, e, extack);
		if (ret)
			goto err;
	}
	if (!cfg->nlinks) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VIGIL_A_LINKS],
				    "at least one link is needed");
		ret = -EINVAL;
		goto err;
	}

	nla_for_each_nested(e, attrs[VIGIL_A_NODES], rem) {
		ret = parse_node(vi, cfg, e, extack);
		if (ret)
			goto err;
		votes += cfg->nodes[cfg->nnodes - 1].votes;
	}
	if (!vigil_node_find(cfg, cfg->self_id)) {
		vigil_nl_err(vi, extack, attrs[VIGIL_A_NODE_ID],
			     "node id %u is not among the nodes", cfg->self_id);
		ret = -EINVAL;
		goto err;
	}
	ret = vigil_quorum_init(&cfg->quorum, votes, cfg->witness_votes,
				cfg->flags, &why);
	if (ret) {
		vigil_nl_err(vi, extack, attrs[VIGIL_A_NODES], "%s", why);
		goto err;
	}

	ret = parse_keys(vi, cfg, attrs[VIGIL_A_KEYS], extack);
	if (ret)
		goto err;

	for (i = 0; i < VIGIL_LINKS_MAX; i++) {
		if (cfg->links[i])
			cfg->frames += cfg->nnodes - 1;
	}
	return cfg;

err:
	vigil_config_free(cfg);
	return ERR_PTR(ret);
}

static int vigil_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	struct vigil_config *cfg;
	int ret;

	cfg = parse_config(vi, info);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);
	ret = vigil_config_apply(vi, cfg, info->extack);
	if (ret)
		vigil_config_free(cfg);
	return ret;
}

static int vigil_set_payload(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	const struct nlattr *a = info->attrs[VIGIL_A_PAYLOAD];

	if (REQUIRE(info->extack, NULL, info->attrs, VIGIL_A_PAYLOAD,
		    "payload missing"))
		return -EINVAL;
	spin_lock_bh(&vi->lock);
	vi->payload_len = nla_len(a);
	memcpy(vi->payload, nla_data(a), vi->payload_len);
	spin_unlock_bh(&vi->lock);
	return 0;
}

static int vigil_set_witness(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	struct vigil_config *cfg;
	struct sk_buff_head evq;
	s64 now;
	u32 ms;

	if (REQUIRE(info->extack, NULL, info->attrs, VIGIL_A_WITNESS_MS,
		    "witness lease duration missing"))
		return -EINVAL;
	ms = nla_get_u32(info->attrs[VIGIL_A_WITNESS_MS]);
	__skb_queue_head_init(&evq);

	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg || !cfg->witness_votes) {
		spin_unlock_bh(&vi->lock);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VIGIL_A_WITNESS_MS],
				    "the configuration has no witness votes");
		return -ENOENT;
	}
	now = ktime_get_boottime_ns();
	vi->witness_until_ns = ms ? now + (s64)ms * NSEC_PER_MSEC : 0;
	vigil_hb_update(vi, cfg, now, false, &evq);
	vigil_fence_lease_update(vi, cfg);
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
	return 0;
}

/* --- self-fencing -------------------------------------------------------- */

/*
 * Each handler works under vi->lock, sends its events after dropping it
 * and, for FENCE, carries out a PANIC or REBOOT last.
 */
#define NOT_CONFIGURED_MSG "vigil is not configured in this network namespace"

static int vigil_fence_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	const struct nlattr *a = info->attrs[VIGIL_A_FENCE_ACTION];
	struct vigil_config *cfg;
	struct sk_buff_head evq;
	u8 action;
	int ret;

	if (REQUIRE(info->extack, NULL, info->attrs, VIGIL_A_FENCE_ACTION,
		    "fence action missing"))
		return -EINVAL;
	action = nla_get_u8(a);
	__skb_queue_head_init(&evq);
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg) {
		ret = -ENOENT;
		NL_SET_ERR_MSG(info->extack, NOT_CONFIGURED_MSG);
	} else if (action == VIGIL_ACTION_FREEZE && !cfg->nprotect) {
		ret = -EINVAL;
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "action freeze needs a protected interface");
	} else {
		ret = vigil_fence_operator(vi, cfg, action,
					   ktime_get_boottime_ns(), &evq);
		if (ret)
			NL_SET_ERR_MSG(info->extack,
				       "an operator fence is already waiting for its delay");
	}
	vigil_event_stamp(&evq, vi->generation, vi->quorate);
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
	vigil_fence_doom(vi);
	return ret;
}

static int vigil_gate_open_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	struct vigil_config *cfg;
	struct sk_buff_head evq;
	const char *why = NULL;
	int ret;

	__skb_queue_head_init(&evq);
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg) {
		ret = -ENOENT;
		why = NOT_CONFIGURED_MSG;
	} else {
		ret = vigil_gate_open(vi, cfg, ktime_get_boottime_ns(), &why,
				      &evq);
	}
	vigil_event_stamp(&evq, vi->generation, vi->quorate);
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
	if (ret)
		vigil_nl_err(vi, info->extack, NULL, "%s", why);
	return ret;
}

static int vigil_daemon_register_cmd(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	const struct nlattr *a = info->attrs[VIGIL_A_DAEMON_TIMEOUT_MS];
	struct vigil_config *cfg;
	struct sk_buff_head evq;
	int ret = 0;
	u32 ms;

	if (REQUIRE(info->extack, NULL, info->attrs, VIGIL_A_DAEMON_TIMEOUT_MS,
		    "daemon timeout missing"))
		return -EINVAL;
	ms = nla_get_u32(a);
	__skb_queue_head_init(&evq);
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	if (!cfg) {
		ret = -ENOENT;
		NL_SET_ERR_MSG(info->extack, NOT_CONFIGURED_MSG);
	} else if (ms < 2 * cfg->interval_ms) {
		ret = -EINVAL;
		vigil_nl_err(vi, info->extack, a,
			     "daemon timeout %u ms is below two heartbeat intervals (%u ms)",
			     ms, 2 * cfg->interval_ms);
	} else {
		vigil_daemon_register(vi, ms, ktime_get_boottime_ns(), &evq);
	}
	vigil_event_stamp(&evq, vi->generation, vi->quorate);
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
	return ret;
}

static int vigil_daemon_pet_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct vigil_instance *vi = vigil_instance_get(genl_info_net(info));
	struct sk_buff_head evq;
	int ret;

	__skb_queue_head_init(&evq);
	spin_lock_bh(&vi->lock);
	if (info->genlhdr->cmd == VIGIL_CMD_DAEMON_PET)
		ret = vigil_daemon_pet(vi, ktime_get_boottime_ns(), &evq);
	else
		ret = vigil_daemon_unregister(vi, &evq);
	vigil_event_stamp(&evq, vi->generation, vi->quorate);
	spin_unlock_bh(&vi->lock);
	vigil_event_send(vi, &evq);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "no daemon is registered");
	return ret;
}

/* --- events --------------------------------------------------------------- */

/* Where vigil_event_stamp() writes, in a queued event's skb->cb. */
struct vigil_event_cb {
	struct nlattr *generation;
	struct nlattr *quorate;
};

static void vigil_event_stamp_one(struct sk_buff *skb, u64 generation,
				  bool quorate)
{
	struct vigil_event_cb *cb = (struct vigil_event_cb *)skb->cb;

	memcpy(nla_data(cb->generation), &generation, sizeof(u64));
	*(u8 *)nla_data(cb->quorate) = quorate;
}

static void event_queue(struct vigil_instance *vi, struct sk_buff_head *q,
			u32 event, u16 peer, int link, u64 incarnation,
			u8 cause, u8 action, int dumping)
{
	struct vigil_event_cb *cb;
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&vigil_genl_family, vi->net, 0))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vigil_genl_family, 0, VIGIL_CMD_EVENT);
	if (!hdr)
		goto err;
	cb = (struct vigil_event_cb *)skb->cb;
	if (nla_put_u32(skb, VIGIL_A_EVENT, event))
		goto err;
	/* Filled in by vigil_event_stamp(). */
	cb->generation = nla_reserve_64bit(skb, VIGIL_A_GENERATION, sizeof(u64),
					   VIGIL_A_UNSPEC);
	cb->quorate = nla_reserve(skb, VIGIL_A_QUORATE, sizeof(u8));
	if (!cb->generation || !cb->quorate)
		goto err;
	vigil_event_stamp_one(skb, vi->generation, vi->quorate);
	if ((peer && nla_put_u16(skb, VIGIL_A_EVENT_PEER, peer)) ||
	    (link >= 0 && nla_put_u8(skb, VIGIL_A_EVENT_LINK, link)) ||
	    (incarnation && nla_put_u64_64bit(skb, VIGIL_A_EVENT_INCARNATION,
					      incarnation, VIGIL_A_UNSPEC)) ||
	    (cause && nla_put_u8(skb, VIGIL_A_FENCE_CAUSE, cause)) ||
	    (action && nla_put_u8(skb, VIGIL_A_FENCE_ACTION, action)) ||
	    (dumping >= 0 && nla_put_u8(skb, VIGIL_A_DUMPING, dumping)))
		goto err;
	genlmsg_end(skb, hdr);
	__skb_queue_tail(q, skb);
	return;

err:
	nlmsg_free(skb);
}

void vigil_event_queue(struct vigil_instance *vi, struct sk_buff_head *q,
		       u32 event, u16 peer, int link, u64 incarnation)
{
	event_queue(vi, q, event, peer, link, incarnation, 0, 0, -1);
}

void vigil_event_queue_fence(struct vigil_instance *vi, struct sk_buff_head *q,
			     u32 event, u16 peer, u8 cause, u8 action,
			     int dumping)
{
	event_queue(vi, q, event, peer, -1, 0, cause, action, dumping);
}

void vigil_event_stamp(struct sk_buff_head *q, u64 generation, bool quorate)
{
	struct sk_buff *skb;

	skb_queue_walk(q, skb)
		vigil_event_stamp_one(skb, generation, quorate);
}

void vigil_event_send(struct vigil_instance *vi, struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q))) {
		/* skb->cb becomes NETLINK_CB: the sender must read as port 0. */
		memset(skb->cb, 0, sizeof(skb->cb));
		genlmsg_multicast_netns(&vigil_genl_family, vi->net, skb, 0, 0,
					GFP_ATOMIC);
	}
}

/* --- family --------------------------------------------------------------- */

static const struct genl_ops vigil_genl_ops[] = {
	{
		.cmd = VIGIL_CMD_GET_STATUS,
		.doit = vigil_get_status,
		.policy = vigil_status_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_GET_PEERS,
		.dumpit = vigil_get_peers,
		.policy = vigil_peers_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_SET_CONFIG,
		.doit = vigil_set_config,
		.policy = vigil_config_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_SET_PAYLOAD,
		.doit = vigil_set_payload,
		.policy = vigil_payload_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_SET_WITNESS,
		.doit = vigil_set_witness,
		.policy = vigil_witness_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_FENCE,
		.doit = vigil_fence_cmd,
		.policy = vigil_fence_cmd_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_GATE_OPEN,
		.doit = vigil_gate_open_cmd,
		.policy = vigil_empty_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_DAEMON_REGISTER,
		.doit = vigil_daemon_register_cmd,
		.policy = vigil_daemon_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_DAEMON_PET,
		.doit = vigil_daemon_pet_cmd,
		.policy = vigil_empty_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VIGIL_CMD_DAEMON_UNREGISTER,
		.doit = vigil_daemon_pet_cmd,
		.policy = vigil_empty_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group vigil_mcgrps[] = {
	{ .name = VIGIL_MCGRP_EVENTS, .flags = GENL_UNS_ADMIN_PERM },
};

static struct genl_family vigil_genl_family __ro_after_init = {
	.ops = vigil_genl_ops,
	.n_ops = ARRAY_SIZE(vigil_genl_ops),
	.mcgrps = vigil_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vigil_mcgrps),
	.resv_start_op = VIGIL_CMD_GET_STATUS,	/* every command strictly validated */
	.name = VIGIL_GENL_NAME,
	.version = VIGIL_GENL_VERSION,
	.maxattr = VIGIL_A_MAX,		/* what CTRL_ATTR_MAXATTR advertises */
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init vigil_genl_init(void)
{
	return genl_register_family(&vigil_genl_family);
}

void vigil_genl_uninit(void)
{
	genl_unregister_family(&vigil_genl_family);
}
