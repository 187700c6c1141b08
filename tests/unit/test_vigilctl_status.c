// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the output of vigilctl status (tools/status.c), text and
 * JSON, for a status and peers filled in by hand: the self-fencing
 * fields, their absence (a module from before self-fencing), and the keys
 * that were there before, which must not change.
 */

#include <errno.h>
#include <stdlib.h>

#include "config.c"
#include "nl.c"
#include "opt.c"
#include "json.c"
#include "../../tools/util.c"
#include "../../tools/group.c"
#include "../../tools/status.c"
#include "capture.h"
#include "tap.h"

static void fill(struct vigil_status *st, struct vigil_peers *peers,
		 bool fencing)
{
	struct vigil_peer *p;

	memset(st, 0, sizeof(*st));
	strcpy(st->version, "0.2.0");
	st->protocol = 1;
	st->configured = true;
	st->cluster_id = 4242;
	st->node_id = 1;
	strcpy(st->node_name, "n1");
	st->incarnation = 99;
	st->timeout_ms = 500;
	st->interval_ms = 100;
	st->quorate = true;
	st->generation = 7;
	st->votes = 2;
	st->expected_votes = 3;
	st->quorum_votes = 2;
	st->n_links = 1;
	st->links[0] = (struct vigil_link_status){ .index = 0, .name = "a",
		.type = VIGIL_LINK_L2, .ifindex = 3, .up = true };

	memset(peers, 0, sizeof(*peers));
	peers->n = 2;
	p = &peers->peers[0];
	p->id = 2;
	strcpy(p->name, "n2");
	p->votes = 1;
	p->state = VIGIL_PEER_UP;
	p = &peers->peers[1];
	p->id = 3;
	strcpy(p->name, "n3");
	p->votes = 1;
	p->state = VIGIL_PEER_SELF_FENCED;

	if (!fencing)
		return;
	p->has_fence_cause = true;
	p->fence_cause = VIGIL_CAUSE_QUORUM;
	st->has_lease = st->has_lease_left = true;
	st->lease_ms = 400;
	st->lease_left_ms = 312;
	st->has_gate = st->has_gate_dropped = true;
	st->gate = VIGIL_GATE_LATCHED;
	st->gate_dropped = 12;
	st->n_protect = 2;
	strcpy(st->protect[0], "eth2");
	strcpy(st->protect[1], "eth3");
	st->n_fence = 3;
	st->fence[0] = (struct vigil_fence_rule){ VIGIL_CAUSE_QUORUM,
		VIGIL_ACTION_FREEZE, 0 };
	st->fence[1] = (struct vigil_fence_rule){ VIGIL_CAUSE_DAEMON,
		VIGIL_ACTION_PANIC, 2000 };
	st->fence[2] = (struct vigil_fence_rule){ VIGIL_CAUSE_OPERATOR,
		VIGIL_ACTION_UNSPEC, 500 };
	st->fenced = true;
	st->fenced_cause = VIGIL_CAUSE_QUORUM;
	st->n_fence_pending = 1;
	st->fence_pending[0] = (struct vigil_fence_rule){ VIGIL_CAUSE_DAEMON,
		VIGIL_ACTION_PANIC, 1234 };
	st->has_daemon = st->has_daemon_left = true;
	st->daemon_timeout_ms = 5000;
	st->daemon_left_ms = 3000;
}

static const char *json_of(const struct vigil_status *st,
			   const struct vigil_peers *peers)
{
	struct capture c;
	const char *out;
	int ret;

	capture_begin(&c, STDOUT_FILENO);
	ret = print_json_all(st, peers, false, NULL);
	out = capture_end(&c);
	tap_is_int(ret, 0, "JSON written");
	return out;
}

static const char *text_of(const struct vigil_status *st,
			   const struct vigil_peers *peers)
{
	struct capture c;

	capture_begin(&c, STDOUT_FILENO);
	print_text(st, peers);
	return capture_end(&c);
}

/* s for a TAP description: newlines as \n. */
static const char *oneline(const char *s)
{
	static char buf[1024];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 3; s++) {
		if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void has(const char *out, const char *want, const char *what)
{
	tap_ok(strstr(out, want) != NULL, "%s: %s", what, oneline(want));
	if (!strstr(out, want))
		tap_diag("got: %s", oneline(out));
}

static void lacks(const char *out, const char *unwanted, const char *what)
{
	tap_ok(strstr(out, unwanted) == NULL, "%s: no %s", what, unwanted);
}

static void test_json(struct vigil_status *st, struct vigil_peers *peers)
{
	static const char *const before[] = {
		"{\"module\": {\"version\": \"0.2.0\", \"protocol\": 1}, \"configured\": true, "
		"\"cluster_id\": 4242, \"node\": \"n1\", \"node_id\": 1, \"incarnation\": 99, "
		"\"quorate\": true, \"generation\": 7, \"votes\": 2, \"quorum_votes\": 2, "
		"\"expected_votes\": 3, \"witness_votes\": 0, \"witness_ms\": 0, "
		"\"timeout_ms\": 500, \"interval_ms\": 100, \"flags\": 0, \"two_node\": false, ",
		"\"links\": [{\"index\": 0, \"name\": \"a\", \"type\": \"l2\", \"ifindex\": 3, \"state\": \"up\"}], "
		"\"peers\": [{\"id\": 2, \"name\": \"n2\", \"state\": \"up\", \"votes\": 1, ",
	};
	const char *out;
	size_t i;

	fill(st, peers, true);
	out = json_of(st, peers);
	for (i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		has(out, before[i], "JSON keeps the keys it had");
	has(out, "\"two_node\": false, \"lease_ms\": 400, \"lease_left_ms\": 312, "
		 "\"gate\": \"latched\", \"gate_dropped\": 12, "
		 "\"protect\": [\"eth2\", \"eth3\"], "
		 "\"fence\": [{\"cause\": \"quorum\", \"action\": \"freeze\", \"delay_ms\": 0}, "
		 "{\"cause\": \"daemon\", \"action\": \"panic\", \"delay_ms\": 2000}, "
		 "{\"cause\": \"operator\", \"action\": null, \"delay_ms\": 500}], "
		 "\"fenced\": \"quorum\", "
		 "\"fence_pending\": [{\"cause\": \"daemon\", \"action\": \"panic\", \"left_ms\": 1234}], "
		 "\"daemon\": {\"timeout_ms\": 5000, \"left_ms\": 3000}, \"links\": ",
	    "JSON self-fencing");
	has(out, "{\"id\": 3, \"name\": \"n3\", \"state\": \"self-fenced\", "
		 "\"fence_cause\": \"quorum\", \"votes\": 1, ", "JSON peer");
	has(out, "{\"id\": 2, \"name\": \"n2\", \"state\": \"up\", \"votes\": 1, ",
	    "JSON peer without fence cause");

	/* Alone quorate, no daemon, values this build has no name for. */
	st->lease_left_ms = UINT32_MAX;
	st->daemon_timeout_ms = 0;
	st->has_daemon_left = false;
	st->gate = VIGIL_GATE_LATCHED + 1;
	st->fence[1].action = VIGIL_ACTION_MAX + 1;
	peers->peers[1].state = VIGIL_PEER_DUMPING;
	out = json_of(st, peers);
	has(out, "\"lease_left_ms\": 4294967295, \"gate\": null, ", "JSON");
	has(out, "{\"cause\": \"daemon\", \"action\": null, \"delay_ms\": 2000}",
	    "JSON unknown action");
	has(out, "\"daemon\": null, ", "JSON no daemon registered");
	has(out, "\"state\": \"dumping\", \"fence_cause\": \"quorum\"", "JSON dumping peer");

	/* A module from before self-fencing. */
	fill(st, peers, false);
	out = json_of(st, peers);
	has(out, "\"two_node\": false, \"lease_ms\": null, \"lease_left_ms\": null, "
		 "\"gate\": null, \"gate_dropped\": null, \"protect\": [], \"fence\": [], "
		 "\"fenced\": null, \"fence_pending\": [], \"daemon\": null, \"links\": ",
	    "JSON without self-fencing");
	has(out, "\"state\": \"self-fenced\", \"votes\": 1", "JSON peer without cause");
}

static void test_text(struct vigil_status *st, struct vigil_peers *peers)
{
	const char *out;

	fill(st, peers, true);
	out = text_of(st, peers);
	has(out, "  incarnation: 99\n  lease: 400 ms, fresh for 312 ms\n", "text");
	has(out, "  gate: latched, 12 packets dropped\n", "text");
	has(out, "  protect: eth2 eth3\n", "text");
	has(out, "  fence policy: quorum freeze, daemon panic after 2000 ms, operator as requested after 500 ms\n",
	    "text");
	has(out, "  fenced: yes, cause quorum (the gate is latched: vigilctl gate open)\n",
	    "text");
	has(out, "  fence pending: daemon panic in 1234 ms\n", "text");
	has(out, "  daemon watchdog: timeout 5000 ms, fires in 3000 ms\n  link a (0)",
	    "text");
	has(out, "peer: n3 (id 3)\n  state: self-fenced (cause quorum), never seen\n",
	    "text");
	has(out, "peer: n2 (id 2)\n  state: up, never seen\n", "text");

	st->lease_left_ms = 0;
	st->gate = VIGIL_GATE_CLOSED;
	st->fenced = false;
	st->n_fence_pending = 0;
	st->daemon_timeout_ms = 0;
	st->fence[1].action = VIGIL_ACTION_MAX + 1;
	out = text_of(st, peers);
	has(out, "  lease: 400 ms, not fresh\n", "text");
	has(out, "  gate: closed, 12 packets dropped\n", "text");
	has(out, "daemon 5 after 2000 ms", "text, unknown action");
	lacks(out, "fenced:", "text");
	lacks(out, "fence pending", "text");
	has(out, "  daemon watchdog: no daemon registered\n", "text");

	st->lease_left_ms = UINT32_MAX;
	out = text_of(st, peers);
	has(out, "  lease: 400 ms, fresh (this node's votes alone are a quorum)\n",
	    "text");

	fill(st, peers, false);
	out = text_of(st, peers);
	has(out, "  incarnation: 99\n  link a (0)", "text without self-fencing");
	lacks(out, "lease", "text without self-fencing");
	lacks(out, "gate", "text without self-fencing");
	lacks(out, "daemon", "text without self-fencing");
}

int main(void)
{
	struct vigil_status *st = calloc(1, sizeof(*st));
	struct vigil_peers *peers = calloc(1, sizeof(*peers));

	test_json(st, peers);
	test_text(st, peers);
	free(st);
	free(peers);
	return tap_done();
}
