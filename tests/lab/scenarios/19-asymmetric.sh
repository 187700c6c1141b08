#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lease, not the node's own view, decides. Cut only what n3 sends on
# the heartbeat links ('lab cut --egress'): n3 still hears n1 and n2 and
# sees them up, but they see n3 down, so no heartbeat renews n3's lease,
# it runs out and n3's gate closes. With quorum:freeze the gate latches
# (and opens again only on 'vigilctl gate open' once healed); with
# quorum:none it is closed while the lease is stale and opens by itself
# when heartbeats renew it.
. "$(dirname "$0")/lib.sh"

# Service traffic between the host and n3, IPv4, each way.
svc3_ok() {
	host_reaches "$(addr4 3 svc)" || fail "host -> n3 over svc"
	reaches n3 169.254.3.254 || fail "n3 -> host over svc"
}
svc3_blocked() {
	host_blocked "$(addr4 3 svc)" || fail "host -> n3 over svc passes the gate"
	blocked n3 169.254.3.254 || fail "n3 -> host over svc passes the gate"
}

# one_way: n3 is heard by nobody; it still sees both peers up and its
# lease runs out.
one_way() {
	lab cut --egress n3 a
	lab cut --egress n3 b
	lab status | grep -q 'n3 .*egress cut: a,b' || fail "lab status does not show the egress cut"
	wait_is 10 n1 'peers["n3"]["state"]' down || fail "n1 does not see n3 down"
	wait_is 10 n2 'peers["n3"]["state"]' down || fail "n2 does not see n3 down"
	wait_is 10 n3 'd["lease_left_ms"]' 0 || fail "n3's lease did not run out"
	[ "$(vstatus n3 '[p["state"] for p in d["peers"]]')" = "['up', 'up']" ] ||
		fail "n3 does not see n1 and n2 up: $(vstatus n3 '[p["state"] for p in d["peers"]]')"
	echo "n3 quorate: $(vstatus n3 'd["quorate"]'), lease left $(vstatus n3 'd["lease_left_ms"]') ms"
}

# heal_one_way STATE: n1 and n2 hear n3 again and see it in STATE (up, or
# self-fenced while its gate is latched); its lease is renewed.
heal_one_way() {
	lab heal --egress n3 a
	lab heal --egress n3 b
	[ "$(lab status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["oneway"])')" = "{}" ] ||
		fail "lab status still shows a one-way cut after heal"
	for i in 1 2; do
		wait_is 30 "n$i" 'peers["n3"]["state"]' "$1" ||
			fail "n$i sees n3 $(vstatus "n$i" 'peers["n3"]["state"]'), not $1"
	done
	wait_until 10 is n3 'd["lease_left_ms"] > 0' True || fail "n3's lease not renewed after heal"
}

step "lab up 3, $T cluster, svc protected, quorum:freeze"
lab up 3
cluster "$T" 3 --protect svc --fence quorum:freeze
wait_until 30 all_up 3 || fail "membership did not form"
wait_is 10 n3 'd["gate"]' open || fail "n3: gate not open: $(vstatus n3 'd.get("gate")')"
svc3_ok

step "n3 heard by nobody: its lease runs out and its gate latches"
one_way
wait_is 10 n3 'd["gate"]' latched || fail "n3: gate $(vstatus n3 'd["gate"]'), not latched"
svc3_blocked
on n3 vigilctl status

step "heal: n3 stays latched (self-fenced to its peers) until gate open"
heal_one_way self-fenced
sleep 1
[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "n3's gate unlatched by itself: $(vstatus n3 'd["gate"]')"
on n3 vigilctl gate open
wait_is 5 n3 'd["gate"]' open || fail "n3: gate $(vstatus n3 'd["gate"]') after gate open"
wait_until 10 all_up 3 || fail "n1, n2 do not see n3 up after gate open"
svc3_ok

step "quorum:none: the same one-way cut closes the gate without latching it"
cluster "$T" 3 --protect svc --fence quorum:none
wait_until 30 all_up 3 || fail "membership did not form again after set-config"
wait_is 10 n3 'd["gate"]' open || fail "n3: gate $(vstatus n3 'd["gate"]') after set-config"
one_way
wait_is 10 n3 'd["gate"]' closed || fail "n3: gate $(vstatus n3 'd["gate"]'), not closed"
svc3_blocked

step "heal: the renewed lease opens n3's gate by itself"
heal_one_way up
wait_is 10 n3 'd["gate"]' open || fail "n3: gate $(vstatus n3 'd["gate"]') after the lease came back"
svc3_ok
echo ok
