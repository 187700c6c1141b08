/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigild with a configuration file (run.c).
 */
#ifndef _VIGILD_RUN_H
#define _VIGILD_RUN_H

#include <stdbool.h>

#include "conf.h"
#include "vigild.h"

struct vigild_run_opts {
	const char *conf_path;		/* VIGIL_CONF_PATH unless -c */
	bool conf_given;		/* -c: the file must exist */
	const char *node;		/* --node, or NULL: the host name */
	const char *state_dir;		/* VIGILD_STATE_DIR */
	const char *socket_path;	/* VIGILD_CONTROL_PATH */
};

/*
 * Load o->conf_path: 0 and *conf; 0 and *conf NULL when the default file
 * does not exist (vigild runs without a configuration, as before); or
 * -errno with every error printed.
 */
int vigild_run_load(struct vigild_run_opts *o, struct vigil_conf **conf);
/*
 * After vigild_loop_init(): find this node, configure vigil.ko, set up
 * the engine, agents, control socket and their hooks. Takes conf (freed
 * by vigild_run_stop()). 0 or -errno, logged.
 */
int vigild_run_start(struct vigild *d, const struct vigild_run_opts *o,
		     struct vigil_conf *conf);
/* After the daemon watchdog registered: first step, READY=1. */
int vigild_run_ready(struct vigild *d);
void vigild_run_stop(struct vigild *d);

#endif /* _VIGILD_RUN_H */
