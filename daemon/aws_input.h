/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vigil-aws (daemon/aws/vigil-aws.c) is given for one step of an
 * aws-isolate or aws-stop method: its action on the command line and
 * NAME=VALUE lines on stdin, built here from vigil.conf for vigild and
 * for vigilctl alike. Documentation/aws.md, "vigil-aws".
 */
#ifndef _VIGIL_AWS_INPUT_H
#define _VIGIL_AWS_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* Where vigild and vigilctl find the program. */
#ifndef VIGIL_AWS_PROGRAM
#define VIGIL_AWS_PROGRAM "/usr/libexec/vigil/vigil-aws"
#endif

enum vigil_aws_step {
	VIGIL_AWS_ISOLATE = 1,		/* detach the ENIs, confirm */
	VIGIL_AWS_STOP,			/* force stop, confirm stopped */
	VIGIL_AWS_ATTACH,		/* re-attach the ENIs, confirm */
	VIGIL_AWS_START,		/* start, confirm running */
	VIGIL_AWS_STATUS,
};

const char *vigil_aws_step_name(enum vigil_aws_step step);

/*
 * The instance id of node (an index in conf->nodes): the instance_id of
 * the first aws-* method in its fence list; NULL when it has none (then
 * vigil-aws asks IMDS for its own).
 */
const char *vigil_aws_node_instance(const struct vigil_conf *conf,
				    unsigned int node);

/*
 * The stdin text for step with method f, on node fenced (index in
 * conf->nodes) by node self: malloc'ed into *buf, *len bytes. The ENIs
 * are f's (aws-isolate) or, for a step that needs them with an aws-stop
 * method, those of isolate (may be NULL). 0 or -ENOMEM/-EINVAL.
 */
int vigil_aws_input(const struct vigil_conf *conf, unsigned int self,
		    unsigned int fenced, const struct vigil_conf_fence *f,
		    const struct vigil_conf_fence *isolate, __u32 deadline_ms,
		    bool dry_run, char **buf, size_t *len);

#endif /* _VIGIL_AWS_INPUT_H */
