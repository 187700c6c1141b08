// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the engine's announcement decoder
 * (vigil_engine_decode(), daemon/engine.c): whatever it accepts must
 * encode back to the same bytes; then the same bytes, with the engine's
 * configuration digest written over bytes 4-7 (so that the engine takes
 * them), are the payload of two peers in a view fed to an engine, which
 * must neither crash nor start anything on the word of a malformed
 * announcement.
 *
 *	make fuzz && build/fuzz/fuzz_engine -max_total_time=60
 */

#include <stdlib.h>

#include "../../daemon/engine.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vigil_engine eng;
static struct vigil_engine_out out;
static struct vigil_engine_view view;

static void conf3(struct vigil_engine_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->self = 1;
	c->timeout_ms = 500;
	c->fence_delay_ms = 300;
	c->join_wait_ms = 1000;
	c->self_fence_action = VIGIL_ACTION_REBOOT;
	c->nnodes = 3;
	for (unsigned int i = 0; i < 3; i++) {
		c->nodes[i].id = (uint16_t)(i + 1);
		c->nodes[i].votes = 1;
		c->nodes[i].reset_priority = i;
		c->nodes[i].fence_methods = true;
	}
	c->ngroups = 2;
	for (unsigned int g = 0; g < 2; g++) {
		snprintf(c->groups[g].name, sizeof(c->groups[g].name), "g%u", g);
		c->groups[g].nnodes = 3;
		for (unsigned int i = 0; i < 3; i++)
			c->groups[g].nodes[i] = (uint16_t)((i + g) % 3 + 1);
		c->groups[g].restart_limit = 1;
		c->groups[g].restart_window_ms = 1000;
		c->groups[g].nresources = 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_engine_announce a;
	struct vigil_engine_conf c;
	struct vigil_engine_input in = { .type = VIGIL_EIN_VIEW, .view = &view };
	uint8_t again[VIGIL_PAYLOAD_MAX], pay[VIGIL_PAYLOAD_MAX];
	uint8_t boot[VIGIL_ENGINE_BOOT_ID_LEN] = { 0 };
	bool ok;

	ok = !vigil_engine_decode(data, size, &a);
	if (ok) {
		int len = vigil_engine_encode(&a, again, sizeof(again));

		if (len != (int)size || memcmp(again, data, size))
			abort();
	}
	if (size > VIGIL_PAYLOAD_MAX)
		return 0;

	conf3(&c);
	if (vigil_engine_init(&eng, &c, NULL, boot, 1000))
		abort();
	memset(&view, 0, sizeof(view));
	view.quorate = true;
	view.lease_fresh = true;
	view.incarnation = 1;
	view.quorum_votes = 2;
	memcpy(pay, data, size);
	if (size >= 8)
		put32(pay + 4, eng.digest);
	ok = !vigil_engine_decode(pay, size, &a);
	view.npeers = 2;
	for (unsigned int i = 0; i < 2; i++) {
		struct vigil_engine_peer *p = &view.peers[i];

		p->id = (uint16_t)(i + 2);
		p->state = VIGIL_PEER_UP;
		p->heard = true;
		p->incarnation = 10 + i;
		p->payload_len = (uint16_t)size;
		memcpy(p->payload, pay, size);
	}
	for (uint64_t t = 1000; t < 1000 + 5000; t += 500) {
		if (vigil_engine_step(&eng, t, &in, &out))
			abort();
		for (unsigned int k = 0; k < out.n; k++)
			if (out.act[k].type == VIGIL_EACT_START &&
			    !ok)
				abort();	/* acted on a bad word */
	}
	return 0;
}
