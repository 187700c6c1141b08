// SPDX-License-Identifier: GPL-2.0
/*
 * The ip resource agent: a virtual IP address added to and removed from
 * an interface over rtnetlink (libnl-route-3), announced with gratuitous
 * ARP (IPv4, AF_PACKET) or an unsolicited neighbour advertisement (IPv6,
 * a raw ICMPv6 socket). In-process: each call is one netlink request the
 * kernel answers at once. The repeats of the announcement are the
 * runner's (agent.c), from its timer.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_addr.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "agent.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static const char *addr_str(const struct vigil_conf_resource *res, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(res->ip.family, &res->ip.in6, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, res->ip.prefix);
	return buf;
}

/* Whether res's address is on ifindex: 1, 0, or a libnl error (< 0). */
static int addr_present(struct nl_sock *sk, const struct vigil_conf_resource *res,
			int ifindex)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	int found = 0, err;

	err = rtnl_addr_alloc_cache(sk, &cache);
	if (err < 0)
		return err;
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)obj;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (rtnl_addr_get_ifindex(ra) != ifindex ||
		    rtnl_addr_get_family(ra) != res->ip.family || !local ||
		    nl_addr_get_len(local) != addr_len(res->ip.family) ||
		    memcmp(nl_addr_get_binary_addr(local), &res->ip.in6,
			   addr_len(res->ip.family)) ||
		    rtnl_addr_get_prefixlen(ra) != (int)res->ip.prefix)
			continue;
		found = rtnl_addr_get_flags(ra) & IFA_F_DADFAILED ? 2 : 1;
		break;
	}
	nl_cache_free(cache);
	return found;
}

static struct rtnl_addr *addr_build(const struct vigil_conf_resource *res,
				    int ifindex, int *err)
{
	struct nl_addr *local = NULL, *bcast = NULL;
	struct rtnl_addr *ra;

	ra = rtnl_addr_alloc();
	local = nl_addr_build(res->ip.family, &res->ip.in6, addr_len(res->ip.family));
	if (!ra || !local) {
		*err = -NLE_NOMEM;
		goto err;
	}
	nl_addr_set_prefixlen(local, (int)res->ip.prefix);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, res->ip.family);
	*err = rtnl_addr_set_local(ra, local);
	if (*err < 0)
		goto err;
	rtnl_addr_set_prefixlen(ra, (int)res->ip.prefix);
	if (res->ip.family == AF_INET6) {
		/* Usable at once: duplicate address detection would hold it
		 * tentative for a second or more. */
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	} else if (res->ip.prefix <= 30) {
		struct in_addr b = res->ip.in;
		__u32 host = res->ip.prefix ? 0xffffffffU >> res->ip.prefix : 0xffffffffU;

		b.s_addr |= htonl(host);
		bcast = nl_addr_build(AF_INET, &b, 4);
		if (!bcast) {
			*err = -NLE_NOMEM;
			goto err;
		}
		*err = rtnl_addr_set_broadcast(ra, bcast);
		if (*err < 0)
			goto err;
	}
	nl_addr_put(local);
	nl_addr_put(bcast);
	return ra;

err:
	nl_addr_put(local);
	nl_addr_put(bcast);
	rtnl_addr_put(ra);
	return NULL;
}

enum vigil_agent_result vigil_agent_ip(const struct vigil_conf_resource *res,
				       enum vigil_agent_action action,
				       char *reason, size_t len)
{
	const char *act = vigil_agent_action_name(action);
	enum vigil_agent_result r = VIGIL_AGENT_ERR_GENERIC;
	struct rtnl_addr *ra = NULL;
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	unsigned int flags;
	char a[INET6_ADDRSTRLEN + 4];
	int ifindex, err;

	addr_str(res, a, sizeof(a));
	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(reason, len, "%s %s: out of memory", res->name, act);
		return VIGIL_AGENT_ERR_GENERIC;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		snprintf(reason, len, "%s %s: rtnetlink: %s", res->name, act,
			 nl_geterror(err));
		goto out;
	}

	ifindex = (int)if_nametoindex(res->ip.ifname);
	if (ifindex)
		err = rtnl_link_get_kernel(sk, ifindex, NULL, &link);
	if (!ifindex || err < 0) {
		snprintf(reason, len, "%s %s: %s: no such interface", res->name,
			 act, res->ip.ifname);
		/* No interface, no address: stopped, and not running. */
		r = action == VIGIL_AGENT_STOP ? VIGIL_AGENT_OK :
		    action == VIGIL_AGENT_MONITOR ? VIGIL_AGENT_NOT_RUNNING :
		    VIGIL_AGENT_ERR_CONFIGURED;
		goto out;
	}
	flags = rtnl_link_get_flags(link);

	if (action == VIGIL_AGENT_MONITOR) {
		err = addr_present(sk, res, ifindex);
		if (err < 0) {
			snprintf(reason, len, "%s monitor: listing addresses: %s",
				 res->name, nl_geterror(err));
		} else if (!err) {
			snprintf(reason, len, "%s monitor: %s is not on %s",
				 res->name, a, res->ip.ifname);
			r = VIGIL_AGENT_NOT_RUNNING;
		} else if (err == 2) {
			snprintf(reason, len, "%s monitor: %s on %s: duplicate address detection failed",
				 res->name, a, res->ip.ifname);
		} else if (!(flags & IFF_UP) || !(flags & IFF_LOWER_UP)) {
			snprintf(reason, len, "%s monitor: %s is on %s, but %s is %s",
				 res->name, a, res->ip.ifname, res->ip.ifname,
				 flags & IFF_UP ? "without carrier" : "down");
		} else {
			snprintf(reason, len, "%s monitor: %s is on %s", res->name,
				 a, res->ip.ifname);
			r = VIGIL_AGENT_OK;
		}
		goto out;
	}

	if (action == VIGIL_AGENT_START && !(flags & IFF_UP)) {
		snprintf(reason, len, "%s start: %s is down", res->name,
			 res->ip.ifname);
		r = VIGIL_AGENT_ERR_CONFIGURED;
		goto out;
	}
	ra = addr_build(res, ifindex, &err);
	if (!ra) {
		snprintf(reason, len, "%s %s: %s", res->name, act, nl_geterror(err));
		goto out;
	}
	if (action == VIGIL_AGENT_START) {
		err = rtnl_addr_add(sk, ra, 0);
		if (err == -NLE_EXIST && addr_present(sk, res, ifindex) == 1)
			err = 0;	/* there already: started */
		if (err < 0) {
			snprintf(reason, len, "%s start: adding %s to %s: %s",
				 res->name, a, res->ip.ifname, nl_geterror(err));
		} else {
			snprintf(reason, len, "%s start: %s added to %s",
				 res->name, a, res->ip.ifname);
			r = VIGIL_AGENT_OK;
		}
	} else {
		err = rtnl_addr_delete(sk, ra, 0);
		if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND ||
		    err == -NLE_NODEV)
			err = addr_present(sk, res, ifindex) ? err : 0;
		if (err < 0) {
			snprintf(reason, len, "%s stop: removing %s from %s: %s",
				 res->name, a, res->ip.ifname, nl_geterror(err));
		} else {
			snprintf(reason, len, "%s stop: %s removed from %s",
				 res->name, a, res->ip.ifname);
			r = VIGIL_AGENT_OK;
		}
	}

out:
	rtnl_addr_put(ra);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return r;
}

static int hwaddr(int fd, const char *ifname, unsigned char mac[ETH_ALEN])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EOPNOTSUPP;	/* no link-layer address to announce */
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* A gratuitous ARP request: sender and target are the address itself. */
static int garp(const struct in_addr *ip, const char *ifname, int ifindex)
{
	struct __attribute__((packed)) {
		struct arphdr h;
		unsigned char sha[ETH_ALEN];
		struct in_addr spa;
		unsigned char tha[ETH_ALEN];
		struct in_addr tpa;
	} pkt = {
		.h = {
			.ar_hrd = htons(ARPHRD_ETHER),
			.ar_pro = htons(ETH_P_IP),
			.ar_hln = ETH_ALEN,
			.ar_pln = 4,
			.ar_op = htons(ARPOP_REQUEST),
		},
		.spa = *ip,
		.tpa = *ip,
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	int fd, ret;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = hwaddr(fd, ifname, pkt.sha);
	if (!ret && sendto(fd, &pkt, sizeof(pkt), MSG_DONTWAIT,
			   (struct sockaddr *)&sll, sizeof(sll)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* An unsolicited neighbour advertisement to all nodes, override set. */
static int unsolicited_na(const struct in6_addr *ip, const char *ifname,
			  int ifindex)
{
	struct __attribute__((packed)) {
		struct nd_neighbor_advert na;
		struct nd_opt_hdr opt;
		unsigned char mac[ETH_ALEN];
	} pkt = {
		.na = {
			.nd_na_type = ND_NEIGHBOR_ADVERT,
			.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE,
			.nd_na_target = *ip,
		},
		.opt = { .nd_opt_type = ND_OPT_TARGET_LINKADDR, .nd_opt_len = 1 },
	};
	struct sockaddr_in6 src = {
		.sin6_family = AF_INET6,
		.sin6_addr = *ip,
		.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(ip) ? (__u32)ifindex : 0,
	};
	struct sockaddr_in6 dst = {
		.sin6_family = AF_INET6,
		.sin6_scope_id = (__u32)ifindex,
	};
	int hops = 255, fd, ret;

	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	ret = hwaddr(fd, ifname, pkt.mac);
	/* The kernel fills the checksum of raw ICMPv6. */
	if (!ret && (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
		     setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ||
		     bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
		     sendto(fd, &pkt, sizeof(pkt), MSG_DONTWAIT,
			    (struct sockaddr *)&dst, sizeof(dst)) < 0))
		ret = -errno;
	close(fd);
	return ret;
}

int vigil_agent_ip_announce(int family, const void *addr, const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname);

	if (!ifindex)
		return -ENODEV;
	if (family == AF_INET)
		return garp(addr, ifname, ifindex);
	return unsolicited_na(addr, ifname, ifindex);
}
