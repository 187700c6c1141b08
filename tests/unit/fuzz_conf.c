// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vigil.conf's reader (daemon/conf.c): arbitrary
 * bytes as a configuration file, without opening the key file. Besides
 * the sanitizers, it checks what a loaded model promises: references in
 * range, every resource in the group that lists it, and that a file is
 * always live-identical to itself.
 *
 *	make fuzz && tests/unit/run-fuzz
 */

#include <stdlib.h>

#include "../../tools/libvigil/core.c"
#include "../../daemon/conf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct vigil_conf *conf)
{
	unsigned int i, j;

	if (conf->n_nodes < 1 || conf->n_nodes > VIGIL_NODES_MAX ||
	    conf->n_links < 1 || conf->n_links > VIGIL_LINKS_MAX ||
	    !conf->cluster.name || !conf->cluster.id)
		abort();
	for (i = 0; i < conf->n_nodes; i++) {
		const struct vigil_conf_node *n = &conf->nodes[i];

		if (!n->id || n->id > VIGIL_NODES_MAX)
			abort();
		for (j = 0; j < n->n_fence; j++)
			if (n->fence[j] >= conf->n_fences)
				abort();
		for (j = 0; j < conf->n_links; j++)
			if (conf->links[j].type == VIGIL_LINK_UDP &&
			    n->addr[j].kind == VIGIL_ADDR_NONE)
				abort();
	}
	for (i = 0; i < conf->n_groups; i++) {
		const struct vigil_conf_group *g = &conf->groups[i];

		if (!g->n_resources || !g->n_nodes)
			abort();
		for (j = 0; j < g->n_resources; j++)
			if (g->resources[j] >= conf->n_resources ||
			    conf->resources[g->resources[j]].group != i)
				abort();
		for (j = 0; j < g->n_nodes; j++)
			if (g->nodes[j] >= conf->n_nodes)
				abort();
	}
	for (i = 0; i < conf->n_resources; i++)
		if (conf->resources[i].group >= conf->n_groups)
			abort();
	if (vigil_conf_live_diff(conf, conf, NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_conf_errors errs;
	struct vigil_conf *conf;
	unsigned int i;
	int ret;

	ret = vigil_conf_parse("fuzz.conf", (const char *)data, size,
			       VIGIL_CONF_NO_KEY, &conf, &errs);
	if (!ret) {
		if (errs.n)
			abort();
		check(conf);
		vigil_conf_free(conf);
	} else if (ret == -EINVAL) {
		if (!errs.n)
			abort();
		for (i = 0; i < vigil_conf_errors_kept(&errs); i++)
			if (strncmp(errs.msg[i], "fuzz.conf:", 10))
				abort();
	} else if (ret != -EFBIG) {
		abort();
	}
	return 0;
}
