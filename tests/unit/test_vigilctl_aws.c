// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl fence NODE --dry-run and vigilctl eni-attach (tools/aws.c)
 * with a fake vigil-aws (a shell script that records its action and the
 * parameters it was given): the methods in order, the steps of the
 * sequence, the parameters vigild would give (daemon/aws_input.c), the
 * confirmation rule, and errors that name the bad input.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../tools/libvigil/core.c"
#include "../../tools/libvigil/nl.c"
#include "../../tools/libvigil/config.c"
#include "../../tools/libvigil/opt.c"
#include "../../tools/util.c"
#include "../../daemon/conf.c"
#include "../../daemon/aws_input.c"
#include "../../tools/aws.c"
#include "capture.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static char dir[] = "/tmp/vigil-aws-test-XXXXXX";
static char conf_path[256], fake[256], record[256];

static const char conf_text[] =
	"[cluster]\nname = t\nid = 7\nkey_file = /etc/vigil/vigil.key\n"
	"[link a]\nindex = 0\ntype = l2\ninterface = a\n"
	"[node n1]\nid = 1\nfence = n1-iso n1-stop\n"
	"[node n2]\nid = 2\nfence = n2-iso n2-stop\n"
	"[node n3]\nid = 3\nfence = n3-agent\n"
	"[aws]\nregion = lab-1\nendpoint = https://169.254.169.254\n"
	"ca_file = /etc/vigil/lab-ca.pem\n"
	"[fence n1-iso]\ntype = aws-isolate\ninstance_id = i-00000000000000001\n"
	"enis = eni-00000000000000013:2\n"
	"[fence n1-stop]\ntype = aws-stop\ninstance_id = i-00000000000000001\n"
	"[fence n2-iso]\ntype = aws-isolate\ninstance_id = i-00000000000000002\n"
	"enis = eni-00000000000000023:2 eni-00000000000000022:1\ntimeout = 20s\n"
	"[fence n2-stop]\ntype = aws-stop\ninstance_id = i-00000000000000002\n"
	"timeout = 2m\n"
	"[fence n3-agent]\ntype = agent\nagent = /usr/sbin/fence_x\n"
	"param.password = secret\n";

/* Run fn with argv; *text: what it wrote to fd (one capture at a time). */
static int run_fd(int (*fn)(int, char **), char **argv, int fd,
		  const char **text)
{
	struct capture c;
	int argc = 0, ret;

	while (argv[argc])
		argc++;
	unlink(record);
	capture_begin(&c, fd);
	ret = fn(argc, argv);
	fflush(stdout);
	*text = capture_end(&c);
	return ret;
}

#define run_out(fn, argv, out) run_fd(fn, argv, STDOUT_FILENO, out)
#define run_err(fn, argv, err) run_fd(fn, argv, STDERR_FILENO, err)

static const char *recorded(void)
{
	static char buf[8192];
	FILE *f = fopen(record, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void setup(void)
{
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(conf_path, sizeof(conf_path), "%s/vigil.conf", dir);
	snprintf(fake, sizeof(fake), "%s/vigil-aws", dir);
	snprintf(record, sizeof(record), "%s/record", dir);
	f = fopen(conf_path, "w");
	fputs(conf_text, f);
	fclose(f);
	f = fopen(fake, "w");
	fprintf(f, "#!/bin/sh\n{ echo \"== $1\"; cat; } >> %s\n"
		   "[ \"$1\" != attach ] || [ ! -e %s/fail-attach ] || { echo 'vigil-aws: AttachNetworkInterface: UnauthorizedOperation' >&2; exit 1; }\n"
		   "echo \"vigil-aws: did $1\" >&2\n", record, dir);
	fclose(f);
	chmod(fake, 0755);
	setenv("VIGIL_AWS_PROGRAM", fake, 1);
}

static void test_dry_run(void)
{
	const char *out, *err;
	int ret;

	ret = run_out(fence_peer_main, ARGV("fence", "-c", conf_path, "--node", "n1",
					    "n2", "--dry-run"), &out);
	tap_is_int(ret, VIGILCTL_OK, "fence n2 --dry-run: exit 0");
	tap_ok(strstr(out, "fencing node n2 (as n1): 2 methods, tried in order") &&
	       strstr(out, "1. n2-iso (aws-isolate, deadline 20000 ms)") &&
	       strstr(out, "2. n2-stop (aws-stop, deadline 120000 ms)") &&
	       strstr(out, "once stopped, recovery:"),
	       "... lists the methods in order and the recovery");
	tap_is_str(recorded(),
		   "== isolate\nregion=lab-1\nendpoint=https://169.254.169.254\n"
		   "ca_file=/etc/vigil/lab-ca.pem\ndeadline_ms=20000\nnode=n2\n"
		   "instance_id=i-00000000000000002\n"
		   "eni=eni-00000000000000023:2\neni=eni-00000000000000022:1\n"
		   "self_instance_id=i-00000000000000001\ndry_run=1\n"
		   "== stop\nregion=lab-1\nendpoint=https://169.254.169.254\n"
		   "ca_file=/etc/vigil/lab-ca.pem\ndeadline_ms=120000\nnode=n2\n"
		   "instance_id=i-00000000000000002\n"
		   "self_instance_id=i-00000000000000001\ndry_run=1\n"
		   "== attach\nregion=lab-1\nendpoint=https://169.254.169.254\n"
		   "ca_file=/etc/vigil/lab-ca.pem\ndeadline_ms=20000\nnode=n2\n"
		   "instance_id=i-00000000000000002\n"
		   "eni=eni-00000000000000023:2\neni=eni-00000000000000022:1\n"
		   "self_instance_id=i-00000000000000001\ndry_run=1\n"
		   "== start\nregion=lab-1\nendpoint=https://169.254.169.254\n"
		   "ca_file=/etc/vigil/lab-ca.pem\ndeadline_ms=120000\nnode=n2\n"
		   "instance_id=i-00000000000000002\n"
		   "eni=eni-00000000000000023:2\neni=eni-00000000000000022:1\n"
		   "self_instance_id=i-00000000000000001\ndry_run=1\n",
		   "... vigil-aws isolate, stop, attach, start, each with dry_run=1 and vigild's parameters");

	ret = run_out(fence_peer_main, ARGV("fence", "-c", conf_path, "--node", "n1",
					    "n3", "--dry-run"), &out);
	tap_ok(ret == VIGILCTL_OK && strstr(out, "/usr/sbin/fence_x, action=off on stdin after 1 parameter") &&
	       !strstr(out, "secret") && !recorded()[0],
	       "fence n3 --dry-run: an agent method, its parameters' values not shown, no vigil-aws");

	ret = run_err(fence_peer_main, ARGV("fence", "-c", conf_path, "n2"), &err);
	tap_ok(ret == VIGILCTL_USAGE && strstr(err, "give --dry-run") && !recorded()[0],
	       "fence n2 without --dry-run: refused, nothing run");
	ret = run_err(fence_peer_main, ARGV("fence", "-c", conf_path, "--node", "n1",
				   "n9", "--dry-run"), &err);
	tap_ok(ret == VIGILCTL_FAIL && strstr(err, "no node 'n9' in"),
	       "fence n9: the unknown node is named");
	ret = run_err(fence_peer_main, ARGV("fence", "-c", conf_path, "--node", "n7",
				   "n2", "--dry-run"), &err);
	tap_ok(ret == VIGILCTL_FAIL && strstr(err, "--node n7: no [node n7]"),
	       "--node n7: the unknown self is named");
	ret = run_err(fence_peer_main, ARGV("fence", "-c", "/nonexistent/vigil.conf",
				   "n2", "--dry-run"), &err);
	tap_ok(ret == VIGILCTL_FAIL && strstr(err, "/nonexistent/vigil.conf"),
	       "a missing configuration file is named");
}

static void test_eni_attach(void)
{
	char path[300];
	const char *err;
	int ret;

	ret = run_err(eni_attach_main, ARGV("eni-attach", "-c", conf_path, "--node",
					"n1", "n2", "--yes"), &err);
	tap_is_int(ret, VIGILCTL_OK, "eni-attach n2 --yes: exit 0");
	tap_is_str(recorded(),
		   "== attach\nregion=lab-1\nendpoint=https://169.254.169.254\n"
		   "ca_file=/etc/vigil/lab-ca.pem\ndeadline_ms=20000\nnode=n2\n"
		   "instance_id=i-00000000000000002\n"
		   "eni=eni-00000000000000023:2\neni=eni-00000000000000022:1\n"
		   "self_instance_id=i-00000000000000001\n",
		   "... one real (not dry) vigil-aws attach with n2's ENIs");
	ret = run_err(eni_attach_main, ARGV("eni-attach", "-c", conf_path, "--node",
					"n1", "--yes"), &err);
	tap_ok(ret == VIGILCTL_OK && strstr(recorded(), "node=n1\ninstance_id=i-00000000000000001\neni=eni-00000000000000013:2\n"),
	       "eni-attach without NODE: this node's ENIs");
	ret = run_err(eni_attach_main, ARGV("eni-attach", "-c", conf_path, "--node",
					"n1", "n3", "--yes"), &err);
	tap_ok(ret == VIGILCTL_FAIL && strstr(err, "node n3 has no aws-isolate method"),
	       "eni-attach n3: no ENIs to attach, said so");
	ret = run_err(eni_attach_main, ARGV("eni-attach", "-c", conf_path, "--node",
					"n1", "n2", "--dry-run"), &err);
	tap_is_int(ret, VIGILCTL_USAGE, "eni-attach --dry-run: not an option of eni-attach");
	snprintf(path, sizeof(path), "%s/fail-attach", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	ret = run_err(eni_attach_main, ARGV("eni-attach", "-c", conf_path, "--node",
					"n1", "n2", "--yes"), &err);
	tap_ok(ret == VIGILCTL_FAIL && strstr(err, "UnauthorizedOperation") &&
	       strstr(err, "method n2-iso"),
	       "a failing attach: exit 1, vigil-aws's reason and the method shown");
	unlink(path);
}

int main(void)
{
	setup();
	test_dry_run();
	test_eni_attach();
	unlink(fake);
	unlink(conf_path);
	unlink(record);
	rmdir(dir);
	return tap_done();
}
