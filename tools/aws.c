// SPDX-License-Identifier: GPL-2.0
/*
 * vigilctl fence NODE --dry-run: what fencing NODE would do, method by
 * method, with the AWS calls vigil-aws would make (vigil-aws dry_run=1:
 * nothing is sent but what resolves the region and credentials).
 *
 * vigilctl eni-attach [NODE] [--yes]: re-attach the ENIs a node's
 * aws-isolate methods detach (HA Monitor's attach tool), after a
 * question unless --yes.
 *
 * Both read vigil.conf (-c FILE) and run vigil-aws ($VIGIL_AWS_PROGRAM,
 * else VIGIL_AWS_PROGRAM) with the parameters vigild would give it.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws_input.h"
#include "conf.h"
#include "vigilctl.h"

#define PEER_CMD "fence"
#define ATTACH_CMD "eni-attach"

static const char aws_optstring[] = "c:n:yh";

static const struct option aws_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "node", required_argument, NULL, 'n' },
	{ "dry-run", no_argument, NULL, 'd' },
	{ "yes", no_argument, NULL, 'y' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

struct aws_args {
	const char *conf;		/* -c */
	const char *self;		/* --node: this node's name */
	const char *target;		/* NODE */
	bool dry_run, yes;
};

static void peer_usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl fence NODE --dry-run [-c FILE] [--node SELF]\n"
		   "Show how NODE would be fenced: its methods in order and, for the\n"
		   "aws-isolate and aws-stop methods, the EC2 calls vigil-aws would make\n"
		   "(nothing is sent but what finds the region and the credentials).\n"
		   "vigild fences peers itself; this command only shows it.\n"
		   "  -c, --config FILE  vigil.conf (default " VIGIL_CONF_PATH ")\n"
		   "  -n, --node SELF    this node (default: the host name)\n");
}

static void attach_usage(FILE *f)
{
	fprintf(f, "Usage: vigilctl eni-attach [NODE] [-y|--yes] [-c FILE] [--node SELF]\n"
		   "Re-attach the ENIs that NODE's aws-isolate methods detach (default:\n"
		   "this node), and wait until AWS reports them attached. Asks first on a\n"
		   "terminal; -y, --yes skips the question and is needed when standard\n"
		   "input is not a terminal.\n"
		   "  -c, --config FILE  vigil.conf (default " VIGIL_CONF_PATH ")\n"
		   "  -n, --node SELF    this node (default: the host name)\n");
}

/* 0, -1 after --help, or an exit status. */
static int aws_parse_args(const char *cmd, int argc, char *argv[],
			  struct aws_args *a)
{
	bool peer = !strcmp(cmd, PEER_CMD);
	int c;

	memset(a, 0, sizeof(*a));
	a->conf = VIGIL_CONF_PATH;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, aws_optstring, aws_options,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			a->conf = optarg;
			break;
		case 'n':
			a->self = optarg;
			break;
		case 'd':
			if (!peer)
				return vigilctl_bad_option(cmd, argv, aws_optstring);
			a->dry_run = true;
			break;
		case 'y':
			if (peer)
				return vigilctl_bad_option(cmd, argv, aws_optstring);
			a->yes = true;
			break;
		case 'h':
			(peer ? peer_usage : attach_usage)(stdout);
			return -1;
		default:
			return vigilctl_bad_option(cmd, argv, aws_optstring);
		}
	}
	if (optind < argc)
		a->target = argv[optind++];
	if (optind < argc)
		return vigilctl_bad_argument(cmd, argv[optind]);
	if (peer && !a->target) {
		fprintf(stderr, "vigilctl: " PEER_CMD ": expected NODE --dry-run or self ACTION\n");
		return VIGILCTL_USAGE;
	}
	if (peer && !a->dry_run) {
		fprintf(stderr, "vigilctl: " PEER_CMD " %s: vigild fences peers; give --dry-run to see what it would do\n",
			a->target);
		return VIGILCTL_USAGE;
	}
	return 0;
}

static int node_index(const struct vigil_conf *conf, const char *name)
{
	return vigil_conf_node_find(conf, name);
}

/* As vigild finds itself: --node, else the host name up to a dot. */
static int find_self(const struct vigil_conf *conf, const char *name)
{
	char host[256] = "";
	int i;

	if (name) {
		i = node_index(conf, name);
		if (i < 0)
			fprintf(stderr, "vigilctl: --node %s: no [node %s] in %s\n",
				name, name, conf->path);
		return i;
	}
	if (gethostname(host, sizeof(host) - 1))
		host[0] = '\0';
	i = node_index(conf, host);
	if (i < 0) {
		host[strcspn(host, ".")] = '\0';
		i = node_index(conf, host);
	}
	if (i < 0)
		fprintf(stderr, "vigilctl: this host (%s) is no node of %s: give --node\n",
			host, conf->path);
	return i;
}

static const char *aws_program(void)
{
	const char *p = getenv("VIGIL_AWS_PROGRAM");

	return p && *p ? p : VIGIL_AWS_PROGRAM;
}

/* Run vigil-aws step with input on stdin; its output is ours. */
static int run_aws(enum vigil_aws_step step, const char *input, size_t len)
{
	const char *prog = aws_program();
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (!pid) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(prog, prog, vigil_aws_step_name(step), (char *)NULL);
		fprintf(stderr, "vigilctl: %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	while (len) {
		ssize_t n = write(fds[1], input, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		input += n;
		len -= n;
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_step(const struct vigil_conf *conf, unsigned int self,
		    unsigned int node, const struct vigil_conf_fence *f,
		    const struct vigil_conf_fence *iso, enum vigil_aws_step step,
		    bool dry_run)
{
	char *input;
	size_t len;
	int ret;

	ret = vigil_aws_input(conf, self, node, f, iso, f->timeout_ms, dry_run,
			      &input, &len);
	if (ret)
		return ret;
	ret = run_aws(step, input, len);
	free(input);
	return ret;
}

static const char *type_name(const struct vigil_conf_fence *f)
{
	switch (f->type) {
	case VIGIL_CONF_FENCE_AGENT:
		return "agent";
	case VIGIL_CONF_FENCE_AWS_ISOLATE:
		return "aws-isolate";
	case VIGIL_CONF_FENCE_AWS_STOP:
		return "aws-stop";
	}
	return "?";
}

static int dry_run(const struct vigil_conf *conf, unsigned int self,
		   unsigned int node)
{
	const struct vigil_conf_node *nd = &conf->nodes[node];
	const struct vigil_conf_fence *iso = NULL;
	unsigned int i;
	int ret, rc = VIGILCTL_OK;

	if (!nd->n_fence) {
		printf("node %s has no fence method: when it fails, vigild waits for its proof of self-fence or for 'vigilctl act'\n",
		       nd->name);
		return VIGILCTL_OK;
	}
	printf("fencing node %s (as %s): %u method%s, tried in order\n", nd->name,
	       conf->nodes[self].name, nd->n_fence, nd->n_fence == 1 ? "" : "s");
	for (i = 0; i < nd->n_fence; i++) {
		const struct vigil_conf_fence *f = &conf->fences[nd->fence[i]];

		printf("%u. %s (%s, deadline %u ms)\n", i + 1, f->name,
		       type_name(f), f->timeout_ms);
		if (f->type == VIGIL_CONF_FENCE_AGENT) {
			/* The parameters may hold secrets: names only. */
			printf("   %s, action=%s on stdin after %u parameter%s\n",
			       f->agent,
			       f->action == VIGIL_CONF_FENCE_REBOOT ? "reboot" : "off",
			       f->n_params, f->n_params == 1 ? "" : "s");
			continue;
		}
		if (f->type == VIGIL_CONF_FENCE_AWS_ISOLATE) {
			iso = f;
			printf("   confirmed isolation lets failover proceed; the next method goes on\n");
		}
		fflush(stdout);
		ret = run_step(conf, self, node, f, NULL,
			       f->type == VIGIL_CONF_FENCE_AWS_ISOLATE ?
			       VIGIL_AWS_ISOLATE : VIGIL_AWS_STOP, true);
		if (ret) {
			fprintf(stderr, "vigilctl: " PEER_CMD " %s --dry-run: method %s: vigil-aws %s\n",
				nd->name, f->name, ret < 0 ? strerror(-ret) : "failed");
			rc = VIGILCTL_FAIL;
			continue;
		}
		if (f->type != VIGIL_CONF_FENCE_AWS_STOP)
			continue;
		if (!f->recover) {
			printf("   recover = no: the instance stays stopped\n");
			continue;
		}
		printf("   once stopped, recovery:\n");
		fflush(stdout);
		if (iso && run_step(conf, self, node, iso, NULL, VIGIL_AWS_ATTACH, true))
			rc = VIGILCTL_FAIL;
		if (run_step(conf, self, node, f, iso, VIGIL_AWS_START, true))
			rc = VIGILCTL_FAIL;
	}
	return rc;
}

static bool attach_confirm(const char *node, unsigned int n)
{
	fprintf(stderr, "vigilctl: " ATTACH_CMD " %s: this re-attaches %u ENI%s to node %s's instance, which gives it back its service network.\n"
		"Type 'yes' to go on: ", node, n, n == 1 ? "" : "s", node);
	fflush(stderr);
	return vigilctl_yes(stdin);
}

static int eni_attach(const struct vigil_conf *conf, unsigned int self,
		      unsigned int node, bool yes)
{
	const struct vigil_conf_node *nd = &conf->nodes[node];
	unsigned int i, n = 0;
	int ret, rc = VIGILCTL_OK;

	for (i = 0; i < nd->n_fence; i++)
		if (conf->fences[nd->fence[i]].type == VIGIL_CONF_FENCE_AWS_ISOLATE)
			n += conf->fences[nd->fence[i]].n_enis;
	if (!n) {
		fprintf(stderr, "vigilctl: " ATTACH_CMD " %s: node %s has no aws-isolate method: no ENI to attach\n",
			nd->name, nd->name);
		return VIGILCTL_FAIL;
	}
	if (!yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "vigilctl: " ATTACH_CMD " %s: standard input is not a terminal: give --yes\n",
				nd->name);
			return VIGILCTL_USAGE;
		}
		if (!attach_confirm(nd->name, n)) {
			fprintf(stderr, "vigilctl: " ATTACH_CMD " %s: not confirmed; nothing done\n",
				nd->name);
			return VIGILCTL_FAIL;
		}
	}
	for (i = 0; i < nd->n_fence; i++) {
		const struct vigil_conf_fence *f = &conf->fences[nd->fence[i]];

		if (f->type != VIGIL_CONF_FENCE_AWS_ISOLATE)
			continue;
		ret = run_step(conf, self, node, f, NULL, VIGIL_AWS_ATTACH, false);
		if (ret) {
			fprintf(stderr, "vigilctl: " ATTACH_CMD " %s: method %s: %s\n",
				nd->name, f->name,
				ret < 0 ? strerror(-ret) : "not attached (see above)");
			rc = VIGILCTL_FAIL;
		}
	}
	return rc;
}

static int aws_main(const char *cmd, int argc, char *argv[])
{
	struct vigil_conf_errors *errs;
	struct vigil_conf *conf = NULL;
	struct aws_args a;
	int ret, self, node;

	ret = aws_parse_args(cmd, argc, argv, &a);
	if (ret)
		return ret < 0 ? VIGILCTL_OK : ret;
	errs = calloc(1, sizeof(*errs));
	if (!errs)
		return VIGILCTL_FAIL;
	ret = vigil_conf_load(a.conf, VIGIL_CONF_NO_KEY, &conf, errs);
	if (ret) {
		unsigned int i;

		for (i = 0; i < errs->n && i < VIGIL_CONF_ERRORS_MAX; i++)
			fprintf(stderr, "%s\n", errs->msg[i]);
		if (!errs->n)
			fprintf(stderr, "vigilctl: %s: %s: %s\n", cmd, a.conf,
				strerror(-ret));
		free(errs);
		return VIGILCTL_FAIL;
	}
	free(errs);
	self = find_self(conf, a.self);
	if (self < 0) {
		vigil_conf_free(conf);
		return VIGILCTL_FAIL;
	}
	node = a.target ? node_index(conf, a.target) : self;
	if (node < 0) {
		fprintf(stderr, "vigilctl: %s: no node '%s' in %s\n", cmd,
			a.target, conf->path);
		vigil_conf_free(conf);
		return VIGILCTL_FAIL;
	}
	if (!strcmp(cmd, PEER_CMD))
		ret = dry_run(conf, self, node);
	else
		ret = eni_attach(conf, self, node, a.yes);
	vigil_conf_free(conf);
	return ret;
}

int fence_peer_main(int argc, char *argv[])
{
	return aws_main(PEER_CMD, argc, argv);
}

int eni_attach_main(int argc, char *argv[])
{
	return aws_main(ATTACH_CMD, argc, argv);
}
