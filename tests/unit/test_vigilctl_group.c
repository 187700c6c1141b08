// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl's side of vigild's control socket (tools/group.c): the
 * command lines of switchover, act, start, stop (bad ones: one message,
 * exit 2), the request and its reply against a fake vigild, the status
 * lines, and what is said when vigild is not running.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "config.c"
#include "nl.c"
#include "opt.c"
#include "../../tools/util.c"
#include "../../tools/group.c"
#include "capture.h"
#include "tap.h"

static int args(const char *cmd, const char *a1, const char *a2,
		const char *a3, char *line, bool *yes)
{
	char *argv[] = { (char *)cmd, (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 1 + !!a1 + (a1 && a2) + (a1 && a2 && a3);

	line[0] = '\0';
	return vigilctl_group_args(cmd, argc, argv, line, 256, yes);
}

static void test_args(void)
{
	struct capture cap;
	char line[256];
	bool yes;

	tap_is_int(args("switchover", "web", NULL, NULL, line, &yes), 0, "switchover web");
	tap_is_str(line, "switchover web", "... the request");
	tap_is_int(args("switchover", "web", "n2", NULL, line, &yes), 0, "switchover web n2");
	tap_is_str(line, "switchover web n2", "... the request");
	tap_ok(!args("act", "--yes", "web", NULL, line, &yes) && yes &&
	       !strcmp(line, "act web"), "act --yes web");
	tap_ok(!args("stop", "web", NULL, NULL, line, &yes) && !yes &&
	       !strcmp(line, "stop web"), "stop web");

	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("switchover", NULL, NULL, NULL, line, &yes), VIGILCTL_USAGE,
		   "switchover without GROUP: exit 2");
	tap_is_str(capture_end(&cap), "vigilctl: switchover: missing GROUP\n", "... one line");
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("start", "web", "n2", NULL, line, &yes), VIGILCTL_USAGE,
		   "start web n2: exit 2");
	tap_ok(!strncmp(capture_end(&cap), "vigilctl: start: unexpected argument `n2'\n", 42),
	       "... names the word");
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("switchover", "web", "n2", "n3", line, &yes), VIGILCTL_USAGE,
		   "switchover web n2 n3: exit 2");
	capture_end(&cap);
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("stop", "--yes", "web", NULL, line, &yes), VIGILCTL_USAGE,
		   "stop --yes: exit 2 (only act asks)");
	capture_end(&cap);
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("act", "we b", NULL, NULL, line, &yes), VIGILCTL_USAGE,
		   "a group with a blank: exit 2");
	tap_is_str(capture_end(&cap), "vigilctl: act: bad GROUP `we b'\n", "... one line");
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(args("act", "--frob", "web", NULL, line, &yes), VIGILCTL_USAGE,
		   "an unknown option: exit 2");
	capture_end(&cap);
}

static void test_parse(void)
{
	char text[] = "node\tn1\n"
		"group\tweb\tonline\tn1\t2026-11-26T03:00:00Z\tstarted\t\n"
		"group\tdb\twait\t-\t2026-11-26T03:01:00Z\twait\tdb-fs start: timeout (exit 1)\n"
		"future\tline\n";
	char bad[] = "group\tweb\tonline\n";
	struct vigilctl_groups g;

	tap_is_int(vigilctl_groups_parse(text, &g), 0, "status lines parsed");
	tap_ok(g.n == 2 && !strcmp(g.node, "n1") && !strcmp(g.groups[0].node, "n1") &&
	       !strcmp(g.groups[1].state, "wait") && !g.groups[1].node[0] &&
	       !strcmp(g.groups[1].last_error, "db-fs start: timeout (exit 1)") &&
	       !strcmp(g.groups[0].since, "2026-11-26T03:00:00Z"),
	       "... fields, `-' as no node, unknown lines skipped");
	tap_is_int(vigilctl_groups_parse(bad, &g), -EPROTO, "a short group line: -EPROTO");
}

/* A fake vigild answering one connection with reply. */
static pid_t fake_vigild(const char *path, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), c;
	char buf[256];
	pid_t pid;

	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return -1;
	pid = fork();
	if (pid) {
		close(fd);
		return pid;
	}
	c = accept(fd, NULL, NULL);
	if (read(c, buf, sizeof(buf)) <= 0)
		_exit(1);
	if (write(c, reply, strlen(reply)) < 0)
		_exit(1);
	close(c);
	_exit(0);
}

static void test_request(void)
{
	char path[64], err[256], *reply = NULL;
	struct vigilctl_groups g;
	struct capture cap;
	pid_t pid;
	int ret;

	snprintf(path, sizeof(path), "/tmp/vigilctl-test-%d.sock", getpid());
	setenv("VIGIL_SOCKET", path, 1);
	unlink(path);
	tap_is_int(vigilctl_request("status", &reply, err, sizeof(err)), -ENOENT,
		   "no vigild: -ENOENT");
	capture_begin(&cap, STDERR_FILENO);
	tap_is_int(stop_main(2, (char *[]){ "stop", "web", NULL }), VIGILCTL_FAIL,
		   "stop web without vigild: exit 1");
	tap_ok(strstr(capture_end(&cap), "vigild is not running") != NULL, "... says so");

	pid = fake_vigild(path, "node\tn1\ngroup\tweb\tonline\tn1\t2026-11-26T03:00:00Z\tstarted\t\nok\n");
	tap_is_int(vigilctl_groups_fetch(&g), 0, "status from a fake vigild");
	tap_ok(g.n == 1 && !strcmp(g.groups[0].state, "online"), "... one group online");
	waitpid(pid, NULL, 0);

	pid = fake_vigild(path, "error: switchover web: refused now\n");
	ret = vigilctl_request("switchover web", &reply, err, sizeof(err));
	tap_ok(ret == 1 && !strcmp(err, "switchover web: refused now"),
	       "an error line: 1 and its message");
	waitpid(pid, NULL, 0);

	pid = fake_vigild(path, "group\tweb\n");
	tap_is_int(vigilctl_request("status", &reply, err, sizeof(err)), -EPROTO,
		   "a reply without ok or error: -EPROTO");
	waitpid(pid, NULL, 0);
	unlink(path);
}

int main(void)
{
	test_args();
	test_parse();
	test_request();
	return tap_done();
}
