#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three nodes form membership over L2 (two links, unicast MACs): each sees
# the other two up on both links with an RTT, is quorate, and the
# generation stays put once the cluster has formed.
. "$(dirname "$0")/lib.sh"

step "lab up 3, configure an L2 cluster"
lab up 3
cluster l2 3

step "wait for membership"
wait_until 30 all_up 3 || { for n in n1 n2 n3; do on $n vigilctl status; done; fail "membership did not form"; }
for n in n1 n2 n3; do on $n vigilctl status; done

step "every link of every peer is up with an RTT sample"
for n in n1 n2 n3; do
	[ "$(vstatus $n 'all(l["state"] == "up" and l.get("rtt_us", 0) > 0 for p in d["peers"] for l in p["links"])')" = True ] ||
		fail "$n: a link is down or has no RTT"
	[ "$(vstatus $n 'sorted(p["name"] for p in d["peers"])')" = "$(python3 -c "print(sorted({'n1','n2','n3'} - {'$n'}))")" ] ||
		fail "$n: wrong peer list"
done

step "the generation is stable once formed"
g1=$(vstatus n1 'd["generation"]')
sleep 3
g2=$(vstatus n1 'd["generation"]')
[ "$g1" = "$g2" ] || fail "generation moved from $g1 to $g2 in a stable cluster"
echo ok
