// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vigild's event loop (daemon/loop.c) and its daemon
 * watchdog (daemon/watchdog.c), with the libvigil calls they make
 * replaced: the "watch socket" is a pipe, and each byte written to it is
 * one outcome of vigil_nl_watch_read() ('t' raises SIGTERM, so that it
 * comes after the bytes before it). The daemon watchdog's requests answer
 * from a script; when the pets' script runs out, the next pet raises
 * SIGTERM. Signals and the timer are real (a signalfd, a timerfd).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../../daemon/log.c"
#include "../../daemon/loop.c"
#include "../../daemon/watchdog.c"
#include "tap.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int pipefd[2];
static int recheck_ret;
static int rechecks;

/*
 * The daemon watchdog: the timeout for the next run(), the answers to
 * its requests in order, and the calls made.
 */
struct script {
	const int *v;
	unsigned int n;
};
#define SCRIPT(...) ((struct script){ (const int[]){ __VA_ARGS__ }, \
	sizeof((int[]){ __VA_ARGS__ }) / sizeof(int) })

static __u32 wd_timeout;
static struct script register_script, pet_script;
static int unregister_ret;
static unsigned int registers, pets, unregisters;
static __u32 registered_ms;

/* After its script, register succeeds. */
int vigil_nl_daemon_register(struct vigil_nl *nl, __u32 timeout_ms,
			     char *ackmsg, size_t ackmsg_len)
{
	unsigned int i = registers++;
	int ret = i < register_script.n ? register_script.v[i] : 0;

	(void)nl;
	registered_ms = timeout_ms;
	if (ackmsg && ackmsg_len)
		snprintf(ackmsg, ackmsg_len, "%s", ret == -EINVAL ?
			 "daemon timeout below two heartbeat intervals" : "");
	return ret;
}

/* After its script, the first pet raises SIGTERM; all succeed. */
int vigil_nl_daemon_pet(struct vigil_nl *nl, char *ackmsg, size_t ackmsg_len)
{
	unsigned int i = pets++;

	(void)nl;
	if (ackmsg && ackmsg_len)
		ackmsg[0] = '\0';
	if (i < pet_script.n)
		return pet_script.v[i];
	if (i == pet_script.n)
		raise(SIGTERM);
	return 0;
}

int vigil_nl_daemon_unregister(struct vigil_nl *nl, char *ackmsg,
			       size_t ackmsg_len)
{
	(void)nl;
	if (ackmsg && ackmsg_len)
		ackmsg[0] = '\0';
	unregisters++;
	return unregister_ret;
}

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
	struct vigild d = { .sigfd = -1, .epfd = -1, .timerfd = -1 };
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
	d.wd.timeout_ms = wd_timeout;
	registers = pets = unregisters = 0;
	registered_ms = 0;

	fflush(stderr);
	saved_stderr = dup(2);
	logfd = open(".", O_TMPFILE | O_RDWR, 0600);
	if (logfd < 0)
		logfd = fileno(tmpfile());
	dup2(logfd, 2);

	/* As vigild's start() does. */
	ret = vigild_loop_init(&d);
	if (!ret)
		ret = vigild_wd_start(&d);
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
	if (d.timerfd >= 0)
		close(d.timerfd);
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

static unsigned int count(const char *s)
{
	unsigned int n = 0;
	const char *p = logbuf;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* The pure part: period, steps, outcomes. */
static void test_wd_logic(void)
{
	struct vigild_wd wd = { .timeout_ms = 5000, .state = VIGILD_WD_WAITING };

	tap_is_int(vigild_wd_period_ms(5000), 1666, "period: a third of 5000 ms");
	tap_is_int(vigild_wd_period_ms(60000), 20000, "period: a third of 60000 ms");
	tap_is_int(vigild_wd_period_ms(3), 1, "period: a third of 3 ms");
	tap_is_int(vigild_wd_period_ms(2), 1, "period: at least 1 ms");

	tap_is_int(vigild_wd_next(&(struct vigild_wd){ .state = VIGILD_WD_OFF }),
		   VIGILD_WD_NOTHING, "off: a tick does nothing");
	tap_is_int(vigild_wd_next(&wd), VIGILD_WD_REGISTER, "waiting: a tick registers");

	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, -ENOENT),
		   VIGILD_WD_NOT_CONFIGURED, "register -ENOENT: not configured, said once");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, -ENOENT),
		   VIGILD_WD_QUIET, "... and not again");
	tap_is_int(wd.state, VIGILD_WD_WAITING, "... still waiting");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, 0),
		   VIGILD_WD_REGISTERED_NOW, "register 0: registered");
	tap_is_int(vigild_wd_next(&wd), VIGILD_WD_PET, "registered: a tick pets");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_PET, 0), VIGILD_WD_QUIET,
		   "pet 0: nothing to say");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_PET, -ETIMEDOUT),
		   VIGILD_WD_PET_FAILED, "pet -ETIMEDOUT: failed");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_PET, -ENOBUFS),
		   VIGILD_WD_PET_FAILED, "... again");
	tap_ok(wd.pet_failures == 2 && wd.state == VIGILD_WD_REGISTERED,
	       "... 2 failures, still registered");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_PET, 0), VIGILD_WD_PET_RECOVERED,
		   "pet 0 after failures: recovered");
	tap_is_int(wd.pet_failures, 0, "... count reset");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_PET, -ENOENT), VIGILD_WD_LOST,
		   "pet -ENOENT: registration lost");
	tap_ok(wd.state == VIGILD_WD_WAITING && !wd.told_waiting,
	       "... waiting, and 'not configured' may be said again");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, -ENOENT),
		   VIGILD_WD_NOT_CONFIGURED, "... which it is");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, -EINVAL),
		   VIGILD_WD_FATAL, "register -EINVAL: fatal");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_REGISTER, -EPERM),
		   VIGILD_WD_FATAL, "register -EPERM: fatal");
	tap_is_int(wd.state, VIGILD_WD_WAITING, "... not registered");
	tap_is_int(vigild_wd_done(&wd, VIGILD_WD_NOTHING, 0), VIGILD_WD_QUIET,
		   "no step: nothing");
}

/* The loop, the timer and the requests together. */
static void test_wd_loop(void)
{
	static const int none[] = { 0 };
	const struct script empty = {};

	wd_timeout = 3;	/* a pet every millisecond */

	register_script = empty;
	pet_script = SCRIPT(0, 0, 0);
	unregister_ret = 0;
	tap_is_int(run("", none, 0), 0, "watchdog: registered, pets, SIGTERM: clean exit");
	tap_ok(registers == 1 && registered_ms == 3, "... registered once with 3 ms");
	tap_ok(pets >= 4, "... pets from the timer (%u)", pets);
	tap_is_int(unregisters, 1, "... unregistered on SIGTERM");
	tap_ok(logged("vigild: daemon watchdog: registered with vigil.ko, timeout 3 ms, pet every 1 ms\n"),
	       "... registration logged");
	tap_ok(logged("vigild: daemon watchdog: unregistered\n"), "... unregistration logged");
	tap_ok(!logged("failed"), "... no failure logged");

	register_script = SCRIPT(-ENOENT, -ENOENT, -ENOENT);
	pet_script = empty;
	tap_is_int(run("", none, 0), 0, "watchdog: not configured at first");
	tap_is_int(registers, 4, "... registration tried at start and on each tick until it worked");
	tap_is_int(count("not configured yet"), 1, "... 'not configured' logged once");
	tap_ok(logged("vigild: daemon watchdog: vigil.ko is not configured yet; registering once it is (trying every 1 ms)\n"),
	       "... says so");
	tap_is_int(count("registered with vigil.ko"), 1, "... then registered, logged once");
	tap_is_int(unregisters, 1, "... unregistered on SIGTERM");

	register_script = empty;
	pet_script = SCRIPT(0, -ETIMEDOUT, 0);
	tap_is_int(run("", none, 0), 0, "watchdog: a pet fails");
	tap_is_int(count("daemon watchdog: pet failed: Connection timed out\n"), 1,
		   "... one line for the failed pet");
	tap_ok(logged("daemon watchdog: pet works again after 1 failure\n"),
	       "... and one when it works again");

	pet_script = SCRIPT(-EIO, -EIO);
	tap_is_int(run("", none, 0), 0, "watchdog: two pets fail");
	tap_is_int(count("daemon watchdog: pet failed: Input/output error\n"), 2,
		   "... one line each");
	tap_ok(logged("pet works again after 2 failures\n"), "... then works again");

	pet_script = SCRIPT(0, -ENOENT, 0);
	tap_is_int(run("", none, 0), 0, "watchdog: the registration is lost");
	tap_is_int(registers, 2, "... registered again at once");
	tap_ok(logged("vigild: daemon watchdog: vigil.ko no longer has vigild registered (pet: No such file or directory); registering again\n"),
	       "... logged");
	tap_is_int(count("registered with vigil.ko"), 2, "... both registrations logged");

	register_script = SCRIPT(-EINVAL);
	pet_script = empty;
	tap_is_int(run("", none, 0), -EINVAL, "watchdog: registration refused: fatal");
	tap_ok(logged("vigild: daemon watchdog: registering with a timeout of 3 ms: Invalid argument (kernel: daemon timeout below two heartbeat intervals)\n"),
	       "... logged with the kernel's message");
	tap_ok(pets == 0 && unregisters == 0, "... no pet, nothing to unregister");

	register_script = SCRIPT(-ENOENT, -ENOENT, -ENOENT);
	tap_is_int(run("g", none, 0), -ENOENT, "watchdog: module gone while waiting");
	tap_is_int(unregisters, 0, "... nothing to unregister");

	register_script = empty;
	pet_script = SCRIPT(0, 0, 0);
	tap_is_int(run("g", none, 0), -ENOENT, "watchdog: module gone while registered");
	tap_is_int(unregisters, 0, "... not unregistered: not a clean stop");

	unregister_ret = -ETIMEDOUT;
	tap_is_int(run("", none, 0), -ETIMEDOUT, "watchdog: unregistering fails");
	tap_ok(logged("vigild: daemon watchdog: unregistering failed (the daemon cause will fire): Connection timed out\n"),
	       "... logged");

	unregister_ret = -ENOENT;
	tap_is_int(run("", none, 0), 0, "watchdog: nothing to unregister any more");
	tap_ok(logged("unregistering: vigil.ko no longer had vigild registered\n"),
	       "... logged");
	unregister_ret = 0;

	wd_timeout = 0;
	register_script = pet_script = empty;
	tap_is_int(run("t", none, 0), 0, "watchdog off");
	tap_ok(registers == 0 && pets == 0 && unregisters == 0,
	       "... no request at all");
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
	tap_ok(logged("vigild: SIGHUP: nothing to reload (no configuration file)\n"), "... SIGHUP logged");
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

	test_wd_logic();
	test_wd_loop();
	return tap_done();
}
