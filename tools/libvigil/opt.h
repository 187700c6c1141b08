/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvigil: command-line helpers shared by vigild and vigilctl.
 */
#ifndef _VIGIL_OPT_H
#define _VIGIL_OPT_H

/*
 * Values at or above this for long options that have no short form, so
 * that they can never be mistaken for a character.
 */
#define VIGIL_OPT_LONG_ONLY 0x100

/*
 * After getopt_long() returned '?', the word to name in the error message:
 * "-x" for an unknown short option (written into buf), else the whole
 * argument, e.g. "--bogus" or "--json=1".
 */
const char *vigil_opt_bad(char *const argv[], const char *optstring,
			  char buf[3]);

#endif /* _VIGIL_OPT_H */
