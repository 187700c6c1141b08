#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 32 nodes in one VM: each node is a vigil instance in its own network
# namespace (vigil.ko keeps one instance per namespace), joined to one
# bridge by a veth pair. The cluster forms; split 16/16 it must leave
# neither half quorate (16 of 32 votes is no majority); with a witness
# vote granted to one half, exactly that half is quorate. Heal: all 32
# are back together.
. "$(dirname "$0")/lib.sh"

N=32
TIMEOUT=3000

step "lab up 1 (1 GiB)"
lab up 1 --mem 1024

step "create $N namespaces on bridge br0"
lab exec -t 120 n1 "
set -e
ip link add br0 type bridge stp_state 0 forward_delay 0
ip link set br0 up
mkdir -p /run/vigil
echo $KEY_HEX > /run/vigil/key
for i in \$(seq 1 $N); do
	ip netns add v\$i
	ip link add h\$i type veth peer name a netns v\$i
	ip -n v\$i link set dev a address 52:54:01:00:00:\$(printf %02x \$i)
	ip link set h\$i master br0 up
	ip -n v\$i link set dev a up
	ip -n v\$i link set lo up
done"

step "configure $N instances (timeout ${TIMEOUT} ms, one witness vote)"
lab exec -t 120 n1 "
set -e
for i in \$(seq 1 $N); do
	args=\"--cluster 77 --node \$i --timeout $TIMEOUT --witness-votes 1 --key 1:/run/vigil/key --link 0:a:l2:a\"
	for j in \$(seq 1 $N); do
		args=\"\$args --member \$j:v\$j\"
		[ \$j = \$i ] || args=\"\$args --addr \$j:0:52:54:01:00:00:\$(printf %02x \$j)\"
	done
	ip netns exec v\$i vigilctl set-config \$args
done"

# nup I: how many peers instance I sees up; quorate I: True/False
nstatus() {
	lab exec n1 "ip netns exec v$1 vigilctl status -j" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2"
}
formed() {
	for i in 1 9 16 17 25 32; do
		[ "$(nstatus $i 'sum(p["state"] == "up" for p in d["peers"])')" = $((N - 1)) ] || return 1
	done
}

step "wait until all $N see each other (sampled: 1 9 16 17 25 32)"
wait_until 120 formed || fail "the $N-node cluster did not form"
# 32 votes + 1 witness = 33, 17 needed; without the witness granted: 32 present.
[ "$(nstatus 5 'd["quorate"]')" = True ] || fail "v5 not quorate with all $N up"

step "split 16/16: v1..v16 | v17..v32"
lab exec n1 "ip link add br1 type bridge stp_state 0 forward_delay 0; ip link set br1 up;
	for i in \$(seq 17 $N); do ip link set h\$i master br1; done"
split_done() {
	[ "$(nstatus 1 'sum(p["state"] == "up" for p in d["peers"])')" = 15 ] &&
	[ "$(nstatus 32 'sum(p["state"] == "up" for p in d["peers"])')" = 15 ]
}
wait_until 60 split_done || fail "the halves do not see 15 peers each"
for i in 1 8 16 17 24 32; do
	[ "$(nstatus $i 'd["quorate"]')" = False ] || fail "v$i is quorate with 16 of 33 votes"
done

step "grant the witness vote to v1..v16 only"
lab exec n1 "for i in \$(seq 1 16); do ip netns exec v\$i vigilctl witness 60000; done"
sleep 2
for i in 1 8 16; do
	[ "$(nstatus $i 'd["quorate"]')" = True ] || fail "v$i not quorate with 16 + witness"
done
for i in 17 24 32; do
	[ "$(nstatus $i 'd["quorate"]')" = False ] || fail "v$i quorate without the witness"
done

step "heal: one bridge again"
lab exec n1 "for i in \$(seq 17 $N); do ip link set h\$i master br0; done"
wait_until 120 formed || fail "the cluster did not re-form"
echo ok
