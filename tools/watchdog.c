// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl watchdog register MS | pet | unregister: the daemon watchdog
 * of vigil.ko (VIGIL_CMD_DAEMON_*), by hand. For tests and for scripts
 * that stand in for vigild, which does this itself (vigild --watchdog).
 *
 * Static names carry the command's prefix, so that a unit test can take
 * this file together with another subcommand's.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "vigilctl.h"

#define WD_CMD "watchdog"

enum wd_op {
	WD_REGISTER,
	WD_PET,
	WD_UNREGISTER,
};

static const char wd_optstring[] = "h";

static const struct option wd_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void wd_usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl watchdog register MS | pet | unregister\n"
		   "The daemon watchdog of vigil.ko, by hand: for tests and for scripts\n"
		   "that stand in for vigild (which registers and pets by itself).\n"
		   "  register MS   from now on a pet must come at least every MS ms\n"
		   "                (at least two heartbeat intervals, at most %d), or\n"
		   "                the daemon cause fires (set-config --fence daemon:...);\n"
		   "                registering again changes MS and counts as a pet\n"
		   "  pet           reset the watchdog's countdown\n"
		   "  unregister    a clean stop: the watchdog is off until the next register\n"
		   "Needs CAP_NET_ADMIN (root).\n", VIGIL_TIMEOUT_MAX_MS);
}

/* 0 with *op (and *ms) set, -1 after --help, or an exit status. */
static int wd_parse_args(int argc, char *argv[], enum wd_op *op, __u32 *ms)
{
	unsigned long v;
	int c, want;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, wd_optstring, wd_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			wd_usage(stdout);
			return -1;
		default:
			return vigilctl_bad_option(WD_CMD, argv, wd_optstring);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "vigilctl: " WD_CMD ": expected register MS, pet or unregister\n");
		fprintf(stderr, "Try 'vigilctl " WD_CMD " --help'.\n");
		return VIGILCTL_USAGE;
	}
	if (!strcmp(argv[optind], "register")) {
		*op = WD_REGISTER;
		want = 2;
	} else if (!strcmp(argv[optind], "pet")) {
		*op = WD_PET;
		want = 1;
	} else if (!strcmp(argv[optind], "unregister")) {
		*op = WD_UNREGISTER;
		want = 1;
	} else {
		fprintf(stderr, "vigilctl: " WD_CMD ": bad operation '%s': expected register, pet or unregister\n",
			argv[optind]);
		return VIGILCTL_USAGE;
	}
	if (argc - optind > want)
		return vigilctl_bad_argument(WD_CMD, argv[optind + want]);
	if (*op != WD_REGISTER)
		return 0;
	if (argc - optind < want) {
		fprintf(stderr, "vigilctl: " WD_CMD " register: give the timeout in milliseconds\n");
		return VIGILCTL_USAGE;
	}
	if (vigilctl_parse_uint(argv[optind + 1], 10, VIGIL_TIMEOUT_MAX_MS, &v) ||
	    !v) {
		fprintf(stderr, "vigilctl: " WD_CMD " register: bad timeout '%s': expected milliseconds, 1..%d\n",
			argv[optind + 1], VIGIL_TIMEOUT_MAX_MS);
		return VIGILCTL_USAGE;
	}
	*ms = v;
	return 0;
}

int watchdog_main(int argc, char *argv[])
{
	static const char *const what[] = {
		[WD_REGISTER] = WD_CMD " register",
		[WD_PET] = WD_CMD " pet",
		[WD_UNREGISTER] = WD_CMD " unregister",
	};
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	enum wd_op op = WD_PET;
	__u32 ms = 0;
	int ret;

	ret = wd_parse_args(argc, argv, &op, &ms);
	if (ret)
		return ret < 0 ? VIGILCTL_OK : ret;

	if (vigilctl_connect(&nl))
		return VIGILCTL_FAIL;
	switch (op) {
	case WD_REGISTER:
		ret = vigil_nl_daemon_register(nl, ms, ackmsg, sizeof(ackmsg));
		break;
	case WD_PET:
		ret = vigil_nl_daemon_pet(nl, ackmsg, sizeof(ackmsg));
		break;
	default:
		ret = vigil_nl_daemon_unregister(nl, ackmsg, sizeof(ackmsg));
		break;
	}
	vigil_nl_close(nl);
	if (ret == -ENOENT && !ackmsg[0])
		fprintf(stderr, "vigilctl: %s: %s\n", what[op],
			op == WD_REGISTER ?
			"vigil.ko is not configured (see vigilctl set-config)" :
			"no daemon is registered");
	else if (ret)
		vigilctl_report(what[op], ret, ackmsg);
	return ret ? VIGILCTL_FAIL : VIGILCTL_OK;
}
