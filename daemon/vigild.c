// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the vigil daemon. At this stage it checks vigil.ko, keeps its
 * daemon watchdog fed and waits; see vigild(8).
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "opt.h"
#include "run.h"
#include "state.h"
#include "vigild.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

enum {
	OPT_VERSION = VIGIL_OPT_LONG_ONLY,
	OPT_CHECK_CONFIG,
	OPT_NODE,
	OPT_STATE_DIR,
	OPT_SOCKET,
};

static const char optstring[] = "c:fvw:h";

static const struct option options[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "watchdog", required_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "config", required_argument, NULL, 'c' },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: vigild [-c FILE] [--node NAME] [-f] [-v] [-w MS]\n"
		   "       vigild --check-config [FILE]\n"
		   "  -c, --config FILE the configuration (default %s; without\n"
		   "                    -c and without that file, vigild only keeps the\n"
		   "                    daemon watchdog fed)\n"
		   "      --node NAME   this node's [node] section (default: the host name)\n"
		   "      --state-dir DIR  where the engine's state is kept (default %s)\n"
		   "      --socket PATH the control socket (default %s)\n"
		   "  -f, --foreground  accepted for compatibility; vigild never forks\n"
		   "  -v, --verbose     log each step and event\n"
		   "  -w, --watchdog MS register with vigil.ko's daemon watchdog with this\n"
		   "                    timeout, 1..%d ms (default: the configuration's\n"
		   "                    daemon_watchdog_ms, else %d; 0: do not register)\n"
		   "  -h, --help        show this help\n"
		   "      --version     print the version\n"
		   "      --check-config [FILE]\n"
		   "                    check the configuration file (default %s)\n"
		   "                    and exit: 0 valid, 1 not\n"
		   "See vigild(8) and vigil.conf(5).\n", VIGIL_CONF_PATH,
		VIGILD_STATE_DIR, VIGILD_CONTROL_PATH, VIGIL_TIMEOUT_MAX_MS,
		VIGILD_WATCHDOG_DEFAULT_MS, VIGIL_CONF_PATH);
}

/* Milliseconds for --watchdog: 0..VIGIL_TIMEOUT_MAX_MS, digits only. */
static int parse_ms(const char *s, __u32 *ms)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > VIGIL_TIMEOUT_MAX_MS)
		return -EINVAL;
	*ms = v;
	return 0;
}

/* 0: run; 1: exit at once with *exit_status. */
static int parse_args(int argc, char *argv[], struct vigild *d,
		      struct vigild_run_opts *o, int *exit_status)
{
	bool check_config = false;
	char buf[3];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
		switch (c) {
		case 'f':
			break;
		case 'c':
			o->conf_path = optarg;
			o->conf_given = true;
			break;
		case OPT_NODE:
			o->node = optarg;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_SOCKET:
			o->socket_path = optarg;
			break;
		case 'v':
			vigild_verbose = true;
			break;
		case 'w':
			if (parse_ms(optarg, &d->wd.timeout_ms)) {
				fprintf(stderr, "vigild: bad --watchdog '%s': expected milliseconds, 0 (off) or 1..%d\n",
					optarg, VIGIL_TIMEOUT_MAX_MS);
				*exit_status = EXIT_USAGE;
				return 1;
			}
			d->wd_given = true;
			break;
		case 'h':
			usage(stdout);
			*exit_status = EXIT_OK;
			return 1;
		case OPT_VERSION:
			printf("vigild %s\n", VIGIL_VERSION);
			*exit_status = EXIT_OK;
			return 1;
		case OPT_CHECK_CONFIG:
			check_config = true;
			break;
		default:
			fprintf(stderr, "vigild: invalid option `%s'\n",
				vigil_opt_bad(argv, optstring, buf));
			usage(stderr);
			*exit_status = EXIT_USAGE;
			return 1;
		}
	}
	if (check_config && optind + 1 >= argc) {
		/* Everything it finds goes to stdout (ok) or stderr. */
		*exit_status = vigil_conf_check(optind < argc ? argv[optind] :
						VIGIL_CONF_PATH, 0, stdout,
						stderr) ? EXIT_FAIL : EXIT_OK;
		return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "vigild: unexpected argument `%s'\n",
			argv[optind + (check_config ? 1 : 0)]);
		usage(stderr);
		*exit_status = EXIT_USAGE;
		return 1;
	}
	return 0;
}

/*
 * The signals are blocked from the start, so one that arrives while
 * vigild is still starting waits in the signalfd.
 */
static int signals_open(struct vigild *d)
{
	sigset_t mask;
	int ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL)) {
		ret = -errno;
		vigild_log_error("sigprocmask", ret, NULL);
		return ret;
	}
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		ret = -errno;
		vigild_log_error("signalfd", ret, NULL);
		return ret;
	}
	return 0;
}

static void report_nl(const char *what, int err, const char *ackmsg)
{
	if (err == -ENOENT)
		vigild_log("vigil.ko is not loaded (generic netlink family '%s' not found)",
			   VIGIL_GENL_NAME);
	else if (err == -EPERM)
		vigild_log("%s: %s: vigild needs CAP_NET_ADMIN (run it as root)",
			   what, strerror(EPERM));
	else
		vigild_log_error(what, err, ackmsg);
}

/*
 * Subscribe to controller notifications before looking at the module: if
 * it goes away after the status was read, the notification is already on
 * its way; if it went away before, reading the status fails.
 */
static int start(struct vigild *d, const struct vigild_run_opts *o,
		 struct vigil_conf *conf)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int ret;

	ret = signals_open(d);
	if (ret) {
		vigil_conf_free(conf);
		return ret;
	}

	ret = vigil_nl_watch_open(&d->watch, ackmsg, sizeof(ackmsg));
	if (ret) {
		vigil_conf_free(conf);
		vigild_log_error("subscribing to generic netlink notifications",
				 ret, ackmsg);
		return ret;
	}
	vigild_debug("subscribed to generic netlink controller notifications");

	ret = vigil_nl_open(&d->nl, ackmsg, sizeof(ackmsg));
	if (ret) {
		report_nl("connecting to vigil.ko", ret, ackmsg);
		goto err_conf;
	}
	ret = vigil_nl_get_status(d->nl, &d->status, ackmsg, sizeof(ackmsg));
	if (ret) {
		report_nl("reading vigil.ko status", ret, ackmsg);
		goto err_conf;
	}
	if (d->status.protocol != VIGIL_PROTOCOL_VERSION) {
		vigild_log("vigil.ko %s speaks wire protocol %u, this vigild speaks %d; refusing to run",
			   d->status.version, d->status.protocol,
			   VIGIL_PROTOCOL_VERSION);
		ret = -EPROTONOSUPPORT;
		goto err_conf;
	}
	fprintf(stderr, "vigild %s: vigil.ko %s, wire protocol %u\n",
		VIGIL_VERSION, d->status.version, d->status.protocol);

	ret = vigild_loop_init(d);
	if (ret)
		goto err_conf;
	if (conf) {
		/* Takes conf: vigild_run_stop() frees it. */
		ret = vigild_run_start(d, o, conf);
		if (ret)
			return ret;
	}
	/* Nothing that can fail comes after registering but the first step. */
	ret = vigild_wd_start(d);
	if (ret)
		return ret;
	return vigild_run_ready(d);

err_conf:
	vigil_conf_free(conf);
	return ret;
}

static void stop(struct vigild *d)
{
	vigild_run_stop(d);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->timerfd >= 0)
		close(d->timerfd);
	vigil_nl_close(d->nl);
	vigil_nl_watch_close(d->watch);
	if (d->sigfd >= 0)
		close(d->sigfd);
}

int main(int argc, char *argv[])
{
	struct vigild d = {
		.sigfd = -1, .epfd = -1, .timerfd = -1,
		.wd.timeout_ms = VIGILD_WATCHDOG_DEFAULT_MS,
	};
	struct vigild_run_opts o = {
		.conf_path = VIGIL_CONF_PATH,
		.state_dir = VIGILD_STATE_DIR,
		.socket_path = VIGILD_CONTROL_PATH,
	};
	struct vigil_conf *conf = NULL;
	int status, ret;

	if (parse_args(argc, argv, &d, &o, &status))
		return status;
	if (vigild_run_load(&o, &conf))
		return EXIT_FAIL;

	ret = start(&d, &o, conf);
	if (!ret)
		ret = vigild_loop_run(&d);
	stop(&d);
	return ret ? EXIT_FAIL : EXIT_OK;
}
