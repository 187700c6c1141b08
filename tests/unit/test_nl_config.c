// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the SET_CONFIG builder (tools/libvigil/config.c) and the
 * parsers of GET_STATUS (configured), GET_PEERS and events in
 * tools/libvigil/nl.c. The builder's output is parsed back with libnl
 * and every attribute checked; the parsers get messages built by hand.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "config.c"
#include "nl.c"
#include "tap.h"

#define FAKE_FAMILY 0x42

static struct nl_msg *genl_msg(__u8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc_size(256 * 1024);

	if (!msg || !genlmsg_put(msg, 0, 1, FAKE_FAMILY, 0, 0, cmd, 1)) {
		fprintf(stderr, "cannot build a message\n");
		exit(1);
	}
	return msg;
}

/* --- the builder ---------------------------------------------------------- */

static void fill_config(struct vigil_config *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cluster_id = 0xa1b2c3d4;
	cfg->node_id = 2;
	cfg->timeout_ms = 750;
	cfg->flags = VIGIL_CFG_F_TWO_NODE;
	cfg->witness_votes = 3;

	cfg->n_keys = 2;
	cfg->keys[0].id = 7;
	for (i = 0; i < VIGIL_KEY_LEN; i++)
		cfg->keys[0].secret[i] = i;
	cfg->keys[1].id = 9;
	cfg->keys[1].primary = true;
	memset(cfg->keys[1].secret, 0xee, VIGIL_KEY_LEN);

	cfg->n_links = 3;
	cfg->links[0] = (struct vigil_config_link){ .index = 0, .name = "a",
		.type = VIGIL_LINK_L2, .ifname = "eth0", .ethertype = 0x88b6 };
	cfg->links[1] = (struct vigil_config_link){ .index = 5, .name = "b",
		.type = VIGIL_LINK_UDP, .port = 6000, .family = AF_INET };
	cfg->links[2] = (struct vigil_config_link){ .index = 7, .name = "c",
		.type = VIGIL_LINK_UDP, .ifname = "eth1", .family = AF_INET6 };

	cfg->n_nodes = 3;
	cfg->nodes[0] = (struct vigil_config_node){ .id = 1, .name = "n1" };
	cfg->nodes[1] = (struct vigil_config_node){ .id = 2, .name = "n2",
		.has_votes = true, .votes = 0 };
	cfg->nodes[2] = (struct vigil_config_node){ .id = 256, .name = "n256",
		.has_votes = true, .votes = 255 };
	cfg->nodes[0].n_addrs = 3;
	cfg->nodes[0].addrs[0] = (struct vigil_config_addr){ .link = 0,
		.kind = VIGIL_ADDR_MAC, .mac = { 0x52, 0x54, 0, 1, 2, 3 } };
	cfg->nodes[0].addrs[1] = (struct vigil_config_addr){ .link = 5,
		.kind = VIGIL_ADDR_IN, .port = 6001 };
	inet_pton(AF_INET, "169.254.1.1", &cfg->nodes[0].addrs[1].in);
	cfg->nodes[0].addrs[2] = (struct vigil_config_addr){ .link = 7,
		.kind = VIGIL_ADDR_IN6 };
	inet_pton(AF_INET6, "fe80::1", &cfg->nodes[0].addrs[2].in6);
	cfg->nodes[2].n_addrs = 1;
	cfg->nodes[2].addrs[0] = (struct vigil_config_addr){ .link = 0,
		.kind = VIGIL_ADDR_MAC, .mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	cfg->lease_ms = 400;
	cfg->n_protect = 2;
	strcpy(cfg->protect[0], "eth2");
	strcpy(cfg->protect[1], "bond0.100");
	cfg->n_fence = 2;
	cfg->fence[0] = (struct vigil_fence_rule){ .cause = VIGIL_CAUSE_QUORUM,
		.action = VIGIL_ACTION_FREEZE };
	cfg->fence[1] = (struct vigil_fence_rule){ .cause = VIGIL_CAUSE_DAEMON,
		.action = VIGIL_ACTION_PANIC, .delay_ms = 2000 };
}

/* Count the attributes of a stream and check every one is of a known type. */
static int count_attrs(struct nlattr *head, int len, int maxtype)
{
	struct nlattr *nla;
	int rem, n = 0;

	nla_for_each_attr(nla, head, len, rem) {
		if (nla_type(nla) < 1 || nla_type(nla) > maxtype)
			return -1;
		n++;
	}
	return rem ? -1 : n;
}

static void check_key(struct nlattr *elem, const struct vigil_config_key *k,
		      int i)
{
	struct nlattr *tb[VIGIL_KEY_A_MAX + 1];

	tap_is_int(nla_type(elem), 0, "key %d: list element of type 0", i);
	tap_is_int(nla_parse_nested(tb, VIGIL_KEY_A_MAX, elem, NULL), 0,
		   "key %d parses", i);
	tap_ok(tb[VIGIL_KEY_A_ID] && nla_len(tb[VIGIL_KEY_A_ID]) == 1 &&
	       nla_get_u8(tb[VIGIL_KEY_A_ID]) == k->id, "key %d: id u8", i);
	tap_ok(tb[VIGIL_KEY_A_SECRET] &&
	       nla_len(tb[VIGIL_KEY_A_SECRET]) == VIGIL_KEY_LEN &&
	       !memcmp(nla_data(tb[VIGIL_KEY_A_SECRET]), k->secret, VIGIL_KEY_LEN),
	       "key %d: secret of %d bytes", i, VIGIL_KEY_LEN);
	tap_ok(!!tb[VIGIL_KEY_A_PRIMARY] == k->primary &&
	       (!tb[VIGIL_KEY_A_PRIMARY] || !nla_len(tb[VIGIL_KEY_A_PRIMARY])),
	       "key %d: primary flag %s", i, k->primary ? "set" : "absent");
	tap_is_int(count_attrs(nla_data(elem), nla_len(elem), VIGIL_KEY_A_MAX),
		   k->primary ? 3 : 2, "key %d: nothing else", i);
}

static bool str_attr(struct nlattr *nla, const char *s)
{
	return nla && nla_len(nla) == (int)strlen(s) + 1 &&
	       !memcmp(nla_data(nla), s, strlen(s) + 1);
}

static void check_link(struct nlattr *elem, const struct vigil_config_link *l,
		       int i)
{
	struct nlattr *tb[VIGIL_LINK_A_MAX + 1];
	int want = 3;

	tap_is_int(nla_type(elem), 0, "link %d: list element of type 0", i);
	tap_is_int(nla_parse_nested(tb, VIGIL_LINK_A_MAX, elem, NULL), 0,
		   "link %d parses", i);
	tap_ok(tb[VIGIL_LINK_A_INDEX] && nla_len(tb[VIGIL_LINK_A_INDEX]) == 1 &&
	       nla_get_u8(tb[VIGIL_LINK_A_INDEX]) == l->index,
	       "link %d: index u8", i);
	tap_ok(str_attr(tb[VIGIL_LINK_A_NAME], l->name), "link %d: name", i);
	tap_ok(tb[VIGIL_LINK_A_TYPE] && nla_len(tb[VIGIL_LINK_A_TYPE]) == 1 &&
	       nla_get_u8(tb[VIGIL_LINK_A_TYPE]) == l->type, "link %d: type u8", i);
	if (l->ifname[0]) {
		want++;
		tap_ok(str_attr(tb[VIGIL_LINK_A_IFNAME], l->ifname),
		       "link %d: ifname", i);
	} else {
		tap_ok(!tb[VIGIL_LINK_A_IFNAME], "link %d: no ifname", i);
	}
	if (l->ethertype) {
		want++;
		tap_ok(tb[VIGIL_LINK_A_ETHERTYPE] &&
		       nla_len(tb[VIGIL_LINK_A_ETHERTYPE]) == 2 &&
		       nla_get_u16(tb[VIGIL_LINK_A_ETHERTYPE]) == l->ethertype,
		       "link %d: ethertype u16", i);
	}
	if (l->port) {
		want++;
		tap_ok(tb[VIGIL_LINK_A_PORT] && nla_len(tb[VIGIL_LINK_A_PORT]) == 2 &&
		       nla_get_u16(tb[VIGIL_LINK_A_PORT]) == l->port,
		       "link %d: port u16", i);
	}
	if (l->family) {
		want++;
		tap_ok(tb[VIGIL_LINK_A_FAMILY] &&
		       nla_len(tb[VIGIL_LINK_A_FAMILY]) == 1 &&
		       nla_get_u8(tb[VIGIL_LINK_A_FAMILY]) == l->family,
		       "link %d: family u8", i);
	}
	tap_is_int(count_attrs(nla_data(elem), nla_len(elem), VIGIL_LINK_A_MAX),
		   want, "link %d: nothing else", i);
}

static void check_addr(struct nlattr *elem, const struct vigil_config_addr *a,
		       int i, int j)
{
	static const int type[] = {
		[VIGIL_ADDR_MAC] = VIGIL_ADDR_A_MAC,
		[VIGIL_ADDR_IN] = VIGIL_ADDR_A_IN,
		[VIGIL_ADDR_IN6] = VIGIL_ADDR_A_IN6,
	};
	static const int len[] = {
		[VIGIL_ADDR_MAC] = 6, [VIGIL_ADDR_IN] = 4, [VIGIL_ADDR_IN6] = 16,
	};
	struct nlattr *tb[VIGIL_ADDR_A_MAX + 1];
	struct nlattr *addr;

	tap_is_int(nla_type(elem), 0, "node %d addr %d: element of type 0", i, j);
	tap_is_int(nla_parse_nested(tb, VIGIL_ADDR_A_MAX, elem, NULL), 0,
		   "node %d addr %d parses", i, j);
	tap_ok(tb[VIGIL_ADDR_A_LINK] && nla_len(tb[VIGIL_ADDR_A_LINK]) == 1 &&
	       nla_get_u8(tb[VIGIL_ADDR_A_LINK]) == a->link,
	       "node %d addr %d: link u8", i, j);
	addr = tb[type[a->kind]];
	tap_ok(addr && nla_len(addr) == len[a->kind] &&
	       !memcmp(nla_data(addr), a->mac, len[a->kind]),
	       "node %d addr %d: address of %d bytes", i, j, len[a->kind]);
	if (a->port)
		tap_ok(tb[VIGIL_ADDR_A_PORT] && nla_len(tb[VIGIL_ADDR_A_PORT]) == 2 &&
		       nla_get_u16(tb[VIGIL_ADDR_A_PORT]) == a->port,
		       "node %d addr %d: port u16", i, j);
	tap_is_int(count_attrs(nla_data(elem), nla_len(elem), VIGIL_ADDR_A_MAX),
		   a->port ? 3 : 2, "node %d addr %d: nothing else", i, j);
}

static void check_node(struct nlattr *elem, const struct vigil_config_node *n,
		       int i)
{
	struct nlattr *tb[VIGIL_NODE_A_MAX + 1];
	struct nlattr *a;
	int rem, j = 0;

	tap_is_int(nla_type(elem), 0, "node %d: list element of type 0", i);
	tap_is_int(nla_parse_nested(tb, VIGIL_NODE_A_MAX, elem, NULL), 0,
		   "node %d parses", i);
	tap_ok(tb[VIGIL_NODE_A_ID] && nla_len(tb[VIGIL_NODE_A_ID]) == 2 &&
	       nla_get_u16(tb[VIGIL_NODE_A_ID]) == n->id, "node %d: id u16", i);
	tap_ok(str_attr(tb[VIGIL_NODE_A_NAME], n->name), "node %d: name", i);
	if (n->has_votes)
		tap_ok(tb[VIGIL_NODE_A_VOTES] && nla_len(tb[VIGIL_NODE_A_VOTES]) == 4 &&
		       nla_get_u32(tb[VIGIL_NODE_A_VOTES]) == n->votes,
		       "node %d: votes u32", i);
	else
		tap_ok(!tb[VIGIL_NODE_A_VOTES], "node %d: no votes", i);
	tap_ok(!!tb[VIGIL_NODE_A_ADDRS] == !!n->n_addrs,
	       "node %d: addresses %s", i, n->n_addrs ? "present" : "absent");
	if (tb[VIGIL_NODE_A_ADDRS]) {
		nla_for_each_nested(a, tb[VIGIL_NODE_A_ADDRS], rem) {
			if (j < (int)n->n_addrs)
				check_addr(a, &n->addrs[j], i, j);
			j++;
		}
		tap_is_int(j, n->n_addrs, "node %d: %u addresses", i, n->n_addrs);
	}
}

static void check_fence(struct nlattr *elem, const struct vigil_fence_rule *r,
			int i)
{
	struct nlattr *tb[VIGIL_FENCE_A_MAX + 1];

	tap_is_int(nla_type(elem), 0, "fence %d: list element of type 0", i);
	tap_is_int(nla_parse_nested(tb, VIGIL_FENCE_A_MAX, elem, NULL), 0,
		   "fence %d parses", i);
	tap_ok(tb[VIGIL_FENCE_A_CAUSE] && nla_len(tb[VIGIL_FENCE_A_CAUSE]) == 1 &&
	       nla_get_u8(tb[VIGIL_FENCE_A_CAUSE]) == r->cause,
	       "fence %d: cause u8", i);
	tap_ok(tb[VIGIL_FENCE_A_ACTION] && nla_len(tb[VIGIL_FENCE_A_ACTION]) == 1 &&
	       nla_get_u8(tb[VIGIL_FENCE_A_ACTION]) == r->action,
	       "fence %d: action u8", i);
	tap_ok(tb[VIGIL_FENCE_A_DELAY_MS] &&
	       nla_len(tb[VIGIL_FENCE_A_DELAY_MS]) == 4 &&
	       nla_get_u32(tb[VIGIL_FENCE_A_DELAY_MS]) == r->delay_ms,
	       "fence %d: delay u32, also when 0", i);
	tap_is_int(count_attrs(nla_data(elem), nla_len(elem), VIGIL_FENCE_A_MAX),
		   3, "fence %d: nothing else", i);
}

static void test_builder(void)
{
	struct vigil_config *cfg = calloc(1, sizeof(*cfg));
	struct nlattr *tb[VIGIL_A_MAX + 1];
	struct nlattr *elem;
	struct genlmsghdr *ghdr;
	struct nl_msg *msg;
	int rem, i;

	fill_config(cfg);
	msg = genl_msg(VIGIL_CMD_SET_CONFIG);
	tap_is_int(vigil_config_put(msg, cfg), 0, "config builds");
	ghdr = nlmsg_data(nlmsg_hdr(msg));
	tap_ok(genlmsg_attrlen(ghdr, 0) <= (int)vigil_config_size(cfg),
	       "vigil_config_size() is an upper bound (%d <= %zu)",
	       genlmsg_attrlen(ghdr, 0), vigil_config_size(cfg));
	tap_is_int(nla_parse(tb, VIGIL_A_MAX, genlmsg_attrdata(ghdr, 0),
			     genlmsg_attrlen(ghdr, 0), NULL), 0, "request parses");
	tap_is_int(count_attrs(genlmsg_attrdata(ghdr, 0), genlmsg_attrlen(ghdr, 0),
			       VIGIL_A_MAX), 11, "11 top-level attributes");

	tap_ok(tb[VIGIL_A_CLUSTER_ID] && nla_len(tb[VIGIL_A_CLUSTER_ID]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_CLUSTER_ID]) == 0xa1b2c3d4, "cluster id u32");
	tap_ok(tb[VIGIL_A_NODE_ID] && nla_len(tb[VIGIL_A_NODE_ID]) == 2 &&
	       nla_get_u16(tb[VIGIL_A_NODE_ID]) == 2, "node id u16");
	tap_ok(tb[VIGIL_A_TIMEOUT_MS] && nla_len(tb[VIGIL_A_TIMEOUT_MS]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_TIMEOUT_MS]) == 750, "timeout u32");
	tap_ok(tb[VIGIL_A_FLAGS] && nla_len(tb[VIGIL_A_FLAGS]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_FLAGS]) == VIGIL_CFG_F_TWO_NODE, "flags u32");
	tap_ok(tb[VIGIL_A_WITNESS_VOTES] && nla_len(tb[VIGIL_A_WITNESS_VOTES]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_WITNESS_VOTES]) == 3, "witness votes u32");

	i = 0;
	nla_for_each_nested(elem, tb[VIGIL_A_KEYS], rem)
		check_key(elem, &cfg->keys[i], i), i++;
	tap_is_int(i, 2, "2 keys");
	i = 0;
	nla_for_each_nested(elem, tb[VIGIL_A_LINKS], rem)
		check_link(elem, &cfg->links[i], i), i++;
	tap_is_int(i, 3, "3 links");
	i = 0;
	nla_for_each_nested(elem, tb[VIGIL_A_NODES], rem)
		check_node(elem, &cfg->nodes[i], i), i++;
	tap_is_int(i, 3, "3 nodes");
	tap_ok(tb[VIGIL_A_LEASE_MS] && nla_len(tb[VIGIL_A_LEASE_MS]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_LEASE_MS]) == 400, "lease u32");
	i = 0;
	nla_for_each_nested(elem, tb[VIGIL_A_PROTECT], rem) {
		tap_ok(nla_type(elem) == 0 && str_attr(elem, cfg->protect[i]),
		       "protect %d: NUL-terminated string of type 0", i);
		i++;
	}
	tap_is_int(i, 2, "2 protected interfaces");
	i = 0;
	nla_for_each_nested(elem, tb[VIGIL_A_FENCE], rem)
		check_fence(elem, &cfg->fence[i], i), i++;
	tap_is_int(i, 2, "2 fence rules");
	nlmsg_free(msg);

	/* Defaults are left out. */
	cfg->timeout_ms = cfg->flags = cfg->witness_votes = 0;
	cfg->lease_ms = cfg->n_protect = cfg->n_fence = 0;
	msg = genl_msg(VIGIL_CMD_SET_CONFIG);
	tap_is_int(vigil_config_put(msg, cfg), 0, "config without optional values");
	ghdr = nlmsg_data(nlmsg_hdr(msg));
	nla_parse(tb, VIGIL_A_MAX, genlmsg_attrdata(ghdr, 0),
		  genlmsg_attrlen(ghdr, 0), NULL);
	tap_ok(!tb[VIGIL_A_TIMEOUT_MS] && !tb[VIGIL_A_FLAGS] &&
	       !tb[VIGIL_A_WITNESS_VOTES], "... timeout, flags, witness left out");
	tap_ok(!tb[VIGIL_A_LEASE_MS] && !tb[VIGIL_A_PROTECT] && !tb[VIGIL_A_FENCE],
	       "... lease, protect, fence left out");
	nlmsg_free(msg);

	/* The largest configuration fits the size computed for it. */
	cfg->n_nodes = VIGIL_NODES_MAX;
	for (i = 0; i < VIGIL_NODES_MAX; i++) {
		struct vigil_config_node *n = &cfg->nodes[i];
		int j;

		n->id = i + 1;
		snprintf(n->name, sizeof(n->name), "%031d", i);
		n->has_votes = true;
		n->n_addrs = VIGIL_LINKS_MAX;
		for (j = 0; j < VIGIL_LINKS_MAX; j++)
			n->addrs[j] = (struct vigil_config_addr){ .link = j,
				.kind = VIGIL_ADDR_IN6, .port = 1 };
	}
	cfg->lease_ms = 1;
	cfg->n_protect = VIGIL_PROTECT_MAX;
	for (i = 0; i < VIGIL_PROTECT_MAX; i++)
		snprintf(cfg->protect[i], IFNAMSIZ, "%015d", i);
	cfg->n_fence = VIGIL_CONFIG_FENCE_MAX;
	for (i = 0; i < VIGIL_CONFIG_FENCE_MAX; i++)
		cfg->fence[i] = (struct vigil_fence_rule){ .cause = i + 1,
			.action = VIGIL_ACTION_REBOOT, .delay_ms = 1 };
	msg = nlmsg_alloc_size(NLMSG_SPACE(GENL_HDRLEN) + vigil_config_size(cfg));
	genlmsg_put(msg, 0, 1, FAKE_FAMILY, 0, 0, VIGIL_CMD_SET_CONFIG, 1);
	tap_is_int(vigil_config_put(msg, cfg), 0,
		   "256 nodes x 8 addresses, 8 protected, 3 fence rules fit vigil_config_size()");
	nlmsg_free(msg);

	cfg->n_protect = VIGIL_PROTECT_MAX + 1;
	msg = genl_msg(VIGIL_CMD_SET_CONFIG);
	tap_is_int(vigil_config_put(msg, cfg), -EINVAL, "9 protected: -EINVAL");
	nlmsg_free(msg);
	cfg->n_protect = 0;
	cfg->n_fence = VIGIL_CONFIG_FENCE_MAX + 1;
	msg = genl_msg(VIGIL_CMD_SET_CONFIG);
	tap_is_int(vigil_config_put(msg, cfg), -EINVAL, "4 fence rules: -EINVAL");
	nlmsg_free(msg);
	cfg->n_fence = 0;

	msg = nlmsg_alloc_size(4096);
	genlmsg_put(msg, 0, 1, FAKE_FAMILY, 0, 0, VIGIL_CMD_SET_CONFIG, 1);
	tap_is_int(vigil_config_put(msg, cfg), -EMSGSIZE, "too small a message: -EMSGSIZE");
	nlmsg_free(msg);

	cfg->n_keys = 3;
	msg = genl_msg(VIGIL_CMD_SET_CONFIG);
	tap_is_int(vigil_config_put(msg, cfg), -EINVAL, "3 keys: -EINVAL");
	nlmsg_free(msg);
	free(cfg);
}

/* --- the parsers --------------------------------------------------------- */

static void put_counters(struct nl_msg *msg, __u64 base)
{
	struct nlattr *c = nla_nest_start(msg, VIGIL_LINK_A_COUNTERS);
	int i;

	for (i = 1; i <= VIGIL_CNT_MAX; i++)
		nla_put_u64(msg, i, base + i);
	nla_put_u64(msg, VIGIL_CNT_MAX + 1, 99);	/* newer kernel */
	nla_nest_end(msg, c);
}

static void put_link_status(struct nl_msg *msg, int index, const char *name,
		     bool peer)
{
	struct nlattr *l = nla_nest_start(msg, 0);

	nla_put_u8(msg, VIGIL_LINK_A_INDEX, index);
	nla_put_string(msg, VIGIL_LINK_A_NAME, name);
	if (!peer) {
		nla_put_u8(msg, VIGIL_LINK_A_TYPE, VIGIL_LINK_L2);
		nla_put_u32(msg, VIGIL_LINK_A_IFINDEX, 3);
	} else {
		nla_put_u32(msg, VIGIL_LINK_A_RTT_US, 120);
		nla_put_u32(msg, VIGIL_LINK_A_LAST_SEEN_MS, 40);
	}
	nla_put_u8(msg, VIGIL_LINK_A_UP, 1);
	put_counters(msg, 100 * index);
	nla_nest_end(msg, l);
}

enum {
	NO_NODE_NAME = 1, NO_GENERATION = 2, BAD_QUORATE = 4, NINE_LINKS = 8,
	NO_FENCING = 16,		/* a module from before self-fencing */
	NINE_PROTECT = 32, LONG_IFNAME = 64, UNTERMINATED_IFNAME = 128,
	PENDING_NO_ACTION = 256, PENDING_NO_DELAY = 512, DUP_CAUSE = 1024,
	GATE_U32 = 2048, FENCE_NO_CAUSE = 4096,
};

static void put_rule(struct nl_msg *msg, __u8 cause, __u8 action,
		     bool delay, __u32 delay_ms)
{
	struct nlattr *r = nla_nest_start(msg, 0);

	nla_put_u8(msg, VIGIL_FENCE_A_CAUSE, cause);
	if (action)
		nla_put_u8(msg, VIGIL_FENCE_A_ACTION, action);
	if (delay)
		nla_put_u32(msg, VIGIL_FENCE_A_DELAY_MS, delay_ms);
	nla_put_u32(msg, VIGIL_FENCE_A_MAX + 1, 5);	/* newer kernel */
	nla_nest_end(msg, r);
}

static void put_status_fencing(struct nl_msg *msg, int broken)
{
	struct nlattr *nest;
	int i;

	nla_put_u32(msg, VIGIL_A_LEASE_MS, 400);
	nla_put_u32(msg, VIGIL_A_LEASE_LEFT_MS, 0xffffffff);
	if (broken & GATE_U32)
		nla_put_u32(msg, VIGIL_A_GATE, VIGIL_GATE_LATCHED);
	else
		nla_put_u8(msg, VIGIL_A_GATE, VIGIL_GATE_LATCHED);
	nla_put_u64(msg, VIGIL_A_GATE_DROPPED, 1ULL << 33);

	nest = nla_nest_start(msg, VIGIL_A_PROTECT);
	nla_put_string(msg, 0, "eth2");
	nla_put_string(msg, 0, broken & LONG_IFNAME ? "0123456789abcdef" :
						    "012345678901234");
	if (broken & UNTERMINATED_IFNAME)
		nla_put(msg, 0, 4, "eth3");
	for (i = 2; (broken & NINE_PROTECT) && i < 9; i++)
		nla_put_string(msg, 0, "x");
	nla_nest_end(msg, nest);

	/* As vigil.ko sends it: every cause, the operator's without action. */
	nest = nla_nest_start(msg, VIGIL_A_FENCE);
	put_rule(msg, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_FREEZE, true, 0);
	put_rule(msg, VIGIL_CAUSE_DAEMON, VIGIL_ACTION_PANIC, true, 2000);
	put_rule(msg, VIGIL_CAUSE_MAX + 1, VIGIL_ACTION_NONE, true, 0); /* newer */
	put_rule(msg, VIGIL_CAUSE_OPERATOR, 0, true, 500);
	if (broken & DUP_CAUSE)
		put_rule(msg, VIGIL_CAUSE_QUORUM, VIGIL_ACTION_NONE, true, 0);
	if (broken & FENCE_NO_CAUSE) {
		struct nlattr *r = nla_nest_start(msg, 0);

		nla_put_u8(msg, VIGIL_FENCE_A_ACTION, VIGIL_ACTION_NONE);
		nla_nest_end(msg, r);
	}
	nla_nest_end(msg, nest);

	nla_put_u8(msg, VIGIL_A_FENCED, VIGIL_CAUSE_QUORUM);

	nest = nla_nest_start(msg, VIGIL_A_FENCE_PENDING);
	put_rule(msg, VIGIL_CAUSE_DAEMON,
		 broken & PENDING_NO_ACTION ? 0 : VIGIL_ACTION_PANIC,
		 !(broken & PENDING_NO_DELAY), 1234);
	nla_nest_end(msg, nest);

	nla_put_u32(msg, VIGIL_A_DAEMON_TIMEOUT_MS, 5000);
	nla_put_u32(msg, VIGIL_A_DAEMON_LEFT_MS, 3000);
}

static struct nl_msg *status_msg(int broken)
{
	struct nl_msg *msg = genl_msg(VIGIL_CMD_GET_STATUS);
	struct nlattr *links;
	int i;

	nla_put_string(msg, VIGIL_A_VERSION, "0.2.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	nla_put_u8(msg, VIGIL_A_CONFIGURED, 1);
	nla_put_u32(msg, VIGIL_A_CLUSTER_ID, 4242);
	nla_put_u16(msg, VIGIL_A_NODE_ID, 3);
	if (!(broken & NO_NODE_NAME))
		nla_put_string(msg, VIGIL_A_NODE_NAME, "n3");
	nla_put_u64(msg, VIGIL_A_INCARNATION, 0x1122334455667788ULL);
	nla_put_u32(msg, VIGIL_A_TIMEOUT_MS, 500);
	nla_put_u32(msg, VIGIL_A_INTERVAL_MS, 100);
	if (broken & BAD_QUORATE)
		nla_put_u32(msg, VIGIL_A_QUORATE, 1);
	else
		nla_put_u8(msg, VIGIL_A_QUORATE, 1);
	if (!(broken & NO_GENERATION))
		nla_put_u64(msg, VIGIL_A_GENERATION, 12);
	nla_put_u32(msg, VIGIL_A_VOTES, 3);
	nla_put_u32(msg, VIGIL_A_EXPECTED_VOTES, 4);
	nla_put_u32(msg, VIGIL_A_QUORUM_VOTES, 3);
	nla_put_u32(msg, VIGIL_A_WITNESS_VOTES, 1);
	nla_put_u32(msg, VIGIL_A_WITNESS_MS, 2500);
	nla_put_u32(msg, VIGIL_A_FLAGS, 0);
	links = nla_nest_start(msg, VIGIL_A_LINKS);
	put_link_status(msg, 0, "a", false);
	put_link_status(msg, 1, "b", false);
	for (i = 2; (broken & NINE_LINKS) && i < 9; i++)
		put_link_status(msg, i, "x", false);
	nla_nest_end(msg, links);
	if (!(broken & NO_FENCING))
		put_status_fencing(msg, broken);
	nla_put_u64(msg, VIGIL_A_MAX + 1, 1);		/* newer kernel */
	return msg;
}

static int parse_st(struct nl_msg *msg, struct vigil_status *st)
{
	int ret = vigil_nl_parse_status(nlmsg_hdr(msg), st);

	nlmsg_free(msg);
	return ret;
}

static void test_status(void)
{
	struct vigil_status st;
	struct nl_msg *msg;

	tap_is_int(parse_st(status_msg(0), &st), 0, "configured status parses");
	tap_is_str(st.version, "0.2.0", "... version");
	tap_ok(st.configured, "... configured");
	tap_is_int(st.cluster_id, 4242, "... cluster id");
	tap_is_int(st.node_id, 3, "... node id");
	tap_is_str(st.node_name, "n3", "... node name");
	tap_ok(st.incarnation == 0x1122334455667788ULL, "... incarnation");
	tap_is_int(st.timeout_ms, 500, "... timeout");
	tap_is_int(st.interval_ms, 100, "... interval");
	tap_ok(st.quorate, "... quorate");
	tap_ok(st.generation == 12, "... generation");
	tap_ok(st.votes == 3 && st.expected_votes == 4 && st.quorum_votes == 3,
	       "... votes");
	tap_ok(st.witness_votes == 1 && st.witness_ms == 2500, "... witness");
	tap_is_int(st.n_links, 2, "... 2 links");
	tap_is_str(st.links[1].name, "b", "... link name");
	tap_ok(st.links[1].index == 1 && st.links[1].up &&
	       st.links[1].type == VIGIL_LINK_L2 && st.links[1].ifindex == 3,
	       "... link index, up, type, ifindex");
	tap_ok(st.links[1].has_counters &&
	       st.links[1].counters[VIGIL_CNT_TX] == 101 &&
	       st.links[1].counters[VIGIL_CNT_RX_REPLAY] == 100 + VIGIL_CNT_RX_REPLAY,
	       "... counters by enum vigil_counter");

	tap_ok(st.has_lease && st.lease_ms == 400, "... lease");
	tap_ok(st.has_lease_left && st.lease_left_ms == 0xffffffff,
	       "... lease left (U32_MAX: alone quorate)");
	tap_ok(st.has_gate && st.gate == VIGIL_GATE_LATCHED, "... gate latched");
	tap_ok(st.has_gate_dropped && st.gate_dropped == 1ULL << 33,
	       "... gate dropped u64");
	tap_is_int(st.n_protect, 2, "... 2 protected interfaces");
	tap_is_str(st.protect[0], "eth2", "... first");
	tap_is_str(st.protect[1], "012345678901234", "... 15 characters");
	tap_is_int(st.n_fence, 3, "... 3 fence rules (the unknown cause skipped)");
	tap_ok(st.fence[0].cause == VIGIL_CAUSE_QUORUM &&
	       st.fence[0].action == VIGIL_ACTION_FREEZE && !st.fence[0].delay_ms,
	       "... quorum freeze");
	tap_ok(st.fence[1].cause == VIGIL_CAUSE_DAEMON &&
	       st.fence[1].action == VIGIL_ACTION_PANIC &&
	       st.fence[1].delay_ms == 2000, "... daemon panic after 2000 ms");
	tap_ok(st.fence[2].cause == VIGIL_CAUSE_OPERATOR &&
	       st.fence[2].action == VIGIL_ACTION_UNSPEC &&
	       st.fence[2].delay_ms == 500,
	       "... operator without action (unspec), after 500 ms");
	tap_ok(st.fenced && st.fenced_cause == VIGIL_CAUSE_QUORUM,
	       "... fenced by quorum");
	tap_is_int(st.n_fence_pending, 1, "... 1 pending");
	tap_ok(st.fence_pending[0].cause == VIGIL_CAUSE_DAEMON &&
	       st.fence_pending[0].action == VIGIL_ACTION_PANIC &&
	       st.fence_pending[0].delay_ms == 1234, "... daemon panic in 1234 ms");
	tap_ok(st.has_daemon && st.daemon_timeout_ms == 5000 &&
	       st.has_daemon_left && st.daemon_left_ms == 3000,
	       "... daemon watchdog");

	tap_is_int(parse_st(status_msg(NO_FENCING), &st), 0,
		   "status of a module without self-fencing parses");
	tap_ok(!st.has_lease && !st.has_lease_left && !st.has_gate &&
	       !st.has_gate_dropped && !st.n_protect && !st.n_fence &&
	       !st.fenced && !st.n_fence_pending && !st.has_daemon &&
	       !st.has_daemon_left, "... every self-fencing field absent");

	tap_is_int(parse_st(status_msg(NINE_PROTECT), &st), -EBADMSG,
		   "9 protected interfaces: -EBADMSG");
	tap_is_int(parse_st(status_msg(LONG_IFNAME), &st), -EBADMSG,
		   "protected interface of 16 characters: -EBADMSG");
	tap_is_int(parse_st(status_msg(UNTERMINATED_IFNAME), &st), -EBADMSG,
		   "protected interface without its NUL: -EBADMSG");
	tap_is_int(parse_st(status_msg(FENCE_NO_CAUSE), &st), -EBADMSG,
		   "fence rule without cause: -EBADMSG");
	tap_is_int(parse_st(status_msg(PENDING_NO_ACTION), &st), -EBADMSG,
		   "pending fence without action: -EBADMSG");
	tap_is_int(parse_st(status_msg(PENDING_NO_DELAY), &st), -EBADMSG,
		   "pending fence without time left: -EBADMSG");
	tap_is_int(parse_st(status_msg(DUP_CAUSE), &st), -EBADMSG,
		   "a cause twice: -EBADMSG");
	tap_is_int(parse_st(status_msg(GATE_U32), &st), -EBADMSG,
		   "gate as u32: -EBADMSG");

	tap_is_int(parse_st(status_msg(NO_NODE_NAME), &st), -EBADMSG,
		   "configured without node name: -EBADMSG");
	tap_is_int(parse_st(status_msg(NO_GENERATION), &st), -EBADMSG,
		   "configured without generation: -EBADMSG");
	tap_is_int(parse_st(status_msg(BAD_QUORATE), &st), -EBADMSG,
		   "quorate as u32: -EBADMSG");
	tap_is_int(parse_st(status_msg(NINE_LINKS), &st), -EBADMSG,
		   "9 links: -EBADMSG");

	msg = genl_msg(VIGIL_CMD_GET_STATUS);
	nla_put_string(msg, VIGIL_A_VERSION, "0.2.0");
	nla_put_u32(msg, VIGIL_A_PROTOCOL, 1);
	nla_put_u8(msg, VIGIL_A_CONFIGURED, 0);
	tap_is_int(parse_st(msg, &st), 0, "unconfigured status parses");
	tap_ok(!st.configured && !st.n_links, "... not configured");
}

enum {
	NO_PEER_ID = 1, SHORT_MEMBERS = 2, LONG_PAYLOAD = 4, BAD_COUNTER = 8,
	FENCED_PEER = 16, BAD_FENCE_CAUSE = 32,
};

static struct nl_msg *peer_msg(int broken, __u64 generation)
{
	struct nl_msg *msg = genl_msg(VIGIL_CMD_GET_PEERS);
	__u8 members[VIGIL_MEMBERS_BYTES] = { 0x07 };
	__u8 payload[VIGIL_PAYLOAD_MAX + 1] = { 0xca, 0xfe };
	struct nlattr *p, *links, *l, *c;

	nla_put_u64(msg, VIGIL_A_GENERATION, generation);
	p = nla_nest_start(msg, VIGIL_A_PEER);
	if (!(broken & NO_PEER_ID))
		nla_put_u16(msg, VIGIL_PEER_A_ID, 2);
	nla_put_string(msg, VIGIL_PEER_A_NAME, "n2");
	nla_put_u32(msg, VIGIL_PEER_A_VOTES, 1);
	nla_put_u8(msg, VIGIL_PEER_A_STATE,
		   broken & FENCED_PEER ? VIGIL_PEER_DUMPING : VIGIL_PEER_UP);
	if (broken & FENCED_PEER)
		nla_put_u8(msg, VIGIL_PEER_A_FENCE_CAUSE, VIGIL_CAUSE_DAEMON);
	if (broken & BAD_FENCE_CAUSE)
		nla_put_u16(msg, VIGIL_PEER_A_FENCE_CAUSE, VIGIL_CAUSE_DAEMON);
	nla_put_u32(msg, VIGIL_PEER_A_MAX + 1, 3);	/* newer kernel */
	nla_put_u64(msg, VIGIL_PEER_A_INCARNATION, 77);
	nla_put_u32(msg, VIGIL_PEER_A_LAST_SEEN_MS, 30);
	nla_put_u8(msg, VIGIL_PEER_A_QUORATE, 1);
	nla_put_u64(msg, VIGIL_PEER_A_GENERATION, 11);
	nla_put(msg, VIGIL_PEER_A_MEMBERS,
		broken & SHORT_MEMBERS ? VIGIL_MEMBERS_BYTES - 1 : VIGIL_MEMBERS_BYTES,
		members);
	nla_put(msg, VIGIL_PEER_A_PAYLOAD,
		broken & LONG_PAYLOAD ? VIGIL_PAYLOAD_MAX + 1 : 2, payload);
	links = nla_nest_start(msg, VIGIL_PEER_A_LINKS);
	put_link_status(msg, 0, "a", true);
	l = nla_nest_start(msg, 0);
	nla_put_u8(msg, VIGIL_LINK_A_INDEX, 1);
	nla_put_string(msg, VIGIL_LINK_A_NAME, "b");
	nla_put_u8(msg, VIGIL_LINK_A_UP, 0);
	if (broken & BAD_COUNTER) {
		c = nla_nest_start(msg, VIGIL_LINK_A_COUNTERS);
		nla_put_u32(msg, VIGIL_CNT_RX, 1);
		nla_nest_end(msg, c);
	}
	nla_nest_end(msg, l);
	nla_nest_end(msg, links);
	nla_nest_end(msg, p);
	return msg;
}

static int parse_p(struct nl_msg *msg, struct vigil_peer *p, __u64 *gen)
{
	int ret = vigil_nl_parse_peer(nlmsg_hdr(msg), p, gen);

	nlmsg_free(msg);
	return ret;
}

static void test_peer(void)
{
	struct vigil_peer p;
	struct peers_dump d;
	struct nl_msg *msg;
	__u64 gen = 0;

	tap_is_int(parse_p(peer_msg(0, 12), &p, &gen), 0, "peer parses");
	tap_ok(gen == 12, "... dump generation");
	tap_ok(p.id == 2 && !strcmp(p.name, "n2") && p.votes == 1 &&
	       p.state == VIGIL_PEER_UP, "... id, name, votes, state");
	tap_ok(p.incarnation == 77 && p.has_last_seen && p.last_seen_ms == 30 &&
	       p.quorate && p.generation == 11,
	       "... incarnation, last seen, quorate, generation");
	tap_ok(p.has_members && p.members[0] == 7 && !p.members[1], "... members");
	tap_ok(!p.has_fence_cause, "... no fence cause");
	tap_ok(p.has_payload && p.payload_len == 2 && p.payload[0] == 0xca,
	       "... payload");
	tap_is_int(p.n_links, 2, "... 2 links");
	tap_ok(p.links[0].up && p.links[0].has_rtt && p.links[0].rtt_us == 120 &&
	       p.links[0].has_last_seen && p.links[0].last_seen_ms == 40 &&
	       p.links[0].counters[VIGIL_CNT_RX] == VIGIL_CNT_RX,
	       "... link a: up, rtt, last seen, counters");
	tap_ok(!p.links[1].up && !p.links[1].has_rtt &&
	       !p.links[1].has_last_seen && !p.links[1].has_counters,
	       "... link b: down, no samples");

	tap_is_int(parse_p(peer_msg(FENCED_PEER, 12), &p, &gen), 0,
		   "dumping peer parses");
	tap_ok(p.state == VIGIL_PEER_DUMPING && p.has_fence_cause &&
	       p.fence_cause == VIGIL_CAUSE_DAEMON, "... state dumping, cause daemon");
	tap_is_int(parse_p(peer_msg(BAD_FENCE_CAUSE, 1), &p, &gen), -EBADMSG,
		   "fence cause as u16: -EBADMSG");
	tap_is_int(parse_p(peer_msg(NO_PEER_ID, 1), &p, &gen), -EBADMSG,
		   "peer without id: -EBADMSG");
	tap_is_int(parse_p(peer_msg(SHORT_MEMBERS, 1), &p, &gen), -EBADMSG,
		   "members of 31 bytes: -EBADMSG");
	tap_is_int(parse_p(peer_msg(LONG_PAYLOAD, 1), &p, &gen), -EBADMSG,
		   "payload of 129 bytes: -EBADMSG");
	tap_is_int(parse_p(peer_msg(BAD_COUNTER, 1), &p, &gen), -EBADMSG,
		   "counter as u32: -EBADMSG");

	/* The dump collector: generations must agree. */
	d = (struct peers_dump){ .peers = calloc(1, sizeof(*d.peers)) };
	msg = peer_msg(0, 5);
	tap_is_int(parse_peers(nlmsg_hdr(msg), &d), 0, "dump: first peer");
	tap_is_int(parse_peers(nlmsg_hdr(msg), &d), 0, "dump: second peer");
	tap_ok(!d.raced && d.peers->n == 2, "... same generation, 2 peers");
	nlmsg_free(msg);
	msg = peer_msg(0, 6);
	tap_is_int(parse_peers(nlmsg_hdr(msg), &d), 0, "dump: peer of another generation");
	tap_ok(d.raced, "... the dump raced a change");
	d.peers->n = VIGIL_NODES_MAX - 1;
	tap_is_int(parse_peers(nlmsg_hdr(msg), &d), -EBADMSG,
		   "dump: more peers than VIGIL_NODES_MAX - 1: -EBADMSG");
	nlmsg_free(msg);
	free(d.peers);
}

static int parse_ev(struct nl_msg *msg, struct vigil_nl_event *ev)
{
	int ret = vigil_nl_parse_event(nlmsg_hdr(msg), ev);

	nlmsg_free(msg);
	return ret;
}

static void test_event(void)
{
	struct vigil_nl_event ev;
	struct nl_msg *msg;

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_LINK_DOWN);
	nla_put_u64(msg, VIGIL_A_GENERATION, 9);
	nla_put_u8(msg, VIGIL_A_QUORATE, 1);
	nla_put_u16(msg, VIGIL_A_EVENT_PEER, 3);
	nla_put_u8(msg, VIGIL_A_EVENT_LINK, 1);
	tap_is_int(parse_ev(msg, &ev), 0, "link event parses");
	tap_ok(ev.type == VIGIL_EV_LINK_DOWN && ev.generation == 9 && ev.quorate &&
	       ev.has_peer && ev.peer == 3 && ev.has_link && ev.link == 1 &&
	       !ev.has_incarnation, "... every field");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_PEER_UP);
	nla_put_u64(msg, VIGIL_A_GENERATION, 10);
	nla_put_u8(msg, VIGIL_A_QUORATE, 0);
	nla_put_u16(msg, VIGIL_A_EVENT_PEER, 2);
	nla_put_u64(msg, VIGIL_A_EVENT_INCARNATION, 1ULL << 40);
	tap_is_int(parse_ev(msg, &ev), 0, "peer-up event parses");
	tap_ok(!ev.quorate && ev.has_incarnation && ev.incarnation == 1ULL << 40 &&
	       !ev.has_link, "... incarnation, no link");

	tap_ok(!ev.has_fence_cause && !ev.has_fence_action && !ev.has_dumping,
	       "... no fence cause, action, dumping");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_FENCE_PENDING);
	nla_put_u64(msg, VIGIL_A_GENERATION, 11);
	nla_put_u8(msg, VIGIL_A_QUORATE, 0);
	nla_put_u8(msg, VIGIL_A_FENCE_CAUSE, VIGIL_CAUSE_QUORUM);
	nla_put_u8(msg, VIGIL_A_FENCE_ACTION, VIGIL_ACTION_REBOOT);
	nla_put_u32(msg, VIGIL_A_MAX + 1, 1);		/* newer kernel */
	tap_is_int(parse_ev(msg, &ev), 0, "fence-pending event parses");
	tap_ok(ev.type == VIGIL_EV_FENCE_PENDING && ev.has_fence_cause &&
	       ev.fence_cause == VIGIL_CAUSE_QUORUM && ev.has_fence_action &&
	       ev.fence_action == VIGIL_ACTION_REBOOT && !ev.has_dumping &&
	       !ev.has_peer, "... cause quorum, action reboot");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_PEER_FENCED);
	nla_put_u64(msg, VIGIL_A_GENERATION, 12);
	nla_put_u8(msg, VIGIL_A_QUORATE, 1);
	nla_put_u16(msg, VIGIL_A_EVENT_PEER, 2);
	nla_put_u8(msg, VIGIL_A_FENCE_CAUSE, VIGIL_CAUSE_DAEMON);
	nla_put_u8(msg, VIGIL_A_DUMPING, 1);
	tap_is_int(parse_ev(msg, &ev), 0, "peer-fenced event parses");
	tap_ok(ev.has_peer && ev.peer == 2 && ev.has_fence_cause &&
	       ev.fence_cause == VIGIL_CAUSE_DAEMON && !ev.has_fence_action &&
	       ev.has_dumping && ev.dumping, "... peer, cause daemon, dumping");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_PEER_FENCED);
	nla_put_u64(msg, VIGIL_A_GENERATION, 12);
	nla_put_u8(msg, VIGIL_A_QUORATE, 1);
	nla_put_u32(msg, VIGIL_A_DUMPING, 1);
	tap_is_int(parse_ev(msg, &ev), -EBADMSG, "dumping as u32: -EBADMSG");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_CONFIG_CHANGED);
	nla_put_u8(msg, VIGIL_A_QUORATE, 0);
	tap_is_int(parse_ev(msg, &ev), -EBADMSG, "event without generation");

	msg = genl_msg(VIGIL_CMD_EVENT);
	nla_put_u8(msg, VIGIL_A_EVENT, VIGIL_EV_CONFIG_CHANGED);
	nla_put_u64(msg, VIGIL_A_GENERATION, 10);
	nla_put_u8(msg, VIGIL_A_QUORATE, 0);
	tap_is_int(parse_ev(msg, &ev), -EBADMSG, "event type as u8");

	msg = genl_msg(VIGIL_CMD_GET_STATUS);
	nla_put_u32(msg, VIGIL_A_EVENT, VIGIL_EV_CONFIG_CHANGED);
	nla_put_u64(msg, VIGIL_A_GENERATION, 10);
	nla_put_u8(msg, VIGIL_A_QUORATE, 0);
	tap_is_int(parse_ev(msg, &ev), -EBADMSG, "not VIGIL_CMD_EVENT");
}

/* --- requests without a configuration ---------------------------------- */

/* Check the header of a request to the fake family and parse its attributes. */
static int request_attrs(struct nl_msg *msg, __u8 cmd, struct nlattr *tb[],
			 const char *what)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *ghdr = nlmsg_data(nlh);

	tap_ok(nlh->nlmsg_type == FAKE_FAMILY && !(nlh->nlmsg_flags & NLM_F_DUMP),
	       "%s: to the family, no dump", what);
	tap_ok(ghdr->cmd == cmd && ghdr->version == VIGIL_GENL_VERSION &&
	       !ghdr->reserved, "%s: command %u, version %d", what, cmd,
	       VIGIL_GENL_VERSION);
	nla_parse(tb, VIGIL_A_MAX, genlmsg_attrdata(ghdr, 0),
		  genlmsg_attrlen(ghdr, 0), NULL);
	return count_attrs(genlmsg_attrdata(ghdr, 0), genlmsg_attrlen(ghdr, 0),
			   VIGIL_A_MAX);
}

static void test_commands(void)
{
	struct vigil_nl nl = { .family = FAKE_FAMILY };
	struct nlattr *tb[VIGIL_A_MAX + 1];
	static const struct {
		__u8 cmd;
		const char *what;
	} bare[] = {
		{ VIGIL_CMD_GATE_OPEN, "gate open" },
		{ VIGIL_CMD_DAEMON_PET, "daemon pet" },
		{ VIGIL_CMD_DAEMON_UNREGISTER, "daemon unregister" },
	};
	struct nl_msg *msg;
	unsigned int i;

	msg = fence_msg(&nl, VIGIL_ACTION_PANIC);
	tap_ok(msg != NULL, "fence request builds");
	tap_is_int(request_attrs(msg, VIGIL_CMD_FENCE, tb, "fence"), 1,
		   "fence: one attribute");
	tap_ok(tb[VIGIL_A_FENCE_ACTION] && nla_len(tb[VIGIL_A_FENCE_ACTION]) == 1 &&
	       nla_get_u8(tb[VIGIL_A_FENCE_ACTION]) == VIGIL_ACTION_PANIC,
	       "fence: action u8");
	nlmsg_free(msg);

	msg = daemon_register_msg(&nl, 5000);
	tap_ok(msg != NULL, "daemon register request builds");
	tap_is_int(request_attrs(msg, VIGIL_CMD_DAEMON_REGISTER, tb,
				 "daemon register"), 1,
		   "daemon register: one attribute");
	tap_ok(tb[VIGIL_A_DAEMON_TIMEOUT_MS] &&
	       nla_len(tb[VIGIL_A_DAEMON_TIMEOUT_MS]) == 4 &&
	       nla_get_u32(tb[VIGIL_A_DAEMON_TIMEOUT_MS]) == 5000,
	       "daemon register: timeout u32");
	nlmsg_free(msg);

	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		msg = bare_msg(&nl, bare[i].cmd);
		tap_is_int(request_attrs(msg, bare[i].cmd, tb, bare[i].what), 0,
			   "%s: no attributes", bare[i].what);
		nlmsg_free(msg);
	}
}

static void test_names(void)
{
	unsigned int i;
	bool all = true;

	for (i = 1; i <= VIGIL_EV_MAX; i++)
		all = all && vigil_event_name(i);
	tap_ok(all, "every event has a name");
	tap_ok(!vigil_event_name(0) && !vigil_event_name(VIGIL_EV_MAX + 1),
	       "... and unknown ones none");
	tap_is_str(vigil_event_name(VIGIL_EV_QUORUM_LOST), "quorum-lost",
		   "quorum-lost");
	all = true;
	for (i = 1; i <= VIGIL_CNT_MAX; i++)
		all = all && vigil_counter_name(i);
	tap_ok(all && !vigil_counter_name(VIGIL_CNT_MAX + 1),
	       "every counter has a name");
	tap_is_str(vigil_counter_name(VIGIL_CNT_RX_BAD_MAC), "rx_bad_mac",
		   "rx_bad_mac");
	tap_is_str(vigil_peer_state_name(VIGIL_PEER_LEFT), "left", "left");
	tap_is_str(vigil_peer_state_name(VIGIL_PEER_SELF_FENCED), "self-fenced",
		   "self-fenced");
	tap_is_str(vigil_peer_state_name(VIGIL_PEER_DUMPING), "dumping", "dumping");
	tap_ok(!vigil_peer_state_name(VIGIL_PEER_DUMPING + 1),
	       "state %d has no name", VIGIL_PEER_DUMPING + 1);

	tap_is_str(vigil_event_name(VIGIL_EV_LEASE_EXPIRED), "lease-expired",
		   "lease-expired");
	tap_is_str(vigil_event_name(VIGIL_EV_LEASE_RENEWED), "lease-renewed",
		   "lease-renewed");
	tap_is_str(vigil_event_name(VIGIL_EV_FENCE_PENDING), "fence-pending",
		   "fence-pending");
	tap_is_str(vigil_event_name(VIGIL_EV_FENCE_CANCELLED), "fence-cancelled",
		   "fence-cancelled");
	tap_is_str(vigil_event_name(VIGIL_EV_FENCE), "fence", "fence");
	tap_is_str(vigil_event_name(VIGIL_EV_GATE_OPENED), "gate-opened",
		   "gate-opened");
	tap_is_str(vigil_event_name(VIGIL_EV_PEER_FENCED), "peer-fenced",
		   "peer-fenced");
	tap_is_str(vigil_event_name(VIGIL_EV_DAEMON_REGISTERED),
		   "daemon-registered", "daemon-registered");
	tap_is_str(vigil_event_name(VIGIL_EV_DAEMON_UNREGISTERED),
		   "daemon-unregistered", "daemon-unregistered");

	tap_ok(!strcmp(vigil_gate_name(VIGIL_GATE_NONE), "none") &&
	       !strcmp(vigil_gate_name(VIGIL_GATE_OPEN), "open") &&
	       !strcmp(vigil_gate_name(VIGIL_GATE_CLOSED), "closed") &&
	       !strcmp(vigil_gate_name(VIGIL_GATE_LATCHED), "latched") &&
	       !vigil_gate_name(VIGIL_GATE_LATCHED + 1), "gate names");
	tap_ok(!vigil_fence_cause_name(VIGIL_CAUSE_NONE) &&
	       !strcmp(vigil_fence_cause_name(VIGIL_CAUSE_QUORUM), "quorum") &&
	       !strcmp(vigil_fence_cause_name(VIGIL_CAUSE_DAEMON), "daemon") &&
	       !strcmp(vigil_fence_cause_name(VIGIL_CAUSE_OPERATOR), "operator") &&
	       !vigil_fence_cause_name(VIGIL_CAUSE_MAX + 1), "cause names");
	tap_ok(!vigil_fence_action_name(VIGIL_ACTION_UNSPEC) &&
	       !strcmp(vigil_fence_action_name(VIGIL_ACTION_NONE), "none") &&
	       !strcmp(vigil_fence_action_name(VIGIL_ACTION_FREEZE), "freeze") &&
	       !strcmp(vigil_fence_action_name(VIGIL_ACTION_PANIC), "panic") &&
	       !strcmp(vigil_fence_action_name(VIGIL_ACTION_REBOOT), "reboot") &&
	       !vigil_fence_action_name(VIGIL_ACTION_MAX + 1), "action names");

	/* Names and parsers are inverse; nothing else parses. */
	all = true;
	for (i = 1; i <= VIGIL_CAUSE_MAX; i++)
		all = all && vigil_fence_cause_parse(vigil_fence_cause_name(i)) == (int)i;
	for (i = 1; i <= VIGIL_ACTION_MAX; i++)
		all = all && vigil_fence_action_parse(vigil_fence_action_name(i)) == (int)i;
	tap_ok(all, "every cause and action name parses back");
	tap_ok(vigil_fence_cause_parse("") == -EINVAL &&
	       vigil_fence_cause_parse("Quorum") == -EINVAL &&
	       vigil_fence_cause_parse("none") == -EINVAL &&
	       vigil_fence_action_parse("quorum") == -EINVAL &&
	       vigil_fence_action_parse("freeze ") == -EINVAL,
	       "unknown, differently cased or padded names: -EINVAL");
}

int main(void)
{
	test_builder();
	test_status();
	test_peer();
	test_event();
	test_commands();
	test_names();
	return tap_done();
}
