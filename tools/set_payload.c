// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl set-payload: the opaque bytes every heartbeat carries from now
 * on (VIGIL_CMD_SET_PAYLOAD), given in hex or read from a file.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "vigilctl.h"

#define CMD "set-payload"

static const char optstring[] = "f:h";

static const struct option options[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl set-payload HEX\n"
		   "       vigilctl set-payload -f|--file PATH\n"
		   "Set the payload every heartbeat of this node carries: up to %d bytes,\n"
		   "as hex digits (\"\" clears it) or the raw contents of PATH.\n"
		   "Needs CAP_NET_ADMIN (root).\n", VIGIL_PAYLOAD_MAX);
}

/* The file, at most VIGIL_PAYLOAD_MAX bytes. 0 or an exit status. */
static int read_file(const char *path, __u8 *buf, size_t *len)
{
	__u8 extra;
	ssize_t n;
	int fd, ret = VIGILCTL_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vigilctl: " CMD ": %s: %s\n", path,
			strerror(errno));
		return VIGILCTL_FAIL;
	}
	*len = 0;
	while (*len < VIGIL_PAYLOAD_MAX) {
		n = read(fd, buf + *len, VIGIL_PAYLOAD_MAX - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += n;
	}
	if (n >= 0 && *len == VIGIL_PAYLOAD_MAX)
		n = read(fd, &extra, 1);
	if (n < 0) {
		fprintf(stderr, "vigilctl: " CMD ": %s: %s\n", path,
			strerror(errno));
		ret = VIGILCTL_FAIL;
	} else if (n > 0) {
		fprintf(stderr, "vigilctl: " CMD ": %s: more than %d bytes\n",
			path, VIGIL_PAYLOAD_MAX);
		ret = VIGILCTL_FAIL;
	}
	close(fd);
	return ret;
}

int set_payload_main(int argc, char *argv[])
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	__u8 buf[VIGIL_PAYLOAD_MAX];
	const char *file = NULL;
	struct vigil_nl *nl;
	size_t len = 0;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option(CMD, argv, optstring);
		}
	}
	if (file && optind < argc)
		return vigilctl_bad_argument(CMD, argv[optind]);
	if (!file && optind + 1 != argc) {
		if (optind < argc)
			return vigilctl_bad_argument(CMD, argv[optind + 1]);
		fprintf(stderr, "vigilctl: " CMD ": give HEX or --file PATH\n");
		return VIGILCTL_USAGE;
	}

	if (file) {
		ret = read_file(file, buf, &len);
		if (ret)
			return ret;
	} else {
		const char *hex = argv[optind];

		ret = vigilctl_parse_hex(hex, strlen(hex), buf, sizeof(buf),
					 &len);
		if (ret) {
			fprintf(stderr, "vigilctl: " CMD ": bad payload '%s': %s\n",
				hex, ret == -E2BIG ?
				"longer than 128 bytes" :
				"expected an even number of hex digits");
			return VIGILCTL_USAGE;
		}
	}

	if (vigilctl_connect(&nl))
		return VIGILCTL_FAIL;
	ret = vigil_nl_set_payload(nl, buf, len, ackmsg, sizeof(ackmsg));
	vigil_nl_close(nl);
	if (ret) {
		vigilctl_report(CMD, ret, ackmsg);
		return VIGILCTL_FAIL;
	}
	return VIGILCTL_OK;
}
