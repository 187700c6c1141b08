// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl: operator CLI for vigil.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "opt.h"
#include "vigilctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct subcommand {
	const char *name;
	const char *args;
	const char *summary;
	int (*main)(int argc, char *argv[]);
};

static int help_main(int argc, char *argv[]);
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
	{ "events", "[-j] [--count N] [--timeout S]",
	  "print events as they happen", events_main },
	{ "version", "", "print vigilctl's version", version_main },
	{ "help", "", "show this help", help_main },
};

void vigilctl_error(const char *what, int err, const char *ackmsg)
{
	if (ackmsg && ackmsg[0])
		fprintf(stderr, "vigilctl: %s: %s (kernel: %s)\n", what,
			strerror(-err), ackmsg);
	else
		fprintf(stderr, "vigilctl: %s: %s\n", what, strerror(-err));
}

int vigilctl_report(const char *what, int err, const char *ackmsg)
{
	if (err == -EPERM)
		fprintf(stderr, "vigilctl: %s: %s: this needs CAP_NET_ADMIN (run as root)\n",
			what, strerror(EPERM));
	else
		vigilctl_error(what, err, ackmsg);
	return err;
}

int vigilctl_connect(struct vigil_nl **nlp)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int ret;

	ret = vigil_nl_open(nlp, ackmsg, sizeof(ackmsg));
	if (ret == -ENOENT)
		fprintf(stderr, "vigilctl: vigil.ko is not loaded (generic netlink family '%s' not found)\n",
			VIGIL_GENL_NAME);
	else if (ret)
		vigilctl_report("connecting to vigil.ko", ret, ackmsg);
	return ret;
}

int vigilctl_parse_uint(const char *s, int base, unsigned long max,
			unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int vigilctl_parse_hex(const char *s, size_t n, __u8 *buf, size_t max,
		       size_t *len)
{
	size_t i;

	if (n % 2)
		return -EINVAL;
	for (i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i / 2 >= max)
			return -E2BIG;
		buf[i / 2] = hi << 4 | lo;
	}
	*len = n / 2;
	return 0;
}

int vigilctl_bad_option(const char *cmd, char *const argv[],
			const char *optstring)
{
	char buf[3];

	fprintf(stderr, "vigilctl: %s: invalid option `%s'\n", cmd,
		vigil_opt_bad(argv, optstring, buf));
	fprintf(stderr, "Try 'vigilctl %s --help'.\n", cmd);
	return VIGILCTL_USAGE;
}

int vigilctl_bad_argument(const char *cmd, const char *arg)
{
	fprintf(stderr, "vigilctl: %s: unexpected argument `%s'\n", cmd, arg);
	fprintf(stderr, "Try 'vigilctl %s --help'.\n", cmd);
	return VIGILCTL_USAGE;
}

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
