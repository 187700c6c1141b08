// SPDX-License-Identifier: GPL-2.0
/*
 * Resource agents: the runner (children, deadlines, output, callbacks)
 * and the exec and ocf agents. See agent.h for the model and
 * Documentation/agents.md for what each agent does.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "agent.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* epoll tags: an op's address | what; the runner's own fds have no op. */
enum {
	TAG_PID = 0,
	TAG_OUT = 1,
	TAG_ERR = 2,
	TAG_IN = 3,
	TAG_MASK = 3,
};
#define EV_TIMER ((__u64)0)
#define EV_WAKE ((__u64)1)

/* How much is read from a dead child's pipes at most. */
#define DRAIN_MAX (1024 * 1024)
/* ocf meta-data: its stdout is the point. */
#define META_DATA_OUT_MAX (1024 * 1024)
#define OCF_EXIT_REASON_PREFIX "ocf-exit-reason:"

enum op_phase {
	OP_READY,	/* result known: report at the next dispatch */
	OP_RUNNING,	/* a child runs */
	OP_TERM,	/* timed out: SIGTERM sent, SIGKILL at kill_ns */
	OP_SILENT,	/* reported or cancelled: reap without a callback */
	OP_DEAD,	/* freed at the end of the dispatch */
};

struct obuf {
	char *buf;
	size_t len, max, dropped;
};

struct vigil_agent_op {
	struct vigil_agents *a;
	struct vigil_agent_op *next;
	enum op_phase phase;
	pid_t pid;			/* also the process group */
	int pidfd, outfd, errfd, infd;	/* -1: none, or closed */
	char *input;
	size_t input_len, input_off;
	struct obuf out, err;
	__u64 start_ns, deadline_ns, kill_ns;
	__u32 timeout_ms;
	enum vigil_agent_result (*map)(int, int, const char *, char *, size_t);
	int map_arg;
	enum vigil_agent_result result;
	int exit_status;
	char reason[VIGIL_AGENT_REASON_LEN];
	char what[96];
	vigil_agent_done_fn *done;
	void *arg;
};

/* The ip agent's announcements still to send after a start. */
struct announce {
	struct announce *next;
	int family;
	union {
		struct in_addr in;
		struct in6_addr in6;
	};
	char ifname[IFNAMSIZ];
	unsigned int left;
	__u64 next_ns;
};

struct vigil_agents {
	int epfd, timerfd, wakefd;
	struct vigil_agents_opts opts;
	char *ocf_root;
	struct vigil_agent_op *ops;	/* newest first */
	struct announce *ann;
	__u64 armed_ns;			/* timerfd's expiry; 0: disarmed */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static const char *const result_names[] = {
	[VIGIL_AGENT_OK] = "ok",
	[VIGIL_AGENT_NOT_RUNNING] = "not running",
	[VIGIL_AGENT_ERR_GENERIC] = "generic error",
	[VIGIL_AGENT_ERR_ARGS] = "invalid arguments",
	[VIGIL_AGENT_ERR_UNIMPLEMENTED] = "not implemented",
	[VIGIL_AGENT_ERR_PERM] = "insufficient privileges",
	[VIGIL_AGENT_ERR_INSTALLED] = "not installed",
	[VIGIL_AGENT_ERR_CONFIGURED] = "not configured",
	[VIGIL_AGENT_ERR_PROMOTED] = "promoted state (unsupported)",
	[VIGIL_AGENT_ERR_BUSY] = "busy",
	[VIGIL_AGENT_KILLED] = "killed",
	[VIGIL_AGENT_TIMEOUT] = "timeout",
};

const char *vigil_agent_result_name(enum vigil_agent_result r)
{
	if ((unsigned int)r < __VIGIL_AGENT_RESULT_MAX && result_names[r])
		return result_names[r];
	return "?";
}

void vigil_agent_reason_last_line(const char *err, char *reason, size_t len)
{
	size_t l = strlen(reason);
	const char *last = NULL, *p;
	int n;

	for (p = err; *p; ) {
		const char *nl = strchr(p, '\n');

		if (nl != p)
			last = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!last)
		return;
	p = strchr(last, '\n');
	n = p ? (int)(p - last) : (int)strlen(last);
	snprintf(reason + l, len - l, ": %.*s", n, last);
}

const char *vigil_agent_action_name(enum vigil_agent_action act)
{
	switch (act) {
	case VIGIL_AGENT_START:
		return "start";
	case VIGIL_AGENT_STOP:
		return "stop";
	case VIGIL_AGENT_MONITOR:
		return "monitor";
	case VIGIL_AGENT_META_DATA:
		return "meta-data";
	}
	return "?";
}

enum vigil_agent_result vigil_agent_ocf_result(int exit_code)
{
	switch (exit_code) {
	case 0:
		return VIGIL_AGENT_OK;
	case 2:
		return VIGIL_AGENT_ERR_ARGS;
	case 3:
		return VIGIL_AGENT_ERR_UNIMPLEMENTED;
	case 4:
		return VIGIL_AGENT_ERR_PERM;
	case 5:
		return VIGIL_AGENT_ERR_INSTALLED;
	case 6:
		return VIGIL_AGENT_ERR_CONFIGURED;
	case 7:
		return VIGIL_AGENT_NOT_RUNNING;
	case 8:
	case 9:
		return VIGIL_AGENT_ERR_PROMOTED;
	default:	/* 1, and codes OCF does not define */
		return VIGIL_AGENT_ERR_GENERIC;
	}
}

enum vigil_agent_result vigil_agent_exec_result(enum vigil_agent_action action,
						int exit_code)
{
	if (exit_code == 0)
		return VIGIL_AGENT_OK;
	if (exit_code == 126 || exit_code == 127)	/* sh: cannot run it */
		return VIGIL_AGENT_ERR_INSTALLED;
	if (exit_code == 7 && action == VIGIL_AGENT_MONITOR)
		return VIGIL_AGENT_NOT_RUNNING;
	return VIGIL_AGENT_ERR_GENERIC;
}

/* --- the runner ------------------------------------------------------- */

static int ep_add(struct vigil_agents *a, int fd, __u32 events, __u64 data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void close_fd(struct vigil_agents *a, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

static void wake(struct vigil_agents *a)
{
	__u64 one = 1;

	/* Cannot fail short of a counter at 2^64 - 1: it is readable then. */
	if (write(a->wakefd, &one, sizeof(one)) < 0)
		return;
}

int vigil_agents_new(const struct vigil_agents_opts *opts,
		     struct vigil_agents **out)
{
	struct vigil_agents *a;
	int ret;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->epfd = a->timerfd = a->wakefd = -1;
	if (opts)
		a->opts = *opts;
	if (!a->opts.kill_grace_ms)
		a->opts.kill_grace_ms = VIGIL_AGENT_KILL_GRACE_MS;
	if (!a->opts.output_max)
		a->opts.output_max = VIGIL_AGENT_OUTPUT_MAX;
	if (!a->opts.arp_count)
		a->opts.arp_count = VIGIL_AGENT_ARP_COUNT;
	if (!a->opts.arp_interval_ms)
		a->opts.arp_interval_ms = VIGIL_AGENT_ARP_INTERVAL_MS;
	a->ocf_root = strdup(a->opts.ocf_root ? a->opts.ocf_root : VIGIL_CONF_OCF_ROOT);
	if (!a->ocf_root) {
		ret = -ENOMEM;
		goto err;
	}
	a->opts.ocf_root = a->ocf_root;

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0)
		goto err_errno;
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->timerfd < 0)
		goto err_errno;
	a->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->wakefd < 0)
		goto err_errno;
	ret = ep_add(a, a->timerfd, EPOLLIN, EV_TIMER);
	if (!ret)
		ret = ep_add(a, a->wakefd, EPOLLIN, EV_WAKE);
	if (ret)
		goto err;
	*out = a;
	return 0;

err_errno:
	ret = -errno;
err:
	vigil_agents_free(a);
	return ret;
}

static void op_free(struct vigil_agent_op *op)
{
	struct vigil_agents *a = op->a;

	close_fd(a, &op->pidfd);
	close_fd(a, &op->outfd);
	close_fd(a, &op->errfd);
	close_fd(a, &op->infd);
	if (op->input)		/* a fence agent's parameters: secrets */
		explicit_bzero(op->input, op->input_len);
	free(op->input);
	free(op->out.buf);
	free(op->err.buf);
	free(op);
}

static void free_dead(struct vigil_agents *a)
{
	struct vigil_agent_op **pp = &a->ops, *op;

	while ((op = *pp)) {
		if (op->phase == OP_DEAD) {
			*pp = op->next;
			op_free(op);
		} else {
			pp = &op->next;
		}
	}
}

void vigil_agents_free(struct vigil_agents *a)
{
	struct vigil_agent_op *op;
	struct announce *an;

	if (!a)
		return;
	for (op = a->ops; op; op = op->next) {
		if (op->pidfd >= 0) {	/* not reaped: its group is its own */
			siginfo_t si;

			kill(-op->pid, SIGKILL);
			/* Reap it if it is gone already; else init will. */
			memset(&si, 0, sizeof(si));
			waitid(P_PIDFD, op->pidfd, &si, WEXITED | WNOHANG);
		}
		op->phase = OP_DEAD;
	}
	free_dead(a);
	while ((an = a->ann)) {
		a->ann = an->next;
		free(an);
	}
	if (a->wakefd >= 0)
		close(a->wakefd);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->epfd >= 0)
		close(a->epfd);
	free(a->ocf_root);
	free(a);
}

int vigil_agents_fd(const struct vigil_agents *a)
{
	return a->epfd;
}

unsigned int vigil_agents_busy(const struct vigil_agents *a)
{
	const struct vigil_agent_op *op;
	const struct announce *an;
	unsigned int n = 0;

	for (op = a->ops; op; op = op->next)
		n += op->phase != OP_DEAD;
	for (an = a->ann; an; an = an->next)
		n++;
	return n;
}

static struct vigil_agent_op *op_new(struct vigil_agents *a,
				     vigil_agent_done_fn *done, void *arg)
{
	struct vigil_agent_op *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->a = a;
	op->pidfd = op->outfd = op->errfd = op->infd = -1;
	op->exit_status = -1;
	op->done = done;
	op->arg = arg;
	op->start_ns = now_ns();
	return op;
}

static void op_link(struct vigil_agent_op *op)
{
	op->next = op->a->ops;
	op->a->ops = op;
}

static void report(struct vigil_agent_op *op)
{
	struct vigil_agent_outcome o = {
		.result = op->result,
		.exit_status = op->exit_status,
		.elapsed_ms = (__u32)((now_ns() - op->start_ns) / 1000000),
		.out = op->out.buf ? op->out.buf : "",
		.out_len = op->out.len,
		.out_dropped = op->out.dropped,
		.err = op->err.buf ? op->err.buf : "",
		.err_len = op->err.len,
		.err_dropped = op->err.dropped,
	};

	snprintf(o.reason, sizeof(o.reason), "%s", op->reason);
	op->done(op->arg, &o);
}

int vigil_agent_immediate(struct vigil_agents *a,
			  enum vigil_agent_result result, const char *reason,
			  vigil_agent_done_fn *done, void *arg,
			  struct vigil_agent_op **opp)
{
	struct vigil_agent_op *op = op_new(a, done, arg);

	if (!op)
		return -ENOMEM;
	op->phase = OP_READY;
	op->result = result;
	snprintf(op->reason, sizeof(op->reason), "%s",
		 reason ? reason : vigil_agent_result_name(result));
	op_link(op);
	wake(a);
	if (opp)
		*opp = op;
	return 0;
}

void vigil_agent_cancel(struct vigil_agent_op *op)
{
	switch (op->phase) {
	case OP_READY:
		op->phase = OP_DEAD;
		wake(op->a);	/* freed by the next dispatch */
		break;
	case OP_RUNNING:
	case OP_TERM:
		kill(-op->pid, SIGKILL);
		op->phase = OP_SILENT;
		break;
	case OP_SILENT:
	case OP_DEAD:
		break;
	}
}

/* --- timers ----------------------------------------------------------- */

static void rearm(struct vigil_agents *a)
{
	struct itimerspec its = { 0 };
	struct vigil_agent_op *op;
	struct announce *an;
	__u64 next = 0;

	for (op = a->ops; op; op = op->next) {
		__u64 t = op->phase == OP_RUNNING ? op->deadline_ns :
			  op->phase == OP_TERM ? op->kill_ns : 0;

		if (t && (!next || t < next))
			next = t;
	}
	for (an = a->ann; an; an = an->next)
		if (!next || an->next_ns < next)
			next = an->next_ns;
	if (next == a->armed_ns)
		return;
	its.it_value.tv_sec = next / 1000000000ULL;
	its.it_value.tv_nsec = next % 1000000000ULL;
	/* A zero it_value disarms; an expired absolute one fires at once. */
	if (!timerfd_settime(a->timerfd, TFD_TIMER_ABSTIME, &its, NULL))
		a->armed_ns = next;
}

static void send_announce(struct vigil_agents *a, struct announce *an, __u64 now)
{
	/* A failure to announce is not the resource's failure: the address
	 * is up; the next one may work. */
	vigil_agent_ip_announce(an->family, &an->in6, an->ifname);
	an->left--;
	an->next_ns = now + (__u64)a->opts.arp_interval_ms * 1000000ULL;
}

static void on_deadlines(struct vigil_agents *a)
{
	struct announce **pp, *an;
	struct vigil_agent_op *op;
	__u64 now = now_ns();
	__u64 junk;

	if (read(a->timerfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		return;
	a->armed_ns = 0;
	for (op = a->ops; op; op = op->next) {
		if (op->phase == OP_RUNNING && op->deadline_ns &&
		    now >= op->deadline_ns) {
			kill(-op->pid, SIGTERM);
			op->phase = OP_TERM;
			op->kill_ns = now + (__u64)a->opts.kill_grace_ms * 1000000ULL;
		} else if (op->phase == OP_TERM && now >= op->kill_ns) {
			kill(-op->pid, SIGKILL);
			op->result = VIGIL_AGENT_TIMEOUT;
			snprintf(op->reason, sizeof(op->reason),
				 "%s: timed out after %u ms; SIGTERM did not end it within %u ms: SIGKILL",
				 op->what, op->timeout_ms, a->opts.kill_grace_ms);
			op->phase = OP_SILENT;
			report(op);
		}
	}
	pp = &a->ann;
	while ((an = *pp)) {
		if (now >= an->next_ns)
			send_announce(a, an, now);
		if (!an->left) {
			*pp = an->next;
			free(an);
		} else {
			pp = &an->next;
		}
	}
}

/* --- children --------------------------------------------------------- */

static void obuf_read(struct obuf *b, int fd, size_t *budget, bool *eof)
{
	char scratch[4096];

	*eof = false;
	for (;;) {
		size_t room = b->max - b->len;
		char *p = room ? b->buf + b->len : scratch;
		size_t want = room ? room : sizeof(scratch);
		ssize_t n;

		if (budget && !*budget)
			return;
		if (budget && want > *budget)
			want = *budget;
		n = read(fd, p, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				*eof = true;
			return;
		}
		if (n == 0) {
			*eof = true;
			return;
		}
		if (room)
			b->len += (size_t)n;
		else
			b->dropped += (size_t)n;
		b->buf[b->len] = '\0';
		if (budget)
			*budget -= (size_t)n;
		if (!budget)
			return;	/* one read per event: the loop stays fair */
	}
}

static void on_output(struct vigil_agent_op *op, int tag)
{
	int *fd = tag == TAG_OUT ? &op->outfd : &op->errfd;
	bool eof;

	if (*fd < 0)
		return;
	obuf_read(tag == TAG_OUT ? &op->out : &op->err, *fd, NULL, &eof);
	if (eof)
		close_fd(op->a, fd);
}

static void on_input(struct vigil_agent_op *op)
{
	while (op->infd >= 0 && op->input_off < op->input_len) {
		ssize_t n = send(op->infd, op->input + op->input_off,
				 op->input_len - op->input_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;	/* EPOLLOUT brings us back */
			break;		/* the child closed its stdin */
		}
		op->input_off += (size_t)n;
	}
	/* All written (or refused): end of file for the child. */
	close_fd(op->a, &op->infd);
}

static void drain(struct vigil_agent_op *op)
{
	size_t budget = DRAIN_MAX;
	bool eof;

	/* The child is dead; what it wrote is in the pipes. A process it
	 * left behind may hold them open: take what is there now. */
	if (op->outfd >= 0)
		obuf_read(&op->out, op->outfd, &budget, &eof);
	if (op->errfd >= 0)
		obuf_read(&op->err, op->errfd, &budget, &eof);
	close_fd(op->a, &op->outfd);
	close_fd(op->a, &op->errfd);
	close_fd(op->a, &op->infd);
}

static const char *signame(int sig)
{
	const char *s = sigabbrev_np(sig);

	return s ? s : "?";
}

static void on_exit_(struct vigil_agent_op *op)
{
	siginfo_t si;
	int status;

	/* The leader is a zombie until reaped and keeps its group's id
	 * from being reused: kill the rest of a timed-out group first. */
	if (op->phase == OP_TERM || op->phase == OP_SILENT)
		kill(-op->pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, op->pidfd, &si, WEXITED | WNOHANG) || !si.si_pid)
		return;		/* not yet */
	close_fd(op->a, &op->pidfd);
	status = si.si_code == CLD_EXITED ? si.si_status : -si.si_status;
	op->exit_status = status;
	if (op->phase == OP_SILENT) {
		op->phase = OP_DEAD;
		return;
	}
	drain(op);
	if (op->phase == OP_TERM) {
		op->result = VIGIL_AGENT_TIMEOUT;
		snprintf(op->reason, sizeof(op->reason),
			 "%s: timed out after %u ms: process group killed",
			 op->what, op->timeout_ms);
	} else if (status < 0) {
		op->result = VIGIL_AGENT_KILLED;
		snprintf(op->reason, sizeof(op->reason), "%s: killed by SIG%s",
			 op->what, signame(-status));
	} else {
		snprintf(op->reason, sizeof(op->reason), "%s: exit %d",
			 op->what, status);
		if (op->map) {
			op->result = op->map(status, op->map_arg,
					     op->err.buf ? op->err.buf : "",
					     op->reason, sizeof(op->reason));
		} else {
			op->result = status ? VIGIL_AGENT_ERR_GENERIC : VIGIL_AGENT_OK;
		}
	}
	op->phase = OP_DEAD;
	report(op);
}

/* In the child, between fork and exec. */
static void __attribute__((noreturn))
child(const struct vigil_agent_child *c, int in, int out, int err)
{
	const int fds[3] = { in, out, err };
	sigset_t none;
	int i;

	setpgid(0, 0);
	for (i = 1; i < _NSIG; i++)
		signal(i, SIG_DFL);	/* SIG_IGN would survive exec */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 0; i < 3; i++) {
		if (fds[i] == i) {
			if (fcntl(i, F_SETFD, 0))
				_exit(127);
		} else if (dup2(fds[i], i) < 0) {
			_exit(127);
		}
	}
	close_range(3, ~0U, 0);
	if (chdir("/"))
		_exit(127);
	if (c->fn)
		_exit(c->fn(c->ctx) & 0xff);
	execve(c->path, c->argv, c->envp);
	dprintf(2, "%s: %s\n", c->path, strerror(errno));
	_exit(127);
}

int vigil_agent_spawn(struct vigil_agents *a, const struct vigil_agent_child *c,
		      vigil_agent_done_fn *done, void *arg,
		      struct vigil_agent_op **opp)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
	struct vigil_agent_op *op;
	__u64 key;
	int ret;

	op = op_new(a, done, arg);
	if (!op)
		return -ENOMEM;
	snprintf(op->what, sizeof(op->what), "%s", c->what ? c->what : "agent");
	op->map = c->map;
	op->map_arg = c->map_arg;
	op->timeout_ms = c->timeout_ms;
	op->out.max = c->out_max ? c->out_max : a->opts.output_max;
	op->err.max = a->opts.output_max;
	op->out.buf = malloc(op->out.max + 1);
	op->err.buf = malloc(op->err.max + 1);
	if (!op->out.buf || !op->err.buf)
		goto err_nomem;
	op->out.buf[0] = op->err.buf[0] = '\0';
	if (c->input) {
		op->input = malloc(c->input_len ? c->input_len : 1);
		if (!op->input)
			goto err_nomem;
		memcpy(op->input, c->input, c->input_len);
		op->input_len = c->input_len;
	}

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		goto err_errno;
	if (c->input) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in))
			goto err_errno;
	} else {
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] < 0)
			goto err_errno;
	}
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) || fcntl(err[0], F_SETFL, O_NONBLOCK))
		goto err_errno;

	op->pid = fork();
	if (op->pid < 0)
		goto err_errno;
	if (op->pid == 0)
		child(c, in[0], out[1], err[1]);
	/* Both set it: whichever runs first, the group exists before any
	 * kill(-pid) (the child's own call may fail after its exec). */
	setpgid(op->pid, op->pid);
	op->pidfd = pidfd_open(op->pid, 0);
	if (op->pidfd < 0) {
		ret = -errno;
		kill(-op->pid, SIGKILL);
		kill(op->pid, SIGKILL);
		waitpid(op->pid, NULL, 0);	/* dies at once: SIGKILL */
		op->pid = 0;
		goto err;
	}
	close(out[1]);
	close(err[1]);
	close(in[0]);
	out[1] = err[1] = in[0] = -1;
	op->outfd = out[0];
	op->errfd = err[0];
	op->infd = in[1];
	out[0] = err[0] = in[1] = -1;

	key = (__u64)(uintptr_t)op;
	ret = ep_add(a, op->pidfd, EPOLLIN, key | TAG_PID);
	if (!ret)
		ret = ep_add(a, op->outfd, EPOLLIN, key | TAG_OUT);
	if (!ret)
		ret = ep_add(a, op->errfd, EPOLLIN, key | TAG_ERR);
	if (!ret && op->infd >= 0)
		ret = ep_add(a, op->infd, EPOLLOUT, key | TAG_IN);
	if (ret) {
		/* The child runs: kill it and let the loop reap it. */
		kill(-op->pid, SIGKILL);
		close_fd(a, &op->outfd);
		close_fd(a, &op->errfd);
		close_fd(a, &op->infd);
		op->phase = OP_SILENT;
		op_link(op);
		return ret;
	}
	op->phase = OP_RUNNING;
	if (op->timeout_ms)
		op->deadline_ns = op->start_ns + (__u64)op->timeout_ms * 1000000ULL;
	op_link(op);
	if (op->infd >= 0)
		on_input(op);
	rearm(a);
	if (opp)
		*opp = op;
	return 0;

err_nomem:
	ret = -ENOMEM;
	goto err;
err_errno:
	ret = -errno;
err:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (err[0] >= 0)
		close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	op_free(op);
	return ret;
}

int vigil_agents_dispatch(struct vigil_agents *a)
{
	struct epoll_event ev[32];
	struct vigil_agent_op *op;
	int n, i, ret = 0;
	bool deadlines = false;

	n = epoll_wait(a->epfd, ev, sizeof(ev) / sizeof(ev[0]), 0);
	if (n < 0) {
		if (errno != EINTR)
			ret = -errno;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		__u64 d = ev[i].data.u64;

		if (d == EV_TIMER) {
			deadlines = true;
			continue;
		}
		if (d == EV_WAKE) {
			__u64 junk;

			if (read(a->wakefd, &junk, sizeof(junk)) < 0)
				continue;
			continue;
		}
		op = (struct vigil_agent_op *)(uintptr_t)(d & ~(__u64)TAG_MASK);
		/* An op an earlier callback of this batch finished. */
		if (op->phase == OP_DEAD)
			continue;
		switch (d & TAG_MASK) {
		case TAG_PID:
			if (op->pidfd >= 0)
				on_exit_(op);
			break;
		case TAG_OUT:
		case TAG_ERR:
			on_output(op, (int)(d & TAG_MASK));
			break;
		case TAG_IN:
			on_input(op);
			break;
		}
	}
	if (deadlines)
		on_deadlines(a);
	/* Results known at once; callbacks may add more (newest first,
	 * before this one): they wait for the next dispatch, woken. */
	for (op = a->ops; op; op = op->next) {
		if (op->phase != OP_READY)
			continue;
		op->phase = OP_DEAD;
		report(op);
	}
	free_dead(a);
	rearm(a);
	return ret;
}

/* --- strings for children ---------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void strv_addf(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0) {
		s->oom = true;
		p = NULL;
	}
	va_end(ap);
	if (!p)
		return;
	s->v[s->n++] = p;
	s->v[s->n] = NULL;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* --- exec ------------------------------------------------------------- */

static enum vigil_agent_result exec_map(int code, int action, const char *err,
					char *reason, size_t len)
{
	enum vigil_agent_result r = vigil_agent_exec_result(action, code);
	size_t l = strlen(reason);

	(void)err;
	if (r != VIGIL_AGENT_OK)
		snprintf(reason + l, len - l, " (%s)", vigil_agent_result_name(r));
	return r;
}

static int run_exec(struct vigil_agents *a, const struct vigil_conf_resource *res,
		    enum vigil_agent_action action, __u32 timeout_ms,
		    vigil_agent_done_fn *done, void *arg,
		    struct vigil_agent_op **opp)
{
	struct vigil_agent_child c = { .path = "/bin/sh" };
	struct strv argv = { 0 }, env = { 0 };
	const char *cmd;
	char what[96];
	int ret;

	cmd = action == VIGIL_AGENT_START ? res->exec.start :
	      action == VIGIL_AGENT_STOP ? res->exec.stop :
	      action == VIGIL_AGENT_MONITOR ? res->exec.monitor : NULL;
	if (!cmd)
		return -EOPNOTSUPP;
	strv_addf(&argv, "sh");
	strv_addf(&argv, "-c");
	strv_addf(&argv, "%s", cmd);
	strv_addf(&env, "PATH=%s", VIGIL_AGENT_PATH);
	strv_addf(&env, "HOME=/");
	strv_addf(&env, "LC_ALL=C");
	strv_addf(&env, "VIGIL_RESOURCE=%s", res->name);
	strv_addf(&env, "VIGIL_ACTION=%s", vigil_agent_action_name(action));
	strv_addf(&env, "VIGIL_TIMEOUT_MS=%u", timeout_ms);
	if (argv.oom || env.oom) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s", res->name, vigil_agent_action_name(action));
	c.argv = argv.v;
	c.envp = env.v;
	c.timeout_ms = timeout_ms;
	c.map = exec_map;
	c.map_arg = action;
	c.what = what;
	ret = vigil_agent_spawn(a, &c, done, arg, opp);
out:
	strv_free(&argv);
	strv_free(&env);
	return ret;
}

/* --- ocf -------------------------------------------------------------- */

/* The last "ocf-exit-reason:" line of stderr, appended to reason. */
static void exit_reason(const char *err, char *reason, size_t len)
{
	const char *p = err, *found = NULL, *nl;
	size_t l, plen = strlen(OCF_EXIT_REASON_PREFIX);
	int n;

	for (; *p; p = nl + 1) {
		if (!strncmp(p, OCF_EXIT_REASON_PREFIX, plen))
			found = p + plen;
		nl = strchr(p, '\n');
		if (!nl)
			break;
	}
	if (!found)
		return;
	nl = strchr(found, '\n');
	n = nl ? (int)(nl - found) : (int)strlen(found);
	l = strlen(reason);
	snprintf(reason + l, len - l, ": %.*s", n, found);
}

static enum vigil_agent_result ocf_map(int code, int action, const char *err,
				       char *reason, size_t len)
{
	enum vigil_agent_result r = vigil_agent_ocf_result(code);
	size_t l = strlen(reason);

	/* A stop finding nothing to stop has done its job. */
	if (r == VIGIL_AGENT_NOT_RUNNING && action == VIGIL_AGENT_STOP)
		r = VIGIL_AGENT_OK;
	if (code)
		snprintf(reason + l, len - l, " (%s)",
			 result_names[vigil_agent_ocf_result(code)]);
	exit_reason(err, reason, len);
	return r;
}

static int run_ocf(struct vigil_agents *a, const struct vigil_conf_resource *res,
		   enum vigil_agent_action action, __u32 timeout_ms,
		   vigil_agent_done_fn *done, void *arg,
		   struct vigil_agent_op **opp)
{
	struct vigil_agent_child c = { 0 };
	struct strv argv = { 0 }, env = { 0 };
	char path[PATH_MAX], what[96], why[VIGIL_AGENT_REASON_LEN];
	unsigned int i;
	int ret;

	if (snprintf(path, sizeof(path), "%s/resource.d/%s/%s", a->ocf_root,
		     res->ocf.provider, res->ocf.agent) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (access(path, X_OK)) {
		snprintf(why, sizeof(why), "%s %s: %.160s: %s", res->name,
			 vigil_agent_action_name(action), path, strerror(errno));
		return vigil_agent_immediate(a, VIGIL_AGENT_ERR_INSTALLED, why,
					     done, arg, opp);
	}
	strv_addf(&argv, "%s", path);
	strv_addf(&argv, "%s", vigil_agent_action_name(action));
	strv_addf(&env, "PATH=%s", VIGIL_AGENT_PATH);
	strv_addf(&env, "HOME=/");
	strv_addf(&env, "LC_ALL=C");
	strv_addf(&env, "OCF_ROOT=%s", a->ocf_root);
	strv_addf(&env, "OCF_RA_VERSION_MAJOR=1");
	strv_addf(&env, "OCF_RA_VERSION_MINOR=1");
	strv_addf(&env, "OCF_RESOURCE_INSTANCE=%s", res->name);
	strv_addf(&env, "OCF_RESOURCE_PROVIDER=%s", res->ocf.provider);
	strv_addf(&env, "OCF_RESOURCE_TYPE=%s", res->ocf.agent);
	strv_addf(&env, "OCF_EXIT_REASON_PREFIX=%s", OCF_EXIT_REASON_PREFIX);
	strv_addf(&env, "OCF_RESKEY_CRM_meta_timeout=%u", timeout_ms);
	strv_addf(&env, "OCF_RESKEY_CRM_meta_interval=%u",
		  action == VIGIL_AGENT_MONITOR ? res->timing.monitor_interval_ms : 0);
	for (i = 0; i < res->ocf.n_params; i++)
		strv_addf(&env, "OCF_RESKEY_%s=%s", res->ocf.params[i].key,
			  res->ocf.params[i].value);
	if (argv.oom || env.oom) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s", res->name, vigil_agent_action_name(action));
	c.path = path;
	c.argv = argv.v;
	c.envp = env.v;
	c.timeout_ms = timeout_ms;
	c.out_max = action == VIGIL_AGENT_META_DATA ? META_DATA_OUT_MAX : 0;
	c.map = ocf_map;
	c.map_arg = action;
	c.what = what;
	ret = vigil_agent_spawn(a, &c, done, arg, opp);
out:
	strv_free(&argv);
	strv_free(&env);
	return ret;
}

/* --- ip --------------------------------------------------------------- */

static void announce_forget(struct vigil_agents *a, const struct vigil_conf_resource *res)
{
	struct announce **pp = &a->ann, *an;

	while ((an = *pp)) {
		bool same = an->family == res->ip.family &&
			    !strcmp(an->ifname, res->ip.ifname) &&
			    (an->family == AF_INET ?
			     an->in.s_addr == res->ip.in.s_addr :
			     !memcmp(&an->in6, &res->ip.in6, sizeof(an->in6)));

		if (same) {
			*pp = an->next;
			free(an);
		} else {
			pp = &an->next;
		}
	}
}

static int run_ip(struct vigil_agents *a, const struct vigil_conf_resource *res,
		  enum vigil_agent_action action,
		  vigil_agent_done_fn *done, void *arg,
		  struct vigil_agent_op **opp)
{
	char why[VIGIL_AGENT_REASON_LEN];
	enum vigil_agent_result r;
	struct announce *an;
	int ret;

	if (action == VIGIL_AGENT_META_DATA)
		return -EOPNOTSUPP;
	if (action != VIGIL_AGENT_MONITOR)
		announce_forget(a, res);
	r = vigil_agent_ip(res, action, why, sizeof(why));
	ret = vigil_agent_immediate(a, r, why, done, arg, opp);
	if (ret || action != VIGIL_AGENT_START || r != VIGIL_AGENT_OK)
		return ret;

	an = calloc(1, sizeof(*an));
	if (!an)
		return 0;	/* the address is up; only the repeats are lost */
	an->family = res->ip.family;
	if (an->family == AF_INET)
		an->in = res->ip.in;
	else
		an->in6 = res->ip.in6;
	snprintf(an->ifname, sizeof(an->ifname), "%s", res->ip.ifname);
	an->left = a->opts.arp_count;
	send_announce(a, an, now_ns());		/* the first one at once */
	if (!an->left) {
		free(an);
		return 0;
	}
	an->next = a->ann;
	a->ann = an;
	rearm(a);
	return 0;
}

/* --- dispatch by type ------------------------------------------------- */

int vigil_agent_run(struct vigil_agents *a,
		    const struct vigil_conf_resource *res,
		    enum vigil_agent_action action, __u32 timeout_ms,
		    vigil_agent_done_fn *done, void *arg,
		    struct vigil_agent_op **opp)
{
	if (!done || action < VIGIL_AGENT_START || action > VIGIL_AGENT_META_DATA)
		return -EINVAL;
	if (!timeout_ms) {
		switch (action) {
		case VIGIL_AGENT_START:
			timeout_ms = res->timing.start_timeout_ms;
			break;
		case VIGIL_AGENT_STOP:
			timeout_ms = res->timing.stop_timeout_ms;
			break;
		default:
			timeout_ms = res->timing.monitor_timeout_ms;
			break;
		}
	}
	switch (res->type) {
	case VIGIL_CONF_RES_EXEC:
		if (action == VIGIL_AGENT_META_DATA)
			return -EOPNOTSUPP;
		return run_exec(a, res, action, timeout_ms, done, arg, opp);
	case VIGIL_CONF_RES_OCF:
		return run_ocf(a, res, action, timeout_ms, done, arg, opp);
	case VIGIL_CONF_RES_IP:
		return run_ip(a, res, action, done, arg, opp);
	case VIGIL_CONF_RES_FS:
		if (action == VIGIL_AGENT_META_DATA)
			return -EOPNOTSUPP;
		return vigil_agent_fs(a, res, action, timeout_ms, done, arg, opp);
	}
	return -EINVAL;
}
