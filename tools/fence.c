// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl fence self ACTION: fence this node now (VIGIL_CMD_FENCE, cause
 * operator); vigilctl gate open: reopen a gate a freeze latched
 * (VIGIL_CMD_GATE_OPEN).
 *
 * Static names carry their command's prefix, so that a unit test can take
 * this file together with another subcommand's.
 */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "vigilctl.h"

#define FENCE_CMD "fence"
#define GATE_CMD "gate"

static const char fence_optstring[] = "yh";

static const struct option fence_options[] = {
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void fence_usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl fence self ACTION [-y|--yes]\n"
		   "Fence this node now (cause operator), after the delay given with\n"
		   "set-config --fence operator:ACTION:DELAY_MS. ACTION is one of\n"
		   "  none     only the events (fence-pending, fence)\n"
		   "  freeze   latch the gate of the protected interfaces closed until\n"
		   "           'vigilctl gate open'\n"
		   "  panic    panic the kernel (into the crash kernel if one is loaded)\n"
		   "  reboot   restart at once, without syncing or unmounting anything\n"
		   "panic and reboot ask for confirmation on a terminal; -y, --yes\n"
		   "skips the question and is needed when standard input is not a terminal.\n"
		   "Needs CAP_NET_ADMIN (root).\n");
}

/*
 * The command line of fence: 0 with *action and *yes set, -1 after
 * --help, or an exit status.
 */
static int fence_parse_args(int argc, char *argv[], __u8 *action, bool *yes)
{
	int c, ret;

	*yes = false;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, fence_optstring, fence_options,
				NULL)) != -1) {
		switch (c) {
		case 'y':
			*yes = true;
			break;
		case 'h':
			fence_usage(stdout);
			return -1;
		default:
			return vigilctl_bad_option(FENCE_CMD, argv, fence_optstring);
		}
	}
	if (optind == argc || strcmp(argv[optind], "self")) {
		if (optind == argc)
			fprintf(stderr, "vigilctl: " FENCE_CMD ": expected 'self ACTION'\n");
		else
			fprintf(stderr, "vigilctl: " FENCE_CMD ": bad target '%s': only 'self' can be fenced from here\n",
				argv[optind]);
		fprintf(stderr, "Try 'vigilctl " FENCE_CMD " --help'.\n");
		return VIGILCTL_USAGE;
	}
	if (optind + 1 == argc) {
		fprintf(stderr, "vigilctl: " FENCE_CMD ": give the action: none, freeze, panic or reboot\n");
		return VIGILCTL_USAGE;
	}
	if (optind + 2 < argc)
		return vigilctl_bad_argument(FENCE_CMD, argv[optind + 2]);
	ret = vigil_fence_action_parse(argv[optind + 1]);
	if (ret < 0) {
		fprintf(stderr, "vigilctl: " FENCE_CMD ": bad action '%s': expected none, freeze, panic or reboot\n",
			argv[optind + 1]);
		return VIGILCTL_USAGE;
	}
	*action = ret;
	return 0;
}

/*
 * Ask on out, read one line from in: true only for "yes". The prompt
 * names this node by its host name.
 */
static bool fence_confirm(FILE *in, FILE *out, const char *action)
{
	char host[256] = "";

	if (gethostname(host, sizeof(host) - 1))
		strcpy(host, "?");
	fprintf(out, "vigilctl: " FENCE_CMD " self %s: this %s this node (%s) now, or after the operator delay.\n"
		     "Type 'yes' to go on: ", action,
		     !strcmp(action, "panic") ? "panics" : "reboots", host);
	fflush(out);
	return vigilctl_yes(in);
}

int fence_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	const char *name;
	struct vigil_nl *nl;
	__u8 action = 0;
	bool yes;
	int ret;

	ret = fence_parse_args(argc, argv, &action, &yes);
	if (ret)
		return ret < 0 ? VIGILCTL_OK : ret;
	name = vigil_fence_action_name(action);

	if ((action == VIGIL_ACTION_PANIC || action == VIGIL_ACTION_REBOOT) &&
	    !yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "vigilctl: " FENCE_CMD " self %s: standard input is not a terminal: give --yes to %s this node\n",
				name, name);
			return VIGILCTL_USAGE;
		}
		if (!fence_confirm(stdin, stderr, name)) {
			fprintf(stderr, "vigilctl: " FENCE_CMD " self %s: not confirmed; nothing done\n",
				name);
			return VIGILCTL_FAIL;
		}
	}

	if (vigilctl_connect(&nl))
		return VIGILCTL_FAIL;
	ret = vigil_nl_fence(nl, action, ackmsg, sizeof(ackmsg));
	vigil_nl_close(nl);
	if (ret == -ENOENT && !ackmsg[0])
		fprintf(stderr, "vigilctl: " FENCE_CMD " self %s: vigil.ko is not configured (see vigilctl set-config)\n",
			name);
	else if (ret)
		vigilctl_report(FENCE_CMD " self", ret, ackmsg);
	return ret ? VIGILCTL_FAIL : VIGILCTL_OK;
}

static const char gate_optstring[] = "h";

static const struct option gate_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void gate_usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl gate open\n"
		   "Reopen the gate a freeze latched closed, and clear the fenced state.\n"
		   "Refused while this node is not quorate or its lease is not fresh; a\n"
		   "gate that is not latched is left as it is.\n"
		   "Needs CAP_NET_ADMIN (root).\n");
}

/* 0, -1 after --help, or an exit status. */
static int gate_parse_args(int argc, char *argv[])
{
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, gate_optstring, gate_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			gate_usage(stdout);
			return -1;
		default:
			return vigilctl_bad_option(GATE_CMD, argv, gate_optstring);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "vigilctl: " GATE_CMD ": expected 'open'\n");
		fprintf(stderr, "Try 'vigilctl " GATE_CMD " --help'.\n");
		return VIGILCTL_USAGE;
	}
	if (strcmp(argv[optind], "open")) {
		fprintf(stderr, "vigilctl: " GATE_CMD ": bad operation '%s': expected 'open'\n",
			argv[optind]);
		return VIGILCTL_USAGE;
	}
	if (optind + 1 < argc)
		return vigilctl_bad_argument(GATE_CMD, argv[optind + 1]);
	return 0;
}

int gate_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	int ret;

	ret = gate_parse_args(argc, argv);
	if (ret)
		return ret < 0 ? VIGILCTL_OK : ret;

	if (vigilctl_connect(&nl))
		return VIGILCTL_FAIL;
	ret = vigil_nl_gate_open(nl, ackmsg, sizeof(ackmsg));
	vigil_nl_close(nl);
	if (ret)
		vigilctl_report(GATE_CMD " open", ret, ackmsg);
	return ret ? VIGILCTL_FAIL : VIGILCTL_OK;
}
