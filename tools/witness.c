// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl witness: grant the witness vote for a while (VIGIL_CMD_SET_WITNESS).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "nl.h"
#include "vigilctl.h"

#define CMD "witness"

static const char optstring[] = "h";

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl witness MS\n"
		   "Grant this node the witness vote for MS milliseconds from now\n"
		   "(at most %d); 0 revokes it. The grant expires by itself.\n"
		   "Needs CAP_NET_ADMIN (root).\n", VIGIL_TIMEOUT_MAX_MS);
}

int witness_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	unsigned long ms;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option(CMD, argv, optstring);
		}
	}
	if (optind + 1 < argc)
		return vigilctl_bad_argument(CMD, argv[optind + 1]);
	if (optind == argc) {
		fprintf(stderr, "vigilctl: " CMD ": give the milliseconds to grant (0 revokes)\n");
		return VIGILCTL_USAGE;
	}
	if (vigilctl_parse_uint(argv[optind], 10, 0xffffffffUL, &ms)) {
		fprintf(stderr, "vigilctl: " CMD ": bad milliseconds '%s'\n",
			argv[optind]);
		return VIGILCTL_USAGE;
	}

	if (vigilctl_connect(&nl))
		return VIGILCTL_FAIL;
	ret = vigil_nl_set_witness(nl, ms, ackmsg, sizeof(ackmsg));
	vigil_nl_close(nl);
	if (ret == -ENOENT && !ackmsg[0])
		fprintf(stderr, "vigilctl: " CMD ": the configuration has no witness votes (set-config --witness-votes)\n");
	else if (ret)
		vigilctl_report(CMD, ret, ackmsg);
	return ret ? VIGILCTL_FAIL : VIGILCTL_OK;
}
