// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl: helpers every subcommand uses (error reports, number parsing,
 * usage errors), apart from the command table so that unit tests can
 * take a subcommand's file with them alone.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "opt.h"
#include "vigilctl.h"

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

bool vigilctl_yes(FILE *in)
{
	char answer[64];

	if (!fgets(answer, sizeof(answer), in))
		return false;
	answer[strcspn(answer, "\n")] = '\0';
	return !strcmp(answer, "yes");
}
