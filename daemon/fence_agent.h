/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fence method that runs a ClusterLabs fence agent ([fence NAME] type
 * = agent in vigil.conf): the agent gets no arguments and reads its
 * parameters from stdin, one NAME=VALUE a line, the [fence] section's
 * param.* in file order and then action=ACTION. It runs on the resource
 * agents' runner (agent.h): own process group, clean environment, a
 * timeout that kills the group, completion through the loop.
 * Documentation/agents.md has the protocol.
 */
#ifndef _VIGIL_FENCE_AGENT_H
#define _VIGIL_FENCE_AGENT_H

#include "agent.h"

enum vigil_fence_agent_action {
	VIGIL_FENCE_AGENT_OFF = 1,
	VIGIL_FENCE_AGENT_ON,
	VIGIL_FENCE_AGENT_REBOOT,
	VIGIL_FENCE_AGENT_STATUS,	/* VIGIL_AGENT_OK: on; NOT_RUNNING: off */
	VIGIL_FENCE_AGENT_MONITOR,	/* the fence device works */
	VIGIL_FENCE_AGENT_METADATA,	/* XML on stdout */
};

/*
 * Run action with the agent of f. timeout_ms 0: f's timeout (off, on,
 * reboot) or status_timeout (the others). The outcome (agent.h): exit 0
 * is VIGIL_AGENT_OK; for status, exit 2 is VIGIL_AGENT_NOT_RUNNING (off);
 * any other exit code VIGIL_AGENT_ERR_GENERIC; VIGIL_AGENT_TIMEOUT,
 * VIGIL_AGENT_KILLED; VIGIL_AGENT_ERR_INSTALLED when the agent is not an
 * executable file. Returns as vigil_agent_run().
 */
int vigil_fence_agent_run(struct vigil_agents *a,
			  const struct vigil_conf_fence *f,
			  enum vigil_fence_agent_action action, __u32 timeout_ms,
			  vigil_agent_done_fn *done, void *arg,
			  struct vigil_agent_op **op);

/* The action that fences with f: its action = (off or reboot). */
enum vigil_fence_agent_action vigil_fence_agent_fence_action(const struct vigil_conf_fence *f);
enum vigil_agent_result vigil_fence_agent_result(enum vigil_fence_agent_action action,
						 int exit_code);
/* "off", "on", "reboot", "status", "monitor", "metadata": the action= word. */
const char *vigil_fence_agent_action_name(enum vigil_fence_agent_action action);

#endif /* _VIGIL_FENCE_AGENT_H */
