// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl check-config: vigild's own checks of vigil.conf (daemon/conf.c),
 * without a daemon or the module. See vigil.conf(5).
 */

#include <getopt.h>
#include <stdio.h>

#include "conf.h"
#include "opt.h"
#include "vigilctl.h"

#define CMD "check-config"

enum {
	OPT_NO_KEY = VIGIL_OPT_LONG_ONLY,
};

static const char optstring[] = "h";

static const struct option options[] = {
	{ "no-key", no_argument, NULL, OPT_NO_KEY },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl check-config [--no-key] [FILE]\n"
		   "Check a vigil configuration file (default %s) as vigild\n"
		   "would read it: one line if it is valid, else every error with its line.\n"
		   "  --no-key  do not open the key file (check a file meant for another\n"
		   "            machine); its path is still checked\n"
		   "Exit status: 0 valid, 1 not valid, 2 usage error.\n",
		VIGIL_CONF_PATH);
}

int check_config_main(int argc, char *argv[])
{
	unsigned int flags = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case OPT_NO_KEY:
			flags |= VIGIL_CONF_NO_KEY;
			break;
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option(CMD, argv, optstring);
		}
	}
	if (optind + 1 < argc)
		return vigilctl_bad_argument(CMD, argv[optind + 1]);
	if (vigil_conf_check(optind < argc ? argv[optind] : VIGIL_CONF_PATH,
			     flags, stdout, stderr))
		return VIGILCTL_FAIL;
	return VIGILCTL_OK;
}
