// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the lines vigilctl events prints (tools/events.c), text
 * and JSON, for the self-fencing events and their cause, action and
 * dumping fields, from events filled in by hand.
 */

#include <errno.h>
#include <stdlib.h>

#include "config.c"
#include "nl.c"
#include "opt.c"
#include "json.c"
#include "../../tools/util.c"
#include "../../tools/events.c"
#include "capture.h"
#include "tap.h"

static struct ctx c;

static const char *text(const struct vigil_nl_event *ev)
{
	struct capture cap;

	capture_begin(&cap, STDOUT_FILENO);
	print_text(&c, ev);
	return capture_end(&cap);
}

static const char *json(const struct vigil_nl_event *ev)
{
	struct capture cap;
	int ret;

	const char *out;

	capture_begin(&cap, STDOUT_FILENO);
	ret = print_json(&c, ev);
	out = capture_end(&cap);
	if (ret)
		tap_diag("print_json: %d", ret);
	return out;
}

int main(void)
{
	struct vigil_nl_event ev;

	c.peers = calloc(1, sizeof(*c.peers));
	c.st.configured = true;
	c.st.node_id = 1;
	strcpy(c.st.node_name, "n1");
	c.peers->n = 1;
	c.peers->peers[0].id = 2;
	strcpy(c.peers->peers[0].name, "n2");

	ev = (struct vigil_nl_event){ .type = VIGIL_EV_FENCE_PENDING,
		.generation = 5, .has_fence_cause = true,
		.fence_cause = VIGIL_CAUSE_QUORUM, .has_fence_action = true,
		.fence_action = VIGIL_ACTION_FREEZE };
	tap_is_str(text(&ev),
		   "fence-pending cause quorum action freeze generation 5 quorate no\n",
		   "fence-pending, text");
	tap_is_str(json(&ev),
		   "{\"event\": \"fence-pending\", \"type\": 13, \"generation\": 5, "
		   "\"quorate\": false, \"cause\": \"quorum\", \"action\": \"freeze\"}\n",
		   "fence-pending, JSON");

	ev = (struct vigil_nl_event){ .type = VIGIL_EV_PEER_FENCED,
		.generation = 6, .quorate = true, .has_peer = true, .peer = 2,
		.has_fence_cause = true, .fence_cause = VIGIL_CAUSE_DAEMON,
		.has_dumping = true, .dumping = true };
	tap_is_str(text(&ev),
		   "peer-fenced n2 cause daemon dumping yes generation 6 quorate yes\n",
		   "peer-fenced, text");
	tap_is_str(json(&ev),
		   "{\"event\": \"peer-fenced\", \"type\": 17, \"generation\": 6, "
		   "\"quorate\": true, \"peer\": \"n2\", \"peer_id\": 2, "
		   "\"cause\": \"daemon\", \"dumping\": true}\n",
		   "peer-fenced, JSON");

	ev.dumping = false;
	tap_is_str(text(&ev),
		   "peer-fenced n2 cause daemon dumping no generation 6 quorate yes\n",
		   "peer-fenced without a dump, text");

	ev = (struct vigil_nl_event){ .type = VIGIL_EV_FENCE, .generation = 7,
		.has_fence_cause = true, .fence_cause = VIGIL_CAUSE_MAX + 1,
		.has_fence_action = true, .fence_action = VIGIL_ACTION_MAX + 1 };
	tap_is_str(text(&ev), "fence cause 4 action 5 generation 7 quorate no\n",
		   "unknown cause and action, text: numbers");
	tap_is_str(json(&ev),
		   "{\"event\": \"fence\", \"type\": 15, \"generation\": 7, "
		   "\"quorate\": false, \"cause\": null, \"action\": null}\n",
		   "unknown cause and action, JSON: null");

	ev = (struct vigil_nl_event){ .type = VIGIL_EV_DAEMON_REGISTERED,
		.generation = 8, .quorate = true };
	tap_is_str(text(&ev), "daemon-registered generation 8 quorate yes\n",
		   "daemon-registered, text");
	tap_is_str(json(&ev),
		   "{\"event\": \"daemon-registered\", \"type\": 18, \"generation\": 8, "
		   "\"quorate\": true}\n", "daemon-registered, JSON: no cause, action, dumping");

	ev.type = VIGIL_EV_LEASE_EXPIRED;
	tap_is_str(text(&ev), "lease-expired generation 8 quorate yes\n",
		   "lease-expired, text");

	free(c.peers);
	return tap_done();
}
