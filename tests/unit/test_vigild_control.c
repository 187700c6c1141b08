// SPDX-License-Identifier: GPL-2.0
/*
 * vigild's control socket (daemon/control.c): the request parser, the
 * replies (status in text and JSON, operator commands refused with a
 * reason), and the socket itself: mode 0600, root answered, another uid
 * refused by its peer credentials (a forked child that setuid()s).
 */

#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../tools/libvigil/core.c"
#include "../../tools/libvigil/nl.c"
#include "../../tools/libvigil/config.c"
#include "../../tools/libvigil/json.c"
#include "../../daemon/conf.c"
#include "../../daemon/agent.c"
#include "../../daemon/agent_ip.c"
#include "../../daemon/agent_fs.c"
#include "../../daemon/fence_agent.c"
#include "../../daemon/engine.c"
#include "../../daemon/log.c"
#include "../../daemon/cluster.c"
#include "../../daemon/control.c"
#include "tap.h"

static void parse_ok(const char *line, enum vigild_request_type type,
		     bool json, const char *group, const char *node)
{
	struct vigild_request r;
	char err[256] = "";
	int ret = vigild_control_parse(line, &r, err, sizeof(err));

	tap_ok(!ret && r.type == type && r.json == json &&
	       !strcmp(r.group, group) && !strcmp(r.node, node),
	       "parse `%s' %s", line, err);
}

static void parse_bad(const char *line, const char *want)
{
	struct vigild_request r;
	char err[256] = "";

	tap_is_int(vigild_control_parse(line, &r, err, sizeof(err)), -EINVAL,
		   "parse refuses `%s'", line);
	tap_is_str(err, want, "... saying so");
}

static void test_parse(void)
{
	char longline[600];

	parse_ok("status", VIGILD_REQ_STATUS, false, "", "");
	parse_ok("status json", VIGILD_REQ_STATUS, true, "", "");
	parse_ok("status\r", VIGILD_REQ_STATUS, false, "", "");
	parse_ok("  switchover   web  ", VIGILD_REQ_SWITCHOVER, false, "web", "");
	parse_ok("switchover web n2", VIGILD_REQ_SWITCHOVER, false, "web", "n2");
	parse_ok("act web", VIGILD_REQ_ACT, false, "web", "");
	parse_ok("start web", VIGILD_REQ_START, false, "web", "");
	parse_ok("stop\tweb", VIGILD_REQ_STOP, false, "web", "");
	parse_bad("", "empty request");
	parse_bad("   ", "empty request");
	parse_bad("fence n2", "unknown command `fence'");
	parse_bad("status yaml", "usage: status [json]");
	parse_bad("switchover", "usage: switchover GROUP [NODE]");
	parse_bad("switchover web n2 n3", "usage: switchover GROUP [NODE]");
	parse_bad("act", "usage: act GROUP");
	parse_bad("act web now", "usage: act GROUP");
	parse_bad("start a b c d e", "too many words in the request");
	parse_bad("stop we\001b", "control character in the request");
	parse_bad("stop aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "no group `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	parse_bad(longline, "request longer than 511 bytes");
}

/* --- a cluster behind it, with agents that never answer ---------------------- */

static uint64_t clock_ms = 100000;
static uint64_t f_now(void *ctx) { (void)ctx; return clock_ms; }
static int f_payload(void *ctx, const uint8_t *p, size_t len) { (void)ctx, (void)p, (void)len; return 0; }
static int f_fence1(void *ctx, uint8_t a) { (void)ctx, (void)a; return 0; }
static int f_gate(void *ctx) { (void)ctx; return 0; }
static int f_persist(void *ctx, const struct vigil_engine_persist *p) { (void)ctx, (void)p; return 0; }
static int f_run(void *ctx, const struct vigil_conf_resource *res,
		 enum vigil_agent_action action, __u32 timeout_ms,
		 vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	(void)ctx, (void)res, (void)action, (void)timeout_ms, (void)done, (void)arg;
	*op = (struct vigil_agent_op *)&clock_ms;
	return 0;
}
static int f_fence(void *ctx, const struct vigil_conf_fence *f,
		   vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	(void)ctx, (void)f, (void)done, (void)arg, (void)op;
	return -ENOSYS;
}
static void f_cancel(void *ctx, struct vigil_agent_op *op) { (void)ctx, (void)op; }

static const struct vigild_cluster_ops ops = {
	.now_ms = f_now, .set_payload = f_payload, .self_fence = f_fence1,
	.gate_open = f_gate, .persist = f_persist, .run = f_run,
	.fence = f_fence, .cancel = f_cancel,
};

static const char conf_text[] =
	"[cluster]\nname = t\nid = 7\nkey_file = /etc/vigil/vigil.key\n"
	"timeout_ms = 500\n"
	"[link a]\nindex = 0\ntype = l2\ninterface = a\n"
	"[node n1]\nid = 1\n[node n2]\nid = 2\n[node n3]\nid = 3\n"
	"[group web]\nresources = a\nnodes = n1\n"
	"[group db]\nresources = a2\nnodes = n3\n"
	"[resource a]\ntype = exec\nstart = a\nstop = a\n"
	"[resource a2]\ntype = exec\nstart = a\nstop = a\n";

static struct vigild_cluster cl;

/* The reply to line, in reply. */
static void ask(const char *line, char *reply, size_t len)
{
	struct vigild_request r;
	char err[256];
	FILE *f = fmemopen(reply, len, "w");

	memset(reply, 0, len);
	if (vigild_control_parse(line, &r, err, sizeof(err)))
		fprintf(f, "error: %s\n", err);
	else
		vigild_control_handle(&cl, &r, clock_ms, 1700000000, f);
	fclose(f);
}

static void test_handle(void)
{
	static const uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN];
	struct vigil_conf_errors errs = { 0 };
	struct vigil_conf *conf = NULL;
	struct vigil_engine_view v = { 0 };
	char why[256] = "", reply[2048];

	if (vigil_conf_parse("t.conf", conf_text, strlen(conf_text),
			     VIGIL_CONF_NO_KEY, &conf, &errs) ||
	    vigild_cluster_init(&cl, conf, 0, &ops, NULL, NULL, boot, why,
				sizeof(why))) {
		tap_ok(false, "cluster set up: %s %s", errs.msg[0], why);
		vigil_conf_free(conf);
		return;
	}
	ask("status", reply, sizeof(reply));
	tap_is_str(reply, "node\tn1\n"
		   "group\tweb\tstandby\t-\t2023-11-14T22:13:20Z\tnone\t\n"
		   "group\tdb\tstandby\t-\t2023-11-14T22:13:20Z\tnone\t\n"
		   "ok\n", "status before any view");
	ask("switchover web n2", reply, sizeof(reply));
	tap_ok(!strncmp(reply, "error: switchover web: refused now:", 35),
	       "switchover without quorum: refused (%s)", reply);

	/* Quorate, alone: web placed here and starting (agents never answer). */
	v.quorate = v.lease_fresh = true;
	v.incarnation = 5;
	v.quorum_votes = 2;
	v.npeers = 2;
	v.peers[0].id = 2;
	v.peers[0].state = VIGIL_PEER_LEFT;
	v.peers[1].id = 3;
	v.peers[1].state = VIGIL_PEER_LEFT;
	clock_ms += 3000;
	vigild_cluster_feed_view(&cl, &v);
	clock_ms += 2000;
	ask("status", reply, sizeof(reply));
	tap_ok(strstr(reply, "group\tweb\tstarting\tn1\t2023-11-14T22:13:18Z\tplaced here\t\n") != NULL,
	       "status: web starting on n1 since 2 s ago: %s", reply);
	ask("status json", reply, sizeof(reply));
	tap_ok(strstr(reply, "{\"name\": \"web\", \"state\": \"starting\", \"node\": \"n1\", \"since\": \"2023-11-14T22:13:18Z\", \"reason\": \"placed here\", \"last_error\": null}") &&
	       !strncmp(reply, "{\"node\": \"n1\", \"groups\": [", 26) &&
	       strstr(reply, "\nok\n"), "status json: %s", reply);
	ask("stop nosuch", reply, sizeof(reply));
	tap_is_str(reply, "error: no group `nosuch' in t.conf\n", "unknown group");
	ask("switchover web n9", reply, sizeof(reply));
	tap_is_str(reply, "error: no node `n9' in t.conf\n", "unknown node");
	ask("switchover web n3", reply, sizeof(reply));
	tap_ok(!strncmp(reply, "error: switchover web: ", 23), "switchover to a node not in the list: %s", reply);
	ask("act web", reply, sizeof(reply));
	tap_ok(!strncmp(reply, "error: act web: ", 16), "act on a group not in wait: %s", reply);
	ask("stop web", reply, sizeof(reply));
	tap_is_str(reply, "ok\n", "stop web: ok");
	ask("status", reply, sizeof(reply));
	/* The engine lets the start in flight finish, then stops. */
	tap_ok(strstr(reply, "group\tweb\tstarting\t-\t2023-11-14T22:13:18Z\toperator stop\t\n") != NULL,
	       "... record stopped, the start in flight finishes first: %s", reply);
	ask("frobnicate", reply, sizeof(reply));
	tap_is_str(reply, "error: unknown command `frobnicate'\n", "unknown command");
	vigild_cluster_fini(&cl);
	vigil_conf_free(conf);
}

/* --- the socket ---------------------------------------------------------------- */

static int added_fd = -1;

static int add(void *arg, int fd)
{
	(void)arg;
	added_fd = fd;
	return 0;
}

/* A child connects as uid, sends status, exits 0 if the reply starts with want. */
static pid_t client(const char *path, uid_t uid, const char *want)
{
	pid_t pid = fork();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512] = "";
	ssize_t n, got = 0;
	int fd;

	if (pid)
		return pid;
	if (uid && (setgid(uid) || setuid(uid)))
		_exit(3);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(errno == EACCES ? 4 : 5);
	/* Refused at once: the write may fail, the reply is there. */
	signal(SIGPIPE, SIG_IGN);
	if (write(fd, "status\n", 7) != 7 && errno != EPIPE)
		_exit(6);
	while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	_exit(strncmp(buf, want, strlen(want)) ? 7 : 0);
}

static int serve_one(struct vigild_control *ctl, pid_t pid)
{
	struct pollfd p = { .fd = vigild_control_fd(ctl), .events = POLLIN };
	int status = -1;
	bool heard;

	added_fd = -1;
	heard = poll(&p, 1, 5000) == 1;
	if (heard)
		vigild_control_accept(ctl, add, NULL);
	if (added_fd >= 0) {
		p.fd = added_fd;
		while (poll(&p, 1, 5000) == 1 &&
		       !vigild_control_read(ctl, added_fd, &cl))
			;
	}
	if (!heard)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void test_socket(void)
{
	static const uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN];
	char dir[] = "/tmp/vigil-ctl-XXXXXX", path[128];
	struct vigil_conf *conf = NULL;
	struct vigild_control *ctl, *ctl2;
	char why[256];
	struct stat st;

	if (geteuid())
		return (void)tap_skip("not root", "the socket tests");
	vigil_conf_parse("t.conf", conf_text, strlen(conf_text), VIGIL_CONF_NO_KEY,
			 &conf, NULL);
	vigild_cluster_init(&cl, conf, 0, &ops, NULL, NULL, boot, why, sizeof(why));
	if (!mkdtemp(dir))
		return (void)tap_ok(false, "mkdtemp");
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/run/vigild.sock", dir);
	tap_is_int(vigild_control_open(path, &ctl), 0, "socket: listening (directory made)");
	tap_ok(!stat(path, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
	       "... mode 0600");
	tap_is_int(vigild_control_open(path, &ctl2), -EADDRINUSE,
		   "a second vigild on the same socket: -EADDRINUSE");
	/* Its probe connected and hung up: served as an empty request. */
	added_fd = -1;
	vigild_control_accept(ctl, add, NULL);
	tap_ok(added_fd >= 0 && vigild_control_read(ctl, added_fd, &cl) == 1,
	       "... its probe connection is closed without a reply");
	tap_is_int(serve_one(ctl, client(path, 0, "node\tn1\n")), 0,
		   "root: answered");
	tap_is_int(serve_one(ctl, client(path, 65534, "")), 4,
		   "uid 65534: the socket's mode refuses the connection");
	chmod(path, 0666);
	tap_is_int(serve_one(ctl, client(path, 65534,
					 "error: permission denied: the control socket is for root only\n")),
		   0, "uid 65534 with the mode opened up: refused by its peer credentials");
	vigild_control_close(ctl);
	tap_ok(stat(path, &st) && errno == ENOENT, "closing removes the socket");
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
	vigild_cluster_fini(&cl);
	vigil_conf_free(conf);
}

int main(void)
{
	test_parse();
	test_handle();
	test_socket();
	return tap_done();
}
