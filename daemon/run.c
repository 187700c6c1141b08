// SPDX-License-Identifier: GPL-2.0
/*
 * vigild with a configuration file: push it to vigil.ko, follow the
 * module's events, run the engine (cluster.c) with the agents, answer on
 * the control socket, persist the engine's state, reload on SIGHUP, and
 * talk sd_notify. Everything hangs off the event loop (loop.c) as hooks:
 * the module's events, the agents' runner, the control socket and its
 * connections, and one timerfd for the engine, the monitors, the
 * periodic re-read of the module and systemd's watchdog.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "control.h"
#include "fence_agent.h"
#include "fence_aws.h"
#include "run.h"
#include "state.h"
#include "vigild.h"

struct vigild_run {
	struct vigild *d;
	struct vigild_run_opts opts;
	struct vigil_conf *conf;
	unsigned int self;
	struct vigil_nl_events *events;
	struct vigil_agents *agents;
	struct vigild_control *ctl;
	int timerfd;
	bool dirty;			/* re-read the module */
	uint64_t next_read_ms;		/* re-read anyway then */
	__u32 sd_wd_ms;			/* systemd's watchdog; 0: none */
	uint64_t next_sd_ms;
	struct vigild_cluster cluster;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the cluster's operations ------------------------------------------------ */

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return mono_ms();
}

static int op_set_payload(void *ctx, const uint8_t *p, size_t len)
{
	struct vigild_run *r = ctx;
	char ackmsg[VIGIL_NL_ACKMSG_MAX];

	return vigil_nl_set_payload(r->d->nl, p, len, ackmsg, sizeof(ackmsg));
}

static int op_self_fence(void *ctx, uint8_t action)
{
	struct vigild_run *r = ctx;
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int ret;

	ret = vigil_nl_fence(r->d->nl, action, ackmsg, sizeof(ackmsg));
	if (ret && ackmsg[0])
		vigild_log("self-fence: kernel: %s", ackmsg);
	return ret;
}

static int op_gate_open(void *ctx)
{
	struct vigild_run *r = ctx;
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int ret;

	ret = vigil_nl_gate_open(r->d->nl, ackmsg, sizeof(ackmsg));
	if (ret && ackmsg[0])
		vigild_log("gate open: kernel: %s", ackmsg);
	return ret;
}

static int op_persist(void *ctx, const struct vigil_engine_persist *p)
{
	struct vigild_run *r = ctx;

	return vigild_state_save(r->opts.state_dir, p);
}

static int op_run(void *ctx, const struct vigil_conf_resource *res,
		  enum vigil_agent_action action, __u32 timeout_ms,
		  vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	struct vigild_run *r = ctx;

	return vigil_agent_run(r->agents, res, action, timeout_ms, done, arg, op);
}

static int op_fence(void *ctx, const struct vigil_conf_fence *f,
		    vigil_agent_done_fn *done, void *arg, struct vigil_agent_op **op)
{
	struct vigild_run *r = ctx;

	return vigil_fence_agent_run(r->agents, f,
				     vigil_fence_agent_fence_action(f), 0,
				     done, arg, op);
}

static int op_aws(void *ctx, const struct vigil_conf_fence *f,
		  const struct vigil_conf_fence *isolate, unsigned int node,
		  enum vigil_aws_step step, vigil_agent_done_fn *done, void *arg,
		  struct vigil_agent_op **op)
{
	struct vigild_run *r = ctx;

	return vigil_fence_aws_run(r->agents, getenv("VIGIL_AWS_PROGRAM"),
				   r->cluster.conf, r->cluster.self, node, f,
				   isolate, step, done, arg, op);
}

static void op_cancel(void *ctx, struct vigil_agent_op *op)
{
	(void)ctx;
	vigil_agent_cancel(op);
}

static const struct vigild_cluster_ops real_ops = {
	.now_ms = op_now, .set_payload = op_set_payload,
	.self_fence = op_self_fence, .gate_open = op_gate_open,
	.persist = op_persist, .run = op_run, .fence = op_fence,
	.aws = op_aws, .cancel = op_cancel,
};

/* --- the module ----------------------------------------------------------------- */

/* Read the status and the peers and feed them to the engine. */
static int read_module(struct vigild_run *r)
{
	static struct vigil_peers peers;
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	struct vigil_engine_view v;
	struct vigil_status st;
	int ret, tries;

	ret = vigil_nl_get_status(r->d->nl, &st, ackmsg, sizeof(ackmsg));
	if (ret) {
		vigild_log_error("reading vigil.ko status", ret, ackmsg);
		return ret;
	}
	if (!st.configured) {
		vigild_log("vigil.ko lost its configuration (someone ran set-config or the module restarted?); exiting");
		return -ENOENT;
	}
	for (tries = 0; tries < 5; tries++) {
		ret = vigil_nl_get_peers(r->d->nl, &peers, ackmsg, sizeof(ackmsg));
		if (ret != -EAGAIN)
			break;
	}
	if (ret) {
		vigild_log_error("reading vigil.ko peers", ret, ackmsg);
		return ret;
	}
	vigild_cluster_view(&st, &peers, &v);
	vigild_cluster_feed_view(&r->cluster, &v);
	r->dirty = false;
	r->next_read_ms = mono_ms() + (r->conf->cluster.timeout_ms > 1000 ?
				       r->conf->cluster.timeout_ms : 1000);
	return 0;
}

static int log_event(const struct vigil_nl_event *ev, void *arg)
{
	(void)arg;
	if (ev->has_peer)
		vigild_debug("event %s, peer %u", vigil_event_name(ev->type) ?: "?",
			     ev->peer);
	else
		vigild_debug("event %s", vigil_event_name(ev->type) ?: "?");
	return 0;
}

static int on_events(struct vigild *d, int fd, void *arg)
{
	struct vigild_run *r = arg;
	int i, ret;

	(void)d, (void)fd;
	for (i = 0; i < 64; i++) {
		ret = vigil_nl_events_read(r->events, log_event, NULL);
		if (ret == 0)
			break;
		r->dirty = true;
		if (ret == -ENOBUFS) {
			vigild_debug("events dropped (socket buffer full): reading the module again");
			continue;
		}
		if (ret < 0 && ret != -EBADMSG) {
			vigild_log_error("reading vigil.ko events", ret, NULL);
			return ret;
		}
	}
	return 0;
}

static int on_agents(struct vigild *d, int fd, void *arg)
{
	struct vigild_run *r = arg;
	int ret;

	(void)d, (void)fd;
	ret = vigil_agents_dispatch(r->agents);
	if (ret)
		vigild_log_error("resource agents", ret, NULL);
	return 0;
}

static int on_timer(struct vigild *d, int fd, void *arg)
{
	uint64_t n;

	(void)d, (void)arg;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;	/* idle() does the work */
}

/* --- the control socket --------------------------------------------------------- */

static int on_conn(struct vigild *d, int fd, void *arg)
{
	struct vigild_run *r = arg;

	if (vigild_control_read(r->ctl, fd, &r->cluster))
		vigild_loop_del(d, fd);
	return 0;
}

static int add_conn(void *arg, int fd)
{
	struct vigild_run *r = arg;

	return vigild_loop_add(r->d, fd, on_conn, r);
}

static int on_listen(struct vigild *d, int fd, void *arg)
{
	struct vigild_run *r = arg;
	int ret;

	(void)d, (void)fd;
	ret = vigild_control_accept(r->ctl, add_conn, r);
	if (ret)
		vigild_log_error("control socket: accept", ret, NULL);
	return 0;
}

/* --- idle: after each round of events ----------------------------------------- */

static void arm(struct vigild_run *r, uint64_t at)
{
	uint64_t t = mono_ms();
	struct itimerspec its = { 0 };
	uint64_t in = at > t ? at - t : 1;

	its.it_value.tv_sec = in / 1000;
	its.it_value.tv_nsec = (in % 1000) * 1000000L;
	if (timerfd_settime(r->timerfd, 0, &its, NULL))
		vigild_log_error("timerfd_settime", -errno, NULL);
}

static int idle(struct vigild *d)
{
	struct vigild_run *r = d->run;
	uint64_t t = mono_ms(), next;
	int ret;

	if (r->dirty || t >= r->next_read_ms) {
		ret = read_module(r);
		if (ret == -ENOENT)
			return ret;
		if (ret) {
			/*
			 * Logged; try again in a second (or at the next
			 * event), the engine keeps the view it had.
			 */
			r->dirty = false;
			r->next_read_ms = t + 1000;
		}
	}
	vigild_cluster_tick(&r->cluster);
	t = mono_ms();
	if (r->sd_wd_ms && t >= r->next_sd_ms) {
		vigild_notify("WATCHDOG=1");
		r->next_sd_ms = t + r->sd_wd_ms / 2;
	}
	next = r->next_read_ms;
	if (r->sd_wd_ms && r->next_sd_ms < next)
		next = r->next_sd_ms;
	t = vigild_cluster_next_ms(&r->cluster);
	if (t && t < next)
		next = t;
	arm(r, next);
	return 0;
}

/* --- SIGHUP ---------------------------------------------------------------------- */

static int reload(struct vigild *d)
{
	struct vigild_run *r = d->run;
	struct vigil_conf_errors errs = { 0 };
	struct vigil_conf *next = NULL;
	unsigned int i;
	int n;

	vigild_log("SIGHUP: reading %s", r->opts.conf_path);
	if (vigil_conf_load(r->opts.conf_path, 0, &next, &errs)) {
		for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
			vigild_log("%s", errs.msg[i]);
		vigild_log("SIGHUP: %s is not valid; keeping the configuration in use",
			   r->opts.conf_path);
		return 0;
	}
	memset(&errs, 0, sizeof(errs));
	n = vigil_conf_live_diff(r->conf, next, &errs);
	if (n) {
		for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
			vigild_log("%s", errs.msg[i]);
		vigild_log("SIGHUP: refused: %d change%s cannot be applied while vigild runs (restart vigild for them); keeping the configuration in use",
			   n, n == 1 ? "" : "s");
		vigil_conf_free(next);
		return 0;
	}
	vigild_cluster_reload(&r->cluster, next);
	vigil_conf_free(r->conf);
	r->conf = next;
	vigild_log("SIGHUP: reloaded %s (timings and restart limits)",
		   r->opts.conf_path);
	return 0;
}

/* --- start and stop --------------------------------------------------------------- */

int vigild_run_load(struct vigild_run_opts *o, struct vigil_conf **conf)
{
	struct vigil_conf_errors errs = { 0 };
	unsigned int i;
	int ret;

	*conf = NULL;
	if (!o->conf_given && access(o->conf_path, F_OK) && errno == ENOENT)
		return 0;
	ret = vigil_conf_load(o->conf_path, 0, conf, &errs);
	if (ret) {
		for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
			fprintf(stderr, "vigild: %s\n", errs.msg[i]);
		if (errs.n > VIGIL_CONF_ERRORS_MAX)
			fprintf(stderr, "vigild: ... and %u more errors\n",
				errs.n - VIGIL_CONF_ERRORS_MAX);
		if (!errs.n)
			fprintf(stderr, "vigild: %s: %s\n", o->conf_path, strerror(-ret));
		return ret;
	}
	return 0;
}

int vigild_run_start(struct vigild *d, const struct vigild_run_opts *o,
		     struct vigil_conf *conf)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX], why[512] = "", host[256] = "";
	static struct vigil_config kcfg;
	struct vigil_engine_persist persist, *pp = NULL;
	uint8_t boot_id[VIGIL_ENGINE_BOOT_ID_LEN] = { 0 };
	struct vigild_run *r;
	int self, ret;

	r = calloc(1, sizeof(*r));
	if (!r) {
		vigil_conf_free(conf);
		return -ENOMEM;
	}
	r->d = d;
	r->opts = *o;
	r->conf = conf;
	r->timerfd = -1;
	d->run = r;

	gethostname(host, sizeof(host) - 1);
	self = vigild_cluster_find_self(conf, o->node, host, why, sizeof(why));
	if (self < 0) {
		vigild_log("%s", why);
		return self;
	}
	r->self = self;
	vigild_log("%s: cluster %s, this node is %s (id %u, %s)", o->conf_path,
		   conf->cluster.name, conf->nodes[self].name,
		   conf->nodes[self].id,
		   o->node ? "from --node" : "from the host name");

	ret = vigil_conf_to_kernel(conf, self, &kcfg);
	if (ret) {
		vigild_log_error("building the module's configuration", ret, NULL);
		return ret;
	}
	ret = vigil_nl_set_config(d->nl, &kcfg, ackmsg, sizeof(ackmsg));
	explicit_bzero(&kcfg, sizeof(kcfg));
	if (ret) {
		vigild_log_error("configuring vigil.ko", ret, ackmsg);
		return ret;
	}
	vigild_log("vigil.ko configured: node %s, timeout %u ms, %u links, %u nodes",
		   conf->nodes[self].name, conf->cluster.timeout_ms,
		   conf->n_links, conf->n_nodes);
	if (!d->wd_given)
		d->wd.timeout_ms = conf->cluster.daemon_watchdog_ms;

	ret = vigil_nl_events_open(&r->events, ackmsg, sizeof(ackmsg));
	if (ret) {
		vigild_log_error("subscribing to vigil.ko events", ret, ackmsg);
		return ret;
	}
	ret = vigil_agents_new(NULL, &r->agents);
	if (ret) {
		vigild_log_error("resource agents", ret, NULL);
		return ret;
	}

	if (mkdir(o->state_dir, 0700) && errno != EEXIST) {
		ret = -errno;
		vigild_log_error(o->state_dir, ret, NULL);
		return ret;
	}
	ret = vigild_boot_id(VIGILD_BOOT_ID_PATH, boot_id);
	if (ret)
		vigild_log("reading %s: %s; the saved state is not used",
			   VIGILD_BOOT_ID_PATH, strerror(-ret));
	else {
		ret = vigild_state_load(o->state_dir, &persist);
		if (!ret) {
			pp = &persist;
			vigild_debug("state: read %s/%s", o->state_dir, VIGILD_STATE_FILE);
		} else if (ret == -EBADMSG) {
			vigild_log("state: %s/%s is damaged or of another version; ignored",
				   o->state_dir, VIGILD_STATE_FILE);
		} else if (ret != -ENOENT) {
			vigild_log("state: %s/%s: %s; ignored", o->state_dir,
				   VIGILD_STATE_FILE, strerror(-ret));
		}
	}
	ret = vigild_cluster_init(&r->cluster, conf, self, &real_ops, r, pp,
				  boot_id, why, sizeof(why));
	if (ret) {
		vigild_log("%s", why);
		return ret;
	}

	ret = vigild_control_open(o->socket_path, &r->ctl);
	if (ret == -EADDRINUSE) {
		vigild_log("control socket %s: another vigild answers there; exiting",
			   o->socket_path);
		return ret;
	}
	if (ret) {
		vigild_log_error(o->socket_path, ret, NULL);
		return ret;
	}
	r->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timerfd < 0) {
		ret = -errno;
		vigild_log_error("timerfd", ret, NULL);
		return ret;
	}
	ret = vigild_loop_add(d, vigil_nl_events_fd(r->events), on_events, r);
	if (!ret)
		ret = vigild_loop_add(d, vigil_agents_fd(r->agents), on_agents, r);
	if (!ret)
		ret = vigild_loop_add(d, vigild_control_fd(r->ctl), on_listen, r);
	if (!ret)
		ret = vigild_loop_add(d, r->timerfd, on_timer, r);
	if (ret) {
		vigild_log_error("epoll", ret, NULL);
		return ret;
	}
	r->sd_wd_ms = vigild_notify_watchdog_ms();
	r->dirty = true;
	d->reload = reload;
	d->idle = idle;
	return 0;
}

int vigild_run_ready(struct vigild *d)
{
	int ret = 0;

	if (d->run) {
		ret = idle(d);
		if (ret)
			return ret;
		vigild_log("running: control socket %s", d->run->opts.socket_path);
	}
	vigild_notify("READY=1");
	return 0;
}

void vigild_run_stop(struct vigild *d)
{
	struct vigild_run *r = d->run;

	if (!r)
		return;
	vigild_notify("STOPPING=1");
	if (r->cluster.conf)
		vigild_cluster_fini(&r->cluster);
	vigil_agents_free(r->agents);
	vigild_control_close(r->ctl);
	vigil_nl_events_close(r->events);
	if (r->timerfd >= 0)
		close(r->timerfd);
	vigil_conf_free(r->conf);
	free(r);
	d->run = NULL;
}
