#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A rogue node without the key (n4, on the same LANs, not in the cluster)
# captures heartbeats and sends them back replayed and forged. Nothing
# changes in the cluster; the matching rejection counters rise.
. "$(dirname "$0")/lib.sh"

# Sum of one counter over every peer link seen by NODE.
counter() {
	vstatus "$1" "sum(l['counters']['$2'] for p in d['peers'] for l in p['links']) + sum(l['counters']['$2'] for l in d.get('links', []))"
}

step "lab up 4; n1..n3 form an L2 cluster with broadcast heartbeats"
lab up 4
cluster l2bcast 3
wait_until 30 all_up 3 || fail "membership did not form"

step "n4 captures 30 heartbeats on link a"
on n4 vigil-rogue capture a 0x88b5 30 /tmp/hb
g0=$(vstatus n1 'd["generation"]')

for mode in replay flip cluster version magic truncate oversize garbage; do
	case $mode in
	replay) cnt=rx_replay ;;
	flip) cnt=rx_bad_mac ;;
	cluster) cnt=rx_bad_cluster ;;
	version) cnt=rx_bad_version ;;
	magic) cnt=rx_bad_magic ;;
	# The length is checked first, against the payload length field,
	# which random bytes get wrong.
	truncate|oversize|garbage) cnt=rx_bad_length ;;
	esac
	before=$(counter n1 $cnt)
	step "n4 sends 30 frames: $mode (expect $cnt to rise on n1)"
	on n4 vigil-rogue send a /tmp/hb $mode
	sleep 1
	after=$(counter n1 $cnt)
	echo "n1 $cnt: $before -> $after"
	[ "$after" -gt "$before" ] || fail "$mode: $cnt did not rise on n1"
done

step "nothing changed in the cluster"
all_up 3 || fail "membership changed under attack"
[ "$(vstatus n1 'd["generation"]')" = "$g0" ] || fail "generation moved under attack"
on n1 vigilctl status
echo ok
