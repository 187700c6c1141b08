// SPDX-License-Identifier: GPL-2.0
/*
 * libvigil: command-line helpers; see opt.h.
 */

#include <getopt.h>
#include <string.h>

#include "opt.h"

const char *vigil_opt_bad(char *const argv[], const char *optstring,
			  char buf[3])
{
	/*
	 * getopt_long() sets optopt to the character of an unknown short
	 * option, to 0 for an unknown long option and to the value of a
	 * known long option that was given an argument it does not take.
	 * Within a cluster ("-jx") optind may not have moved past the word
	 * yet, so a short option is named by its character alone.
	 */
	if (optopt > 0 && optopt < VIGIL_OPT_LONG_ONLY &&
	    !strchr(optstring, optopt)) {
		buf[0] = '-';
		buf[1] = optopt;
		buf[2] = '\0';
		return buf;
	}
	return argv[optind - 1];
}
