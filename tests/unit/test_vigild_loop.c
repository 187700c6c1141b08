// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vigild's event loop (daemon/loop.c), with the three
 * libvigil calls it makes replaced: the "watch socket" is a pipe, and each
 * byte written to it is one outcome of vigil_nl_watch_read() ('t' raises
 * SIGTERM, so that it comes after the bytes before it). Signals are real,
 * through a real signalfd.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../../daemon/log.c"
#include "../../daemon/loop.c"
#include "tap.h"

static int pipefd[2];
static int recheck_ret;
static int rechecks;

int vigil_nl_watch_fd(const struct vigil_nl_watch *w)
{
	(void)w;
	return pipefd[0];
}

int vigil_nl_watch_read(struct vigil_nl_watch *w)
{
	char c;

	(void)w;
	if (read(pipefd[0], &c, 1) != 1)
		return 0;
	switch (c) {
	case 'g':
		return 1;		/* the family was unregistered */
	case 'b':
		return -ENOBUFS;
	case 'm':
		return -EBADMSG;
	case 'e':
		return -EIO;
	case 't':
		raise(SIGTERM);	/* after everything before it in the pipe */
		return 0;
	default:
		return 0;		/* another family's news */
	}
}

int vigil_nl_recheck(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len)
{
	(void)nl;
	if (ackmsg && ackmsg_len)
		ackmsg[0] = '\0';
	rechecks++;
	return recheck_ret;
}

/* The log goes to a file, read back after each run. */
static char logbuf[4096];

static int run(const char *events, const int *signals, int result_recheck)
{
	struct vigild d = { .sigfd = -1, .epfd = -1 };
	int logfd, saved_stderr, ret;
	sigset_t mask;
	ssize_t n;

	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC)) {
		perror("pipe2");
		exit(1);
	}
	if (write(pipefd[1], events, strlen(events)) != (ssize_t)strlen(events)) {
		perror("write");
		exit(1);
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	for (; *signals; signals++)
		raise(*signals);

	recheck_ret = result_recheck;
	rechecks = 0;

	fflush(stderr);
	saved_stderr = dup(2);
	logfd = open(".", O_TMPFILE | O_RDWR, 0600);
	if (logfd < 0)
		logfd = fileno(tmpfile());
	dup2(logfd, 2);

	ret = vigild_loop_init(&d);
	if (!ret)
		ret = vigild_loop_run(&d);

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(logfd, logbuf, sizeof(logbuf) - 1, 0);
	logbuf[n > 0 ? n : 0] = '\0';
	close(logfd);

	close(d.epfd);
	close(d.sigfd);
	close(pipefd[0]);
	close(pipefd[1]);
	return ret;
}

static bool logged(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

static bool nothing_pending(void)
{
	sigset_t pending;

	sigpending(&pending);
	return !sigismember(&pending, SIGTERM) && !sigismember(&pending, SIGINT) &&
	       !sigismember(&pending, SIGHUP);
}

int main(void)
{
	static const int term[] = { SIGTERM, 0 };
	static const int intr[] = { SIGINT, 0 };
	static const int hup_term[] = { SIGHUP, SIGTERM, 0 };
	static const int none[] = { 0 };

	/* A loop that fails to stop must fail the test, not hang it. */
	alarm(30);

	tap_is_int(run("", term, 0), 0, "SIGTERM: clean exit");
	tap_ok(logged("vigild: SIGTERM: exiting\n"), "... logged");

	tap_is_int(run("", intr, 0), 0, "SIGINT: clean exit");
	tap_ok(logged("vigild: SIGINT: exiting\n"), "... logged");

	tap_is_int(run("", hup_term, 0), 0, "SIGHUP then SIGTERM: runs on, then exits");
	tap_ok(logged("vigild: SIGHUP: nothing to reload yet\n"), "... SIGHUP logged");
	tap_ok(logged("SIGTERM: exiting"), "... SIGTERM logged");
	tap_ok(nothing_pending(), "... no signal left pending");

	tap_is_int(run("nng", none, 0), -ENOENT, "family removed: exit with -ENOENT");
	tap_ok(logged("vigil.ko was unloaded (generic netlink family 'vigil' removed); exiting\n"),
	       "... logged");

	tap_is_int(run("nnt", none, 0), 0, "other notifications are ignored");
	tap_ok(!logged("unloaded"), "... nothing about vigil.ko logged");

	tap_is_int(run("bt", none, 0), 0, "dropped notifications, module still there");
	tap_is_int(rechecks, 1, "... checked once");
	tap_ok(logged("No buffer space available; checking vigil.ko again"), "... logged");

	tap_is_int(run("mt", none, 0), 0, "garbled notification, module still there");
	tap_is_int(rechecks, 1, "... checked once");

	tap_is_int(run("b", none, -ENOENT), -ENOENT, "dropped notifications, module gone");
	tap_ok(logged("is gone); exiting"), "... logged");

	tap_is_int(run("b", none, -ESTALE), -ESTALE, "dropped notifications, module reloaded");
	tap_ok(logged("unloaded and loaded again; exiting"), "... logged");

	tap_is_int(run("b", none, -EPERM), -EPERM, "recheck fails otherwise");
	tap_ok(logged("checking vigil.ko: Operation not permitted"), "... logged");

	tap_is_int(run("e", none, 0), -EIO, "watch read error: exit");
	tap_ok(logged("reading generic netlink notifications: Input/output error"),
	       "... logged");

	return tap_done();
}
