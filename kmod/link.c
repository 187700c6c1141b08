// SPDX-License-Identifier: GPL-2.0
/*
 * Transports: heartbeats as Ethernet frames with the link's EtherType
 * (L2), or as UDP datagrams over IPv4 or IPv6 through a kernel UDP tunnel
 * socket per link. A netdevice notifier lets go of an interface that is
 * unregistered (the link goes down) and takes it again when an interface
 * of the same name is registered.
 */

#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <linux/udp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/route.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/netns/generic.h>

#include "instance.h"
#include "heartbeat.h"
#include "link.h"
#include "fence.h"

/* Copy the frame out of @skb (at @off) and hand it to the heartbeat code. */
static void rx_frame(struct vigil_link *link, struct sk_buff *skb,
		     unsigned int off)
{
	u8 buf[VIGIL_WIRE_MAX_LEN];
	unsigned int len;

	if (skb->len < off)
		len = 0;
	else
		len = skb->len - off;
	if (len > sizeof(buf) || len < VIGIL_WIRE_MIN_LEN ||
	    skb_copy_bits(skb, off, buf, len)) {
		vigil_hb_rx_bad(link, VIGIL_CNT_RX_BAD_LENGTH);
		return;
	}
	vigil_hb_rx(link, buf, len);
}

static int l2_rcv(struct sk_buff *skb, struct net_device *dev,
		  struct packet_type *pt, struct net_device *orig_dev)
{
	struct vigil_link *link = container_of(pt, struct vigil_link, pt);

	if (skb->pkt_type != PACKET_OTHERHOST)
		rx_frame(link, skb, 0);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

/* encap_rcv: 0 means we consumed the skb. skb->data is the UDP header. */
static int udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct vigil_link *link = rcu_dereference_sk_user_data(sk);

	if (link)
		rx_frame(link, skb,
			 skb_transport_offset(skb) + sizeof(struct udphdr));
	consume_skb(skb);
	return 0;
}

/* Attach @dev to @link (RTNL held). */
static void dev_attach(struct vigil_instance *vi, struct vigil_link *link,
		       struct net_device *dev)
{
	netdev_hold(dev, &link->dev_tracker, GFP_KERNEL);
	spin_lock_bh(&vi->lock);
	rcu_assign_pointer(link->dev, dev);
	link->ifindex = dev->ifindex;
	spin_unlock_bh(&vi->lock);
	if (link->type == VIGIL_LINK_L2) {
		link->pt.type = htons(link->ethertype);
		link->pt.dev = dev;
		link->pt.func = l2_rcv;
		dev_add_pack(&link->pt);
		link->pt_added = true;
	}
}

/*
 * Detach the interface (RTNL held, may sleep). dev_remove_pack() waits
 * for receive handlers; the timer only uses link->dev under RCU, and an
 * unregistering device is freed only after a grace period that follows
 * the notifier, so dropping our reference right away is safe.
 */
static void dev_detach(struct vigil_instance *vi, struct vigil_link *link)
{
	struct net_device *dev = rtnl_dereference(link->dev);

	if (!dev)
		return;
	if (link->pt_added) {
		dev_remove_pack(&link->pt);
		link->pt_added = false;
	}
	spin_lock_bh(&vi->lock);
	RCU_INIT_POINTER(link->dev, NULL);
	link->ifindex = 0;
	spin_unlock_bh(&vi->lock);
	synchronize_net();
	netdev_put(dev, &link->dev_tracker);
}

static int udp_open(struct vigil_instance *vi, struct vigil_link *link)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = link,
		.encap_type = 1,
		.encap_rcv = udp_encap_rcv,
	};
	struct udp_port_cfg pcfg = {
		.family = link->family,
		.local_udp_port = htons(link->port),
		.ipv6_v6only = 1,
	};
	struct socket *sock;
	int ret;

	if (link->family == AF_INET)
		pcfg.local_ip.s_addr = htonl(INADDR_ANY);
	else
		pcfg.local_ip6 = in6addr_any;
	ret = udp_sock_create(vi->net, &pcfg, &sock);
	if (ret)
		return ret;
	setup_udp_tunnel_sock(vi->net, sock, &tcfg);
	link->sock = sock;
	return 0;
}

int vigil_link_open(struct vigil_instance *vi, struct vigil_link *link,
		    struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;
	int ret;

	ASSERT_RTNL();
	link->vi = vi;
	if (link->ifname[0]) {
		dev = __dev_get_by_name(vi->net, link->ifname);
		if (!dev) {
			vigil_nl_err(vi, extack, link->ifname_attr,
				     "interface '%s' of link %u not found",
				     link->ifname, link->index);
			return -ENODEV;
		}
		if (link->type == VIGIL_LINK_L2 && dev->type != ARPHRD_ETHER) {
			vigil_nl_err(vi, extack, link->ifname_attr,
				     "interface '%s' of link %u is not Ethernet",
				     link->ifname, link->index);
			return -EINVAL;
		}
	}
	if (link->type == VIGIL_LINK_UDP) {
		ret = udp_open(vi, link);
		if (ret) {
			vigil_nl_err(vi, extack, NULL,
				     "link %u: cannot open UDP port %u (error %d)",
				     link->index, link->port, ret);
			return ret;
		}
	}
	if (dev)
		dev_attach(vi, link, dev);
	return 0;
}

void vigil_link_close(struct vigil_instance *vi, struct vigil_link *link)
{
	ASSERT_RTNL();
	dev_detach(vi, link);
	if (link->sock) {
		/* Clears sk_user_data; receivers hold RCU, see instance.h. */
		udp_tunnel_sock_release(link->sock);
		link->sock = NULL;
	}
}

bool vigil_link_is_up(struct vigil_link *link)
{
	struct net_device *dev;

	dev = rcu_dereference_check(link->dev, lockdep_is_held(&link->vi->lock));

	if (link->ifname[0])
		return dev && netif_running(dev) && netif_carrier_ok(dev);
	return link->sock;
}

static int xmit_l2(struct vigil_link *link, const struct vigil_addr *addr,
		   struct sk_buff *skb, bool direct)
{
	struct net_device *dev = rcu_dereference(link->dev);
	int ret;

	if (!dev || !netif_running(dev))
		goto drop;
	if (skb_headroom(skb) < LL_RESERVED_SPACE(dev))
		goto drop;
	skb->dev = dev;
	skb->protocol = htons(link->ethertype);
	skb->priority = TC_PRIO_CONTROL;
	skb_reset_network_header(skb);
	if (dev_hard_header(skb, dev, link->ethertype,
			    addr->set ? addr->mac : dev->broadcast,
			    dev->dev_addr, skb->len) < 0)
		goto drop;
	/* Straight to the driver, past the qdisc, as netpoll does. */
	if (direct) {
		ret = dev_direct_xmit(skb, 0);
		return dev_xmit_complete(ret) && ret == NETDEV_TX_OK ? 0 : -ENOBUFS;
	}
	/* net_xmit_eval() is a macro that evaluates its argument twice. */
	ret = dev_queue_xmit(skb);
	ret = net_xmit_eval(ret);
	return ret > 0 ? -ENOBUFS : ret;

drop:
	kfree_skb(skb);
	return -ENETDOWN;
}

static int xmit_udp4(struct vigil_instance *vi, struct vigil_link *link,
		     const struct vigil_addr *addr, struct sk_buff *skb)
{
	struct sock *sk = link->sock->sk;
	struct flowi4 fl4 = {
		.daddr = addr->in,
		.flowi4_oif = link->ifindex,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_dport = htons(addr->port),
		.fl4_sport = htons(link->port),
	};
	struct rtable *rt;

	rt = ip_route_output_flow(vi->net, &fl4, sk);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	if (skb_headroom(skb) < LL_RESERVED_SPACE(rt->dst.dev) +
	    sizeof(struct iphdr) + sizeof(struct udphdr)) {
		ip_rt_put(rt);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb->priority = TC_PRIO_CONTROL;
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl4.fl4_sport,
			    fl4.fl4_dport, false, false);
	return 0;
}

static int xmit_udp6(struct vigil_instance *vi, struct vigil_link *link,
		     const struct vigil_addr *addr, struct sk_buff *skb)
{
	struct sock *sk = link->sock->sk;
	struct flowi6 fl6 = {
		.daddr = addr->in6,
		.flowi6_oif = link->ifindex,
		.flowi6_proto = IPPROTO_UDP,
		.fl6_dport = htons(addr->port),
		.fl6_sport = htons(link->port),
	};
	struct dst_entry *dst;

	dst = ipv6_stub->ipv6_dst_lookup_flow(vi->net, sk, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	if (skb_headroom(skb) < LL_RESERVED_SPACE(dst->dev) +
	    sizeof(struct ipv6hdr) + sizeof(struct udphdr)) {
		dst_release(dst);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	skb->priority = TC_PRIO_CONTROL;
	udp_tunnel6_xmit_skb(dst, sk, skb, dst->dev, &fl6.saddr, &fl6.daddr,
			     0, ip6_dst_hoplimit(dst), 0, fl6.fl6_sport,
			     fl6.fl6_dport, false);
	return 0;
}

int vigil_link_xmit(struct vigil_instance *vi, struct vigil_link *link,
		    const struct vigil_addr *addr, struct sk_buff *skb,
		    bool direct)
{
	if (link->type == VIGIL_LINK_L2)
		return xmit_l2(link, addr, skb, direct);
	/* An interface named but gone: the link is down, send nothing. */
	if (!link->sock || (link->ifname[0] && !link->ifindex)) {
		kfree_skb(skb);
		return -ENETDOWN;
	}
	if (link->family == AF_INET)
		return xmit_udp4(vi, link, addr, skb);
	return xmit_udp6(vi, link, addr, skb);
}

static int netdev_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vigil_instance *vi;
	struct vigil_config *cfg;
	unsigned int i;

	if (event != NETDEV_UNREGISTER && event != NETDEV_REGISTER)
		return NOTIFY_DONE;
	vi = vigil_instance_get(dev_net(dev));
	if (!vi)
		return NOTIFY_DONE;
	cfg = rtnl_dereference(vi->cfg);
	if (!cfg)
		return NOTIFY_DONE;
	vigil_fence_netdev(vi, cfg, event, dev);
	for (i = 0; i < VIGIL_LINKS_MAX; i++) {
		struct vigil_link *link = cfg->links[i];
		struct net_device *cur;

		if (!link || !link->ifname[0])
			continue;
		cur = rtnl_dereference(link->dev);
		if (event == NETDEV_UNREGISTER && cur == dev) {
			dev_detach(vi, link);
			pr_info("link %u (%s): interface %s gone\n",
				link->index, link->name, dev->name);
		} else if (event == NETDEV_REGISTER && !cur &&
			   !strcmp(dev->name, link->ifname) &&
			   (link->type != VIGIL_LINK_L2 ||
			    dev->type == ARPHRD_ETHER)) {
			dev_attach(vi, link, dev);
			pr_info("link %u (%s): interface %s back\n",
				link->index, link->name, dev->name);
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block vigil_netdev_notifier = {
	.notifier_call = netdev_event,
};

int vigil_link_notifier_init(void)
{
	return register_netdevice_notifier(&vigil_netdev_notifier);
}

void vigil_link_notifier_uninit(void)
{
	unregister_netdevice_notifier(&vigil_netdev_notifier);
}
