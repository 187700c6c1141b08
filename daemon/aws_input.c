// SPDX-License-Identifier: GPL-2.0
/*
 * The parameters of vigil-aws, from vigil.conf (aws_input.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_input.h"

const char *vigil_aws_step_name(enum vigil_aws_step step)
{
	switch (step) {
	case VIGIL_AWS_ISOLATE:
		return "isolate";
	case VIGIL_AWS_STOP:
		return "stop";
	case VIGIL_AWS_ATTACH:
		return "attach";
	case VIGIL_AWS_START:
		return "start";
	case VIGIL_AWS_STATUS:
		return "status";
	}
	return "?";
}

static bool is_aws(const struct vigil_conf_fence *f)
{
	return f->type == VIGIL_CONF_FENCE_AWS_ISOLATE ||
	       f->type == VIGIL_CONF_FENCE_AWS_STOP;
}

const char *vigil_aws_node_instance(const struct vigil_conf *conf,
				    unsigned int node)
{
	const struct vigil_conf_node *n = &conf->nodes[node];
	unsigned int i;

	for (i = 0; i < n->n_fence; i++) {
		const struct vigil_conf_fence *f = &conf->fences[n->fence[i]];

		if (is_aws(f))
			return f->instance_id;
	}
	return NULL;
}

int vigil_aws_input(const struct vigil_conf *conf, unsigned int self,
		    unsigned int fenced, const struct vigil_conf_fence *f,
		    const struct vigil_conf_fence *isolate, __u32 deadline_ms,
		    bool dry_run, char **buf, size_t *len)
{
	const struct vigil_conf_aws *a = &conf->aws;
	const struct vigil_conf_fence *e;
	const char *self_inst;
	unsigned int i;
	FILE *m;

	if (!is_aws(f) || self >= conf->n_nodes || fenced >= conf->n_nodes)
		return -EINVAL;
	e = f->type == VIGIL_CONF_FENCE_AWS_ISOLATE ? f : isolate;
	*buf = NULL;
	*len = 0;
	m = open_memstream(buf, len);
	if (!m)
		return -ENOMEM;
	if (a->region)
		fprintf(m, "region=%s\n", a->region);
	if (a->endpoint)
		fprintf(m, "endpoint=%s\n", a->endpoint);
	if (a->credentials_file)
		fprintf(m, "credentials_file=%s\n", a->credentials_file);
	if (a->profile)
		fprintf(m, "profile=%s\n", a->profile);
	if (a->ca_file)
		fprintf(m, "ca_file=%s\n", a->ca_file);
	if (a->imds_endpoint)
		fprintf(m, "imds_endpoint=%s\n", a->imds_endpoint);
	if (a->call_timeout_ms)
		fprintf(m, "call_timeout_ms=%u\n", a->call_timeout_ms);
	fprintf(m, "deadline_ms=%u\n", deadline_ms);
	fprintf(m, "node=%s\n", conf->nodes[fenced].name);
	fprintf(m, "instance_id=%s\n", f->instance_id);
	for (i = 0; e && i < e->n_enis; i++)
		fprintf(m, "eni=%s:%d\n", e->enis[i].id, e->enis[i].device_index);
	self_inst = vigil_aws_node_instance(conf, self);
	if (self_inst)
		fprintf(m, "self_instance_id=%s\n", self_inst);
	if (dry_run)
		fprintf(m, "dry_run=1\n");
	if (fclose(m)) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	return 0;
}
