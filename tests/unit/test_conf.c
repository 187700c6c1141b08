// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vigil.conf's reader (daemon/conf.c): the examples in
 * Documentation/examples/ and what they load to, every kind of bad input
 * with its exact message, the key file's checks (files made here, chmod
 * and chown as root), what a reload may change, the request for the
 * kernel, and check-config's output.
 */

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/libvigil/core.c"
#include "../../tools/libvigil/nl.c"
#include "../../tools/libvigil/config.c"
#include "../../daemon/conf.c"
#include "capture.h"
#include "tap.h"

/* A valid file; tests replace or add lines. Keep the line numbers. */
static const char base[] =
	"[cluster]\n"				/* 1 */
	"name = t\n"				/* 2 */
	"id = 1\n"				/* 3 */
	"key_file = /etc/vigil/vigil.key\n"	/* 4 */
	"timeout_ms = 500\n"			/* 5 */
	"[link l]\n"				/* 6 */
	"index = 0\n"				/* 7 */
	"type = l2\n"				/* 8 */
	"interface = eth0\n"			/* 9 */
	"[node a]\n"				/* 10 */
	"id = 1\n"				/* 11 */
	"[node b]\n"				/* 12 */
	"id = 2\n"				/* 13 */
	"[node c]\n"				/* 14 */
	"id = 3\n"				/* 15 */
	"[group g]\n"				/* 16 */
	"resources = r\n"			/* 17 */
	"nodes = a b\n"				/* 18 */
	"[resource r]\n"			/* 19 */
	"type = exec\n"				/* 20 */
	"start = true\n"			/* 21 */
	"stop = true\n";			/* 22 */

static char text[64 * 1024];
static struct vigil_conf_errors errs;

/* src with line n replaced by repl (which may hold several lines, or be
 * "" to delete it); n = 0 appends repl. Into text. */
static const char *edit_in(const char *src, unsigned int n, const char *repl)
{
	static char copy[sizeof(text)];
	const char *s = copy;
	unsigned int line = 1;
	size_t len = 0;

	snprintf(copy, sizeof(copy), "%s", src);
	for (; *s; line++) {
		const char *nl = strchr(s, '\n');
		size_t l = nl - s + 1;

		if (line == n) {
			len += snprintf(text + len, sizeof(text) - len, "%s%s", repl,
					repl[0] ? "\n" : "");
		} else {
			memcpy(text + len, s, l);
			len += l;
		}
		s += l;
	}
	text[len] = '\0';
	if (!n)
		snprintf(text + len, sizeof(text) - len, "%s\n", repl);
	return text;
}

static const char *edit(unsigned int n, const char *repl)
{
	return edit_in(base, n, repl);
}

static int parse_text(const char *t, unsigned int flags, struct vigil_conf **conf)
{
	return vigil_conf_parse("t.conf", t, strlen(t), flags, conf, &errs);
}

static void dump_errors(void)
{
	unsigned int i;

	for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
		tap_diag("  %s", errs.msg[i]);
}

static bool has_error(const char *msg)
{
	unsigned int i;

	for (i = 0; i < vigil_conf_errors_kept(&errs); i++) {
		if (!strcmp(errs.msg[i], msg))
			return true;
	}
	return false;
}

/* The file t is refused and msg is among the errors. */
static void refused(const char *t, unsigned int flags, const char *msg)
{
	struct vigil_conf *conf;
	int ret = parse_text(t, flags, &conf);

	if (!tap_ok(ret == -EINVAL && !conf && has_error(msg), "refused: %s", msg)) {
		tap_diag("ret %d", ret);
		dump_errors();
	}
}

#define BAD(n, repl, msg) refused(edit(n, repl), VIGIL_CONF_NO_KEY, msg)

static struct vigil_conf *accepted(const char *t, unsigned int flags,
				   const char *what)
{
	struct vigil_conf *conf;
	int ret = parse_text(t, flags, &conf);

	if (!tap_ok(!ret && conf, "accepted: %s", what))
		dump_errors();
	return conf;
}

/* ------------------------------------------------------------------ */

static char examples[PATH_MAX];

static void find_examples(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	/* build/unit/test_conf -> Documentation/examples */
	snprintf(examples, sizeof(examples), "%s/../../Documentation/examples",
		 dirname(exe));
}

static struct vigil_conf *load_example(const char *name)
{
	struct vigil_conf *conf = NULL;
	char path[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", examples, name);
	ret = vigil_conf_load(path, VIGIL_CONF_NO_KEY, &conf, &errs);
	if (!tap_ok(!ret, "example %s is valid", name))
		dump_errors();
	return conf;
}

static void test_every_example(void)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir(examples);

	if (!tap_ok(d != NULL, "Documentation/examples/ found (%s)", examples))
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".conf")) {
			vigil_conf_free(load_example(de->d_name));
			n++;
		}
	}
	closedir(d);
	tap_ok(n >= 2, "%u examples checked", n);
}

static void test_three_node(void)
{
	struct vigil_conf *c = load_example("three-node-l2.conf");
	const struct vigil_conf_resource *r;
	const struct vigil_conf_group *g;

	if (!c)
		return;
	tap_is_str(c->cluster.name, "lab", "cluster name");
	tap_is_int(c->cluster.id, 4242, "cluster id");
	tap_is_int(c->cluster.key_id, 1, "key_id default");
	tap_ok(!c->cluster.have_key, "key not read with VIGIL_CONF_NO_KEY");
	tap_is_int(c->cluster.interval_ms, 100, "interval from timeout_ms");
	tap_is_int(c->cluster.lease_ms, vigil_lease_default(500), "lease default: the kernel's");
	tap_is_int(c->cluster.fence[VIGIL_CAUSE_QUORUM].action,
		   VIGIL_ACTION_FREEZE, "on_quorum_loss");
	tap_is_int(c->cluster.fence[VIGIL_CAUSE_DAEMON].action,
		   VIGIL_ACTION_REBOOT, "on_daemon_failure");
	tap_is_int(c->cluster.daemon_watchdog_ms, 5000, "daemon_watchdog_ms");
	tap_ok(c->cluster.n_protect == 1 &&
	       !strcmp(c->cluster.protect[0], "eth1"), "protect");
	tap_ok(!c->cluster.failback && !c->cluster.two_node, "failback, two_node off");
	tap_is_int(c->n_links, 2, "two links");
	tap_ok(c->links[1].type == VIGIL_LINK_L2 && c->links[1].index == 1 &&
	       c->links[1].ethertype == 0x88b5 &&
	       !strcmp(c->links[1].ifname, "eth3"), "link ring1");
	tap_is_int(c->n_nodes, 3, "three nodes");
	tap_ok(c->nodes[0].addr[0].kind == VIGIL_ADDR_MAC &&
	       c->nodes[0].addr[0].mac[5] == 1 && c->nodes[0].addr[1].mac[4] == 3,
	       "n1's MACs");
	tap_ok(c->nodes[2].addr[0].kind == VIGIL_ADDR_NONE,
	       "n3 without an address on an L2 link: broadcast");
	tap_ok(c->nodes[2].n_fence == 1 &&
	       !strcmp(c->fences[c->nodes[2].fence[0]].name, "ipmi-n3"),
	       "n3 fenced by ipmi-n3");
	tap_is_int(c->nodes[2].reset_priority, 3, "reset_priority");
	tap_ok(c->fences[0].type == VIGIL_CONF_FENCE_AGENT &&
	       !strcmp(c->fences[0].agent, "/usr/sbin/fence_ipmilan") &&
	       c->fences[0].action == VIGIL_CONF_FENCE_OFF &&
	       c->fences[0].timeout_ms == 60000 &&
	       c->fences[0].status_timeout_ms == 20000, "fence ipmi-n1");
	tap_ok(c->fences[0].n_params == 4 &&
	       !strcmp(c->fences[0].params[0].key, "ip") &&
	       !strcmp(c->fences[0].params[0].value, "10.0.0.101") &&
	       !strcmp(c->fences[0].params[3].key, "lanplus"),
	       "fence parameters in file order");

	g = &c->groups[0];
	tap_ok(c->n_groups == 1 && !strcmp(g->name, "web"), "group web");
	tap_ok(g->n_resources == 3 &&
	       !strcmp(c->resources[g->resources[0]].name, "vip") &&
	       !strcmp(c->resources[g->resources[1]].name, "httpd") &&
	       !strcmp(c->resources[g->resources[2]].name, "dummy"),
	       "web's resources in order");
	tap_ok(g->n_nodes == 3 && g->nodes[0] == 0 && g->nodes[2] == 2,
	       "web's nodes in order");
	tap_ok(g->restart_limit == 3 && g->restart_window_ms == 600000,
	       "restart limit and window");
	r = &c->resources[vigil_conf_group_find(c, "web") == 0 ? g->resources[0] : 0];
	tap_ok(r->type == VIGIL_CONF_RES_IP && r->ip.family == AF_INET &&
	       r->ip.prefix == 24 && !strcmp(r->ip.ifname, "eth1"), "vip");
	r = &c->resources[g->resources[1]];
	tap_ok(r->type == VIGIL_CONF_RES_EXEC &&
	       !strcmp(r->exec.stop, "pkill -x -f 'busybox httpd -p 80 -h /srv/www'"),
	       "httpd's stop command, quotes kept");
	tap_ok(r->timing.start_timeout_ms == 20000 &&
	       r->timing.monitor_interval_ms == 5000 &&
	       r->timing.monitor_timeout_ms == 10000 &&
	       r->timing.stop_timeout_ms == 60000,
	       "httpd's timings: its own, the group's, the default");
	r = &c->resources[g->resources[2]];
	tap_ok(r->type == VIGIL_CONF_RES_OCF &&
	       !strcmp(r->ocf.provider, "heartbeat") &&
	       !strcmp(r->ocf.agent, "Dummy") && r->ocf.n_params == 1 &&
	       !strcmp(r->ocf.params[0].key, "state"), "ocf:heartbeat:Dummy");
	vigil_conf_free(c);
}

static void test_two_node(void)
{
	struct vigil_conf *c = load_example("two-node-cloud.conf");
	const struct vigil_conf_resource *r;
	char a[INET6_ADDRSTRLEN];

	if (!c)
		return;
	tap_ok(c->cluster.two_node && c->cluster.lease_ms == 1500 &&
	       c->cluster.fence[VIGIL_CAUSE_DAEMON].action == VIGIL_ACTION_PANIC &&
	       c->cluster.fence[VIGIL_CAUSE_DAEMON].delay_ms == 1000,
	       "two_node, lease, daemon cause");
	tap_ok(c->links[0].type == VIGIL_LINK_UDP &&
	       c->links[0].family == AF_INET && c->links[1].family == AF_INET6 &&
	       c->links[0].port == 5405, "UDP links");
	inet_ntop(AF_INET6, &c->nodes[0].addr[1].in6, a, sizeof(a));
	tap_is_str(a, "fd00:10::a", "[IPv6]:PORT address");
	tap_ok(c->nodes[1].addr[0].kind == VIGIL_ADDR_IN &&
	       c->nodes[1].addr[0].port == VIGIL_UDP_PORT_DEFAULT,
	       "IPv4 address, default port");
	tap_ok(c->aws.present && !strcmp(c->aws.region, "eu-west-1") &&
	       c->fences[0].type == VIGIL_CONF_FENCE_AWS_ISOLATE &&
	       c->fences[0].timeout_ms == 20000 && c->fences[0].n_enis == 1 &&
	       c->fences[0].enis[0].device_index == 1 &&
	       c->fences[1].type == VIGIL_CONF_FENCE_AWS_STOP &&
	       c->fences[1].timeout_ms == 120000 && c->fences[1].recover,
	       "aws-isolate and aws-stop methods");
	r = &c->resources[1];
	tap_ok(r->type == VIGIL_CONF_RES_FS &&
	       !strcmp(r->fs.device, "/dev/nvme1n1") &&
	       !strcmp(r->fs.fstype, "xfs") &&
	       !strcmp(r->fs.options, "noatime,nodev") &&
	       r->timing.start_timeout_ms == 120000, "fs resource");
	vigil_conf_free(c);
}

/* ------------------------------------------------------------------ */

static void test_syntax(void)
{
	char big[VIGIL_CONF_LINE_MAX + 64];
	static char nul[] = "[cluster]\nname = t\0x\n";

	vigil_conf_free(accepted(base, VIGIL_CONF_NO_KEY, "the base file"));
	vigil_conf_free(accepted(edit(0, "; a comment\n# another\n   \n"),
				 VIGIL_CONF_NO_KEY, "comments and blank lines"));
	vigil_conf_free(accepted(edit(21, "start = a ; b # c"), VIGIL_CONF_NO_KEY,
				 "';' and '#' inside a value"));
	BAD(0, "bogus = 1", "t.conf:23: bogus: unknown key in [resource] (allowed: monitor_interval, start_timeout, stop_timeout, monitor_timeout, type, address, interface, device, mountpoint, fstype, options, start, stop, monitor, param.NAME)");
	BAD(5, "timeout_ms = 500\nTimeout_ms = 1", "t.conf:6: Timeout_ms: unknown key in [cluster] (allowed: name, id, key_file, key_id, timeout_ms, lease_ms, two_node, witness_votes, on_quorum_loss, on_quorum_loss_delay_ms, on_daemon_failure, on_daemon_failure_delay_ms, operator_fence_delay_ms, daemon_watchdog_ms, protect, failback)");
	BAD(0, "[service x]\na = 1", "t.conf:23: [service x]: unknown section (allowed: [cluster], [link NAME], [node NAME], [fence NAME], [group NAME], [resource NAME], [aws])");
	BAD(0, "[node]\nid = 4", "t.conf:23: [node]: needs a name: [node NAME]");
	BAD(0, "[node d e]\nid = 4", "t.conf:23: [node d e]: one name only: [node NAME]");
	BAD(0, "[node -d]\nid = 4", "t.conf:23: [node -d]: bad name '-d': must be 1..31 letters, digits, '.', '_' or '-', starting with a letter or digit");
	BAD(0, "[node abcdefghijabcdefghijabcdefghij12]\nid = 4", "t.conf:23: [node abcdefghijabcdefghijabcdefghij12]: bad name 'abcdefghijabcdefghijabcdefghij12': must be 1..31 letters, digits, '.', '_' or '-', starting with a letter or digit");
	BAD(1, "[cluster x]", "t.conf:1: [cluster x]: [cluster] takes no name");
	BAD(0, "[group h]", "t.conf:23: section without keys");
	BAD(12, "[node e]\n[node b]", "t.conf:12: section without keys");
	refused("x = 1\n", VIGIL_CONF_NO_KEY, "t.conf:1: x: a key before the first [section]");
	BAD(0, "just words", "t.conf:23: syntax error: expected [SECTION], KEY = VALUE, or a comment starting with ; or #");
	BAD(0, "[unclosed", "t.conf:23: syntax error: expected [SECTION], KEY = VALUE, or a comment starting with ; or #");
	BAD(14, "[node a]\nid = 3", "t.conf:14: [node a] given twice (first at line 10)");
	BAD(0, "[cluster]\nname = u", "t.conf:23: [cluster] given twice (first at line 1)");
	BAD(3, "id = 1\nid = 2", "t.conf:4: id given twice in this section (first at line 3)");

	memset(big, 'x', sizeof(big));
	memcpy(big, "start = ", 8);
	big[sizeof(big) - 1] = '\0';
	BAD(21, big, "t.conf:21: line longer than 4096 characters");
	memcpy(text, nul, sizeof(nul));
	tap_ok(vigil_conf_parse("t.conf", text, sizeof(nul) - 1, VIGIL_CONF_NO_KEY,
				&(struct vigil_conf *){ NULL }, &errs) == -EINVAL &&
	       has_error("t.conf:2: NUL byte in a line"), "NUL byte refused");
	refused("", VIGIL_CONF_NO_KEY, "t.conf: no [cluster] section");
	refused("", VIGIL_CONF_NO_KEY, "t.conf: no [node NAME] section");
	refused("", VIGIL_CONF_NO_KEY, "t.conf: no [link NAME] section");
}

static void test_cluster(void)
{
	BAD(2, "", "t.conf:1: [cluster]: no name (1..31 letters, digits, '.', '_' or '-', starting with a letter or digit)");
	BAD(2, "name =", "t.conf:2: name = : must not be empty (1..31 letters, digits, '.', '_' or '-', starting with a letter or digit)");
	BAD(3, "id = 0", "t.conf:3: id = 0: must be 1..4294967295");
	BAD(3, "id = 4294967296", "t.conf:3: id = 4294967296: must be 1..4294967295");
	BAD(3, "id = -1", "t.conf:3: id = -1: must be 1..4294967295");
	BAD(3, "id = 12abc", "t.conf:3: id = 12abc: must be 1..4294967295");
	BAD(4, "", "t.conf:1: [cluster]: no key_file (a file of 32 bytes or 64 hex digits, mode 0600, owned by root)");
	BAD(4, "key_file = vigil.key", "t.conf:4: key_file = vigil.key: must be an absolute path, without blanks");
	BAD(4, "key_file = /etc/vigil/vigil.key\nkey_id = 256", "t.conf:5: key_id = 256: must be 0..255");
	BAD(5, "timeout_ms = 20", "t.conf:5: timeout_ms = 20: must be 50..60000");
	BAD(5, "timeout_ms = 60001", "t.conf:5: timeout_ms = 60001: must be 50..60000");
	BAD(5, "lease_ms = 200", "t.conf:5: lease_ms = 200: below three heartbeat intervals: it could not be renewed in time; with timeout_ms = 500 it must be 300..490");
	BAD(5, "lease_ms = 491", "t.conf:5: lease_ms = 491: above timeout_ms * 0.99 / 1.01: peers could declare this node dead while it still held it; with timeout_ms = 500 it must be 300..490");
	vigil_conf_free(accepted(edit(5, "timeout_ms = 500\nlease_ms = 490"),
				 VIGIL_CONF_NO_KEY, "lease_ms = 490, the longest"));
	BAD(5, "two_node = maybe", "t.conf:5: two_node = maybe: must be yes or no");
	BAD(5, "witness_votes = 256", "t.conf:5: witness_votes = 256: must be 0..255");
	BAD(5, "on_quorum_loss = explode", "t.conf:5: on_quorum_loss = explode: must be none, freeze, panic or reboot");
	BAD(5, "on_daemon_failure = freeze", "t.conf:5: on_daemon_failure = freeze: freeze needs protect = INTERFACE...: it closes the gate on the protected interfaces");
	vigil_conf_free(accepted(edit(5, "on_daemon_failure = freeze\nprotect = eth1 eth2"),
				 VIGIL_CONF_NO_KEY, "freeze with protect"));
	BAD(5, "on_quorum_loss_delay_ms = 60001", "t.conf:5: on_quorum_loss_delay_ms = 60001: must be 0..60000");
	BAD(5, "daemon_watchdog_ms = 150", "t.conf:5: daemon_watchdog_ms = 150: must be 0 (off) or 200..60000: at least two heartbeat intervals of timeout_ms = 500");
	vigil_conf_free(accepted(edit(5, "daemon_watchdog_ms = 0"), VIGIL_CONF_NO_KEY,
				 "daemon watchdog off"));
	BAD(5, "protect = eth1 eth1", "t.conf:5: protect = eth1 eth1: 'eth1' given twice");
	BAD(5, "protect = a/b", "t.conf:5: protect = a/b: 'a/b' must be an interface name: 1..15 characters, without '/', ':' or blanks");
	BAD(5, "protect = a b c d e f g h i", "t.conf:5: protect = a b c d e f g h i: at most 8 interfaces");
	BAD(5, "failback = 2", "t.conf:5: failback = 2: must be yes or no");
}

static void test_quorum(void)
{
	static char two[sizeof(base)];
	struct vigil_conf *c;

	/* base without node c: two nodes, two votes. */
	snprintf(two, sizeof(two), "%s", edit(14, ""));
	snprintf(two, sizeof(two), "%s", edit_in(two, 14, ""));

	/* The kernel's own rules, from kmod/core/quorum.c. */
	refused(two, VIGIL_CONF_NO_KEY, "t.conf:1: [cluster]: two votes and no witness: neither node could survive the other's failure; add a witness or set two_node (only safe with fencing) (the nodes have 2 votes, witness_votes = 0, two_node = no)");
	c = accepted(edit_in(two, 5, "timeout_ms = 500\ntwo_node = yes"),
		     VIGIL_CONF_NO_KEY, "two nodes with two_node");
	tap_ok(c && c->cluster.two_node, "two_node set");
	vigil_conf_free(c);
	vigil_conf_free(accepted(edit_in(two, 5, "witness_votes = 1"),
				 VIGIL_CONF_NO_KEY, "two nodes and a witness"));
	BAD(5, "two_node = yes", "t.conf:5: [cluster]: two_node needs exactly two votes in all and no witness (the nodes have 3 votes, witness_votes = 0, two_node = yes)");
	BAD(15, "id = 3\nvotes = 0", "t.conf:1: [cluster]: two votes and no witness: neither node could survive the other's failure; add a witness or set two_node (only safe with fencing) (the nodes have 2 votes, witness_votes = 0, two_node = no)");
	vigil_conf_free(accepted(edit(15, "id = 3\nvotes = 2"), VIGIL_CONF_NO_KEY,
				 "four votes"));
}

/* Node a's address on a UDP link u of type (appended to the file). */
static void udp_addr(const char *type, const char *addr, const char *msg)
{
	static char t[sizeof(text)];
	char buf[256];

	snprintf(buf, sizeof(buf), "id = 1\naddress.u = %s", addr);
	snprintf(t, sizeof(t), "%s", edit(11, buf));
	snprintf(buf, sizeof(buf), "[link u]\nindex = 1\ntype = %s", type);
	refused(edit_in(t, 0, buf), VIGIL_CONF_NO_KEY, msg);
}

static void test_links_nodes(void)
{
	BAD(7, "", "t.conf:6: [link l]: no index (0..7, the same on every node)");
	BAD(7, "index = 8", "t.conf:7: index = 8: must be 0..7");
	BAD(8, "type = udp", "t.conf:8: type = udp: must be l2, udp4 or udp6");
	BAD(9, "", "t.conf:6: [link l]: no interface (an l2 link sends on one interface)");
	BAD(9, "interface = eth0\nethertype = 0x0599", "t.conf:10: ethertype = 0x0599: must be 0x0600..0xffff");
	vigil_conf_free(accepted(edit(9, "interface = eth0\nethertype = 35000"),
				 VIGIL_CONF_NO_KEY, "decimal ethertype"));
	BAD(9, "interface = eth0\nport = 5405", "t.conf:10: port = 5405: not a key of type l2 (its keys: index, type, interface, ethertype)");
	BAD(9, "interface = eth0\n[link m]\nindex = 0\ntype = l2\ninterface = eth1",
	    "t.conf:11: index = 0: link l (line 6) has it too");
	BAD(9, "interface = eth0\n[link m]\nindex = 1\ntype = l2\ninterface = eth0",
	    "t.conf:10: [link m]: interface eth0 and ethertype 0x88b5 are link l's too (line 6)");
	BAD(9, "interface = eth0\n[link m]\nindex = 1\ntype = udp4\nethertype = 0x9000",
	    "t.conf:13: ethertype = 0x9000: not a key of type udp4 (its keys: index, type, interface, port)");
	BAD(9, "interface = eth0\n[link m]\nindex = 1\ntype = udp4",
	    "t.conf:13: [node a]: no address.m: every node needs an address on a UDP link");
	BAD(9, "interface = eth0\n[link u]\nindex = 1\ntype = udp6\n[link v]\nindex = 2\ntype = udp6",
	    "t.conf:13: [link v]: port 5405 is link u's too (line 10): two UDP links of one family need different ports");

	BAD(11, "votes = 1", "t.conf:10: [node a]: no id (1..256, distinct)");
	BAD(11, "", "t.conf:10: section without keys");
	BAD(11, "id = 257", "t.conf:11: id = 257: must be 1..256");
	BAD(13, "id = 1", "t.conf:13: id = 1: node a (line 10) has it too");
	BAD(11, "id = 1\nvotes = 256", "t.conf:12: votes = 256: must be 0..255");
	BAD(11, "id = 1\nreset_priority = 65536", "t.conf:12: reset_priority = 65536: must be 0..65535");
	BAD(11, "id = 1\naddress.x = 52:54:00:00:00:01", "t.conf:12: address.x: no [link x]");
	BAD(11, "id = 1\naddress.l = 52:54:00:00:00", "t.conf:12: address.l = 52:54:00:00:00: link l is l2: must be a MAC address like 52:54:00:12:34:56, not all zeroes");
	BAD(11, "id = 1\naddress.l = 00:00:00:00:00:00", "t.conf:12: address.l = 00:00:00:00:00:00: link l is l2: must be a MAC address like 52:54:00:12:34:56, not all zeroes");
	BAD(11, "id = 1\naddress.l = 52:54:00:00:00:01\n[node z]\nid = 9\naddress.l = 52:54:00:00:00:01",
	    "t.conf:15: address.l = 52:54:00:00:00:01: node a (line 10) has it too");
	udp_addr("udp4", "10.0.0.1:0", "t.conf:12: address.u = 10.0.0.1:0: link u is udp4: must be an IPv4 address, or IPv4:PORT");
	udp_addr("udp4", "10.0.0.1:65536", "t.conf:12: address.u = 10.0.0.1:65536: link u is udp4: must be an IPv4 address, or IPv4:PORT");
	udp_addr("udp4", "::1", "t.conf:12: address.u = ::1: link u is udp4: must be an IPv4 address, or IPv4:PORT");
	udp_addr("udp6", "fe80::1", "t.conf:12: address.u = fe80::1: an IPv6 link-local address needs [link u] to name its interface");
	udp_addr("udp6", "[::1]", "t.conf:12: address.u = [::1]: link u is udp6: must be an IPv6 address, or [IPv6]:PORT");
	udp_addr("udp6", "10.0.0.1", "t.conf:12: address.u = 10.0.0.1: link u is udp6: must be an IPv6 address, or [IPv6]:PORT");
	BAD(11, "id = 1\nfence = f", "t.conf:12: fence = f: no [fence f]");
	BAD(11, "id = 1\nfence = f f\n[fence f]\ntype = agent\nagent = /bin/true", "t.conf:12: fence = f f: f named twice");
	BAD(11, "id = 1\nfence =", "t.conf:12: fence = : must name at least one [fence] section");
}

static void test_fences(void)
{
	static const char f[] = "[fence f]\ntype = agent\nagent = /usr/sbin/fence_x";

	vigil_conf_free(accepted(edit(0, f), VIGIL_CONF_NO_KEY, "a fence method"));
	BAD(0, "[fence f]\nagent = /x", "t.conf:23: [fence f]: no type (agent, aws-isolate or aws-stop)");
	BAD(0, "[fence f]\ntype = aws\nagent = /x", "t.conf:24: type = aws: must be agent, aws-isolate or aws-stop");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\ninstance_id = i-12345678", "t.conf:26: instance_id = i-12345678: not a key of type agent (its keys: type, agent, action, timeout, status_timeout, param.NAME)");
	BAD(0, "[fence f]\ntype = agent", "t.conf:23: [fence f]: no agent (the fence agent's path, like /usr/sbin/fence_ipmilan)");
	BAD(0, "[fence f]\ntype = agent\nagent = fence_x", "t.conf:25: agent = fence_x: must be an absolute path, without blanks");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\naction = on", "t.conf:26: action = on: must be off or reboot");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\ntimeout = 60", "t.conf:26: timeout = 60: must be a duration from 1s to 1h, like 30s, 500ms, 5m or 1h");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\nstatus_timeout = 2h", "t.conf:26: status_timeout = 2h: must be a duration from 1s to 1h, like 30s, 500ms, 5m or 1h");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\nparam.a-b = 1", "t.conf:26: param.a-b: parameter names are 1..63 letters, digits or '_', not starting with a digit");
	BAD(0, "[fence f]\ntype = agent\nagent = /x\nparam.ip = 1\nparam.ip = 2", "t.conf:27: param.ip given twice in this section (first at line 26)");
}

static void test_aws(void)
{
	static const char iso[] = "[aws]\nregion = us-east-1\nendpoint = https://169.254.169.254\n"
		"credentials_file = /etc/vigil/aws\nprofile = vigil\nca_file = /etc/vigil/ca.pem\n"
		"call_timeout = 2s\n"
		"[fence f]\ntype = aws-isolate\ninstance_id = i-0123456789abcdef0\n"
		"enis = eni-0123456789abcdef1:1 eni-0123456789abcdef2:2\ntimeout = 20s\n"
		"[fence g]\ntype = aws-stop\ninstance_id = i-0123456789abcdef0\n"
		"dump_timeout = 5m\nrecover = no";
	struct vigil_conf *c = accepted(edit(0, iso), VIGIL_CONF_NO_KEY, "aws-isolate and aws-stop methods");

	if (c) {
		const struct vigil_conf_fence *f = &c->fences[0], *g = &c->fences[1];

		tap_ok(c->aws.present && !strcmp(c->aws.region, "us-east-1") &&
		       !strcmp(c->aws.endpoint, "https://169.254.169.254") &&
		       !strcmp(c->aws.profile, "vigil") &&
		       !strcmp(c->aws.ca_file, "/etc/vigil/ca.pem") &&
		       c->aws.call_timeout_ms == 2000 && !c->aws.imds_endpoint,
		       "[aws] values");
		tap_ok(f->type == VIGIL_CONF_FENCE_AWS_ISOLATE && f->n_enis == 2 &&
		       !strcmp(f->enis[1].id, "eni-0123456789abcdef2") &&
		       f->enis[1].device_index == 2 && f->timeout_ms == 20000 &&
		       !strcmp(f->instance_id, "i-0123456789abcdef0"),
		       "aws-isolate values");
		tap_ok(g->type == VIGIL_CONF_FENCE_AWS_STOP && !g->recover &&
		       g->dump_timeout_ms == 300000 &&
		       g->timeout_ms == VIGIL_CONF_AWS_STOP_TIMEOUT_DEFAULT_MS,
		       "aws-stop values and default timeout");
		vigil_conf_free(c);
	}
	BAD(0, "[fence f]\ntype = aws-stop\ninstance_id = i-12345678", "t.conf:23: [fence f]: type aws-stop needs an [aws] section");
	BAD(0, "[aws]\nregion = x\n[aws]\nregion = y", "t.conf:25: [aws] given twice (first at line 23)");
	BAD(0, "[aws x]\nregion = x", "t.conf:23: [aws x]: [aws] takes no name");
	BAD(0, "[aws]\nregion = US_East", "t.conf:24: region = US_East: must be an AWS region, like us-east-1 (lowercase letters, digits and '-')");
	BAD(0, "[aws]\nendpoint = http://ec2.example", "t.conf:24: endpoint = http://ec2.example: must be an https:// URL (TLS is always verified), like https://ec2.us-east-1.amazonaws.com");
	BAD(0, "[aws]\nimds_endpoint = https://x", "t.conf:24: imds_endpoint = https://x: must be an http:// URL, like http://169.254.169.254");
	BAD(0, "[aws]\nprofile = p", "t.conf:24: profile = p: names a profile of credentials_file, which is not given");
	BAD(0, "[aws]\ncall_timeout = 2m", "t.conf:24: call_timeout = 2m: must be a duration from 100ms to 1m, like 30s, 500ms, 5m or 1h");
	BAD(0, "[aws]\nsecret = x", "t.conf:24: secret: unknown key in [aws] (allowed: region, endpoint, credentials_file, profile, ca_file, imds_endpoint, call_timeout)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-stop", "t.conf:25: [fence f]: no instance_id (the node's EC2 instance, like i-0123456789abcdef0)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-stop\ninstance_id = i-XYZ", "t.conf:27: instance_id = i-XYZ: must be an EC2 instance id: i- and 8 or 17 lowercase hexadecimal digits");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-isolate\ninstance_id = i-12345678", "t.conf:25: [fence f]: no enis (the service ENIs to detach, as eni-ID:DEVICE_INDEX)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-isolate\ninstance_id = i-12345678\nenis = eni-12345678", "t.conf:28: enis = eni-12345678: eni-12345678: no device index: must be 1..8 ENIs as eni-ID:DEVICE_INDEX, like eni-0123456789abcdef0:1 (device index 1..31; 0 is the primary ENI, which cannot be detached)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-isolate\ninstance_id = i-12345678\nenis = eni-12345678:0", "t.conf:28: enis = eni-12345678:0: eni-12345678:0: must be 1..8 ENIs as eni-ID:DEVICE_INDEX, like eni-0123456789abcdef0:1 (device index 1..31; 0 is the primary ENI, which cannot be detached)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-isolate\ninstance_id = i-12345678\nenis = eni-12345678:1 eni-12345678:2", "t.conf:28: enis = eni-12345678:1 eni-12345678:2: eni-12345678 named twice");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-isolate\ninstance_id = i-12345678\nenis = eni-12345678:1\ndump_timeout = 1m", "t.conf:29: dump_timeout = 1m: not a key of type aws-isolate (its keys: type, instance_id, enis, timeout)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-stop\ninstance_id = i-12345678\nenis = eni-12345678:1", "t.conf:28: enis = eni-12345678:1: not a key of type aws-stop (its keys: type, instance_id, timeout, dump_timeout, recover)");
	BAD(0, "[aws]\nregion = r\n[fence f]\ntype = aws-stop\ninstance_id = i-12345678\nparam.x = 1", "t.conf:28: param.x: not a key of type aws-stop (its keys: type, instance_id, timeout, dump_timeout, recover)");
}

static void test_groups_resources(void)
{
	BAD(17, "", "t.conf:16: [group g]: no resources (the group's resources in start order)");
	BAD(18, "", "t.conf:16: [group g]: no nodes (the nodes that may run it, best first)");
	BAD(18, "nodes =", "t.conf:18: nodes = : must not be empty (the nodes that may run it, best first)");
	BAD(17, "resources = r s", "t.conf:17: resources = r s: no [resource s]");
	BAD(17, "resources = r r", "t.conf:17: resources = r r: r named twice");
	BAD(18, "nodes = a x", "t.conf:18: nodes = a x: no [node x]");
	BAD(18, "nodes = a b a", "t.conf:18: nodes = a b a: a named twice");
	BAD(18, "nodes = a\n[group h]\nresources = r\nnodes = b",
	    "t.conf:20: resources = r: r is in group g already (line 16): a resource belongs to one group");
	BAD(0, "[resource s]\ntype = exec\nstart = a\nstop = b",
	    "t.conf:23: [resource s]: in no group's resources: it would never run");
	BAD(18, "nodes = a\nrestart_limit = 101", "t.conf:19: restart_limit = 101: must be 0..100");
	BAD(18, "nodes = a\nrestart_window = 0s", "t.conf:19: restart_window = 0s: must be a duration from 1s to 24h, like 30s, 500ms, 5m or 1h");
	BAD(18, "nodes = a\nmonitor_interval = 500ms", "t.conf:19: monitor_interval = 500ms: must be a duration from 1s to 1h (or 0s: off), like 30s, 500ms, 5m or 1h");
	BAD(18, "nodes = a\nstart_timeout = 10x", "t.conf:19: start_timeout = 10x: must be a duration from 1s to 1h, like 30s, 500ms, 5m or 1h");
	BAD(18, "nodes = a\nstop_timeout = 99999999999s", "t.conf:19: stop_timeout = 99999999999s: must be a duration from 1s to 1h, like 30s, 500ms, 5m or 1h");
	{
		struct vigil_conf *c = accepted(edit(18, "nodes = a\nmonitor_interval = 0s\nmonitor_timeout = 1500ms"),
						VIGIL_CONF_NO_KEY, "monitor off");

		tap_ok(c && c->resources[0].timing.monitor_interval_ms == 0 &&
		       c->resources[0].timing.monitor_timeout_ms == 1500,
		       "resource timings from the group");
		vigil_conf_free(c);
	}

	BAD(20, "", "t.conf:19: [resource r]: no type (ip, fs, exec or ocf:PROVIDER:AGENT)");
	BAD(20, "type = script", "t.conf:20: type = script: must be ip, fs, exec or ocf:PROVIDER:AGENT");
	BAD(22, "", "t.conf:19: [resource r]: no stop (a command line)");
	BAD(22, "stop = a\nmonitor = b\x01", "t.conf:23: monitor = b?: control characters are not allowed");
	BAD(22, "stop = a\naddress = 10.0.0.1/24", "t.conf:23: address = 10.0.0.1/24: not a key of type exec (its keys: start, stop, monitor)");
	BAD(22, "stop = a\nparam.x = 1", "t.conf:23: param.x: not a key of type exec (its keys: start, stop, monitor)");
	BAD(20, "type = ip\naddress = 10.0.0.1\ninterface = eth0", "t.conf:21: address = 10.0.0.1: must be IPv4/PREFIX (0..32) or IPv6/PREFIX (0..128), like 192.0.2.10/24");
	BAD(20, "type = ip\naddress = 2001:db8::1/129\ninterface = eth0", "t.conf:21: address = 2001:db8::1/129: must be IPv4/PREFIX (0..32) or IPv6/PREFIX (0..128), like 192.0.2.10/24");
	BAD(20, "type = ip\naddress = 10.0.0.1/24", "t.conf:19: [resource r]: no interface (the interface the address goes on)");
	BAD(20, "type = fs\ndevice = /dev/vdb\nmountpoint = srv\nfstype = ext4", "t.conf:22: mountpoint = srv: must be an absolute path, without blanks");
	BAD(20, "type = fs\ndevice = /dev/vdb\nmountpoint = /srv\nfstype = ext 4", "t.conf:23: fstype = ext 4: must be a filesystem type, like ext4, xfs or nfs");
	BAD(20, "type = fs\ndevice = /dev/vdb\nmountpoint = /srv\nfstype = nfs\noptions = a, b", "t.conf:24: options = a, b: must be mount options separated by commas, without blanks");
	BAD(20, "type = fs\nmountpoint = /srv\nfstype = nfs", "t.conf:19: [resource r]: no device (a block device or a network filesystem, like /dev/vdb1 or server:/export)");
	BAD(20, "type = ocf:heartbeat", "t.conf:20: type = ocf:heartbeat: must be ocf:PROVIDER:AGENT, like ocf:heartbeat:IPaddr2");
	BAD(20, "type = ocf:../x:Dummy", "t.conf:20: type = ocf:../x:Dummy: must be ocf:PROVIDER:AGENT, like ocf:heartbeat:IPaddr2");
	BAD(20, "type = ocf:heartbeat:Dummy\nstart = x", "t.conf:21: start = x: not a key of type ocf:heartbeat:Dummy (its keys: param.NAME)");
}

static void test_error_cap(void)
{
	char many[4096];
	size_t n = 0;
	unsigned int i;
	struct vigil_conf *c;

	for (i = 0; i < 30; i++)
		n += snprintf(many + n, sizeof(many) - n, "bogus%u = 1\n", i);
	many[n - 1] = '\0';
	tap_ok(parse_text(edit(0, many), VIGIL_CONF_NO_KEY, &c) == -EINVAL &&
	       errs.n == 30 && vigil_conf_errors_kept(&errs) == VIGIL_CONF_ERRORS_MAX,
	       "30 errors counted, %d kept", VIGIL_CONF_ERRORS_MAX);
	refused(edit(3, "id = 0\nkey_id = x"), VIGIL_CONF_NO_KEY,
		"t.conf:4: key_id = x: must be 0..255");
	tap_ok(errs.n == 2 && has_error("t.conf:3: id = 0: must be 1..4294967295"),
	       "several errors in one run, in file order");
	tap_ok(strstr(errs.msg[0], ":3:") && strstr(errs.msg[1], ":4:"),
	       "sorted by line");
}

/* ------------------------------------------------------------------ */

static char dir[] = "/tmp/vigil-test-conf.XXXXXX";

static const char *key_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const void *data, size_t len,
		       mode_t mode, uid_t uid)
{
	const char *path = key_path(name);
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) ||
	    chmod(path, mode) || chown(path, uid, 0)) {
		perror(path);
		exit(1);
	}
}

static const char *with_key(const char *name)
{
	char line[256];

	snprintf(line, sizeof(line), "key_file = %s", key_path(name));
	return edit(4, line);
}

static void key_refused(const char *name, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "t.conf:4: key_file = %s: %s", key_path(name), why);
	refused(with_key(name), 0, msg);
}

static void test_key_file(void)
{
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	unsigned char raw[VIGIL_KEY_LEN];
	struct vigil_conf *c;
	char msg[512];
	unsigned int i;

	if (geteuid() != 0) {
		tap_skip("not root: cannot chown", "key file checks");
		return;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	for (i = 0; i < VIGIL_KEY_LEN; i++)
		raw[i] = 0xa0 + i;
	write_file("raw", raw, sizeof(raw), 0600, 0);
	write_file("hex", hex, sizeof(hex) - 1, 0400, 0);
	write_file("o-x", hex, sizeof(hex) - 1, 0701, 0);
	write_file("g-r", raw, sizeof(raw), 0640, 0);
	write_file("o-w", raw, sizeof(raw), 0602, 0);
	write_file("user", raw, sizeof(raw), 0600, 1000);
	write_file("short", raw, sizeof(raw) - 1, 0600, 0);
	write_file("badhex", "zz", 2, 0600, 0);
	mkdir(key_path("dir"), 0700);

	c = accepted(with_key("raw"), 0, "32 raw bytes, mode 0600, root's");
	tap_ok(c && c->cluster.have_key && c->cluster.key[0] == 0xa0 &&
	       c->cluster.key[31] == 0xa0 + 31, "raw key read");
	vigil_conf_free(c);
	c = accepted(with_key("hex"), 0, "64 hex digits and a newline, mode 0400");
	tap_ok(c && c->cluster.key[1] == 1 && c->cluster.key[31] == 0x1f,
	       "hex key read");
	vigil_conf_free(c);
	vigil_conf_free(accepted(with_key("o-x"), 0, "mode 0701: execute bits only"));
	snprintf(msg, sizeof(msg), "mode 0640: must not be readable or writable by group or others (chmod 600 %s)",
		 key_path("g-r"));
	key_refused("g-r", msg);
	snprintf(msg, sizeof(msg), "mode 0602: must not be readable or writable by group or others (chmod 600 %s)",
		 key_path("o-w"));
	key_refused("o-w", msg);
	key_refused("user", "owned by uid 1000: must be owned by root");
	key_refused("dir", "not a regular file");
	key_refused("none", "No such file or directory");
	key_refused("short", "must hold 32 bytes, or 64 hex digits and a newline");
	key_refused("badhex", "must hold 32 bytes, or 64 hex digits and a newline");
	vigil_conf_free(accepted(with_key("none"), VIGIL_CONF_NO_KEY,
				 "VIGIL_CONF_NO_KEY does not open it"));
}

/* ------------------------------------------------------------------ */

static const char fence_f[] = "[fence f]\ntype = agent\nagent = /x";
static char cur_text[sizeof(text)];

static bool has_error_in(const struct vigil_conf_errors *e, const char *msg)
{
	unsigned int i;

	for (i = 0; i < vigil_conf_errors_kept(e); i++) {
		if (!strcmp(e->msg[i], msg))
			return true;
	}
	return false;
}

/*
 * The running file is base with a fence method; the new one is it with
 * line n replaced: want changes refused, msgs among their messages.
 */
static void live_text(const char *next_text, int want,
		      const char *const *msgs, const char *what)
{
	static struct vigil_conf_errors why;
	struct vigil_conf *cur, *next;
	unsigned int i;
	bool ok;
	int got;

	if (parse_text(cur_text, VIGIL_CONF_NO_KEY, &cur)) {
		dump_errors();
		abort();
	}
	if (parse_text(next_text, VIGIL_CONF_NO_KEY, &next)) {
		tap_ok(false, "live: %s: the new file is valid", what);
		dump_errors();
		vigil_conf_free(cur);
		return;
	}
	got = vigil_conf_live_diff(cur, next, &why);
	ok = got == want && (int)why.n == want;
	for (i = 0; msgs && msgs[i]; i++)
		ok &= has_error_in(&why, msgs[i]);
	if (!tap_ok(ok, "live: %s", what)) {
		tap_diag("got %d", got);
		for (i = 0; i < vigil_conf_errors_kept(&why); i++)
			tap_diag("  %s", why.msg[i]);
	}
	vigil_conf_free(cur);
	vigil_conf_free(next);
}

static void live(unsigned int n, const char *repl, int want,
		 const char *const *msgs, const char *what)
{
	static char t[sizeof(text)];

	snprintf(cur_text, sizeof(cur_text), "%s", edit(0, fence_f));
	snprintf(t, sizeof(t), "%s", edit_in(cur_text, n, repl));
	live_text(t, want, msgs, what);
}

#define MSGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_live_diff(void)
{
	live(1, "[cluster]", 0, NULL, "the same file");
	live(22, "stop = true\nmonitor_interval = 3s\nmonitor_timeout = 4s\nstart_timeout = 5s\nstop_timeout = 6s",
	     0, NULL, "a resource's timings change live");
	live(18, "nodes = a b\nrestart_limit = 9\nrestart_window = 1h\nmonitor_interval = 1m",
	     0, NULL, "a group's restart limit, window and timings change live");
	live(5, "timeout_ms = 500\nlease_ms = 450", 0, NULL,
	     "the default lease written out");
	live(5, "timeout_ms = 1000", 2,
	     MSGS("t.conf:1: [cluster] timeout_ms: 500 -> 1000: cannot change while vigild runs",
		  "t.conf:1: [cluster] lease_ms: 450 -> 900: cannot change while vigild runs"),
	     "timeout_ms and the lease that follows it");
	live(15, "id = 4\n[node d]\nid = 5", 2,
	     MSGS("t.conf:16: [node d] added: cannot change while vigild runs",
		  "t.conf:14: [node c] id: 3 -> 4: cannot change while vigild runs"),
	     "a node added, a node id");
	{
		static char t[sizeof(text)];

		snprintf(t, sizeof(t), "%s", edit_in(cur_text, 17, "resources = s"));
		snprintf(t, sizeof(t), "%s", edit_in(t, 19, "[resource s]"));
		live_text(t, 3,
	     MSGS("t.conf:19: [resource s] added: cannot change while vigild runs",
		  "t.conf:19: [resource r] removed: cannot change while vigild runs",
		  "t.conf:16: [group g] resources: cannot change while vigild runs"),
		  "a resource renamed");
	}
	live(17, "resources = r\n", 0, NULL, "whitespace only");
	live(9, "interface = eth9", 1,
	     MSGS("t.conf:6: [link l] interface: eth0 -> eth9: cannot change while vigild runs"),
	     "a link's interface");
	live(22, "stop = false", 1,
	     MSGS("t.conf:19: [resource r] stop: true -> false: cannot change while vigild runs"),
	     "an exec command");
	live(0, "param.a = 1", 1,
	     MSGS("t.conf:23: [fence f] param.*: cannot change while vigild runs"),
	     "a fence parameter");
	live(11, "id = 1\naddress.l = 52:54:00:00:00:01", 1,
	     MSGS("t.conf:10: [node a] address.l: cannot change while vigild runs"),
	     "an address");
	live(18, "nodes = b a", 1,
	     MSGS("t.conf:16: [group g] nodes: cannot change while vigild runs"),
	     "a group's node order");
	live(4, "key_file = /etc/vigil/other.key", 1,
	     MSGS("t.conf:1: [cluster] key_file: /etc/vigil/vigil.key -> /etc/vigil/other.key: cannot change while vigild runs"),
	     "the key file");
}

static void test_to_kernel(void)
{
	struct vigil_config *k = calloc(1, sizeof(*k));
	struct vigil_conf *c;
	char line[256];

	if (geteuid() != 0) {
		tap_skip("not root", "to_kernel");
		free(k);
		return;
	}
	snprintf(line, sizeof(line), "key_file = %s\nkey_id = 7\nprotect = eth1\non_quorum_loss = freeze\noperator_fence_delay_ms = 250",
		 key_path("raw"));
	c = accepted(edit(4, line), 0, "with a key, for the kernel");
	if (!c) {
		free(k);
		return;
	}
	tap_is_int(vigil_conf_to_kernel(c, 3, k), -EINVAL, "no node 3");
	tap_is_int(vigil_conf_to_kernel(c, 1, k), 0, "to_kernel");
	tap_ok(k->cluster_id == 1 && k->node_id == 2 && k->timeout_ms == 500 &&
	       k->lease_ms == vigil_lease_default(500) && !k->flags, "cluster, self, timing");
	tap_ok(k->n_keys == 1 && k->keys[0].id == 7 && k->keys[0].primary &&
	       k->keys[0].secret[0] == 0xa0, "the key");
	tap_ok(k->n_links == 1 && k->links[0].type == VIGIL_LINK_L2 &&
	       k->links[0].ethertype == VIGIL_ETHERTYPE_DEFAULT &&
	       !strcmp(k->links[0].ifname, "eth0"), "the link");
	tap_ok(k->n_nodes == 3 && k->nodes[2].id == 3 && k->nodes[2].has_votes &&
	       k->nodes[2].votes == 1 && !k->nodes[2].n_addrs, "the nodes");
	tap_ok(k->n_protect == 1 && k->n_fence == 3 &&
	       k->fence[0].cause == VIGIL_CAUSE_QUORUM &&
	       k->fence[0].action == VIGIL_ACTION_FREEZE &&
	       k->fence[2].cause == VIGIL_CAUSE_OPERATOR &&
	       k->fence[2].action == VIGIL_ACTION_NONE &&
	       k->fence[2].delay_ms == 250, "protect and the fence policy");
	vigil_conf_free(c);
	if (parse_text(edit(4, line), VIGIL_CONF_NO_KEY, &c) == 0) {
		tap_is_int(vigil_conf_to_kernel(c, 0, k), -ENOKEY,
			   "no key read: -ENOKEY");
		vigil_conf_free(c);
	}
	free(k);
}

static void test_check_output(void)
{
	char path[PATH_MAX + 64];
	struct capture cap;
	const char *out;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/three-node-l2.conf", examples);
	capture_begin(&cap, STDOUT_FILENO);
	ret = vigil_conf_check(path, VIGIL_CONF_NO_KEY, stdout, stderr);
	out = capture_end(&cap);
	tap_is_int(ret, 0, "check-config: valid");
	tap_ok(strstr(out, ": ok: cluster lab (id 4242), 3 nodes, 2 links, 1 group, 3 resources, 3 fence methods (key file not checked)\n") != NULL,
	       "check-config: the summary line");

	f = fopen("/tmp/vigil-test-conf-bad.conf", "w");
	if (!f)
		exit(1);
	fputs(edit(5, "timeout_ms = 20\nbogus = 1"), f);
	fclose(f);
	capture_begin(&cap, STDERR_FILENO);
	ret = vigil_conf_check("/tmp/vigil-test-conf-bad.conf", VIGIL_CONF_NO_KEY,
			       stdout, stderr);
	out = capture_end(&cap);
	tap_is_int(ret, -EINVAL, "check-config: not valid");
	tap_ok(strstr(out, "/tmp/vigil-test-conf-bad.conf:5: timeout_ms = 20: must be 50..60000\n/tmp/vigil-test-conf-bad.conf:6: bogus: unknown key") == out,
	       "check-config: every error, in order");
	unlink("/tmp/vigil-test-conf-bad.conf");

	capture_begin(&cap, STDERR_FILENO);
	ret = vigil_conf_check("/nonexistent/vigil.conf", 0, stdout, stderr);
	out = capture_end(&cap);
	tap_ok(ret == -ENOENT && !strcmp(out, "/nonexistent/vigil.conf: No such file or directory\n"),
	       "check-config: a missing file");
}

static void cleanup(void)
{
	static const char *const names[] = {
		"raw", "hex", "o-x", "g-r", "o-w", "user", "short", "badhex",
	};
	unsigned int i;

	if (dir[strlen(dir) - 1] == 'X')
		return;
	for (i = 0; i < ARRAY_LEN(names); i++)
		unlink(key_path(names[i]));
	rmdir(key_path("dir"));
	rmdir(dir);
}

int main(void)
{
	find_examples();
	test_every_example();
	test_three_node();
	test_two_node();
	test_syntax();
	test_cluster();
	test_quorum();
	test_links_nodes();
	test_fences();
	test_aws();
	test_groups_resources();
	test_error_cap();
	test_key_file();
	test_live_diff();
	test_to_kernel();
	test_check_output();
	cleanup();
	return tap_done();
}
