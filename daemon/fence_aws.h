/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aws-isolate and aws-stop fence methods run each step as a child,
 * vigil-aws (daemon/aws/vigil-aws.c), on the resource agents' runner
 * (agent.h): HTTP, TLS and retries never block vigild's event loop. The
 * child gets its parameters on stdin (aws_input.h) and vigild's AWS_*
 * environment (the first source of credentials).
 */
#ifndef _VIGIL_FENCE_AWS_H
#define _VIGIL_FENCE_AWS_H

#include "agent.h"
#include "aws_input.h"

/* Margin the runner gives vigil-aws past its own deadline. */
#define VIGIL_FENCE_AWS_GRACE_MS 5000

/*
 * Run step with method f (for ATTACH and START of an aws-stop method, the
 * ENIs come from isolate, which may be NULL) against node fenced, as node
 * self. The deadline is f's timeout. vigil-aws's exit 0 is
 * VIGIL_AGENT_OK; anything else VIGIL_AGENT_ERR_GENERIC with its last
 * line on stderr as the reason. program: NULL for VIGIL_AWS_PROGRAM.
 */
int vigil_fence_aws_run(struct vigil_agents *a, const char *program,
			const struct vigil_conf *conf, unsigned int self,
			unsigned int fenced, const struct vigil_conf_fence *f,
			const struct vigil_conf_fence *isolate,
			enum vigil_aws_step step, vigil_agent_done_fn *done,
			void *arg, struct vigil_agent_op **op);

#endif /* _VIGIL_FENCE_AWS_H */
