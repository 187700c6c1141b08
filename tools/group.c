// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl: the commands that talk to vigild over its control socket
 * (Documentation/control.md): switchover, act, start, stop, and the
 * groups part of status.
 */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vigilctl.h"

const char *vigilctl_socket_path(void)
{
	const char *p = getenv("VIGIL_SOCKET");

	return p && p[0] ? p : VIGILCTL_SOCKET_PATH;
}

int vigilctl_request(const char *line, char **reply, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = vigilctl_socket_path();
	char *buf = NULL, *last;
	size_t size = 0, used = 0;
	ssize_t n;
	int fd, ret;

	*reply = NULL;
	err[0] = '\0';
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto out;
	}
	/* A refusal may come before the request is read: read it anyway. */
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 && errno != EPIPE) {
		ret = -errno;
		goto out;
	}
	send(fd, "\n", 1, MSG_NOSIGNAL);
	for (;;) {
		if (size - used < 4096) {
			char *nb;

			if (size >= VIGILCTL_REPLY_MAX) {
				ret = -EMSGSIZE;
				goto out;
			}
			nb = realloc(buf, size + 65536);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			size += 65536;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET) {
			ret = -errno;
			goto out;
		}
		if (n <= 0)
			break;
		used += n;
	}
	if (!buf) {
		ret = -EPROTO;
		goto out;
	}
	buf[used] = '\0';
	/* The last line: ok, or error: MESSAGE. */
	if (!used || buf[used - 1] != '\n') {
		ret = -EPROTO;
		goto out;
	}
	buf[used - 1] = '\0';
	last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (!strcmp(last, "ok")) {
		*last = '\0';
		*reply = buf;
		buf = NULL;
		ret = 0;
	} else if (!strncmp(last, "error: ", 7)) {
		snprintf(err, len, "%s", last + 7);
		ret = 1;
	} else {
		ret = -EPROTO;
	}
out:
	free(buf);
	close(fd);
	return ret;
}

/* What vigilctl says when it cannot ask vigild. */
static void report_socket(const char *what, int err)
{
	if (err == -ENOENT || err == -ECONNREFUSED)
		fprintf(stderr, "vigilctl: %s: vigild is not running (no answer on %s)\n",
			what, vigilctl_socket_path());
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr, "vigilctl: %s: %s: permission denied: vigild answers root only\n",
			what, vigilctl_socket_path());
	else if (err == -EPROTO)
		fprintf(stderr, "vigilctl: %s: vigild's reply is not understood\n", what);
	else
		vigilctl_error(what, err, NULL);
}

int vigilctl_groups_parse(char *text, struct vigilctl_groups *g)
{
	char *line, *save = NULL;

	memset(g, 0, sizeof(*g));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct vigilctl_group *gr;
		char *f[7], *p = line;
		unsigned int n = 0;

		while (n < 7) {
			f[n++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (!strcmp(f[0], "node") && n == 2) {
			snprintf(g->node, sizeof(g->node), "%s", f[1]);
			continue;
		}
		if (strcmp(f[0], "group"))
			continue;	/* a later version's line */
		if (n != 7 || g->n == VIGILCTL_GROUPS_MAX)
			return -EPROTO;
		gr = &g->groups[g->n++];
		snprintf(gr->name, sizeof(gr->name), "%s", f[1]);
		snprintf(gr->state, sizeof(gr->state), "%s", f[2]);
		snprintf(gr->node, sizeof(gr->node), "%s", strcmp(f[3], "-") ? f[3] : "");
		snprintf(gr->since, sizeof(gr->since), "%s", f[4]);
		snprintf(gr->reason, sizeof(gr->reason), "%s", f[5]);
		snprintf(gr->last_error, sizeof(gr->last_error), "%s", f[6]);
	}
	return 0;
}

int vigilctl_groups_fetch(struct vigilctl_groups *g)
{
	char *reply, err[512];
	int ret;

	ret = vigilctl_request("status", &reply, err, sizeof(err));
	if (ret == 1) {
		fprintf(stderr, "vigilctl: status: vigild: %s\n", err);
		return -EPROTO;
	}
	if (ret)
		return ret;
	ret = vigilctl_groups_parse(reply, g);
	free(reply);
	return ret;
}

/* --- switchover, act, start, stop -------------------------------------------------- */

static const char group_optstring[] = "yh";

static const struct option group_options[] = {
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void group_usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "switchover"))
		fprintf(f, "Usage: vigilctl switchover GROUP [NODE]\n"
			   "Move GROUP to NODE (default: the next node of its list):\n"
			   "stop it where it runs, start it there, no fencing.\n");
	else if (!strcmp(cmd, "act"))
		fprintf(f, "Usage: vigilctl act GROUP [-y|--yes]\n"
			   "Resume GROUP from the switchover wait. Only after making sure\n"
			   "that the node that ran it is down: asks for confirmation on a\n"
			   "terminal; -y, --yes does not ask.\n");
	else
		fprintf(f, "Usage: vigilctl %s GROUP\n%s", cmd,
			!strcmp(cmd, "start") ?
			"Start GROUP on the first node of its list, forgetting its failures.\n" :
			"Stop GROUP everywhere until vigilctl start.\n");
	fprintf(f, "See vigilctl(8) and Documentation/control.md.\n");
}

static bool act_confirm(FILE *in, FILE *out, const char *group)
{
	fprintf(out, "vigilctl: act %s: the group starts although a node that may run it was not fenced.\n"
		     "Make sure that node is down first. Type 'yes' to go on: ", group);
	fflush(out);
	return vigilctl_yes(in);
}

/*
 * The command line of switchover, act, start, stop: 0 and the request
 * line in line; -1 after --help; else an exit status.
 */
int vigilctl_group_args(const char *cmd, int argc, char *argv[], char *line,
			size_t len, bool *yes)
{
	unsigned int max = !strcmp(cmd, "switchover") ? 2 : 1;
	int c;

	*yes = false;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, group_optstring, group_options, NULL)) != -1) {
		switch (c) {
		case 'y':
			if (strcmp(cmd, "act"))
				return vigilctl_bad_option(cmd, argv, group_optstring);
			*yes = true;
			break;
		case 'h':
			group_usage(stdout, cmd);
			return -1;
		default:
			return vigilctl_bad_option(cmd, argv, group_optstring);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigilctl: %s: missing GROUP\n", cmd);
		return VIGILCTL_USAGE;
	}
	if ((unsigned int)(argc - optind) > max)
		return vigilctl_bad_argument(cmd, argv[optind + max]);
	for (c = optind; c < argc; c++) {
		if (!argv[c][0] || strpbrk(argv[c], " \t\r\n") ||
		    strlen(argv[c]) > 63) {
			fprintf(stderr, "vigilctl: %s: bad %s `%s'\n", cmd,
				c == optind ? "GROUP" : "NODE", argv[c]);
			return VIGILCTL_USAGE;
		}
	}
	snprintf(line, len, "%s %s%s%s", cmd, argv[optind],
		 optind + 1 < argc ? " " : "",
		 optind + 1 < argc ? argv[optind + 1] : "");
	return 0;
}

static int group_main(const char *cmd, int argc, char *argv[])
{
	char line[256], err[512], *reply;
	bool yes;
	int ret;

	ret = vigilctl_group_args(cmd, argc, argv, line, sizeof(line), &yes);
	if (ret)
		return ret < 0 ? VIGILCTL_OK : ret;
	if (!strcmp(cmd, "act") && !yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "vigilctl: act: standard input is not a terminal: give --yes once the old node is known to be down\n");
			return VIGILCTL_USAGE;
		}
		if (!act_confirm(stdin, stderr, argv[argc - 1])) {
			fprintf(stderr, "vigilctl: act: not confirmed; nothing done\n");
			return VIGILCTL_FAIL;
		}
	}
	ret = vigilctl_request(line, &reply, err, sizeof(err));
	if (ret == 1) {
		fprintf(stderr, "vigilctl: %s: %s\n", cmd, err);
		return VIGILCTL_FAIL;
	}
	if (ret) {
		report_socket(cmd, ret);
		return VIGILCTL_FAIL;
	}
	fputs(reply, stdout);
	free(reply);
	return VIGILCTL_OK;
}

int switchover_main(int argc, char *argv[])
{
	return group_main("switchover", argc, argv);
}

int act_main(int argc, char *argv[])
{
	return group_main("act", argc, argv);
}

int start_main(int argc, char *argv[])
{
	return group_main("start", argc, argv);
}

int stop_main(int argc, char *argv[])
{
	return group_main("stop", argc, argv);
}
