#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The same cluster over UDP: IPv6 link-local on both links, then IPv4.
. "$(dirname "$0")/lib.sh"

step "lab up 3, configure a UDP/IPv6 cluster"
lab up 3
cluster udp6 3
wait_until 30 all_up 3 || { for n in n1 n2 n3; do on $n vigilctl status; done; fail "UDP/IPv6 membership did not form"; }
on n1 vigilctl status
[ "$(vstatus n2 'all(l["state"] == "up" for p in d["peers"] for l in p["links"])')" = True ] || fail "n2: a UDP/IPv6 link is down"

step "reconfigure as UDP/IPv4"
cluster udp4 3
sleep 1
wait_until 30 all_up 3 || { for n in n1 n2 n3; do on $n vigilctl status; done; fail "UDP/IPv4 membership did not form"; }
on n3 vigilctl status
echo ok
