// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the event loop. One epoll set: a signalfd for SIGTERM, SIGINT
 * and SIGHUP, the socket that hears generic netlink controller
 * notifications, and the timerfd that pets the daemon watchdog (when it
 * is on). Nothing polls and nothing sleeps.
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vigild.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	EV_SIGNAL,
	EV_WATCH,
	EV_TIMER,
	EV_HOOK,	/* EV_HOOK + i: d->hooks[i] */
};

/* What a handler tells the loop. */
enum {
	RUN = 0,	/* keep going */
	STOP = 1,	/* clean exit */
};

static const char *signame(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "signal";
	}
}

static int on_signal(struct vigild *d)
{
	struct signalfd_siginfo si;
	ssize_t n;

	n = read(d->sigfd, &si, sizeof(si));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return RUN;
		vigild_log_error("reading signalfd", -errno, NULL);
		return -errno;
	}
	if (n != sizeof(si)) {
		vigild_log("reading signalfd: short read (%zd bytes)", n);
		return -EIO;
	}

	switch (si.ssi_signo) {
	case SIGTERM:
	case SIGINT:
		vigild_log("%s: exiting", signame(si.ssi_signo));
		return STOP;
	case SIGHUP:
		if (d->reload)
			return d->reload(d);
		vigild_log("SIGHUP: nothing to reload (no configuration file)");
		return RUN;
	default:
		vigild_debug("ignoring signal %u", si.ssi_signo);
		return RUN;
	}
}

/*
 * Notifications may have been lost or garbled: ask the kernel whether the
 * family we talk to is still there.
 */
static int recheck(struct vigild *d, int why)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX];
	int ret;

	vigild_log("generic netlink notifications: %s; checking vigil.ko again",
		   strerror(-why));
	ret = vigil_nl_recheck(d->nl, ackmsg, sizeof(ackmsg));
	if (ret == -ENOENT)
		vigild_log("vigil.ko was unloaded (generic netlink family '%s' is gone); exiting",
			   VIGIL_GENL_NAME);
	else if (ret == -ESTALE)
		vigild_log("vigil.ko was unloaded and loaded again; exiting");
	else if (ret)
		vigild_log_error("checking vigil.ko", ret, ackmsg);
	else
		vigild_debug("vigil.ko is still loaded");
	return ret;
}

static int on_watch(struct vigild *d)
{
	int ret;

	ret = vigil_nl_watch_read(d->watch);
	if (ret > 0) {
		vigild_log("vigil.ko was unloaded (generic netlink family '%s' removed); exiting",
			   VIGIL_GENL_NAME);
		return -ENOENT;
	}
	if (ret == -ENOBUFS || ret == -EBADMSG)
		return recheck(d, ret);
	if (ret < 0)
		vigild_log_error("reading generic netlink notifications", ret, NULL);
	return ret;
}

static int on_timer(struct vigild *d)
{
	__u64 expirations;
	ssize_t n;

	/* Expirations missed while busy make one tick, not several. */
	n = read(d->timerfd, &expirations, sizeof(expirations));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return RUN;
		vigild_log_error("reading timerfd", -errno, NULL);
		return -errno;
	}
	if (expirations > 1)
		vigild_debug("daemon watchdog: %llu timer expirations at once",
			     (unsigned long long)expirations);
	return vigild_wd_tick(d);
}

/* A periodic timer for the daemon watchdog, or none when it is off. */
static int timer_open(struct vigild *d)
{
	__u32 period = vigild_wd_period_ms(d->wd.timeout_ms);
	struct itimerspec its = {
		.it_interval = { .tv_sec = period / 1000,
				 .tv_nsec = (period % 1000) * 1000000L },
	};

	d->timerfd = -1;
	if (!d->wd.timeout_ms)
		return 0;
	its.it_value = its.it_interval;
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL)) {
		int ret = -errno;

		vigild_log_error("timerfd", ret, NULL);
		return ret;
	}
	return 0;
}

static int watch_fd(int epfd, int fd, __u32 what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = what };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int vigild_loop_init(struct vigild *d)
{
	int ret;

	ret = timer_open(d);
	if (ret)
		return ret;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		ret = -errno;
		vigild_log_error("epoll_create1", ret, NULL);
		return ret;
	}
	ret = watch_fd(d->epfd, d->sigfd, EV_SIGNAL);
	if (!ret)
		ret = watch_fd(d->epfd, vigil_nl_watch_fd(d->watch), EV_WATCH);
	if (!ret && d->timerfd >= 0)
		ret = watch_fd(d->epfd, d->timerfd, EV_TIMER);
	if (ret)
		vigild_log_error("epoll_ctl", ret, NULL);
	return ret;
}

int vigild_loop_add(struct vigild *d, int fd, vigild_hook_fn *fn, void *arg)
{
	unsigned int i;
	int ret;

	for (i = 0; i < VIGILD_HOOKS_MAX; i++)
		if (!d->hooks[i].fn)
			break;
	if (i == VIGILD_HOOKS_MAX)
		return -ENOSPC;
	ret = watch_fd(d->epfd, fd, EV_HOOK + i);
	if (ret)
		return ret;
	d->hooks[i] = (struct vigild_hook){ .fn = fn, .fd = fd, .arg = arg };
	return 0;
}

void vigild_loop_del(struct vigild *d, int fd)
{
	unsigned int i;

	for (i = 0; i < VIGILD_HOOKS_MAX; i++) {
		if (d->hooks[i].fn && d->hooks[i].fd == fd) {
			/* Already gone when fd was closed first: fine. */
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
			d->hooks[i].fn = NULL;
			d->hooks[i].fd = -1;
		}
	}
}

static int on_hook(struct vigild *d, unsigned int i)
{
	struct vigild_hook *h;

	if (i >= VIGILD_HOOKS_MAX || !d->hooks[i].fn)
		return RUN;	/* forgotten earlier in this round */
	h = &d->hooks[i];
	return h->fn(d, h->fd, h->arg);
}

int vigild_loop_run(struct vigild *d)
{
	struct epoll_event ev[16];
	int n, i, ret;

	vigild_debug("waiting for events");
	for (;;) {
		n = epoll_wait(d->epfd, ev, ARRAY_SIZE(ev), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			vigild_log_error("epoll_wait", ret, NULL);
			return ret;
		}
		for (i = 0; i < n; i++) {
			switch (ev[i].data.u32) {
			case EV_SIGNAL:
				ret = on_signal(d);
				break;
			case EV_WATCH:
				ret = on_watch(d);
				break;
			case EV_TIMER:
				ret = on_timer(d);
				break;
			default:
				ret = on_hook(d, ev[i].data.u32 - EV_HOOK);
				break;
			}
			if (ret == STOP)
				return vigild_wd_stop(d);
			if (ret)
				return ret;
		}
		if (d->idle) {
			ret = d->idle(d);
			if (ret == STOP)
				return vigild_wd_stop(d);
			if (ret)
				return ret;
		}
	}
}
