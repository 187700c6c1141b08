// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl status: what vigil.ko reports: the module, this node, quorum,
 * and every peer with its links (GET_STATUS and a GET_PEERS dump).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "vigilctl.h"

/* Times a dump that raced a change is asked again. */
#define PEERS_TRIES 5

static const char optstring[] = "jh";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl status [-j|--json]\n"
		   "Show vigil.ko's version and, once configured, this node, quorum,\n"
		   "the peers and every link.\n"
		   "  -j, --json   print JSON instead of text\n"
		   "Needs CAP_NET_ADMIN (root).\n");
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *state_name(__u8 state)
{
	const char *name = vigil_peer_state_name(state);

	return name ? name : "invalid";
}

/* name, or the number for a value this build has no name for. */
static const char *name_or_number(const char *name, unsigned int v,
				  char buf[12])
{
	if (name)
		return name;
	snprintf(buf, 12, "%u", v);
	return buf;
}

static const char *cause_str(__u8 cause, char buf[12])
{
	return name_or_number(vigil_fence_cause_name(cause), cause, buf);
}

static const char *action_str(__u8 action, char buf[12])
{
	return name_or_number(vigil_fence_action_name(action), action, buf);
}

/* The lease, the gate, the fence policy and state, the daemon watchdog. */
static void print_fencing(const struct vigil_status *st)
{
	char b1[12], b2[12];
	unsigned int i;

	if (st->has_lease) {
		printf("  lease: %u ms", st->lease_ms);
		if (st->has_lease_left && st->lease_left_ms == UINT32_MAX)
			printf(", fresh (this node's votes alone are a quorum)");
		else if (st->has_lease_left && st->lease_left_ms)
			printf(", fresh for %u ms", st->lease_left_ms);
		else if (st->has_lease_left)
			printf(", not fresh");
		printf("\n");
	}
	if (st->has_gate) {
		printf("  gate: %s", name_or_number(vigil_gate_name(st->gate),
						     st->gate, b1));
		if (st->has_gate_dropped)
			printf(", %" PRIu64 " packets dropped",
			       (uint64_t)st->gate_dropped);
		printf("\n");
	}
	if (st->n_protect) {
		printf("  protect:");
		for (i = 0; i < st->n_protect; i++)
			printf(" %s", st->protect[i]);
		printf("\n");
	}
	if (st->n_fence) {
		printf("  fence policy:");
		for (i = 0; i < st->n_fence; i++) {
			const struct vigil_fence_rule *r = &st->fence[i];

			/* The operator's action is the request's. */
			printf("%s %s %s", i ? "," : "", cause_str(r->cause, b1),
			       r->action == VIGIL_ACTION_UNSPEC ? "as requested" :
			       action_str(r->action, b2));
			if (r->delay_ms)
				printf(" after %u ms", r->delay_ms);
		}
		printf("\n");
	}
	if (st->fenced)
		printf("  fenced: yes, cause %s%s\n", cause_str(st->fenced_cause, b1),
		       st->has_gate && st->gate == VIGIL_GATE_LATCHED ?
		       " (the gate is latched: vigilctl gate open)" : "");
	for (i = 0; i < st->n_fence_pending; i++) {
		const struct vigil_fence_rule *r = &st->fence_pending[i];

		printf("  fence pending: %s %s in %u ms\n",
		       cause_str(r->cause, b1), action_str(r->action, b2),
		       r->delay_ms);
	}
	if (st->has_daemon && st->daemon_timeout_ms) {
		printf("  daemon watchdog: timeout %u ms", st->daemon_timeout_ms);
		if (st->has_daemon_left)
			printf(", fires in %u ms", st->daemon_left_ms);
		printf("\n");
	} else if (st->has_daemon) {
		printf("  daemon watchdog: no daemon registered\n");
	}
}

/* Heartbeats refused for any reason. */
static __u64 rejected(const struct vigil_link_status *l)
{
	__u64 sum = 0;
	int i;

	for (i = VIGIL_CNT_RX_BAD_LENGTH; i <= VIGIL_CNT_RX_REPLAY; i++)
		sum += l->counters[i];
	return sum;
}

static void print_local_link(const struct vigil_link_status *l)
{
	const char *type = vigil_link_type_name(l->type);

	printf("  link %s (%u): %s, %s, ifindex %u", l->name, l->index,
	       type ? type : "?", l->up ? "up" : "down", l->ifindex);
	if (l->has_counters)
		printf(", tx %" PRIu64 ", tx errors %" PRIu64 ", rejected %" PRIu64,
		       (uint64_t)l->counters[VIGIL_CNT_TX],
		       (uint64_t)l->counters[VIGIL_CNT_TX_ERRORS],
		       (uint64_t)rejected(l));
	printf("\n");
}

static void print_peer_link(const struct vigil_link_status *l)
{
	printf("  link %s (%u): %s", l->name, l->index, l->up ? "up" : "down");
	if (l->has_rtt)
		printf(", rtt %u us", l->rtt_us);
	if (l->has_last_seen)
		printf(", last seen %u ms ago", l->last_seen_ms);
	if (l->has_counters)
		printf(", rx %" PRIu64 ", lost %" PRIu64 ", rejected %" PRIu64,
		       (uint64_t)l->counters[VIGIL_CNT_RX],
		       (uint64_t)l->counters[VIGIL_CNT_RX_LOST],
		       (uint64_t)rejected(l));
	printf("\n");
}

static void print_members(const __u8 *members)
{
	const char *sep = "";
	int id;

	for (id = 1; id <= VIGIL_NODES_MAX; id++) {
		if (members[(id - 1) / 8] & (1U << ((id - 1) % 8))) {
			printf("%s%d", sep, id);
			sep = " ";
		}
	}
}

static void print_text(const struct vigil_status *st,
		       const struct vigil_peers *peers)
{
	unsigned int i, j;
	char buf[12];

	printf("vigil.ko %s, wire protocol %u\n", st->version, st->protocol);
	if (!st->configured) {
		printf("not configured (see vigilctl set-config)\n");
		return;
	}
	printf("node: %s (id %u), cluster %u\n", st->node_name, st->node_id,
	       st->cluster_id);
	printf("  quorate: %s, generation %" PRIu64 "\n", yes_no(st->quorate),
	       (uint64_t)st->generation);
	printf("  votes: %u present, %u needed, %u expected\n", st->votes,
	       st->quorum_votes, st->expected_votes);
	if (st->witness_votes)
		printf("  witness: %u vote%s, %s\n", st->witness_votes,
		       st->witness_votes == 1 ? "" : "s",
		       st->witness_ms ? "granted" : "not granted");
	else
		printf("  witness: none\n");
	if (st->witness_votes && st->witness_ms)
		printf("  witness lease: %u ms left\n", st->witness_ms);
	printf("  timeout: %u ms, interval %u ms\n", st->timeout_ms,
	       st->interval_ms);
	if (st->flags & VIGIL_CFG_F_TWO_NODE)
		printf("  two-node: yes\n");
	printf("  incarnation: %" PRIu64 "\n", (uint64_t)st->incarnation);
	print_fencing(st);
	for (i = 0; i < st->n_links; i++)
		print_local_link(&st->links[i]);

	for (i = 0; i < peers->n; i++) {
		const struct vigil_peer *p = &peers->peers[i];

		printf("\npeer: %s (id %u)\n", p->name, p->id);
		printf("  state: %s", state_name(p->state));
		if (p->has_fence_cause)
			printf(" (cause %s)", cause_str(p->fence_cause, buf));
		if (p->has_last_seen)
			printf(", last seen %u ms ago", p->last_seen_ms);
		else
			printf(", never seen");
		printf("\n");
		printf("  votes: %u, quorate: %s, generation %" PRIu64 "\n",
		       p->votes, yes_no(p->quorate), (uint64_t)p->generation);
		if (p->incarnation)
			printf("  incarnation: %" PRIu64 "\n",
			       (uint64_t)p->incarnation);
		if (p->has_members) {
			printf("  members: ");
			print_members(p->members);
			printf("\n");
		}
		if (p->has_payload && p->payload_len) {
			printf("  payload: ");
			for (j = 0; j < p->payload_len; j++)
				printf("%02x", p->payload[j]);
			printf("\n");
		}
		for (j = 0; j < p->n_links; j++)
			print_peer_link(&p->links[j]);
	}
}

static void json_counters(struct vigil_json *j, const __u64 *counters)
{
	unsigned int i;

	vigil_json_key(j, "counters");
	vigil_json_object_begin(j);
	for (i = 1; i <= VIGIL_CNT_MAX; i++) {
		vigil_json_key(j, vigil_counter_name(i));
		vigil_json_u64(j, counters[i]);
	}
	vigil_json_object_end(j);
}

static void json_link(struct vigil_json *j, const struct vigil_link_status *l,
		      bool local)
{
	vigil_json_object_begin(j);
	vigil_json_key(j, "index");
	vigil_json_u64(j, l->index);
	vigil_json_key(j, "name");
	vigil_json_string(j, l->name);
	if (local) {
		vigil_json_key(j, "type");
		vigil_json_string(j, vigil_link_type_name(l->type));
		vigil_json_key(j, "ifindex");
		vigil_json_u64(j, l->ifindex);
	}
	vigil_json_key(j, "state");
	vigil_json_string(j, l->up ? "up" : "down");
	if (l->has_last_seen) {
		vigil_json_key(j, "last_seen_ms");
		vigil_json_u64(j, l->last_seen_ms);
	}
	if (l->has_rtt) {
		vigil_json_key(j, "rtt_us");
		vigil_json_u64(j, l->rtt_us);
	}
	if (l->has_counters) {
		json_counters(j, l->counters);
		if (!local) {
			vigil_json_key(j, "rejected");
			vigil_json_u64(j, rejected(l));
		}
	}
	vigil_json_object_end(j);
}

static void json_peer(struct vigil_json *j, const struct vigil_peer *p)
{
	char hex[2 * VIGIL_PAYLOAD_MAX + 1];
	unsigned int i;
	int id;

	vigil_json_object_begin(j);
	vigil_json_key(j, "id");
	vigil_json_u64(j, p->id);
	vigil_json_key(j, "name");
	vigil_json_string(j, p->name);
	vigil_json_key(j, "state");
	vigil_json_string(j, vigil_peer_state_name(p->state));
	if (p->has_fence_cause) {
		vigil_json_key(j, "fence_cause");
		vigil_json_string(j, vigil_fence_cause_name(p->fence_cause));
	}
	vigil_json_key(j, "votes");
	vigil_json_u64(j, p->votes);
	vigil_json_key(j, "incarnation");
	vigil_json_u64(j, p->incarnation);
	vigil_json_key(j, "last_seen_ms");
	if (p->has_last_seen)
		vigil_json_u64(j, p->last_seen_ms);
	else
		vigil_json_null(j);
	vigil_json_key(j, "quorate");
	vigil_json_bool(j, p->quorate);
	vigil_json_key(j, "generation");
	vigil_json_u64(j, p->generation);
	vigil_json_key(j, "members");
	vigil_json_array_begin(j);
	for (id = 1; p->has_members && id <= VIGIL_NODES_MAX; id++) {
		if (p->members[(id - 1) / 8] & (1U << ((id - 1) % 8)))
			vigil_json_u64(j, id);
	}
	vigil_json_array_end(j);
	vigil_json_key(j, "payload");
	for (i = 0; i < p->payload_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", p->payload[i]);
	hex[2 * p->payload_len] = '\0';
	vigil_json_string(j, hex);
	vigil_json_key(j, "links");
	vigil_json_array_begin(j);
	for (i = 0; i < p->n_links; i++)
		json_link(j, &p->links[i], false);
	vigil_json_array_end(j);
	vigil_json_object_end(j);
}

/* A list of fence rules; the delay is called key (delay_ms, left_ms). */
static void json_rules(struct vigil_json *j, const char *name,
		       const struct vigil_fence_rule *rules, unsigned int n,
		       const char *key)
{
	unsigned int i;

	vigil_json_key(j, name);
	vigil_json_array_begin(j);
	for (i = 0; i < n; i++) {
		vigil_json_object_begin(j);
		vigil_json_key(j, "cause");
		vigil_json_string(j, vigil_fence_cause_name(rules[i].cause));
		vigil_json_key(j, "action");
		vigil_json_string(j, vigil_fence_action_name(rules[i].action));
		vigil_json_key(j, key);
		vigil_json_u64(j, rules[i].delay_ms);
		vigil_json_object_end(j);
	}
	vigil_json_array_end(j);
}

/* A number, or null when the module did not report it. */
static void json_u64_or_null(struct vigil_json *j, const char *key, bool has,
			     __u64 v)
{
	vigil_json_key(j, key);
	if (has)
		vigil_json_u64(j, v);
	else
		vigil_json_null(j);
}

static void json_fencing(struct vigil_json *j, const struct vigil_status *st)
{
	unsigned int i;

	json_u64_or_null(j, "lease_ms", st->has_lease, st->lease_ms);
	json_u64_or_null(j, "lease_left_ms", st->has_lease_left,
			 st->lease_left_ms);
	vigil_json_key(j, "gate");
	vigil_json_string(j, st->has_gate ? vigil_gate_name(st->gate) : NULL);
	json_u64_or_null(j, "gate_dropped", st->has_gate_dropped,
			 st->gate_dropped);
	vigil_json_key(j, "protect");
	vigil_json_array_begin(j);
	for (i = 0; i < st->n_protect; i++)
		vigil_json_string(j, st->protect[i]);
	vigil_json_array_end(j);
	json_rules(j, "fence", st->fence, st->n_fence, "delay_ms");
	vigil_json_key(j, "fenced");
	vigil_json_string(j, st->fenced ?
			  vigil_fence_cause_name(st->fenced_cause) : NULL);
	json_rules(j, "fence_pending", st->fence_pending, st->n_fence_pending,
		   "left_ms");
	vigil_json_key(j, "daemon");
	if (st->has_daemon && st->daemon_timeout_ms) {
		vigil_json_object_begin(j);
		vigil_json_key(j, "timeout_ms");
		vigil_json_u64(j, st->daemon_timeout_ms);
		json_u64_or_null(j, "left_ms", st->has_daemon_left,
				 st->daemon_left_ms);
		vigil_json_object_end(j);
	} else {
		vigil_json_null(j);
	}
}

static void json_config(struct vigil_json *j, const struct vigil_status *st,
			const struct vigil_peers *peers)
{
	unsigned int i;

	vigil_json_key(j, "cluster_id");
	vigil_json_u64(j, st->cluster_id);
	vigil_json_key(j, "node");
	vigil_json_string(j, st->node_name);
	vigil_json_key(j, "node_id");
	vigil_json_u64(j, st->node_id);
	vigil_json_key(j, "incarnation");
	vigil_json_u64(j, st->incarnation);
	vigil_json_key(j, "quorate");
	vigil_json_bool(j, st->quorate);
	vigil_json_key(j, "generation");
	vigil_json_u64(j, st->generation);
	vigil_json_key(j, "votes");
	vigil_json_u64(j, st->votes);
	vigil_json_key(j, "quorum_votes");
	vigil_json_u64(j, st->quorum_votes);
	vigil_json_key(j, "expected_votes");
	vigil_json_u64(j, st->expected_votes);
	vigil_json_key(j, "witness_votes");
	vigil_json_u64(j, st->witness_votes);
	vigil_json_key(j, "witness_ms");
	vigil_json_u64(j, st->witness_ms);
	vigil_json_key(j, "timeout_ms");
	vigil_json_u64(j, st->timeout_ms);
	vigil_json_key(j, "interval_ms");
	vigil_json_u64(j, st->interval_ms);
	vigil_json_key(j, "flags");
	vigil_json_u64(j, st->flags);
	vigil_json_key(j, "two_node");
	vigil_json_bool(j, st->flags & VIGIL_CFG_F_TWO_NODE);
	json_fencing(j, st);
	vigil_json_key(j, "links");
	vigil_json_array_begin(j);
	for (i = 0; i < st->n_links; i++)
		json_link(j, &st->links[i], true);
	vigil_json_array_end(j);
	vigil_json_key(j, "peers");
	vigil_json_array_begin(j);
	for (i = 0; i < peers->n; i++)
		json_peer(j, &peers->peers[i]);
	vigil_json_array_end(j);
}

static void json_groups(struct vigil_json *j, const struct vigilctl_groups *g)
{
	unsigned int i;

	vigil_json_key(j, "vigild");
	vigil_json_bool(j, g != NULL);
	vigil_json_key(j, "groups");
	if (!g) {
		vigil_json_null(j);
		return;
	}
	vigil_json_array_begin(j);
	for (i = 0; i < g->n; i++) {
		const struct vigilctl_group *gr = &g->groups[i];

		vigil_json_object_begin(j);
		vigil_json_key(j, "name");
		vigil_json_string(j, gr->name);
		vigil_json_key(j, "state");
		vigil_json_string(j, gr->state);
		vigil_json_key(j, "node");
		vigil_json_string(j, gr->node[0] ? gr->node : NULL);
		vigil_json_key(j, "since");
		vigil_json_string(j, gr->since);
		vigil_json_key(j, "reason");
		vigil_json_string(j, gr->reason);
		vigil_json_key(j, "last_error");
		vigil_json_string(j, gr->last_error[0] ? gr->last_error : NULL);
		vigil_json_object_end(j);
	}
	vigil_json_array_end(j);
}

static void print_groups(const struct vigilctl_groups *g, int err)
{
	unsigned int i;

	printf("\n");
	if (!g) {
		if (err == -ENOENT || err == -ECONNREFUSED)
			printf("vigild: not running (no answer on %s): groups unknown\n",
			       vigilctl_socket_path());
		else
			printf("vigild: cannot be asked (%s): groups unknown\n",
			       strerror(-err));
		return;
	}
	printf("vigild: running as %s, %u group%s\n", g->node, g->n,
	       g->n == 1 ? "" : "s");
	if (!g->n)
		return;
	printf("  %-16s %-9s %-10s %-21s %s\n", "GROUP", "STATE", "NODE",
	       "SINCE", "REASON");
	for (i = 0; i < g->n; i++) {
		const struct vigilctl_group *gr = &g->groups[i];

		printf("  %-16s %-9s %-10s %-21s %s\n", gr->name, gr->state,
		       gr->node[0] ? gr->node : "-", gr->since, gr->reason);
		if (gr->last_error[0])
			printf("    last error: %s\n", gr->last_error);
	}
}

/*
 * One object; the module's own facts sit under "module", the cluster's
 * state beside it at the top level; with_groups: vigild's groups too
 * (groups NULL: vigild did not answer).
 */
static int print_json_all(const struct vigil_status *st,
			  const struct vigil_peers *peers, bool with_groups,
			  const struct vigilctl_groups *groups)
{
	struct vigil_json j;

	vigil_json_init(&j, stdout);
	vigil_json_object_begin(&j);
	vigil_json_key(&j, "module");
	vigil_json_object_begin(&j);
	vigil_json_key(&j, "version");
	vigil_json_string(&j, st->version);
	vigil_json_key(&j, "protocol");
	vigil_json_u64(&j, st->protocol);
	vigil_json_object_end(&j);
	vigil_json_key(&j, "configured");
	vigil_json_bool(&j, st->configured);
	if (st->configured)
		json_config(&j, st, peers);
	if (with_groups)
		json_groups(&j, groups);
	vigil_json_object_end(&j);
	return vigil_json_finish(&j);
}

static int report(const char *what, int err, const char *ackmsg)
{
	/* The module may go away between resolving and asking. */
	if (err == -ENOENT)
		fprintf(stderr, "vigilctl: vigil.ko is not loaded (generic netlink family '%s' not found)\n",
			VIGIL_GENL_NAME);
	else
		vigilctl_report(what, err, ackmsg);
	return err;
}

static int fetch(struct vigil_status *st, struct vigil_peers *peers)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	int ret, i;

	ret = vigilctl_connect(&nl);
	if (ret)
		return ret;
	ret = vigil_nl_get_status(nl, st, ackmsg, sizeof(ackmsg));
	if (ret) {
		report("reading status", ret, ackmsg);
		goto out;
	}
	if (!st->configured)
		goto out;
	for (i = 0; i < PEERS_TRIES; i++) {
		ret = vigil_nl_get_peers(nl, peers, ackmsg, sizeof(ackmsg));
		if (ret != -EAGAIN)
			break;
	}
	if (ret)
		report("reading peers", ret, ackmsg);
out:
	vigil_nl_close(nl);
	return ret;
}

int status_main(int argc, char *argv[])
{
	struct vigil_peers *peers = NULL;
	struct vigilctl_groups *groups = NULL;
	struct vigil_status st;
	bool json = false;
	int c, ret, gerr;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option("status", argv, optstring);
		}
	}
	if (optind < argc)
		return vigilctl_bad_argument("status", argv[optind]);

	peers = calloc(1, sizeof(*peers));
	groups = calloc(1, sizeof(*groups));
	if (!peers || !groups) {
		vigilctl_error("status", -ENOMEM, NULL);
		return VIGILCTL_FAIL;
	}
	ret = VIGILCTL_FAIL;
	if (fetch(&st, peers))
		goto out;
	gerr = vigilctl_groups_fetch(groups);

	if (!json) {
		print_text(&st, peers);
		print_groups(gerr ? NULL : groups, gerr);
		ret = VIGILCTL_OK;
		goto out;
	}
	c = print_json_all(&st, peers, true, gerr ? NULL : groups);
	if (c)
		vigilctl_error("writing JSON", c, NULL);
	else
		ret = VIGILCTL_OK;
out:
	free(groups);
	free(peers);
	return ret;
}
