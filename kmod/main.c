// SPDX-License-Identifier: GPL-2.0
/*
 * vigil: in-kernel cluster heartbeat, membership and self-fencing.
 *
 * This file only loads and unloads the module; each concern lives in its
 * own file.
 */

#include <linux/module.h>
#include <linux/init.h>
#include <linux/genetlink.h>
#include <uapi/linux/vigil.h>

#include "instance.h"
#include "link.h"
#include "netlink.h"

static int __init vigil_init(void)
{
	int ret;

	/* Instances first, the netlink entry point last. */
	ret = vigil_instance_init();
	if (ret)
		goto err_instance;
	ret = vigil_link_notifier_init();
	if (ret)
		goto err_notifier;
	ret = vigil_genl_init();
	if (ret)
		goto err_genl;

	pr_info("vigil %s loaded (genl family %s v%d, wire protocol %d)\n",
		VIGIL_VERSION, VIGIL_GENL_NAME, VIGIL_GENL_VERSION,
		VIGIL_PROTOCOL_VERSION);
	return 0;

err_genl:
	vigil_link_notifier_uninit();
err_notifier:
	vigil_instance_uninit();
err_instance:
	return ret;
}

static void __exit vigil_exit(void)
{
	vigil_genl_uninit();
	vigil_link_notifier_uninit();
	vigil_instance_uninit();
	pr_info("vigil %s unloaded\n", VIGIL_VERSION);
}

module_init(vigil_init);
module_exit(vigil_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vigil: HA cluster heartbeat, quorum and self-fencing");
MODULE_AUTHOR("The vigil developers");
MODULE_VERSION(VIGIL_VERSION);
MODULE_ALIAS_GENL_FAMILY(VIGIL_GENL_NAME);
