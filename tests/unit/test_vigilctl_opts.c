// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vigilctl's command lines that reach self-fencing:
 * set-config --lease, --protect and --fence (tools/set_config.c), fence
 * self and gate open (tools/fence.c), watchdog (tools/watchdog.c). The
 * files are included so that their static parsers are in reach; nothing
 * here talks to the kernel: only the parsers are called, and the one
 * *_main() called is refused before it connects.
 */

#include <errno.h>
#include <stdlib.h>

#include "config.c"
#include "nl.c"
#include "opt.c"
#include "../../tools/util.c"
#include "../../tools/set_config.c"
#include "../../tools/fence.c"
#include "../../tools/watchdog.c"
#include "capture.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(argv) argc_of(argv)

static char keyfile[] = "/tmp/vigil-test-key-XXXXXX";

static int argc_of(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

/* set-config's parser on the required options plus extra. */
static struct args *sc_args;

static int set_config(const char *const *extra, const char **err)
{
	char *argv[64] = { "set-config", "--cluster", "1", "--node", "1",
			   "--link", "0:a:l2:eth0", "--member", "1:n1" };
	char key[80];
	struct capture c;
	int argc = 9, ret;

	snprintf(key, sizeof(key), "1:%s", keyfile);
	argv[argc++] = "--key";
	argv[argc++] = key;
	for (; *extra; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;

	free(sc_args ? sc_args->cfg : NULL);
	free(sc_args);
	sc_args = calloc(1, sizeof(*sc_args));
	sc_args->cfg = calloc(1, sizeof(*sc_args->cfg));
	optind = 0;
	capture_begin(&c, STDERR_FILENO);
	ret = parse_args(sc_args, argc, argv);
	*err = capture_end(&c);
	return ret;
}

#define SET_CONFIG(err, ...) set_config((const char *[]){ __VA_ARGS__, NULL }, err)

static void sc_refused(const char *want, const char *const *extra)
{
	const char *err;
	int ret = set_config(extra, &err);

	tap_is_int(ret, VIGILCTL_USAGE, "set-config %s ...: usage error", extra[0]);
	tap_ok(strstr(err, want) != NULL, "... says \"%s\"", want);
	if (!strstr(err, want))
		tap_diag("got: %s", err);
}

#define SC_REFUSED(want, ...) sc_refused(want, (const char *[]){ __VA_ARGS__, NULL })

static void test_set_config(void)
{
	struct vigil_config *cfg;
	const char *err;
	int fd;

	fd = mkstemp(keyfile);
	if (fd < 0 || write(fd, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 65) != 65) {
		perror(keyfile);
		exit(1);
	}
	close(fd);

	tap_is_int(SET_CONFIG(&err, "--timeout", "500"), 0,
		   "set-config without self-fencing options");
	cfg = sc_args->cfg;
	tap_ok(!cfg->lease_ms && !cfg->n_protect && !cfg->n_fence,
	       "... lease, protect and fence left out");

	tap_is_int(SET_CONFIG(&err, "--lease", "400", "--protect", "eth2",
			      "--fence", "quorum:freeze", "--protect",
			      "012345678901234", "--fence", "daemon:panic:2000",
			      "--fence", "operator:reboot:0"), 0,
		   "set-config with --lease, --protect twice, --fence three times");
	if (err[0])
		tap_diag("stderr: %s", err);
	cfg = sc_args->cfg;
	tap_is_int(cfg->lease_ms, 400, "... lease");
	tap_is_int(cfg->n_protect, 2, "... 2 protected interfaces");
	tap_ok(!strcmp(cfg->protect[0], "eth2") &&
	       !strcmp(cfg->protect[1], "012345678901234"),
	       "... in order, 15 characters allowed");
	tap_is_int(cfg->n_fence, 3, "... 3 fence rules");
	tap_ok(cfg->fence[0].cause == VIGIL_CAUSE_QUORUM &&
	       cfg->fence[0].action == VIGIL_ACTION_FREEZE &&
	       !cfg->fence[0].delay_ms, "... quorum:freeze, no delay");
	tap_ok(cfg->fence[1].cause == VIGIL_CAUSE_DAEMON &&
	       cfg->fence[1].action == VIGIL_ACTION_PANIC &&
	       cfg->fence[1].delay_ms == 2000, "... daemon:panic:2000");
	tap_ok(cfg->fence[2].cause == VIGIL_CAUSE_OPERATOR &&
	       cfg->fence[2].action == VIGIL_ACTION_REBOOT &&
	       !cfg->fence[2].delay_ms, "... operator:reboot:0");

	tap_is_int(SET_CONFIG(&err, "--fence", "quorum:none:60000", "--lease",
			      "60000"), 0, "the largest delay and lease");
	tap_ok(sc_args->cfg->fence[0].delay_ms == 60000 &&
	       sc_args->cfg->fence[0].action == VIGIL_ACTION_NONE &&
	       sc_args->cfg->lease_ms == 60000, "... read");

	SC_REFUSED("bad --lease '0': expected milliseconds, 1..60000", "--lease", "0");
	SC_REFUSED("bad --lease '60001'", "--lease", "60001");
	SC_REFUSED("bad --lease '4e2'", "--lease", "4e2");
	SC_REFUSED("bad --lease '-1'", "--lease", "-1");
	SC_REFUSED("bad --protect '': an interface name is 1..15 characters",
		   "--protect", "");
	SC_REFUSED("bad --protect '0123456789abcdef'", "--protect",
		   "0123456789abcdef");
	SC_REFUSED("bad --protect 'eth0:1'", "--protect", "eth0:1");
	SC_REFUSED("bad --protect 'a b'", "--protect", "a b");
	SC_REFUSED("bad --protect '..'", "--protect", "..");
	SC_REFUSED("bad --protect 'eth2': interface given twice",
		   "--protect", "eth2", "--protect", "eth2");
	SC_REFUSED("bad --protect 'i': at most 8 interfaces",
		   "--protect", "a", "--protect", "b", "--protect", "c",
		   "--protect", "d", "--protect", "e", "--protect", "f",
		   "--protect", "g", "--protect", "h", "--protect", "i");
	SC_REFUSED("bad --fence 'quorum': expected CAUSE:ACTION[:DELAY_MS]",
		   "--fence", "quorum");
	SC_REFUSED("bad --fence 'lease:freeze': cause must be quorum, daemon or operator",
		   "--fence", "lease:freeze");
	SC_REFUSED("bad --fence 'none:freeze': cause must be", "--fence",
		   "none:freeze");
	SC_REFUSED("bad --fence 'quorum:halt': action must be none, freeze, panic or reboot",
		   "--fence", "quorum:halt");
	SC_REFUSED("bad --fence 'quorum:': action must be", "--fence", "quorum:");
	SC_REFUSED("bad --fence 'Quorum:freeze': cause must be", "--fence",
		   "Quorum:freeze");
	SC_REFUSED("bad --fence 'daemon:panic:60001': delay must be 0..60000 ms",
		   "--fence", "daemon:panic:60001");
	SC_REFUSED("bad --fence 'daemon:panic:': delay must be", "--fence",
		   "daemon:panic:");
	SC_REFUSED("bad --fence 'daemon:panic:1:2': delay must be", "--fence",
		   "daemon:panic:1:2");
	SC_REFUSED("bad --fence 'daemon:none': cause daemon given twice",
		   "--fence", "daemon:panic", "--fence", "daemon:none");

	unlink(keyfile);
	free(sc_args->cfg);
	free(sc_args);
}

/* fence: the parser, the refusal without a terminal, the question. */
static int fence_args(char **argv, __u8 *action, bool *yes, const char **err)
{
	struct capture c;
	int ret;

	capture_begin(&c, STDERR_FILENO);
	ret = fence_parse_args(ARGC(argv), argv, action, yes);
	*err = capture_end(&c);
	return ret;
}

static bool answer(const char *text)
{
	char prompt[512] = "";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *out = fmemopen(prompt, sizeof(prompt) - 1, "w");
	bool ok;

	if (!strlen(text)) {
		fclose(in);
		in = fopen("/dev/null", "r");
	}
	ok = fence_confirm(in, out, "panic");
	fclose(in);
	fclose(out);
	if (!strstr(prompt, "this panics this node (") ||
	    !strstr(prompt, "Type 'yes' to go on: "))
		tap_diag("unexpected prompt: %s", prompt);
	return ok;
}

static void test_fence(void)
{
	const char *err;
	struct capture c;
	__u8 action = 0;
	bool yes = true;
	int ret, saved;

	tap_is_int(fence_args(ARGV("fence", "self", "freeze"), &action, &yes, &err),
		   0, "fence self freeze");
	tap_ok(action == VIGIL_ACTION_FREEZE && !yes, "... freeze, no --yes");
	tap_is_int(fence_args(ARGV("fence", "self", "panic", "--yes"), &action,
			      &yes, &err), 0, "fence self panic --yes");
	tap_ok(action == VIGIL_ACTION_PANIC && yes, "... panic, --yes");
	tap_is_int(fence_args(ARGV("fence", "-y", "self", "reboot"), &action,
			      &yes, &err), 0, "fence -y self reboot");
	tap_ok(action == VIGIL_ACTION_REBOOT && yes, "... reboot, -y");
	tap_is_int(fence_args(ARGV("fence", "self", "none"), &action, &yes, &err),
		   0, "fence self none");
	tap_ok(action == VIGIL_ACTION_NONE, "... none");

	tap_is_int(fence_args(ARGV("fence"), &action, &yes, &err), VIGILCTL_USAGE,
		   "fence alone: usage error");
	tap_ok(strstr(err, "expected 'self ACTION'") != NULL, "... says what is expected");
	tap_is_int(fence_args(ARGV("fence", "n2", "panic"), &action, &yes, &err),
		   VIGILCTL_USAGE, "fence n2 panic: usage error");
	tap_ok(strstr(err, "bad target 'n2': only 'self'") != NULL, "... names n2");
	tap_is_int(fence_args(ARGV("fence", "self"), &action, &yes, &err),
		   VIGILCTL_USAGE, "fence self: usage error");
	tap_ok(strstr(err, "give the action: none, freeze, panic or reboot") != NULL,
	       "... lists the actions");
	tap_is_int(fence_args(ARGV("fence", "self", "halt"), &action, &yes, &err),
		   VIGILCTL_USAGE, "fence self halt: usage error");
	tap_ok(strstr(err, "bad action 'halt': expected none, freeze, panic or reboot") != NULL,
	       "... names halt and the actions");
	tap_is_int(fence_args(ARGV("fence", "self", "none", "now"), &action, &yes,
			      &err), VIGILCTL_USAGE, "fence self none now: usage error");
	tap_ok(strstr(err, "unexpected argument `now'") != NULL, "... names now");
	tap_is_int(fence_args(ARGV("fence", "--force", "self", "none"), &action,
			      &yes, &err), VIGILCTL_USAGE, "fence --force: usage error");
	tap_ok(strstr(err, "invalid option `--force'") != NULL, "... names --force");

	/* panic without --yes, standard input not a terminal: refused. */
	saved = dup(STDIN_FILENO);
	ret = open("/dev/null", O_RDONLY);
	dup2(ret, STDIN_FILENO);
	close(ret);
	optind = 0;
	capture_begin(&c, STDERR_FILENO);
	ret = fence_main(3, ARGV("fence", "self", "reboot"));
	err = capture_end(&c);
	dup2(saved, STDIN_FILENO);
	close(saved);
	tap_is_int(ret, VIGILCTL_USAGE, "fence self reboot, no terminal, no --yes: usage error");
	tap_ok(strstr(err, "fence self reboot: standard input is not a terminal: give --yes to reboot this node") != NULL,
	       "... says --yes is needed");

	tap_ok(answer("yes\n"), "the question: 'yes' goes on");
	tap_ok(answer("yes"), "... also without a newline");
	tap_ok(!answer("y\n"), "... 'y' does not");
	tap_ok(!answer("YES\n"), "... 'YES' does not");
	tap_ok(!answer("yes please\n"), "... 'yes please' does not");
	tap_ok(!answer("\n"), "... an empty line does not");
	tap_ok(!answer(""), "... end of input does not");
}

static int gate_args(char **argv, const char **err)
{
	struct capture c;
	int ret;

	capture_begin(&c, STDERR_FILENO);
	ret = gate_parse_args(ARGC(argv), argv);
	*err = capture_end(&c);
	return ret;
}

static void test_gate(void)
{
	const char *err;

	tap_is_int(gate_args(ARGV("gate", "open"), &err), 0, "gate open");
	tap_is_int(gate_args(ARGV("gate"), &err), VIGILCTL_USAGE,
		   "gate alone: usage error");
	tap_ok(strstr(err, "expected 'open'") != NULL, "... says open");
	tap_is_int(gate_args(ARGV("gate", "close"), &err), VIGILCTL_USAGE,
		   "gate close: usage error");
	tap_ok(strstr(err, "bad operation 'close': expected 'open'") != NULL,
	       "... names close");
	tap_is_int(gate_args(ARGV("gate", "open", "now"), &err), VIGILCTL_USAGE,
		   "gate open now: usage error");
	tap_ok(strstr(err, "unexpected argument `now'") != NULL, "... names now");
}

static int wd_args(char **argv, enum wd_op *op, __u32 *ms, const char **err)
{
	struct capture c;
	int ret;

	capture_begin(&c, STDERR_FILENO);
	ret = wd_parse_args(ARGC(argv), argv, op, ms);
	*err = capture_end(&c);
	return ret;
}

static void test_watchdog(void)
{
	enum wd_op op = WD_PET;
	const char *err;
	__u32 ms = 0;

	tap_is_int(wd_args(ARGV("watchdog", "register", "5000"), &op, &ms, &err),
		   0, "watchdog register 5000");
	tap_ok(op == WD_REGISTER && ms == 5000, "... register, 5000 ms");
	tap_is_int(wd_args(ARGV("watchdog", "pet"), &op, &ms, &err), 0,
		   "watchdog pet");
	tap_ok(op == WD_PET, "... pet");
	tap_is_int(wd_args(ARGV("watchdog", "unregister"), &op, &ms, &err), 0,
		   "watchdog unregister");
	tap_ok(op == WD_UNREGISTER, "... unregister");

	tap_is_int(wd_args(ARGV("watchdog"), &op, &ms, &err), VIGILCTL_USAGE,
		   "watchdog alone: usage error");
	tap_ok(strstr(err, "expected register MS, pet or unregister") != NULL,
	       "... lists the operations");
	tap_is_int(wd_args(ARGV("watchdog", "register"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog register: usage error");
	tap_ok(strstr(err, "give the timeout in milliseconds") != NULL,
	       "... asks for the timeout");
	tap_is_int(wd_args(ARGV("watchdog", "register", "0"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog register 0: usage error");
	tap_ok(strstr(err, "bad timeout '0': expected milliseconds, 1..60000") != NULL,
	       "... names 0 and the range");
	tap_is_int(wd_args(ARGV("watchdog", "register", "60001"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog register 60001: usage error");
	tap_is_int(wd_args(ARGV("watchdog", "register", "5s"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog register 5s: usage error");
	tap_ok(strstr(err, "bad timeout '5s'") != NULL, "... names 5s");
	tap_is_int(wd_args(ARGV("watchdog", "register", "1", "2"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog register 1 2: usage error");
	tap_ok(strstr(err, "unexpected argument `2'") != NULL, "... names 2");
	tap_is_int(wd_args(ARGV("watchdog", "pet", "1"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog pet 1: usage error");
	tap_ok(strstr(err, "unexpected argument `1'") != NULL, "... names 1");
	tap_is_int(wd_args(ARGV("watchdog", "bark"), &op, &ms, &err),
		   VIGILCTL_USAGE, "watchdog bark: usage error");
	tap_ok(strstr(err, "bad operation 'bark': expected register, pet or unregister") != NULL,
	       "... names bark");
}

int main(void)
{
	test_set_config();
	test_fence();
	test_gate();
	test_watchdog();
	return tap_done();
}
