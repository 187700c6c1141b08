// SPDX-License-Identifier: GPL-2.0
/*
 * A ClusterLabs fence agent as a fence method: NAME=VALUE lines on its
 * stdin, the exit code for the answer. See fence_agent.h.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fence_agent.h"

/* The agents' metadata can be long. */
#define METADATA_OUT_MAX (1024 * 1024)

const char *vigil_fence_agent_action_name(enum vigil_fence_agent_action action)
{
	switch (action) {
	case VIGIL_FENCE_AGENT_OFF:
		return "off";
	case VIGIL_FENCE_AGENT_ON:
		return "on";
	case VIGIL_FENCE_AGENT_REBOOT:
		return "reboot";
	case VIGIL_FENCE_AGENT_STATUS:
		return "status";
	case VIGIL_FENCE_AGENT_MONITOR:
		return "monitor";
	case VIGIL_FENCE_AGENT_METADATA:
		return "metadata";
	}
	return "?";
}

enum vigil_fence_agent_action vigil_fence_agent_fence_action(const struct vigil_conf_fence *f)
{
	return f->action == VIGIL_CONF_FENCE_REBOOT ? VIGIL_FENCE_AGENT_REBOOT :
	       VIGIL_FENCE_AGENT_OFF;
}

enum vigil_agent_result vigil_fence_agent_result(enum vigil_fence_agent_action action,
						 int exit_code)
{
	if (exit_code == 0)
		return VIGIL_AGENT_OK;
	if (exit_code == 2 && action == VIGIL_FENCE_AGENT_STATUS)
		return VIGIL_AGENT_NOT_RUNNING;
	return VIGIL_AGENT_ERR_GENERIC;
}

static enum vigil_agent_result fence_map(int code, int action, const char *err,
					 char *reason, size_t len)
{
	enum vigil_agent_result r = vigil_fence_agent_result(action, code);
	size_t l = strlen(reason);

	if (r == VIGIL_AGENT_NOT_RUNNING) {
		snprintf(reason + l, len - l, " (status: off)");
		return r;
	}
	if (r == VIGIL_AGENT_OK)
		return r;
	/* The agents log "ERROR:Failed: ..." etc.: the last line says most. */
	vigil_agent_reason_last_line(err, reason, len);
	return r;
}

int vigil_fence_agent_run(struct vigil_agents *a,
			  const struct vigil_conf_fence *f,
			  enum vigil_fence_agent_action action, __u32 timeout_ms,
			  vigil_agent_done_fn *done, void *arg,
			  struct vigil_agent_op **op)
{
	static const char *const env[] = { "PATH=" VIGIL_AGENT_PATH, "LC_ALL=C", NULL };
	const char *argv[] = { f->agent, NULL };
	const char *act = vigil_fence_agent_action_name(action);
	struct vigil_agent_child c = { 0 };
	char what[96], why[VIGIL_AGENT_REASON_LEN];
	char *input = NULL;
	size_t len = 0;
	FILE *m;
	unsigned int i;
	int ret;

	if (!done || f->type != VIGIL_CONF_FENCE_AGENT ||
	    action < VIGIL_FENCE_AGENT_OFF || action > VIGIL_FENCE_AGENT_METADATA)
		return -EINVAL;
	snprintf(what, sizeof(what), "fence %s %s", f->name, act);
	if (access(f->agent, X_OK)) {
		snprintf(why, sizeof(why), "%s: %s: %s", what, f->agent, strerror(errno));
		return vigil_agent_immediate(a, VIGIL_AGENT_ERR_INSTALLED, why,
					     done, arg, op);
	}
	if (!timeout_ms)
		timeout_ms = action <= VIGIL_FENCE_AGENT_REBOOT ? f->timeout_ms :
			     f->status_timeout_ms;

	m = open_memstream(&input, &len);
	if (!m)
		return -ENOMEM;
	for (i = 0; i < f->n_params; i++)
		fprintf(m, "%s=%s\n", f->params[i].key, f->params[i].value);
	/* Last: a param.action cannot override it. */
	fprintf(m, "action=%s\n", act);
	if (fclose(m)) {
		free(input);
		return -ENOMEM;
	}
	c.path = f->agent;
	c.argv = (char **)argv;
	c.envp = (char **)env;
	c.input = input;
	c.input_len = len;
	c.timeout_ms = timeout_ms;
	c.out_max = action == VIGIL_FENCE_AGENT_METADATA ? METADATA_OUT_MAX : 0;
	c.map = fence_map;
	c.map_arg = action;
	c.what = what;
	ret = vigil_agent_spawn(a, &c, done, arg, op);
	/* The parameters may hold a password: wipe the copy. */
	explicit_bzero(input, len);
	free(input);
	return ret;
}
