// SPDX-License-Identifier: GPL-2.0
/*
 * aws-isolate and aws-stop: vigil-aws children (fence_aws.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fence_aws.h"

/* What of vigild's environment vigil-aws sees: AWS's own variables. */
static const char *const passed[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
};

#define ENV_MAX (2 + sizeof(passed) / sizeof(passed[0]) + 1)

static enum vigil_agent_result aws_map(int code, int arg, const char *err,
				       char *reason, size_t len)
{
	(void)arg;
	if (code == 0)
		return VIGIL_AGENT_OK;
	/* vigil-aws's last line says why. */
	vigil_agent_reason_last_line(err, reason, len);
	return VIGIL_AGENT_ERR_GENERIC;
}

int vigil_fence_aws_run(struct vigil_agents *a, const char *program,
			const struct vigil_conf *conf, unsigned int self,
			unsigned int fenced, const struct vigil_conf_fence *f,
			const struct vigil_conf_fence *isolate,
			enum vigil_aws_step step, vigil_agent_done_fn *done,
			void *arg, struct vigil_agent_op **op)
{
	const char *name = vigil_aws_step_name(step);
	struct vigil_agent_child c = { 0 };
	char *env[ENV_MAX], *envbuf[ENV_MAX] = { 0 };
	const char *argv[3];
	char what[96], why[VIGIL_AGENT_REASON_LEN];
	unsigned int i, n = 0;
	char *input = NULL;
	size_t len = 0;
	int ret;

	if (!done || (f->type != VIGIL_CONF_FENCE_AWS_ISOLATE &&
		      f->type != VIGIL_CONF_FENCE_AWS_STOP))
		return -EINVAL;
	if (!program)
		program = VIGIL_AWS_PROGRAM;
	snprintf(what, sizeof(what), "fence %s %s", f->name, name);
	if (access(program, X_OK)) {
		snprintf(why, sizeof(why), "%s: %s: %s", what, program,
			 strerror(errno));
		return vigil_agent_immediate(a, VIGIL_AGENT_ERR_INSTALLED, why,
					     done, arg, op);
	}
	ret = vigil_aws_input(conf, self, fenced, f, isolate, f->timeout_ms,
			      false, &input, &len);
	if (ret)
		return ret;
	env[n++] = "PATH=" VIGIL_AGENT_PATH;
	env[n++] = "LC_ALL=C";
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		const char *v = getenv(passed[i]);

		if (!v)
			continue;
		if (asprintf(&envbuf[i], "%s=%s", passed[i], v) < 0) {
			envbuf[i] = NULL;
			ret = -ENOMEM;
			goto out;
		}
		env[n++] = envbuf[i];
	}
	env[n] = NULL;
	argv[0] = program;
	argv[1] = name;
	argv[2] = NULL;
	c.path = program;
	c.argv = (char **)argv;
	c.envp = env;
	c.input = input;
	c.input_len = len;
	c.timeout_ms = f->timeout_ms + VIGIL_FENCE_AWS_GRACE_MS;
	c.map = aws_map;
	c.what = what;
	ret = vigil_agent_spawn(a, &c, done, arg, op);
out:
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		if (envbuf[i]) {
			explicit_bzero(envbuf[i], strlen(envbuf[i]));
			free(envbuf[i]);
		}
	}
	free(input);
	return ret;
}
