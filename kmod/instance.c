// SPDX-License-Identifier: GPL-2.0
/*
 * Instances: one per network namespace (pernet_operations), created with
 * the namespace and torn down with it; and the atomic replacement of an
 * instance's configuration.
 */

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "instance.h"
#include "heartbeat.h"
#include "link.h"
#include "netlink.h"
#include "auth.h"
#include "fence.h"

static unsigned int vigil_net_id __read_mostly;

struct vigil_instance *vigil_instance_get(struct net *net)
{
	return net_generic(net, vigil_net_id);
}

/* Frees a configuration that is not (or no longer) published. */
void vigil_config_free(struct vigil_config *cfg)
{
	unsigned int i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nkeys; i++)
		vigil_key_destroy(&cfg->keys[i]);
	for (i = 0; i < VIGIL_LINKS_MAX; i++)
		kfree(cfg->links[i]);
	kvfree(cfg);
}

/* Same transport: the link can be carried over with its socket. */
static bool link_same(const struct vigil_link *a, const struct vigil_link *b)
{
	return a->type == b->type && a->family == b->family &&
	       a->ethertype == b->ethertype && a->port == b->port &&
	       !strcmp(a->ifname, b->ifname);
}

/*
 * Publish @new in place of the current configuration, or leave everything
 * as it was and return an error. Process context.
 *
 * Under RTNL: links whose transport stays are carried over (same socket,
 * same packet handler, same counters); the others are opened. Then under
 * vi->lock the peers that keep their id take their state over and the
 * pointer is swapped. The old links that were not carried over are closed
 * (which waits for their receive handlers), and after a grace period,
 * which also covers a timer round transmitting on the old configuration,
 * the old configuration is freed.
 */
int vigil_config_apply(struct vigil_instance *vi, struct vigil_config *new,
		       struct netlink_ext_ack *extack)
{
	struct vigil_link *kept[VIGIL_LINKS_MAX] = {};
	struct vigil_config *old;
	struct sk_buff_head evq;
	bool hooks_added;
	unsigned int i, li;
	int ret = 0;

	__skb_queue_head_init(&evq);
	/* Netfilter hooks first: registering them may sleep on its mutex. */
	ret = vigil_fence_hooks_get(vi, new, &hooks_added);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register the netfilter hooks of the gate");
		return ret;
	}
	rtnl_lock();
	ret = vigil_fence_resolve(vi, new, extack);
	if (ret) {
		li = 0;
		goto err_close;
	}
	old = rtnl_dereference(vi->cfg);
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		struct vigil_link *nl = new->links[li];
		struct vigil_link *ol = old ? old->links[li] : NULL;

		if (!nl)
			continue;
		if (ol && link_same(ol, nl)) {
			kept[li] = ol;
			continue;
		}
		ret = vigil_link_open(vi, nl, extack);
		if (ret)
			goto err_close;
	}
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		if (new->links[li])	/* the request is gone after this call */
			new->links[li]->ifname_attr = NULL;
	}
	ret = vigil_hb_pool_fill(vi, new->frames);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the transmit pool");
		goto err_close;
	}

	spin_lock_bh(&vi->lock);
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		if (!kept[li])
			continue;
		/* The new struct only carried the settings; keep the old. */
		memcpy(kept[li]->name, new->links[li]->name,
		       sizeof(kept[li]->name));
		kfree(new->links[li]);
		new->links[li] = kept[li];
	}
	for (i = 0; old && i < new->nnodes; i++) {
		struct vigil_node *n = &new->nodes[i];
		struct vigil_node *on = vigil_node_find(old, n->id);

		if (i == new->self_idx || !on || on->id == old->self_id)
			continue;
		n->peer = on->peer;
		n->peer.votes = n->votes;
		for (li = 0; li < VIGIL_LINKS_MAX; li++) {
			if (!kept[li])
				memset(&n->peer.links[li], 0,
				       sizeof(n->peer.links[li]));
		}
	}
	rcu_assign_pointer(vi->cfg, new);
	WRITE_ONCE(vi->interval_ms, new->interval_ms);
	vigil_event_queue(vi, &evq, VIGIL_EV_CONFIG_CHANGED, 0, -1, 0);
	vigil_hb_update(vi, new, ktime_get_boottime_ns(), true, &evq);
	vigil_fence_lease_update(vi, new);
	spin_unlock_bh(&vi->lock);

	if (old) {
		for (li = 0; li < VIGIL_LINKS_MAX; li++) {
			if (old->links[li] && old->links[li] != kept[li])
				vigil_link_close(vi, old->links[li]);
			else
				old->links[li] = NULL;	/* now new's */
		}
	}
	rtnl_unlock();

	vigil_event_send(vi, &evq);
	if (!new->nprotect)
		vigil_fence_hooks_put(vi);
	vigil_hb_pool_target(vi, new->frames);
	if (!old)
		vigil_hb_start(vi);
	else {
		synchronize_rcu();
		vigil_config_free(old);
	}
	return 0;

err_close:
	while (li--) {
		if (new->links[li] && !kept[li])
			vigil_link_close(vi, new->links[li]);
	}
	rtnl_unlock();
	if (hooks_added)
		vigil_fence_hooks_put(vi);
	return ret;
}

static int __net_init vigil_net_init(struct net *net)
{
	struct vigil_instance *vi = vigil_instance_get(net);

	vi->net = net;
	spin_lock_init(&vi->lock);
	/* Wall-clock ms at load in the high 48 bits: a later life of this
	 * node has a greater incarnation (Documentation/protocol.md). */
	vi->incarnation = (div_u64(ktime_get_real_ns(), NSEC_PER_MSEC) << 16) |
			  (get_random_u32() & 0xffff);
	vigil_hb_init(vi);
	return 0;
}

static void __net_exit vigil_net_exit(struct net *net)
{
	struct vigil_instance *vi = vigil_instance_get(net);
	struct vigil_config *cfg;
	unsigned int li;

	/* Unpublish first, so that the timer does not re-arm itself. */
	rtnl_lock();
	spin_lock_bh(&vi->lock);
	cfg = vigil_cfg_locked(vi);
	RCU_INIT_POINTER(vi->cfg, NULL);
	spin_unlock_bh(&vi->lock);
	rtnl_unlock();

	vigil_hb_stop(vi);
	vigil_fence_exit(vi);
	if (!cfg)
		return;
	rtnl_lock();
	for (li = 0; li < VIGIL_LINKS_MAX; li++) {
		if (cfg->links[li])
			vigil_link_close(vi, cfg->links[li]);
	}
	rtnl_unlock();
	synchronize_rcu();
	vigil_config_free(cfg);
}

static struct pernet_operations vigil_net_ops = {
	.init = vigil_net_init,
	.exit = vigil_net_exit,
	.id = &vigil_net_id,
	.size = sizeof(struct vigil_instance),
};

int vigil_instance_init(void)
{
	return register_pernet_subsys(&vigil_net_ops);
}

void vigil_instance_uninit(void)
{
	unregister_pernet_subsys(&vigil_net_ops);
}
