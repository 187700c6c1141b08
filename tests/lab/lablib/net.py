# SPDX-License-Identifier: GPL-2.0
"""The lab's networks: one network namespace holding three bridges (a, b:
heartbeat LANs; svc: the service LAN, whose bridge also carries the host
side's addresses), one tap per node per bridge, and an nftables bridge
table that implements link cuts (both directions or one), and partitions.

Every fault is a rule in one nftables table that is rewritten as a whole
from the lab state, so the rules in force always equal the state shown by
'lab status'.
"""

import subprocess

from . import paths

LINKS = ("a", "b", "svc")
LINK_INDEX = {"a": 1, "b": 2, "svc": 3}

# Host side of the service LAN, inside the lab namespace.
SVC_HOST_V4 = "169.254.3.254/24"
SVC_HOST_V6 = "fe80::fe/64"


class NetError(Exception):
    pass


def run(argv, check=True, input=None):
    out = subprocess.run(argv, capture_output=True, text=True, input=input)
    if check and out.returncode != 0:
        raise NetError("%s: %s" % (" ".join(argv), (out.stderr or out.stdout).strip()))
    return out


def ns(argv, check=True, input=None):
    return run(["ip", "netns", "exec", paths.NETNS] + argv, check=check, input=input)


def ns_exists():
    return run(["ip", "netns", "pid", paths.NETNS], check=False).returncode == 0 or \
        paths.NETNS in run(["ip", "netns", "list"], check=False).stdout.split()


def tap(node, link):
    return "%s-%s" % (node, link)


def mac(node_id, link):
    return "52:54:00:%02x:00:%02x" % (LINK_INDEX[link], node_id)


def create(nodes):
    """Create the namespace, bridges and one tap per node and link."""
    run(["ip", "netns", "add", paths.NETNS])
    ns(["ip", "link", "set", "lo", "up"])
    for link in LINKS:
        # No STP, no forwarding delay, no multicast snooping: a hub that
        # forwards at once, so that faults are the only thing that drops.
        ns(["ip", "link", "add", "name", link, "type", "bridge", "stp_state", "0",
            "forward_delay", "0", "mcast_snooping", "0"])
        ns(["ip", "link", "set", "dev", link, "up"])
    ns(["ip", "addr", "add", SVC_HOST_V4, "dev", "svc"])
    ns(["ip", "-6", "addr", "add", SVC_HOST_V6, "dev", "svc", "nodad"])
    for node in nodes:
        for link in LINKS:
            t = tap(node, link)
            ns(["ip", "tuntap", "add", "dev", t, "mode", "tap"])
            ns(["ip", "link", "set", "dev", t, "master", link])
            ns(["ip", "link", "set", "dev", t, "up"])


def destroy():
    if ns_exists():
        run(["ip", "netns", "del", paths.NETNS], check=False)


def _set(names):
    return "{ " + ", ".join('"%s"' % n for n in sorted(names)) + " }"


def ruleset(state):
    """The nftables bridge table for the faults in `state`."""
    fwd, inp, out = [], [], []
    for node, links in sorted(state.get("cuts", {}).items()):
        for link in links:
            t = tap(node, link)
            fwd.append('iifname "%s" drop' % t)
            fwd.append('oifname "%s" drop' % t)
            inp.append('iifname "%s" drop' % t)
            out.append('oifname "%s" drop' % t)
    # One-way cuts: egress drops what the node sends (frames that enter
    # the bridge from its tap), ingress what it would receive.
    for node, dirs in sorted(state.get("oneway", {}).items()):
        for link in dirs.get("egress", []):
            t = tap(node, link)
            fwd.append('iifname "%s" drop' % t)
            inp.append('iifname "%s" drop' % t)
        for link in dirs.get("ingress", []):
            t = tap(node, link)
            fwd.append('oifname "%s" drop' % t)
            out.append('oifname "%s" drop' % t)
    groups = state.get("partition") or []
    for i, gi in enumerate(groups):
        for j, gj in enumerate(groups):
            if i == j:
                continue
            src = [tap(n, link) for n in gi for link in LINKS]
            dst = [tap(n, link) for n in gj for link in LINKS]
            fwd.append("iifname %s oifname %s drop" % (_set(src), _set(dst)))
    lines = ["table bridge vigil_lab {"]
    for name, hook, rules in (("forward", "forward", fwd), ("input", "input", inp),
                              ("output", "output", out)):
        lines.append("\tchain %s {" % name)
        lines.append("\t\ttype filter hook %s priority 0; policy accept;" % hook)
        lines += ["\t\t" + r for r in rules]
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def apply(state):
    """Replace the lab's fault rules with those of `state`, atomically."""
    text = ruleset(state)
    script = "table bridge vigil_lab\ndelete table bridge vigil_lab\n" + text
    ns(["nft", "-f", "-"], input=script)
