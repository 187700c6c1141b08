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
#include <stdio.h>
#include <linux/types.h>

struct vigil_nl;

int status_main(int argc, char *argv[]);
int set_config_main(int argc, char *argv[]);
int set_payload_main(int argc, char *argv[]);
int witness_main(int argc, char *argv[]);
int events_main(int argc, char *argv[]);
int fence_main(int argc, char *argv[]);
/* aws.c: fence NODE --dry-run (from fence_main), eni-attach */
int fence_peer_main(int argc, char *argv[]);
int eni_attach_main(int argc, char *argv[]);
int gate_main(int argc, char *argv[]);
int watchdog_main(int argc, char *argv[]);
int check_config_main(int argc, char *argv[]);
int switchover_main(int argc, char *argv[]);
int act_main(int argc, char *argv[]);
int start_main(int argc, char *argv[]);
int stop_main(int argc, char *argv[]);

/* group.c: vigild's control socket (Documentation/control.md). */
#include <stdbool.h>

#define VIGILCTL_SOCKET_PATH "/run/vigil/vigild.sock"	/* $VIGIL_SOCKET */
#define VIGILCTL_REPLY_MAX (1024 * 1024)
#define VIGILCTL_GROUPS_MAX 64

struct vigilctl_group {
	char name[64];
	char state[16];
	char node[64];			/* "": none */
	char since[32];			/* ISO 8601, UTC */
	char reason[64];
	char last_error[512];		/* "": none */
};

struct vigilctl_groups {
	char node[64];			/* the node vigild runs as */
	unsigned int n;
	struct vigilctl_group groups[VIGILCTL_GROUPS_MAX];
};

const char *vigilctl_socket_path(void);
/*
 * Send one request line, read the reply. 0 and *reply (malloc'd: the
 * lines before `ok'); 1 and the message of `error: MESSAGE' in err;
 * -errno when vigild could not be asked (-ENOENT, -ECONNREFUSED: not
 * running; -EACCES: not root), -EPROTO for a reply without its last line.
 */
int vigilctl_request(const char *line, char **reply, char *err, size_t len);
/* The reply to `status' (modified in place). 0 or -EPROTO. */
int vigilctl_groups_parse(char *text, struct vigilctl_groups *g);
/* Ask vigild. 0, or as vigilctl_request() (an error line: -EPROTO). */
int vigilctl_groups_fetch(struct vigilctl_groups *g);
/*
 * The command line of switchover, act, start, stop (argv[0] is cmd):
 * 0 and the request in line; -1 after --help; else an exit status.
 */
int vigilctl_group_args(const char *cmd, int argc, char *argv[], char *line,
			size_t len, bool *yes);

/* util.c */

/* Read one answer line from in (after a question): true only for "yes". */
bool vigilctl_yes(FILE *in);

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
