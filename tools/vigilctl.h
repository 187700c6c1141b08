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

int status_main(int argc, char *argv[]);

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
