/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild: the vigil daemon. For now it checks that vigil.ko is loaded and
 * speaks its wire protocol, registers with the module's daemon watchdog
 * and pets it, and waits for a signal or for the module to go away.
 */
#ifndef _VIGILD_H
#define _VIGILD_H

#include <stdbool.h>

#include "nl.h"

/* The daemon watchdog's timeout until the configuration file has one. */
#define VIGILD_WATCHDOG_DEFAULT_MS 5000

enum vigild_wd_state {
	VIGILD_WD_OFF,		/* -w 0 */
	VIGILD_WD_WAITING,	/* vigil.ko not configured yet: register on each tick */
	VIGILD_WD_REGISTERED,	/* pet on each tick */
};

/* What the timer asks for on a tick. */
enum vigild_wd_step {
	VIGILD_WD_NOTHING,
	VIGILD_WD_REGISTER,
	VIGILD_WD_PET,
};

/* What came of a step: what to log, and whether vigild must stop. */
enum vigild_wd_outcome {
	VIGILD_WD_QUIET,	/* nothing to say */
	VIGILD_WD_REGISTERED_NOW,
	VIGILD_WD_NOT_CONFIGURED,	/* first -ENOENT while waiting */
	VIGILD_WD_LOST,		/* the pet found no registration: register again */
	VIGILD_WD_PET_FAILED,
	VIGILD_WD_PET_RECOVERED,	/* a pet worked after failures */
	VIGILD_WD_FATAL,	/* registration refused: stop */
};

struct vigild_wd {
	__u32 timeout_ms;	/* 0: off */
	enum vigild_wd_state state;
	bool told_waiting;	/* VIGILD_WD_NOT_CONFIGURED was reported */
	unsigned int pet_failures;	/* in a row */
};

struct vigild;

/* A file descriptor the loop watches for someone else (vigild_loop_add). */
typedef int vigild_hook_fn(struct vigild *d, int fd, void *arg);
#define VIGILD_HOOKS_MAX 32

struct vigild_hook {
	vigild_hook_fn *fn;		/* NULL: free */
	int fd;
	void *arg;
};

struct vigild_run;

struct vigild {
	struct vigil_nl *nl;
	struct vigil_nl_watch *watch;
	struct vigil_status status;
	struct vigild_wd wd;
	int sigfd;
	int epfd;
	int timerfd;		/* the watchdog's; -1 when off */
	bool wd_given;		/* -w on the command line */
	struct vigild_hook hooks[VIGILD_HOOKS_MAX];
	/*
	 * With a configuration (run.c): SIGHUP calls reload, and idle runs
	 * after each round of events. NULL: SIGHUP has nothing to reload.
	 */
	int (*reload)(struct vigild *d);
	int (*idle)(struct vigild *d);
	struct vigild_run *run;
};

/* log.c: one line on stderr, "vigild: <message>". */
extern bool vigild_verbose;
__attribute__((format(printf, 1, 2)))
void vigild_log(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void vigild_debug(const char *fmt, ...);	/* only with -v */
void vigild_log_error(const char *what, int err, const char *ackmsg);

/*
 * notify.c: sd_notify(3) without libsystemd. vigild_notify("READY=1"):
 * 0 (also when $NOTIFY_SOCKET is not set) or -errno.
 * vigild_notify_watchdog_ms(): $WATCHDOG_USEC in ms when it is set for
 * this process, else 0.
 */
int vigild_notify(const char *msg);
__u32 vigild_notify_watchdog_ms(void);

/* loop.c */
int vigild_loop_init(struct vigild *d);
/* 0: asked to stop (and the watchdog unregistered); else -errno */
int vigild_loop_run(struct vigild *d);
/*
 * Watch fd (EPOLLIN) and call fn(d, fd, arg) when it is readable; fn
 * returns 0 to go on, 1 (STOP) for a clean exit, or -errno to stop.
 * vigild_loop_del() forgets fd (call it before closing fd).
 */
int vigild_loop_add(struct vigild *d, int fd, vigild_hook_fn *fn, void *arg);
void vigild_loop_del(struct vigild *d, int fd);

/*
 * watchdog.c: the daemon watchdog of vigil.ko. The pure part: how often
 * to pet (timeout / 3, at least 1 ms), what a tick does in a state, and
 * what a step's result (0 or -errno) does to the state.
 */
__u32 vigild_wd_period_ms(__u32 timeout_ms);
enum vigild_wd_step vigild_wd_next(const struct vigild_wd *wd);
enum vigild_wd_outcome vigild_wd_done(struct vigild_wd *wd,
				      enum vigild_wd_step step, int err);
/*
 * The part that talks to vigil.ko and logs. start: the first
 * registration (d->wd.timeout_ms set; 0 leaves it off); tick: one timer
 * expiry; stop: unregister if registered. Each returns 0, or -errno when
 * vigild must stop (a registration refused, or an unregistration that
 * failed).
 */
int vigild_wd_start(struct vigild *d);
int vigild_wd_tick(struct vigild *d);
int vigild_wd_stop(struct vigild *d);

#endif /* _VIGILD_H */
