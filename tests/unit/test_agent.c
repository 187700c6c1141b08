// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the resource agents (daemon/agent*.c) and the fence-agent
 * method (daemon/fence_agent.c), driven through a small epoll loop the way
 * vigild drives them: the runner's fd in an epoll set, dispatch when it is
 * readable. Real children, real timeouts (short ones), the real OCF Dummy
 * agent when Debian's resource-agents is installed, the ip agent on a
 * dummy interface in a network namespace of its own and the fs agent with
 * tmpfs in a mount namespace of its own (both in a child process: the
 * tests then need root, and skip without it).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <dirent.h>
#include <linux/if_ether.h>
#include <netpacket/packet.h>
#include <net/if_arp.h>
#include <poll.h>

#include "../../daemon/agent.c"
#include "../../daemon/agent_ip.c"
#include "../../daemon/agent_fs.c"
#include "../../daemon/fence_agent.c"
#include "tap.h"

#include <netlink/route/link/veth.h>

#define DUMMY_AGENT VIGIL_CONF_OCF_ROOT "/resource.d/heartbeat/Dummy"

static char tmpdir[] = "/tmp/vigil-test-agent.XXXXXX";

/* --- the loop ----------------------------------------------------------- */

struct rec {
	bool done;
	unsigned int calls;
	struct vigil_agent_outcome o;
	char *out, *err;
};

static void rec_clear(struct rec *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static void on_done(void *arg, const struct vigil_agent_outcome *o)
{
	struct rec *r = arg;

	r->calls++;
	r->done = true;
	r->o = *o;
	free(r->out);
	free(r->err);
	r->out = strdup(o->out);
	r->err = strdup(o->err);
	r->o.out = r->out;
	r->o.err = r->err;
}

static int epfd = -1;
static unsigned int dispatches;

/* Run the loop until cond(arg) or max_ms; 0, or -ETIMEDOUT. */
static int loop_until(struct vigil_agents *a, bool (*cond)(void *), void *arg,
		      int max_ms)
{
	__u64 end = now_ns() + (__u64)max_ms * 1000000ULL;

	while (!cond(arg)) {
		struct epoll_event ev;
		__u64 now = now_ns();
		int n;

		if (now >= end)
			return -ETIMEDOUT;
		n = epoll_wait(epfd, &ev, 1, (int)((end - now) / 1000000) + 1);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0) {
			dispatches++;
			if (vigil_agents_dispatch(a))
				return -EIO;
		}
	}
	return 0;
}

static bool rec_done(void *arg)
{
	return ((struct rec *)arg)->done;
}

static bool idle(void *arg)
{
	return !vigil_agents_busy(arg);
}

static int loop_init(struct vigil_agents *a)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (epfd >= 0)
		close(epfd);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, vigil_agents_fd(a), &ev))
		return -errno;
	return 0;
}

/* Run one action to its end. */
static int run(struct vigil_agents *a, const struct vigil_conf_resource *res,
	       enum vigil_agent_action act, __u32 timeout_ms, struct rec *r)
{
	int ret;

	rec_clear(r);
	ret = vigil_agent_run(a, res, act, timeout_ms, on_done, r, NULL);
	if (ret)
		return ret;
	return loop_until(a, rec_done, r, 20000);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own */
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static char *read_text(const char *path)
{
	static char buf[262144];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* A process that is gone, or a zombie nobody reaped yet. */
static bool proc_gone(pid_t pid)
{
	char path[64], *s, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	s = read_text(path);
	if (!s)
		return true;
	p = strrchr(s, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static struct vigil_conf_resource exec_res(const char *start, const char *stop,
					   const char *monitor)
{
	struct vigil_conf_resource r = {
		.name = "app",
		.type = VIGIL_CONF_RES_EXEC,
		.timing = { 10000, 5000, 5000, 5000 },
	};

	r.exec.start = start;
	r.exec.stop = stop;
	r.exec.monitor = monitor;
	return r;
}

/* --- pure mappings ----------------------------------------------------- */

static void test_mapping(void)
{
	static const enum vigil_agent_result ocf[] = {
		VIGIL_AGENT_OK, VIGIL_AGENT_ERR_GENERIC, VIGIL_AGENT_ERR_ARGS,
		VIGIL_AGENT_ERR_UNIMPLEMENTED, VIGIL_AGENT_ERR_PERM,
		VIGIL_AGENT_ERR_INSTALLED, VIGIL_AGENT_ERR_CONFIGURED,
		VIGIL_AGENT_NOT_RUNNING, VIGIL_AGENT_ERR_PROMOTED,
		VIGIL_AGENT_ERR_PROMOTED,
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(ocf) / sizeof(ocf[0]); i++)
		ok &= vigil_agent_ocf_result((int)i) == ocf[i];
	tap_ok(ok, "ocf exit codes 0..9 map to their results");
	tap_is_int(vigil_agent_ocf_result(42), VIGIL_AGENT_ERR_GENERIC,
		   "ocf: an undefined exit code is a generic error");
	tap_is_int(vigil_agent_exec_result(VIGIL_AGENT_MONITOR, 7),
		   VIGIL_AGENT_NOT_RUNNING, "exec monitor: 7 is not running");
	tap_is_int(vigil_agent_exec_result(VIGIL_AGENT_START, 7),
		   VIGIL_AGENT_ERR_GENERIC, "exec start: 7 is an error");
	tap_is_int(vigil_agent_exec_result(VIGIL_AGENT_START, 127),
		   VIGIL_AGENT_ERR_INSTALLED, "exec: 127 (command not found) is not installed");
	tap_is_int(vigil_fence_agent_result(VIGIL_FENCE_AGENT_STATUS, 2),
		   VIGIL_AGENT_NOT_RUNNING, "fence status: 2 is off");
	tap_is_int(vigil_fence_agent_result(VIGIL_FENCE_AGENT_OFF, 2),
		   VIGIL_AGENT_ERR_GENERIC, "fence off: 2 is a failure");
	for (i = 0, ok = true; i < __VIGIL_AGENT_RESULT_MAX; i++)
		ok &= strcmp(vigil_agent_result_name(i), "?") != 0;
	tap_ok(ok, "every result has a name");
}

/* --- exec -------------------------------------------------------------- */

static void test_exec(struct vigil_agents *a)
{
	char cmd[512], pidfile[300];
	struct vigil_conf_resource r;
	struct rec rc = { 0 };
	__u64 t0;
	pid_t gpid = 0;
	char *s;

	r = exec_res("echo hello; echo oops >&2", "exit 3", "exit 7");
	tap_is_int(run(a, &r, VIGIL_AGENT_START, 0, &rc), 0, "exec start runs");
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "exec start: exit 0 is ok");
	tap_is_int(rc.o.exit_status, 0, "exec start: exit status 0");
	tap_is_str(rc.out, "hello\n", "exec: stdout captured");
	tap_is_str(rc.err, "oops\n", "exec: stderr captured apart");
	tap_is_int(rc.calls, 1, "the callback ran once");

	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "exec stop: exit 3 is an error");
	tap_is_int(rc.o.exit_status, 3, "exec stop: exit status 3");
	tap_ok(strstr(rc.o.reason, "app stop: exit 3") != NULL, "reason: %s", rc.o.reason);

	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "exec monitor: exit 7 is not running");
	r.exec.monitor = "true";
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "exec monitor: exit 0 is running");
	r.exec.monitor = "exit 1";
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "exec monitor: exit 1 is a failure");
	r.exec.start = "/nonexistent/command";
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_INSTALLED, "exec: a missing command is not installed");
	r.exec.start = "kill -USR1 $$";
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_KILLED, "exec: death by a signal is killed");
	tap_is_int(rc.o.exit_status, -SIGUSR1, "exec: exit status -SIGUSR1");
	r.exec.monitor = NULL;
	tap_is_int(vigil_agent_run(a, &r, VIGIL_AGENT_MONITOR, 0, on_done, &rc, NULL),
		   -EOPNOTSUPP, "exec: no monitor command: -EOPNOTSUPP");
	tap_is_int(vigil_agent_run(a, &r, VIGIL_AGENT_META_DATA, 0, on_done, &rc, NULL),
		   -EOPNOTSUPP, "exec: no meta-data");

	/* A clean environment, fds closed, cwd /, own process group. */
	setenv("VIGIL_TEST_SECRET", "leak", 1);
	r.exec.start = "env; echo fds $(ls /proc/self/fd | wc -l); echo cwd $(pwd); "
		       "echo pgid $(cut -d' ' -f5 /proc/$$/stat) pid $$";
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_ok(!strstr(rc.out, "VIGIL_TEST_SECRET"), "exec: the daemon's environment is not passed on");
	tap_ok(strstr(rc.out, "VIGIL_RESOURCE=app\n") && strstr(rc.out, "VIGIL_ACTION=start\n") &&
	       strstr(rc.out, "PATH=" VIGIL_AGENT_PATH "\n"),
	       "exec: VIGIL_RESOURCE, VIGIL_ACTION and PATH are set");
	/* ls's fds: 0, 1, 2 and the directory it reads. */
	tap_ok(strstr(rc.out, "fds 4\ncwd /\n") != NULL, "exec: only stdin, stdout, stderr are open; cwd /");
	s = strstr(rc.out, "pgid ");
	{
		int pgid = -1, pid = -2;

		if (s)
			sscanf(s, "pgid %d pid %d", &pgid, &pid);
		tap_ok(pid > 0 && pid == pgid, "exec: the child leads its own process group (pid %d, pgid %d)",
		       pid, pgid);
	}
	unsetenv("VIGIL_TEST_SECRET");

	/* Timeout: the whole group goes, grandchildren included. */
	snprintf(pidfile, sizeof(pidfile), "%s/grandchild", tmpdir);
	snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! > %s; wait", pidfile);
	r.exec.start = cmd;
	t0 = now_ns();
	run(a, &r, VIGIL_AGENT_START, 300, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_TIMEOUT, "exec: a start past its timeout is a timeout");
	tap_ok((now_ns() - t0) / 1000000 < 3000, "exec: reported soon after the timeout (%llu ms)",
	       (unsigned long long)((now_ns() - t0) / 1000000));
	s = read_text(pidfile);
	if (s)
		gpid = atoi(s);
	loop_until(a, idle, a, 3000);
	/* Orphans go to init, which reaps them in its own time. */
	for (int i = 0; i < 100 && gpid > 0 && !proc_gone(gpid); i++)
		usleep(10000);
	tap_ok(gpid > 0 && proc_gone(gpid), "exec timeout: the grandchild (pid %d) is gone", gpid);
	tap_ok(strstr(rc.o.reason, "timed out after 300 ms") != NULL, "reason: %s", rc.o.reason);

	/* SIGTERM ignored: SIGKILL after the grace, reported at once. */
	r.exec.start = "trap '' TERM; sleep 60; true";
	t0 = now_ns();
	run(a, &r, VIGIL_AGENT_START, 200, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_TIMEOUT, "exec: SIGTERM ignored: still a timeout");
	tap_ok(strstr(rc.o.reason, "SIGKILL") != NULL, "reason: %s", rc.o.reason);
	tap_ok((now_ns() - t0) / 1000000 >= 200 + 300, "exec: SIGKILL only after the grace");
	tap_is_int(loop_until(a, idle, a, 3000), 0, "exec: the killed child is reaped");
	tap_is_int(rc.calls, 1, "exec: one callback for a timeout");
	rec_clear(&rc);
}

static void test_output_bound(void)
{
	struct vigil_agents_opts o = { .output_max = 1000 };
	struct vigil_conf_resource r;
	struct vigil_agents *a;
	struct rec rc = { 0 };

	if (vigil_agents_new(&o, &a) || loop_init(a)) {
		tap_ok(false, "output bound: runner");
		return;
	}
	r = exec_res("head -c 100000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero >&2", "true", NULL);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "output bound: the chatty command succeeds");
	tap_is_int((long long)rc.o.out_len, 1000, "output bound: 1000 bytes of stdout kept");
	tap_is_int((long long)(rc.o.out_len + rc.o.out_dropped), 100000,
		   "output bound: the rest counted as dropped");
	tap_is_int((long long)strlen(rc.out), 1000, "output bound: NUL-terminated");
	tap_is_int((long long)(rc.o.err_len + rc.o.err_dropped), 5000, "output bound: stderr too");
	rec_clear(&rc);
	vigil_agents_free(a);
}

static void test_async(struct vigil_agents *a)
{
	struct vigil_conf_resource slow = exec_res("sleep 1", "true", NULL);
	struct vigil_conf_resource fast = exec_res("echo fast", "true", NULL);
	struct vigil_agent_op *op;
	struct rec r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	unsigned int before;
	__u64 t0 = now_ns();

	tap_is_int(vigil_agent_run(a, &slow, VIGIL_AGENT_START, 0, on_done, &r1, NULL), 0,
		   "async: start a slow action");
	tap_is_int(vigil_agent_run(a, &fast, VIGIL_AGENT_START, 0, on_done, &r2, NULL), 0,
		   "async: and a fast one");
	tap_ok((now_ns() - t0) / 1000000 < 500, "async: starting them did not wait for them");
	tap_ok(!r1.done && !r2.done, "async: no callback from inside vigil_agent_run()");
	loop_until(a, rec_done, &r2, 5000);
	tap_ok(r2.done && !r1.done, "async: the fast one finishes first");
	before = dispatches;
	loop_until(a, rec_done, &r1, 5000);
	tap_ok(r1.done && r1.o.result == VIGIL_AGENT_OK, "async: then the slow one");
	tap_ok(dispatches - before < 10, "async: no busy polling (%u dispatches in 1 s)",
	       dispatches - before);

	tap_is_int(vigil_agent_run(a, &slow, VIGIL_AGENT_START, 0, on_done, &r3, &op), 0,
		   "cancel: start");
	vigil_agent_cancel(op);
	tap_is_int(loop_until(a, idle, a, 3000), 0, "cancel: killed and reaped");
	tap_ok(!r3.done, "cancel: no callback");
	rec_clear(&r1);
	rec_clear(&r2);
	rec_clear(&r3);
}

/* --- ocf --------------------------------------------------------------- */

static const char fake_ocf[] =
	"#!/bin/sh\n"
	"echo \"$1|$OCF_ROOT|$OCF_RESOURCE_INSTANCE|$OCF_RESOURCE_PROVIDER|$OCF_RESOURCE_TYPE|"
	"$OCF_RESKEY_CRM_meta_timeout|$OCF_RESKEY_CRM_meta_interval|$OCF_RESKEY_greeting|"
	"$OCF_RA_VERSION_MAJOR\"\n"
	"[ \"$OCF_RESKEY_rc\" = 0 ] || echo \"${OCF_EXIT_REASON_PREFIX}rc was $OCF_RESKEY_rc\" >&2\n"
	"exit $OCF_RESKEY_rc\n";

static void test_ocf_fake(void)
{
	struct vigil_agents_opts o = { .ocf_root = tmpdir };
	struct vigil_conf_resource r = {
		.name = "fake1",
		.type = VIGIL_CONF_RES_OCF,
		.timing = { 30000, 5000, 5000, 7000 },
	};
	char dir[300], path[400], rcs[16];
	struct vigil_agents *a;
	struct rec rc = { 0 };
	bool ok = true;
	int i;

	snprintf(dir, sizeof(dir), "%s/resource.d", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/resource.d/test", tmpdir);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/Fake", dir);
	if (write_file(path, fake_ocf, 0755) || vigil_agents_new(&o, &a) || loop_init(a)) {
		tap_ok(false, "ocf: fake agent set up");
		return;
	}
	r.ocf.provider = "test";
	r.ocf.agent = "Fake";
	r.ocf.n_params = 2;
	r.ocf.params[0] = (struct vigil_conf_param){ "greeting", "hi there", 1 };
	r.ocf.params[1] = (struct vigil_conf_param){ "rc", rcs, 2 };
	strcpy(rcs, "0");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	snprintf(path, sizeof(path), "monitor|%s|fake1|test|Fake|7000|30000|hi there|1\n", tmpdir);
	tap_is_str(rc.out, path, "ocf: action in argv[1]; OCF_ROOT, instance, provider, type, "
		   "meta timeout and interval (ms), OCF_RESKEY_*");
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ocf: exit 0 is ok");
	run(a, &r, VIGIL_AGENT_START, 1234, &rc);
	tap_ok(strstr(rc.out, "start|") && strstr(rc.out, "|1234|0|"),
	       "ocf start: the timeout given, interval 0");

	for (i = 1; i <= 9; i++) {
		snprintf(rcs, sizeof(rcs), "%d", i);
		run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
		ok &= rc.o.result == vigil_agent_ocf_result(i) && rc.o.exit_status == i;
	}
	tap_ok(ok, "ocf: exit codes 1..9 of a real child map as vigil_agent_ocf_result()");
	strcpy(rcs, "1");
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_ok(strstr(rc.o.reason, "exit 1 (generic error): rc was 1") != NULL,
	       "ocf: the exit reason in the reason: %s", rc.o.reason);
	strcpy(rcs, "7");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ocf stop: 7 (not running) is stopped");
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "ocf start: 7 is not a success");

	r.ocf.agent = "Missing";
	tap_is_int(run(a, &r, VIGIL_AGENT_START, 0, &rc), 0, "ocf: a missing agent is reported");
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_INSTALLED, "ocf: a missing agent is not installed");
	rec_clear(&rc);
	vigil_agents_free(a);
}

static void test_ocf_dummy(struct vigil_agents *a)
{
	struct vigil_conf_resource r = {
		.name = "dummy1",
		.type = VIGIL_CONF_RES_OCF,
		.timing = { 10000, 20000, 20000, 20000 },
	};
	char state[300];
	struct rec rc = { 0 };

	if (access(DUMMY_AGENT, X_OK)) {
		tap_skip("no " DUMMY_AGENT " (Debian's resource-agents: make deps)",
			 "ocf:heartbeat:Dummy");
		return;
	}
	snprintf(state, sizeof(state), "%s/dummy1.state", tmpdir);
	r.ocf.provider = "heartbeat";
	r.ocf.agent = "Dummy";
	r.ocf.n_params = 1;
	r.ocf.params[0] = (struct vigil_conf_param){ "state", state, 1 };

	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "Dummy: monitor before start: not running (%s)",
		   rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "Dummy: start (%s)", rc.o.reason);
	tap_ok(!access(state, F_OK), "Dummy: its state file exists (OCF_RESKEY_state)");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "Dummy: monitor: running");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "Dummy: stop");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "Dummy: monitor after stop: not running");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "Dummy: a second stop is fine");
	run(a, &r, VIGIL_AGENT_META_DATA, 0, &rc);
	tap_ok(rc.o.result == VIGIL_AGENT_OK && strstr(rc.out, "<resource-agent name=\"Dummy\""),
	       "Dummy: meta-data is its XML");
	rec_clear(&rc);
}

/* --- fence agents ------------------------------------------------------ */

static const char fake_fence[] =
	"#!/bin/sh\n"
	"cat > \"$(dirname \"$0\")/stdin\"\n"
	"action=$(sed -n 's/^action=//p' \"$(dirname \"$0\")/stdin\" | tail -n 1)\n"
	"mode=$(sed -n 's/^mode=//p' \"$(dirname \"$0\")/stdin\")\n"
	"case \"$action:$mode\" in\n"
	"status:off) exit 2 ;;\n"
	"status:*) exit 0 ;;\n"
	"off:fail) echo 'ERROR:Failed: Unable to obtain correct plug status or plug is not available' >&2; exit 1 ;;\n"
	"off:hang) exec sleep 60 ;;\n"
	"metadata:*) echo '<resource-agent name=\"fence_fake\"/>'; exit 0 ;;\n"
	"*) exit 0 ;;\n"
	"esac\n";

static void test_fence(struct vigil_agents *a)
{
	struct vigil_conf_fence f = {
		.name = "ipmi",
		.type = VIGIL_CONF_FENCE_AGENT,
		.action = VIGIL_CONF_FENCE_OFF,
		.timeout_ms = 5000,
		.status_timeout_ms = 5000,
	};
	char agent[300], stdin_path[300], want[128], *s;
	static char big[32][4001];
	struct rec rc = { 0 };
	unsigned int i;

	snprintf(agent, sizeof(agent), "%s/fence_fake", tmpdir);
	snprintf(stdin_path, sizeof(stdin_path), "%s/stdin", tmpdir);
	if (write_file(agent, fake_fence, 0755)) {
		tap_ok(false, "fence: fake agent");
		return;
	}
	f.agent = agent;
	f.n_params = 2;
	f.params[0] = (struct vigil_conf_param){ "ip", "192.0.2.1", 1 };
	f.params[1] = (struct vigil_conf_param){ "plug", "n3", 2 };

	tap_is_int(vigil_fence_agent_run(a, &f, vigil_fence_agent_fence_action(&f), 0,
					 on_done, &rc, NULL), 0, "fence: off runs");
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fence off: exit 0 is success");
	tap_is_str(read_text(stdin_path), "ip=192.0.2.1\nplug=n3\naction=off\n",
		   "fence: parameters as NAME=VALUE lines on stdin, action last");

	f.n_params = 3;
	f.params[2] = (struct vigil_conf_param){ "mode", "off", 3 };
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_STATUS, 0, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "fence status: exit 2 is off");
	f.params[2].value = "on";
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_STATUS, 0, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fence status: exit 0 is on");
	f.params[2].value = "fail";
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_OFF, 0, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "fence off: exit 1 is a failure");
	tap_ok(strstr(rc.o.reason, "exit 1: ERROR:Failed: Unable to obtain") != NULL,
	       "fence: the agent's last error line in the reason: %s", rc.o.reason);
	f.params[2].value = "hang";
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_OFF, 300, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_TIMEOUT, "fence off: a hung agent times out");
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_METADATA, 0, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	tap_ok(rc.o.result == VIGIL_AGENT_OK && strstr(rc.out, "fence_fake"), "fence: metadata on stdout");

	/* More than a pipe holds: written as the agent reads. */
	f.n_params = 32;
	for (i = 0; i < 32; i++) {
		memset(big[i], 'x', 4000);
		f.params[i] = (struct vigil_conf_param){ "p", big[i], i + 1 };
	}
	rec_clear(&rc);
	vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_MONITOR, 0, on_done, &rc, NULL);
	loop_until(a, rec_done, &rc, 10000);
	s = read_text(stdin_path);
	snprintf(want, sizeof(want), "%zu", s ? strlen(s) : 0);
	tap_ok(rc.o.result == VIGIL_AGENT_OK && s && strlen(s) == 32 * 4003 + strlen("action=monitor\n"),
	       "fence: 128 KiB of parameters arrive whole (%s bytes)", want);

	f.agent = "/nonexistent/fence_x";
	rec_clear(&rc);
	tap_is_int(vigil_fence_agent_run(a, &f, VIGIL_FENCE_AGENT_OFF, 0, on_done, &rc, NULL), 0,
		   "fence: a missing agent is reported");
	loop_until(a, rec_done, &rc, 10000);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_INSTALLED, "fence: a missing agent is not installed");
	rec_clear(&rc);
}

/* --- tests in a child (namespaces) ------------------------------------- */

struct counts {
	int count, failed;
};

/* Run fn in a child; its TAP lines count here. */
static void in_child(const char *what, int (*fn)(void))
{
	struct counts c = { 0 };
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		tap_ok(false, "%s: pipe", what);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int count = tap_count, failed = tap_failed, ret;

		close(p[0]);
		ret = fn();
		c.count = tap_count - count;
		c.failed = tap_failed - failed + (ret < 0);
		fflush(stdout);
		if (write(p[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, sizeof(c)) != sizeof(c))
		c = (struct counts){ 0, 1 };
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_count += c.count;
	tap_failed += c.failed;
}

static int set_link_up(const char *name, bool on)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = rtnl_link_alloc(), *ch = rtnl_link_alloc();
	int err = -NLE_NOMEM;

	if (!sk || !l || !ch || (err = nl_connect(sk, NETLINK_ROUTE)) < 0)
		goto out;
	rtnl_link_set_name(l, name);
	rtnl_link_set_ifindex(l, (int)if_nametoindex(name));
	if (on)
		rtnl_link_set_flags(ch, IFF_UP);
	else
		rtnl_link_unset_flags(ch, IFF_UP);
	err = rtnl_link_change(sk, l, ch, 0);
out:
	rtnl_link_put(l);
	rtnl_link_put(ch);
	nl_socket_free(sk);
	return err;
}

/* A veth pair, both ends up: name carries the address, peer listens. */
static int make_veth(const char *name, const char *peer)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err = -NLE_NOMEM;

	if (!sk)
		return err;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_veth_add(sk, name, peer, getpid());
	nl_socket_free(sk);
	if (!err)
		err = set_link_up(name, true);
	if (!err)
		err = set_link_up(peer, true);
	return err;
}

/* Frames of protocol proto seen on ifname, matching match(). */
static int count_frames(int fd, bool (*match)(const unsigned char *, ssize_t, void *),
			void *arg)
{
	unsigned char buf[1500];
	int n = 0;

	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (len < 0)
			return n;
		n += match(buf, len, arg);
	}
}

static bool is_garp(const unsigned char *b, ssize_t len, void *arg)
{
	const struct in_addr *ip = arg;

	/* hrd 1, pro 0x800, hln 6, pln 4, op 1; spa at 14, tpa at 24 */
	return len >= 28 && b[0] == 0 && b[1] == 1 && b[2] == 8 && b[3] == 0 &&
	       b[7] == ARPOP_REQUEST && !memcmp(b + 14, ip, 4) &&
	       !memcmp(b + 24, ip, 4);
}

static bool is_na(const unsigned char *b, ssize_t len, void *arg)
{
	/* IPv6 header: next header at 6, hop limit at 7; ICMPv6 at 40 */
	return len >= 40 + 24 && b[6] == IPPROTO_ICMPV6 && b[7] == 255 &&
	       b[40] == ND_NEIGHBOR_ADVERT && (b[44] & 0x20) &&
	       !memcmp(b + 48, arg, 16);
}

static int packet_socket(const char *ifname, int proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = (int)if_nametoindex(ifname),
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(proto));

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ip_tests(void)
{
	struct vigil_agents_opts o = { .arp_count = 3, .arp_interval_ms = 50 };
	struct vigil_conf_resource r = {
		.name = "vip",
		.type = VIGIL_CONF_RES_IP,
		.timing = { 10000, 5000, 5000, 5000 },
	};
	struct vigil_agents *a;
	struct rec rc = { 0 };
	int arpfd, v6fd, err;

	if (unshare(CLONE_NEWNET)) {
		tap_skip(strerror(errno), "ip agent: a network namespace of its own");
		return 0;
	}
	err = make_veth("vtest0", "vtest1");
	if (err) {
		tap_skip(nl_geterror(err), "ip agent: a veth pair (CONFIG_VETH)");
		return 0;
	}
	if (vigil_agents_new(&o, &a) || loop_init(a))
		return -1;
	/* What vtest0 sends arrives on vtest1. */
	arpfd = packet_socket("vtest1", ETH_P_ARP);
	v6fd = packet_socket("vtest1", ETH_P_IPV6);
	tap_ok(arpfd >= 0 && v6fd >= 0, "ip: capture sockets on the veth peer");

	r.ip.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", &r.ip.in);
	r.ip.prefix = 24;
	strcpy(r.ip.ifname, "vtest0");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "ip monitor before start: not running (%s)",
		   rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip start: %s", rc.o.reason);
	tap_is_int(count_frames(arpfd, is_garp, &r.ip.in), 1,
		   "ip start: one gratuitous ARP at once, on the wire");
	tap_is_int(loop_until(a, idle, a, 2000), 0, "ip: the repeats are sent from the timer");
	tap_is_int(count_frames(arpfd, is_garp, &r.ip.in), 2, "ip: two more (arp_count 3)");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip monitor: running (%s)", rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip start again: already there is fine");
	loop_until(a, idle, a, 2000);
	set_link_up("vtest0", false);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "ip monitor: address there, interface down: failure (%s)",
		   rc.o.reason);
	set_link_up("vtest0", true);
	set_link_up("vtest1", false);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "ip monitor: no carrier: failure (%s)",
		   rc.o.reason);
	set_link_up("vtest1", true);
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip stop: %s", rc.o.reason);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "ip monitor after stop: not running");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip stop again: already gone is fine");

	r.ip.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::10", &r.ip.in6);
	r.ip.prefix = 64;
	count_frames(v6fd, is_na, &r.ip.in6);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip6 start: %s", rc.o.reason);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip6 monitor: running at once (no DAD)");
	loop_until(a, idle, a, 2000);
	tap_is_int(count_frames(v6fd, is_na, &r.ip.in6), 3,
		   "ip6: three unsolicited neighbour advertisements, override set");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "ip6 stop");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "ip6 monitor after stop: not running");

	strcpy(r.ip.ifname, "nosuch0");
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_CONFIGURED, "ip start on a missing interface: not configured");
	rec_clear(&rc);
	close(arpfd);
	close(v6fd);
	vigil_agents_free(a);
	return 0;
}

static int fs_tests(void)
{
	struct vigil_conf_resource r = {
		.name = "data",
		.type = VIGIL_CONF_RES_FS,
		.timing = { 10000, 5000, 5000, 5000 },
	};
	char mnt[300], file[400];
	struct vigil_agents *a;
	struct statvfs sv;
	struct rec rc = { 0 };
	int fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		tap_skip(strerror(errno), "fs agent: a mount namespace of its own");
		return 0;
	}
	if (vigil_agents_new(NULL, &a) || loop_init(a))
		return -1;
	snprintf(mnt, sizeof(mnt), "%s/mnt", tmpdir);
	mkdir(mnt, 0755);
	r.fs.device = "vigiltest";
	r.fs.mountpoint = mnt;
	r.fs.fstype = "tmpfs";
	r.fs.options = "size=1m,noexec,mode=0700";

	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "fs monitor before start: not running (%s)",
		   rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs start: %s", rc.o.reason);
	tap_ok(!statvfs(mnt, &sv) && (sv.f_flag & ST_NOEXEC) &&
	       sv.f_blocks * sv.f_frsize == 1024 * 1024,
	       "fs: flag options (noexec) and data options (size=1m) both applied");
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs monitor: mounted (%s)", rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs start again: already mounted is fine");

	snprintf(file, sizeof(file), "%s/busy", mnt);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_BUSY, "fs stop while a file is open: busy");
	tap_ok(strstr(rc.o.reason, "Device or resource busy") != NULL, "fs busy: %s", rc.o.reason);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs: still mounted after the refused stop");
	if (fd >= 0)
		close(fd);
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs stop once released: %s", rc.o.reason);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_NOT_RUNNING, "fs monitor after stop: not running");
	run(a, &r, VIGIL_AGENT_STOP, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_OK, "fs stop again: not mounted is fine");

	mount("someoneelse", mnt, "tmpfs", 0, NULL);
	run(a, &r, VIGIL_AGENT_MONITOR, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "fs monitor: another filesystem there: failure (%s)",
		   rc.o.reason);
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "fs start: refused over another filesystem");
	umount(mnt);

	r.fs.fstype = "nosuchfs";
	run(a, &r, VIGIL_AGENT_START, 0, &rc);
	tap_is_int(rc.o.result, VIGIL_AGENT_ERR_GENERIC, "fs start: an unknown type fails (%s)",
		   rc.o.reason);
	rec_clear(&rc);
	vigil_agents_free(a);
	return 0;
}

static void test_mountinfo(void)
{
	const char *mi =
		"22 1 0:21 / /proc rw,nosuid shared:5 - proc proc rw\n"
		"40 22 0:35 / /srv/my\\040data rw shared:9 master:2 - tmpfs vigil rw\n"
		"41 22 0:36 / /srv/nfs rw - nfs4 server:/export rw,vers=4.2\n"
		"42 41 0:37 / /srv/nfs rw - tmpfs other rw\n";
	char other[128] = "";

	tap_is_int(vigil_agent_fs_mounted(mi, "/srv/my data", "vigil", NULL, 0), 1,
		   "mountinfo: escaped blanks, optional fields");
	tap_is_int(vigil_agent_fs_mounted(mi, "/srv/nfs", "server:/export", other, sizeof(other)), 2,
		   "mountinfo: the mount on top counts");
	tap_is_str(other, "other (tmpfs)", "mountinfo: what is on top");
	tap_is_int(vigil_agent_fs_mounted(mi, "/srv", "x", NULL, 0), 0, "mountinfo: not mounted");
}

int main(void)
{
	struct vigil_agents *a;
	int fds;

	signal(SIGPIPE, SIG_DFL);	/* a write to a closed stdin must not kill us */
	if (!mkdtemp(tmpdir))
		return tap_skip_all("mkdtemp failed");
	fds = count_fds();
	test_mapping();
	test_mountinfo();
	if (vigil_agents_new(&(struct vigil_agents_opts){ .kill_grace_ms = 300 }, &a) ||
	    loop_init(a)) {
		tap_ok(false, "runner");
		return tap_done();
	}
	test_exec(a);
	test_async(a);
	test_output_bound();
	loop_init(a);
	test_ocf_fake();
	loop_init(a);
	test_ocf_dummy(a);
	test_fence(a);
	tap_is_int(vigil_agents_busy(a), 0, "nothing left in flight");
	vigil_agents_free(a);
	close(epfd);
	epfd = -1;
	tap_is_int(count_fds(), fds, "no file descriptor leaked");

	if (geteuid()) {
		tap_skip("not root", "ip agent in a network namespace");
		tap_skip("not root", "fs agent in a mount namespace");
	} else {
		in_child("ip", ip_tests);
		in_child("fs", fs_tests);
	}
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			tap_diag("could not remove %s", tmpdir);
	}
	return tap_done();
}
