// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink interface of vigil.ko; the contract is documented in
 * uapi/linux/vigil.h.
 */

#include <linux/kernel.h>
#include <linux/netlink.h>
#include <net/genetlink.h>
#include <uapi/linux/vigil.h>

#include "netlink.h"

static_assert(sizeof(VIGIL_VERSION) <= VIGIL_VERSION_MAX);

#define NO_ATTRS_MSG "status request takes no attributes"

/*
 * Per-command request policies: what GET_STATUS accepts is exactly what
 * CTRL_CMD_GETPOLICY advertises (nothing), and the core refuses the rest
 * with a message and the offending attribute.
 */
static const struct nla_policy vigil_status_policy[VIGIL_A_MAX + 1] = {
	[VIGIL_A_VERSION]	= { .type = NLA_REJECT, .reject_message = NO_ATTRS_MSG },
	[VIGIL_A_PROTOCOL]	= { .type = NLA_REJECT, .reject_message = NO_ATTRS_MSG },
};

static struct genl_family vigil_genl_family;

static int vigil_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vigil_genl_family, 0,
				VIGIL_CMD_GET_STATUS);
	if (!hdr)
		goto err_free;

	if (nla_put_string(msg, VIGIL_A_VERSION, VIGIL_VERSION) ||
	    nla_put_u32(msg, VIGIL_A_PROTOCOL, VIGIL_PROTOCOL_VERSION))
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops vigil_genl_ops[] = {
	{
		.cmd = VIGIL_CMD_GET_STATUS,
		.doit = vigil_get_status,
		.policy = vigil_status_policy,
		.maxattr = VIGIL_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family vigil_genl_family __ro_after_init = {
	.ops = vigil_genl_ops,
	.n_ops = ARRAY_SIZE(vigil_genl_ops),
	.resv_start_op = VIGIL_CMD_GET_STATUS,	/* every command strictly validated */
	.name = VIGIL_GENL_NAME,
	.version = VIGIL_GENL_VERSION,
	.maxattr = VIGIL_A_MAX,		/* what CTRL_ATTR_MAXATTR advertises */
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init vigil_genl_init(void)
{
	return genl_register_family(&vigil_genl_family);
}

void vigil_genl_uninit(void)
{
	genl_unregister_family(&vigil_genl_family);
}
