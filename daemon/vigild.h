/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild: the vigil daemon. For now it checks that vigil.ko is loaded and
 * speaks its wire protocol, then waits for a signal or for the module to
 * go away.
 */
#ifndef _VIGILD_H
#define _VIGILD_H

#include <stdbool.h>

#include "nl.h"

struct vigild {
	struct vigil_nl *nl;
	struct vigil_nl_watch *watch;
	struct vigil_status status;
	int sigfd;
	int epfd;
};

/* log.c: one line on stderr, "vigild: <message>". */
extern bool vigild_verbose;
__attribute__((format(printf, 1, 2)))
void vigild_log(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void vigild_debug(const char *fmt, ...);	/* only with -v */
void vigild_log_error(const char *what, int err, const char *ackmsg);

/* loop.c */
int vigild_loop_init(struct vigild *d);
int vigild_loop_run(struct vigild *d);	/* 0: asked to stop; else -errno */

#endif /* _VIGILD_H */
