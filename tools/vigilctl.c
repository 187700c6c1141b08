// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl: operator CLI for vigil.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigilctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct subcommand {
	const char *name;
	const char *args;
	const char *summary;
	int (*main)(int argc, char *argv[]);
};

static int help_main(int argc, char *argv[]);

/* fence self ACTION (fence.c) or fence NODE --dry-run (aws.c). */
static int fence_any_main(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config") ||
		    !strcmp(argv[i], "-n") || !strcmp(argv[i], "--node"))
			i++;
	if (i < argc && strcmp(argv[i], "self"))
		return fence_peer_main(argc, argv);
	return fence_main(argc, argv);
}
static int version_main(int argc, char *argv[]);

static const struct subcommand subcommands[] = {
	{ "status", "[-j|--json]", "show the node, quorum, peers and links",
	  status_main },
	{ "set-config", "<options>", "configure the cluster (see --help)",
	  set_config_main },
	{ "set-payload", "HEX | --file PATH",
	  "set the payload carried in heartbeats", set_payload_main },
	{ "witness", "MS", "grant the witness vote for MS ms (0 revokes)",
	  witness_main },
	{ "events", "[-j] [--follow|--count N] [--timeout S]",
	  "print events as they happen", events_main },
	{ "fence", "self ACTION [--yes]",
	  "fence this node now: none, freeze, panic or reboot", fence_any_main },
	{ "fence", "NODE --dry-run",
	  "show how a peer would be fenced (methods, AWS calls)", fence_any_main },
	{ "eni-attach", "[NODE] [--yes]",
	  "re-attach a node's service ENIs (aws-isolate)", eni_attach_main },
	{ "gate", "open", "reopen the gate a freeze latched", gate_main },
	{ "watchdog", "register MS | pet | unregister",
	  "the daemon watchdog by hand (tests, scripts)", watchdog_main },
	{ "switchover", "GROUP [NODE]",
	  "move a group to NODE (or its next node), no fencing", switchover_main },
	{ "act", "GROUP [--yes]",
	  "resume a group from the switchover wait", act_main },
	{ "start", "GROUP", "start a group the operator stopped", start_main },
	{ "stop", "GROUP", "stop a group everywhere", stop_main },
	{ "check-config", "[--no-key] [FILE]",
	  "check vigil.conf as vigild reads it", check_config_main },
	{ "version", "", "print vigilctl's version", version_main },
	{ "help", "", "show this help", help_main },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: vigilctl <command> [<options>]\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		const struct subcommand *s = &subcommands[i];
		char head[48];

		snprintf(head, sizeof(head), "%s %s", s->name, s->args);
		fprintf(f, "  %-40s %s\n", head, s->summary);
	}
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error.\n"
		   "See vigilctl(8).\n");
}

static int help_main(int argc, char *argv[])
{
	if (argc > 1)
		return vigilctl_bad_argument("help", argv[1]);
	usage(stdout);
	return VIGILCTL_OK;
}

static int version_main(int argc, char *argv[])
{
	if (argc > 1)
		return vigilctl_bad_argument("version", argv[1]);
	printf("vigilctl %s\n", VIGIL_VERSION);
	return VIGILCTL_OK;
}

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	}
	return NULL;
}

/* Output is only done once it is out of the stdio buffer. */
static int flush_stdout(void)
{
	if (fflush(stdout) == EOF)
		return -errno;
	if (ferror(stdout))
		return -EIO;
	return 0;
}

int main(int argc, char *argv[])
{
	const struct subcommand *s;
	int ret, err;

	if (argc < 2) {
		usage(stderr);
		return VIGILCTL_USAGE;
	}

	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		s = find_subcommand("help");
	else if (!strcmp(argv[1], "--version"))
		s = find_subcommand("version");
	else
		s = find_subcommand(argv[1]);

	if (!s) {
		fprintf(stderr, "vigilctl: unknown %s `%s'\n",
			argv[1][0] == '-' ? "option" : "command", argv[1]);
		fprintf(stderr, "Try 'vigilctl help'.\n");
		return VIGILCTL_USAGE;
	}

	ret = s->main(argc - 1, argv + 1);
	err = flush_stdout();
	if (err) {
		vigilctl_error("writing output", err, NULL);
		return VIGILCTL_FAIL;
	}
	return ret;
}
