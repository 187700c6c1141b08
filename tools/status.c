// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl status: what vigil.ko reports about itself.
 */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "vigilctl.h"

static const char optstring[] = "jh";

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl status [-j|--json]\n"
		   "Show the version and wire protocol of the loaded vigil.ko.\n"
		   "  -j, --json   print JSON instead of text\n"
		   "Needs CAP_NET_ADMIN (root).\n");
}

static void print_text(const struct vigil_status *st)
{
	printf("vigil.ko %s, wire protocol %u\n", st->version, st->protocol);
}

/*
 * One object; the module's own facts sit under "module" so that cluster
 * state can be added beside it at the top level.
 */
static int print_json(const struct vigil_status *st)
{
	struct vigil_json j;

	vigil_json_init(&j, stdout);
	vigil_json_object_begin(&j);
	vigil_json_key(&j, "module");
	vigil_json_object_begin(&j);
	vigil_json_key(&j, "version");
	vigil_json_string(&j, st->version);
	vigil_json_key(&j, "protocol");
	vigil_json_u64(&j, st->protocol);
	vigil_json_object_end(&j);
	vigil_json_object_end(&j);
	return vigil_json_finish(&j);
}

/* Both steps can meet a missing module: it may go away in between. */
static int report(const char *what, int err, const char *ackmsg)
{
	if (err == -ENOENT)
		fprintf(stderr, "vigilctl: vigil.ko is not loaded (generic netlink family '%s' not found)\n",
			VIGIL_GENL_NAME);
	else if (err == -EPERM)
		fprintf(stderr, "vigilctl: %s: %s: the status needs CAP_NET_ADMIN (run as root)\n",
			what, strerror(EPERM));
	else
		vigilctl_error(what, err, ackmsg);
	return err;
}

static int fetch(struct vigil_status *st)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_nl *nl;
	int ret;

	ret = vigil_nl_open(&nl, ackmsg, sizeof(ackmsg));
	if (ret)
		return report("connecting to vigil.ko", ret, ackmsg);
	ret = vigil_nl_get_status(nl, st, ackmsg, sizeof(ackmsg));
	vigil_nl_close(nl);
	if (ret)
		return report("reading status", ret, ackmsg);
	return 0;
}

int status_main(int argc, char *argv[])
{
	struct vigil_status st;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return VIGILCTL_OK;
		default:
			return vigilctl_bad_option("status", argv, optstring);
		}
	}
	if (optind < argc)
		return vigilctl_bad_argument("status", argv[optind]);

	if (fetch(&st))
		return VIGILCTL_FAIL;

	if (!json) {
		print_text(&st);
		return VIGILCTL_OK;
	}
	ret = print_json(&st);
	if (ret) {
		vigilctl_error("writing JSON", ret, NULL);
		return VIGILCTL_FAIL;
	}
	return VIGILCTL_OK;
}
