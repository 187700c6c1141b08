// SPDX-License-Identifier: GPL-2.0
/*
 * vigil-aws: one AWS fencing step, run by vigild (and by vigilctl) as a
 * child process so that HTTP, TLS and retries never block the daemon's
 * event loop, which pets the kernel's daemon watchdog.
 *
 *   vigil-aws ACTION < PARAMS
 *
 * ACTION: isolate (detach the ENIs, confirm detached), stop (force stop,
 * confirm stopped), attach (re-attach the ENIs, confirm attached), start
 * (start, confirm running), status (print the instance and its ENIs).
 * PARAMS, one NAME=VALUE a line (Documentation/aws.md, "vigil-aws"):
 * region, endpoint, credentials_file, profile, ca_file, imds_endpoint,
 * call_timeout_ms, deadline_ms, node, instance_id, eni (ID:DEVICE_INDEX,
 * repeated), self_instance_id, dry_run.
 *
 * Exit: 0 done and confirmed; 1 failed or not confirmed by the deadline;
 * 2 bad parameters; 3 refused: this node's own instance is not running
 * (the race guard: a node that is itself being fenced fences nobody).
 * The last line on stderr says why.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "creds.h"
#include "ec2.h"
#include "imds.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_REFUSED 3

#define PARAMS_MAX (64 * 1024)
#define ENIS_MAX VIGIL_EC2_ENIS_MAX
/*
 * Confirmation polls: 100 ms after the first look, doubling up to 500 ms.
 * The first answer usually comes just before the change; a flat 500 ms
 * cost about 0.4 s per step in the lab (Documentation/bench.md).
 */
#define POLL_FIRST_MS 100
#define POLL_MS 500
#define DEADLINE_DEFAULT_MS 60000

struct eni {
	char id[VIGIL_EC2_ID_MAX];
	int device_index;
};

struct params {
	struct vigil_aws_conf conf;
	char *region, *endpoint, *credentials_file, *profile, *ca_file;
	char *imds_endpoint;
	unsigned long deadline_ms;
	char node[64];
	char instance_id[VIGIL_EC2_ID_MAX];
	char self_instance_id[VIGIL_EC2_ID_MAX];
	unsigned int n_enis;
	struct eni enis[ENIS_MAX];
	bool dry_run;
};

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil-aws: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	say("%s", line);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool id_ok(const char *v, size_t max)
{
	size_t i;

	if (!v[0] || strlen(v) >= max)
		return false;
	for (i = 0; v[i]; i++) {
		if (!(v[i] >= 'a' && v[i] <= 'z') && !(v[i] >= '0' && v[i] <= '9') &&
		    v[i] != '-')
			return false;
	}
	return true;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int param(struct params *p, const char *key, const char *v)
{
	char *end;

	if (!strcmp(key, "region"))
		return set_str(&p->region, v);
	if (!strcmp(key, "endpoint"))
		return set_str(&p->endpoint, v);
	if (!strcmp(key, "credentials_file"))
		return set_str(&p->credentials_file, v);
	if (!strcmp(key, "profile"))
		return set_str(&p->profile, v);
	if (!strcmp(key, "ca_file"))
		return set_str(&p->ca_file, v);
	if (!strcmp(key, "imds_endpoint"))
		return set_str(&p->imds_endpoint, v);
	if (!strcmp(key, "call_timeout_ms") || !strcmp(key, "deadline_ms")) {
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || !*v || n > 24UL * 3600 * 1000)
			return -EINVAL;
		if (key[0] == 'c')
			p->conf.call_timeout_ms = n;
		else
			p->deadline_ms = n;
		return 0;
	}
	if (!strcmp(key, "node")) {
		if (strlen(v) >= sizeof(p->node))
			return -EINVAL;
		strcpy(p->node, v);
		return 0;
	}
	if (!strcmp(key, "instance_id") || !strcmp(key, "self_instance_id")) {
		char *dst = key[0] == 'i' ? p->instance_id : p->self_instance_id;

		if (!id_ok(v, VIGIL_EC2_ID_MAX) || strncmp(v, "i-", 2))
			return -EINVAL;
		strcpy(dst, v);
		return 0;
	}
	if (!strcmp(key, "eni")) {
		const char *colon = strchr(v, ':');
		struct eni *e;
		long idx;

		if (!colon || p->n_enis == ENIS_MAX ||
		    (size_t)(colon - v) >= VIGIL_EC2_ID_MAX)
			return -EINVAL;
		e = &p->enis[p->n_enis];
		memcpy(e->id, v, colon - v);
		e->id[colon - v] = '\0';
		errno = 0;
		idx = strtol(colon + 1, &end, 10);
		if (!id_ok(e->id, VIGIL_EC2_ID_MAX) || strncmp(e->id, "eni-", 4) ||
		    errno || *end || colon[1] < '0' || colon[1] > '9' ||
		    idx < 0 || idx > 31)
			return -EINVAL;
		e->device_index = (int)idx;
		p->n_enis++;
		return 0;
	}
	if (!strcmp(key, "dry_run")) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return -EINVAL;
		p->dry_run = v[0] == '1';
		return 0;
	}
	return -ENOENT;
}

/* NAME=VALUE lines from stdin. */
static int read_params(struct params *p)
{
	char *buf, *line, *save, *eq;
	size_t len = 0;
	ssize_t n;
	int ret = 0;

	buf = malloc(PARAMS_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while (len < PARAMS_MAX) {
		n = read(STDIN_FILENO, buf + len, PARAMS_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			say("reading the parameters: %s", strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	if (len == PARAMS_MAX) {
		say("parameters: more than %d bytes", PARAMS_MAX);
		ret = -EFBIG;
		goto out;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq) {
			say("parameters: '%.40s': not NAME=VALUE", line);
			ret = -EINVAL;
			goto out;
		}
		*eq = '\0';
		ret = param(p, line, eq + 1);
		if (ret == -ENOENT) {
			say("parameters: unknown name '%.40s'", line);
			goto out;
		}
		if (ret) {
			/* Values here are never secrets: quote them. */
			say("parameters: %s = '%.80s': %s", line, eq + 1,
			    ret == -ENOMEM ? "out of memory" : "bad value");
			goto out;
		}
	}
	p->conf.region = p->region;
	p->conf.endpoint = p->endpoint;
	p->conf.credentials_file = p->credentials_file;
	p->conf.profile = p->profile;
	p->conf.ca_file = p->ca_file;
	p->conf.imds_endpoint = p->imds_endpoint;
out:
	explicit_bzero(buf, PARAMS_MAX + 1);
	free(buf);
	return ret;
}

static void params_free(struct params *p)
{
	free(p->region);
	free(p->endpoint);
	free(p->credentials_file);
	free(p->profile);
	free(p->ca_file);
	free(p->imds_endpoint);
}

static const char *what(const struct params *p)
{
	static char buf[160];

	if (p->node[0])
		snprintf(buf, sizeof(buf), "node %s (%s)", p->node, p->instance_id);
	else
		snprintf(buf, sizeof(buf), "%s", p->instance_id);
	return buf;
}

static void fail_api(const char *call, const char *id,
		     const struct vigil_ec2_error *er)
{
	if (er->http_status)
		say("%s %s: %s (HTTP %ld): %s", call, id, er->code,
		    er->http_status, er->message);
	else
		say("%s %s: %s: %s", call, id, er->code, er->message);
}

static unsigned int poll_ms(unsigned int n)
{
	unsigned int ms = POLL_FIRST_MS << (n < 3 ? n : 3);

	return ms < POLL_MS ? ms : POLL_MS;
}

/* Room for poll number n and the look after it before the deadline. */
static bool time_left(const struct vigil_ec2 *e, unsigned int n)
{
	return !e->deadline_ms || now_ms() + poll_ms(n) < e->deadline_ms;
}

/* Sleep before look number n + 1 (n from 0). */
static void nap(unsigned int n)
{
	struct timespec ts = { 0, poll_ms(n) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The race guard: the node that fences must itself be running, per the
 * API. A node whose own instance is stopping (because a peer fences it)
 * must not fence that peer in turn.
 */
static int guard(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_instance self;
	struct vigil_ec2_error er;
	char err[256];
	int ret;

	if (p->dry_run)
		return 0;
	if (!p->self_instance_id[0]) {
		struct vigil_imds m = { .endpoint = p->conf.imds_endpoint };

		ret = vigil_imds_get(&m, "/latest/meta-data/instance-id",
				     p->self_instance_id,
				     sizeof(p->self_instance_id), err, sizeof(err));
		vigil_imds_clear(&m);
		if (ret) {
			say("race guard: this node's instance id: IMDS: %s", err);
			return EXIT_FAILED;
		}
	}
	ret = vigil_ec2_describe_instance(e, p->self_instance_id, &self, &er);
	if (ret) {
		fail_api("race guard: DescribeInstances", p->self_instance_id, &er);
		return EXIT_FAILED;
	}
	if (strcmp(self.state, "running")) {
		say("race guard: this node's own instance %s is %s, not running: fencing nobody",
		    p->self_instance_id, self.state);
		return EXIT_REFUSED;
	}
	return 0;
}

/* Wait until every ENI is attached (or every one detached). */
static int confirm_enis(struct vigil_ec2 *e, struct params *p, bool attached)
{
	const char *state = attached ? "attached" : "detached";
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	unsigned int i, done, polls = 0;

	for (;;) {
		for (i = done = 0; i < p->n_enis; i++) {
			if (vigil_ec2_describe_eni(e, p->enis[i].id, &eni, &er)) {
				fail_api("DescribeNetworkInterfaces",
					 p->enis[i].id, &er);
				return EXIT_FAILED;
			}
			if (attached)
				done += eni.attached &&
					!strcmp(eni.att.status, "attached");
			else
				done += !eni.attached ||
					!strcmp(eni.att.status, "detached");
		}
		if (done == p->n_enis) {
			if (attached)
				say("attached %u ENI%s to %s", done,
				    done == 1 ? "" : "s", what(p));
			else
				say("isolated %s: %u ENI%s detached", what(p),
				    done, done == 1 ? "" : "s");
			return 0;
		}
		if (!time_left(e, polls)) {
			say("%s %s: %u of %u ENIs %s at the deadline",
			    attached ? "attach to" : "isolate", what(p), done,
			    p->n_enis, state);
			return EXIT_FAILED;
		}
		nap(polls++);
	}
}

static int do_isolate(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	unsigned int i;
	int ret;

	if (!p->n_enis) {
		say("isolate: no eni parameter");
		return EXIT_USAGE;
	}
	for (i = 0; i < p->n_enis; i++) {
		const char *id = p->enis[i].id;

		if (p->dry_run) {
			say("would detach %s from %s once DescribeNetworkInterfaces names its attachment",
			    id, what(p));
			continue;
		}
		ret = vigil_ec2_describe_eni(e, id, &eni, &er);
		if (ret) {
			fail_api("DescribeNetworkInterfaces", id, &er);
			return EXIT_FAILED;
		}
		if (!eni.attached || !strcmp(eni.att.status, "detached")) {
			say("%s: already detached", id);
			continue;
		}
		if (strcmp(eni.instance_id, p->instance_id)) {
			say("%s is attached to %s, not to %s: not detaching it",
			    id, eni.instance_id, what(p));
			return EXIT_FAILED;
		}
		if (!strcmp(eni.att.status, "detaching"))
			continue;
		ret = vigil_ec2_detach_eni(e, eni.att.attachment_id, true, &er);
		if (ret) {
			fail_api("DetachNetworkInterface", eni.att.attachment_id, &er);
			return EXIT_FAILED;
		}
	}
	if (p->dry_run)
		return 0;
	return confirm_enis(e, p, false);
}

static int do_attach(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_error er;
	struct vigil_ec2_eni eni;
	unsigned int i;
	int ret;

	if (!p->n_enis) {
		say("attach: no eni parameter");
		return EXIT_USAGE;
	}
	for (i = 0; i < p->n_enis; i++) {
		const struct eni *x = &p->enis[i];

		if (p->dry_run) {
			ret = vigil_ec2_attach_eni(e, x->id, p->instance_id,
						   x->device_index, NULL, &er);
			continue;
		}
		ret = vigil_ec2_describe_eni(e, x->id, &eni, &er);
		if (ret) {
			fail_api("DescribeNetworkInterfaces", x->id, &er);
			return EXIT_FAILED;
		}
		if (eni.attached && strcmp(eni.att.status, "detached")) {
			if (strcmp(eni.instance_id, p->instance_id)) {
				say("%s is attached to %s, not to %s", x->id,
				    eni.instance_id, what(p));
				return EXIT_FAILED;
			}
			continue;
		}
		ret = vigil_ec2_attach_eni(e, x->id, p->instance_id,
					   x->device_index, NULL, &er);
		if (ret) {
			fail_api("AttachNetworkInterface", x->id, &er);
			return EXIT_FAILED;
		}
	}
	if (p->dry_run)
		return 0;
	return confirm_enis(e, p, true);
}

/* Wait until the instance is in state want (or, for stopped, gone). */
static int confirm_state(struct vigil_ec2 *e, struct params *p,
			 const char *want)
{
	struct vigil_ec2_instance in;
	struct vigil_ec2_error er;
	unsigned int polls = 0;
	int ret;

	for (;;) {
		ret = vigil_ec2_describe_instance(e, p->instance_id, &in, &er);
		if (ret) {
			fail_api("DescribeInstances", p->instance_id, &er);
			return EXIT_FAILED;
		}
		if (!strcmp(in.state, want) ||
		    (!strcmp(want, "stopped") && !strcmp(in.state, "terminated"))) {
			say("%s is %s", what(p), in.state);
			return 0;
		}
		if (!time_left(e, polls)) {
			say("%s is still %s at the deadline (waiting for %s)",
			    what(p), in.state, want);
			return EXIT_FAILED;
		}
		nap(polls++);
	}
}

static int do_stop(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_error er;

	if (vigil_ec2_stop_instance(e, p->instance_id, true, &er)) {
		fail_api("StopInstances", p->instance_id, &er);
		return EXIT_FAILED;
	}
	return p->dry_run ? 0 : confirm_state(e, p, "stopped");
}

static int do_start(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_error er;

	if (vigil_ec2_start_instance(e, p->instance_id, &er)) {
		fail_api("StartInstances", p->instance_id, &er);
		return EXIT_FAILED;
	}
	return p->dry_run ? 0 : confirm_state(e, p, "running");
}

static int do_status(struct vigil_ec2 *e, struct params *p)
{
	struct vigil_ec2_instance in;
	struct vigil_ec2_error er;
	unsigned int i;

	if (p->dry_run) {
		say("would call DescribeInstances InstanceId.1=%s", p->instance_id);
		return 0;
	}
	if (vigil_ec2_describe_instance(e, p->instance_id, &in, &er)) {
		fail_api("DescribeInstances", p->instance_id, &er);
		return EXIT_FAILED;
	}
	printf("instance %s %s\n", in.instance_id, in.state);
	for (i = 0; i < in.n_enis; i++)
		printf("eni %s %s device-index %d %s\n", in.enis[i].eni_id,
		       in.enis[i].attachment_id, in.enis[i].device_index,
		       in.enis[i].status);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct vigil_ec2 *e, struct params *p);
	bool guarded;		/* acts on a peer: the race guard first */
} actions[] = {
	{ "isolate", do_isolate, true },
	{ "stop", do_stop, true },
	{ "attach", do_attach, false },
	{ "start", do_start, false },
	{ "status", do_status, false },
};

static void usage(void)
{
	fprintf(stderr, "usage: vigil-aws isolate|stop|attach|start|status < PARAMS\n"
		"PARAMS: NAME=VALUE lines (Documentation/aws.md)\n");
}

int main(int argc, char **argv)
{
	struct params p = { .deadline_ms = DEADLINE_DEFAULT_MS };
	struct vigil_ec2 e = { 0 };
	char err[512];
	unsigned int i;
	int ret;

	if (argc != 2) {
		usage();
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(argv[1], actions[i].name))
			break;
	if (i == sizeof(actions) / sizeof(actions[0])) {
		say("unknown action '%.40s'", argv[1]);
		usage();
		return EXIT_USAGE;
	}
	if (read_params(&p)) {
		params_free(&p);
		return EXIT_USAGE;
	}
	if (!p.instance_id[0]) {
		say("no instance_id parameter");
		params_free(&p);
		return EXIT_USAGE;
	}
	/* vigil_ec2_init() zeroes e: the settings come after it. */
	ret = vigil_ec2_init(&e, &p.conf, err, sizeof(err));
	if (ret) {
		say("%s", err);
		params_free(&p);
		return EXIT_FAILED;
	}
	e.deadline_ms = now_ms() + p.deadline_ms;
	e.dry_run = p.dry_run;
	e.log = log_line;
	ret = actions[i].guarded ? guard(&e, &p) : 0;
	if (!ret)
		ret = actions[i].fn(&e, &p);
	vigil_ec2_free(&e);
	params_free(&p);
	return ret;
}
