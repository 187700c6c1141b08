/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigilctl: operator CLI for vigil. Each subcommand's *_main() takes the
 * arguments from its own name on and returns an exit status.
 */
#ifndef _VIGILCTL_H
#define _VIGILCTL_H

enum {
	VIGILCTL_OK = 0,	/* done */
	VIGILCTL_FAIL = 1,	/* an operation failed; the reason was printed */
	VIGILCTL_USAGE = 2,	/* bad command line */
};

#include <stddef.h>
#include <linux/types.h>

struct vigil_nl;

int status_main(int argc, char *argv[]);
int set_config_main(int argc, char *argv[]);
int set_payload_main(int argc, char *argv[]);
int witness_main(int argc, char *argv[]);
int events_main(int argc, char *argv[]);
int fence_main(int argc, char *argv[]);
int gate_main(int argc, char *argv[]);
int watchdog_main(int argc, char *argv[]);
int check_config_main(int argc, char *argv[]);

/* util.c */

/*
 * Report a failed operation: the module missing (-ENOENT), missing
 * privileges (-EPERM) and everything else (see vigilctl_error()).
 * Returns err.
 */
int vigilctl_report(const char *what, int err, const char *ackmsg);

/* vigil_nl_open(), the failure reported. 0 or -errno. */
int vigilctl_connect(struct vigil_nl **nlp);

/*
 * A whole unsigned number in [0, max], in base (0: C prefixes), with no
 * sign or blanks. 0 or -EINVAL.
 */
int vigilctl_parse_uint(const char *s, int base, unsigned long max,
			unsigned long *out);

/*
 * An even number of hex digits into at most max bytes, *len set.
 * 0, -EINVAL (not hex) or -E2BIG (too long).
 */
int vigilctl_parse_hex(const char *s, size_t n, __u8 *buf, size_t max,
		       size_t *len);

/*
 * Print "vigilctl: <what>: <strerror(-err)>", with the kernel's extended
 * ACK message appended when there is one.
 */
void vigilctl_error(const char *what, int err, const char *ackmsg);

/* For getopt_long() returning '?': names the bad word, returns VIGILCTL_USAGE. */
int vigilctl_bad_option(const char *cmd, char *const argv[],
			const char *optstring);

/* For a word left over after the options; returns VIGILCTL_USAGE. */
int vigilctl_bad_argument(const char *cmd, const char *arg);

#endif /* _VIGILCTL_H */
