// SPDX-License-Identifier: GPL-2.0
/*
 * vigild: the daemon watchdog of vigil.ko (VIGIL_CMD_DAEMON_*). vigild
 * registers at start with its timeout, pets every third of it from the
 * loop's timer, and unregisters on a clean stop; if it hangs or dies, the
 * module's daemon cause fires. Until vigil.ko is configured, registering
 * fails with -ENOENT: each tick tries again.
 *
 * The decisions (vigild_wd_next(), vigild_wd_done()) are pure; the rest
 * sends the requests and logs.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vigild.h"

__u32 vigild_wd_period_ms(__u32 timeout_ms)
{
	return timeout_ms >= 3 ? timeout_ms / 3 : 1;
}

enum vigild_wd_step vigild_wd_next(const struct vigild_wd *wd)
{
	switch (wd->state) {
	case VIGILD_WD_WAITING:
		return VIGILD_WD_REGISTER;
	case VIGILD_WD_REGISTERED:
		return VIGILD_WD_PET;
	default:
		return VIGILD_WD_NOTHING;
	}
}

enum vigild_wd_outcome vigild_wd_done(struct vigild_wd *wd,
				      enum vigild_wd_step step, int err)
{
	switch (step) {
	case VIGILD_WD_REGISTER:
		if (!err) {
			wd->state = VIGILD_WD_REGISTERED;
			wd->told_waiting = false;
			wd->pet_failures = 0;
			return VIGILD_WD_REGISTERED_NOW;
		}
		wd->state = VIGILD_WD_WAITING;
		if (err != -ENOENT)
			return VIGILD_WD_FATAL;
		if (wd->told_waiting)
			return VIGILD_WD_QUIET;
		wd->told_waiting = true;
		return VIGILD_WD_NOT_CONFIGURED;
	case VIGILD_WD_PET:
		if (!err) {
			if (!wd->pet_failures)
				return VIGILD_WD_QUIET;
			wd->pet_failures = 0;
			return VIGILD_WD_PET_RECOVERED;
		}
		if (err == -ENOENT) {
			wd->state = VIGILD_WD_WAITING;
			wd->told_waiting = false;
			wd->pet_failures = 0;
			return VIGILD_WD_LOST;
		}
		wd->pet_failures++;
		return VIGILD_WD_PET_FAILED;
	default:
		return VIGILD_WD_QUIET;
	}
}

/* One step: send it, log what came of it. 0, or -errno to stop. */
static int step(struct vigild *d, enum vigild_wd_step s)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX] = "";
	struct vigild_wd *wd = &d->wd;
	unsigned int failures = wd->pet_failures;
	char what[64];
	int err;

	if (s == VIGILD_WD_REGISTER)
		err = vigil_nl_daemon_register(d->nl, wd->timeout_ms, ackmsg,
					       sizeof(ackmsg));
	else if (s == VIGILD_WD_PET)
		err = vigil_nl_daemon_pet(d->nl, ackmsg, sizeof(ackmsg));
	else
		return 0;

	switch (vigild_wd_done(wd, s, err)) {
	case VIGILD_WD_REGISTERED_NOW:
		vigild_log("daemon watchdog: registered with vigil.ko, timeout %u ms, pet every %u ms",
			   wd->timeout_ms, vigild_wd_period_ms(wd->timeout_ms));
		return 0;
	case VIGILD_WD_NOT_CONFIGURED:
		vigild_log("daemon watchdog: vigil.ko is not configured yet; registering once it is (trying every %u ms)",
			   vigild_wd_period_ms(wd->timeout_ms));
		return 0;
	case VIGILD_WD_LOST:
		vigild_log("daemon watchdog: vigil.ko no longer has vigild registered (pet: %s); registering again",
			   strerror(-err));
		return step(d, VIGILD_WD_REGISTER);
	case VIGILD_WD_PET_FAILED:
		vigild_log_error("daemon watchdog: pet failed", err, ackmsg);
		return 0;
	case VIGILD_WD_PET_RECOVERED:
		vigild_log("daemon watchdog: pet works again after %u failure%s",
			   failures, failures == 1 ? "" : "s");
		return 0;
	case VIGILD_WD_FATAL:
		snprintf(what, sizeof(what),
			 "daemon watchdog: registering with a timeout of %u ms",
			 wd->timeout_ms);
		vigild_log_error(what, err, ackmsg);
		return err;
	default:
		return 0;
	}
}

int vigild_wd_start(struct vigild *d)
{
	if (!d->wd.timeout_ms) {
		d->wd.state = VIGILD_WD_OFF;
		vigild_debug("daemon watchdog: off (--watchdog 0)");
		return 0;
	}
	d->wd.state = VIGILD_WD_WAITING;
	return step(d, VIGILD_WD_REGISTER);
}

int vigild_wd_tick(struct vigild *d)
{
	return step(d, vigild_wd_next(&d->wd));
}

int vigild_wd_stop(struct vigild *d)
{
	char ackmsg[VIGIL_NL_ACKMSG_MAX] = "";
	int err;

	if (d->wd.state != VIGILD_WD_REGISTERED)
		return 0;
	err = vigil_nl_daemon_unregister(d->nl, ackmsg, sizeof(ackmsg));
	d->wd.state = VIGILD_WD_WAITING;
	if (!err) {
		vigild_log("daemon watchdog: unregistered");
		return 0;
	}
	if (err == -ENOENT && !ackmsg[0]) {
		vigild_log("daemon watchdog: unregistering: vigil.ko no longer had vigild registered");
		return 0;
	}
	vigild_log_error("daemon watchdog: unregistering failed (the daemon cause will fire)",
			 err, ackmsg);
	return err;
}
