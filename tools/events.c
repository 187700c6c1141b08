// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl events: print vigil.ko's events (the family's "events"
 * multicast group) one per line as they come, with peer and link names
 * looked up in the status.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "nl.h"
#include "opt.h"
#include "vigilctl.h"

#define CMD "events"

enum {
	OPT_COUNT = VIGIL_OPT_LONG_ONLY,
	OPT_TIMEOUT,
	OPT_FOLLOW,
};

static const char optstring[] = "jh";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl events [-j|--json] [--follow | --count N] [--timeout S]\n"
		   "Print events as they happen, one per line.\n"
		   "  -j, --json     one JSON object per line\n"
		   "  --follow       until interrupted (the default without --count)\n"
		   "  --count N      exit after N events\n"
		   "  --timeout S    exit after S seconds (status 1 if --count N\n"
		   "                 events had not come by then)\n"
		   "Needs CAP_NET_ADMIN (root).\n");
}

struct ctx {
	struct vigil_nl *nl;
	struct vigil_status st;
	struct vigil_peers *peers;	/* names of peers and links */
	bool json;
	unsigned long count;		/* 0: no limit */
	unsigned long seen;
};

/* Re-read the names; failures leave ids without names. */
static void load_names(struct ctx *c)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int i;

	c->peers->n = 0;
	if (vigil_nl_get_status(c->nl, &c->st, ackmsg, sizeof(ackmsg)) ||
	    !c->st.configured)
		return;
	for (i = 0; i < 5; i++) {
		if (vigil_nl_get_peers(c->nl, c->peers, ackmsg,
				       sizeof(ackmsg)) != -EAGAIN)
			break;
	}
}

static const char *peer_name(const struct ctx *c, __u16 id)
{
	unsigned int i;

	for (i = 0; i < c->peers->n; i++) {
		if (c->peers->peers[i].id == id)
			return c->peers->peers[i].name;
	}
	if (c->st.configured && c->st.node_id == id)
		return c->st.node_name;
	return NULL;
}

static const char *link_name(const struct ctx *c, __u8 index)
{
	unsigned int i;

	for (i = 0; i < c->st.n_links; i++) {
		if (c->st.links[i].index == index)
			return c->st.links[i].name;
	}
	return NULL;
}

static void print_text(const struct ctx *c, const struct vigil_nl_event *ev)
{
	const char *name = vigil_event_name(ev->type);

	if (name)
		printf("%s", name);
	else
		printf("event-%u", ev->type);
	if (ev->has_peer) {
		name = peer_name(c, ev->peer);
		if (name)
			printf(" %s", name);
		else
			printf(" node %u", ev->peer);
	}
	if (ev->has_link) {
		name = link_name(c, ev->link);
		if (name)
			printf(" link %s", name);
		else
			printf(" link %u", ev->link);
	}
	if (ev->has_incarnation)
		printf(" incarnation %" PRIu64, (uint64_t)ev->incarnation);
	if (ev->has_fence_cause) {
		name = vigil_fence_cause_name(ev->fence_cause);
		if (name)
			printf(" cause %s", name);
		else
			printf(" cause %u", ev->fence_cause);
	}
	if (ev->has_fence_action) {
		name = vigil_fence_action_name(ev->fence_action);
		if (name)
			printf(" action %s", name);
		else
			printf(" action %u", ev->fence_action);
	}
	if (ev->has_dumping)
		printf(" dumping %s", ev->dumping ? "yes" : "no");
	printf(" generation %" PRIu64 " quorate %s\n",
	       (uint64_t)ev->generation, ev->quorate ? "yes" : "no");
}

static int print_json(const struct ctx *c, const struct vigil_nl_event *ev)
{
	const char *name = vigil_event_name(ev->type);
	struct vigil_json j;

	vigil_json_init(&j, stdout);
	vigil_json_object_begin(&j);
	vigil_json_key(&j, "event");
	vigil_json_string(&j, name ? name : "unknown");
	vigil_json_key(&j, "type");
	vigil_json_u64(&j, ev->type);
	vigil_json_key(&j, "generation");
	vigil_json_u64(&j, ev->generation);
	vigil_json_key(&j, "quorate");
	vigil_json_bool(&j, ev->quorate);
	if (ev->has_peer) {
		vigil_json_key(&j, "peer");
		vigil_json_string(&j, peer_name(c, ev->peer));
		vigil_json_key(&j, "peer_id");
		vigil_json_u64(&j, ev->peer);
	}
	if (ev->has_link) {
		vigil_json_key(&j, "link");
		vigil_json_string(&j, link_name(c, ev->link));
		vigil_json_key(&j, "link_index");
		vigil_json_u64(&j, ev->link);
	}
	if (ev->has_incarnation) {
		vigil_json_key(&j, "incarnation");
		vigil_json_u64(&j, ev->incarnation);
	}
	if (ev->has_fence_cause) {
		vigil_json_key(&j, "cause");
		vigil_json_string(&j, vigil_fence_cause_name(ev->fence_cause));
	}
	if (ev->has_fence_action) {
		vigil_json_key(&j, "action");
		vigil_json_string(&j, vigil_fence_action_name(ev->fence_action));
	}
	if (ev->has_dumping) {
		vigil_json_key(&j, "dumping");
		vigil_json_bool(&j, ev->dumping);
	}
	vigil_json_object_end(&j);
	return vigil_json_finish(&j);
}

static int on_event(const struct vigil_nl_event *ev, void *arg)
{
	struct ctx *c = arg;
	int ret = 0;

	if (c->count && c->seen >= c->count)
		return 0;	/* the rest of a datagram past --count */
	if (ev->type == VIGIL_EV_CONFIG_CHANGED)
		load_names(c);
	if (c->json)
		ret = print_json(c, ev);
	else
		print_text(c, ev);
	if (!ret && fflush(stdout) == EOF)
		ret = -errno;
	c->seen++;
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read events until --count or --timeout. An exit status. */
static int run(struct ctx *c, struct vigil_nl_events *e, long long deadline)
{
	struct pollfd pfd = { .fd = vigil_nl_events_fd(e), .events = POLLIN };
	int ret, wait;

	for (;;) {
		if (c->count && c->seen >= c->count)
			return VIGILCTL_OK;
		wait = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return c->count ? VIGILCTL_FAIL : VIGILCTL_OK;
			wait = left > 60000 ? 60000 : (int)left;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			vigilctl_error(CMD, -errno, NULL);
			return VIGILCTL_FAIL;
		}
		if (!ret)
			continue;

		ret = vigil_nl_events_read(e, on_event, c);
		if (ret == -ENOBUFS) {
			fprintf(stderr, "vigilctl: " CMD ": events were lost (receive buffer overflow); status re-read\n");
			if (c->json)
				printf("{\"event\": \"overflow\"}\n");
			fflush(stdout);
			load_names(c);
			continue;
		}
		if (ret < 0) {
			vigilctl_report("reading events", ret, NULL);
			return VIGILCTL_FAIL;
		}
	}
}

int events_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl_events *e = NULL;
	struct ctx c = {};
	long long deadline = -1;
	bool follow = false;
	unsigned long v;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case OPT_COUNT:
			if (vigilctl_parse_uint(optarg, 10, 0xffffffffUL, &v) || !v) {
				fprintf(stderr, "vigilctl: " CMD ": bad --count '%s'\n",
					optarg);
				return VIGILCTL_USAGE;
			}
			c.count = v;
			break;
		case OPT_TIMEOUT:
			if (vigilctl_parse_uint(optarg, 10, 86400 * 365, &v)) {
				fprintf(stderr, "vigilctl: " CMD ": bad --timeout '%s'\n",
					optarg);
				return VIGILCTL_USAGE;
			}
			deadline = now_ms() + v * 1000LL;
			break;
		case OPT_FOLLOW:
			follow = true;
			break;
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option(CMD, argv, optstring);
		}
	}
	if (optind < argc)
		return vigilctl_bad_argument(CMD, argv[optind]);
	if (follow && c.count) {
		fprintf(stderr, "vigilctl: " CMD ": --follow and --count exclude each other\n");
		return VIGILCTL_USAGE;
	}

	c.peers = calloc(1, sizeof(*c.peers));
	if (!c.peers) {
		vigilctl_error(CMD, -ENOMEM, NULL);
		return VIGILCTL_FAIL;
	}
	ret = VIGILCTL_FAIL;
	/* Subscribe first: nothing after the names were read is missed. */
	if (vigilctl_connect(&c.nl))
		goto out;
	opt = vigil_nl_events_open(&e, ackmsg, sizeof(ackmsg));
	if (opt) {
		vigilctl_report("subscribing to events", opt, ackmsg);
		goto out_nl;
	}
	load_names(&c);
	ret = run(&c, e, deadline);
	vigil_nl_events_close(e);
out_nl:
	vigil_nl_close(c.nl);
out:
	free(c.peers);
	return ret;
}
