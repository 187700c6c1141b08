#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-fencing by freeze. Three nodes heartbeat over a and b, each protects
# its service NIC svc and freezes when it loses quorum. Partition n3 from
# n1,n2 (the host side still reaches every node): n1 and n2 stay quorate
# and keep serving; n3 loses quorum, latches its gate, and its service
# traffic stops both ways (IPv4 and IPv6 link-local) while its heartbeats
# go on; 'vigilctl gate open' is refused. Heal: n3 is quorate again but
# stays latched (n1, n2 see it self-fenced) until 'vigilctl gate open',
# then serves again.
. "$(dirname "$0")/lib.sh"

# svc_ok NODE_ID: the host and the node reach each other over svc, IPv4
# and IPv6 link-local, each way. svc_blocked NODE_ID: none of it does.
svc_ok() {
	host_reaches "$(addr4 "$1" svc)" || fail "host -> n$1 over svc (IPv4)"
	host_reaches "fe80::$1%svc" || fail "host -> n$1 over svc (IPv6)"
	reaches "n$1" 169.254.3.254 || fail "n$1 -> host over svc (IPv4)"
	reaches "n$1" fe80::fe%svc || fail "n$1 -> host over svc (IPv6)"
}
svc_blocked() {
	host_blocked "$(addr4 "$1" svc)" || fail "host -> n$1 over svc (IPv4) passes the gate"
	host_blocked "fe80::$1%svc" || fail "host -> n$1 over svc (IPv6) passes the gate"
	blocked "n$1" 169.254.3.254 || fail "n$1 -> host over svc (IPv4) passes the gate"
	blocked "n$1" fe80::fe%svc || fail "n$1 -> host over svc (IPv6) passes the gate"
}
# Heartbeats n3 has sent, over all its links.
tx3() { vstatus n3 'sum(l["counters"]["tx"] for l in d["links"])'; }

step "lab up 3, $T cluster, svc protected, quorum:freeze"
lab up 3
cluster "$T" 3 --protect svc --fence quorum:freeze
wait_until 30 all_up 3 || fail "membership did not form"
for i in 1 2 3; do
	wait_is 10 "n$i" 'd["gate"]' open || fail "n$i: gate not open: $(vstatus "n$i" 'd.get("gate")')"
done
on n3 'vigilctl events -j --timeout 300 > /tmp/events 2>&1 &'
on n3 vigilctl status

step "service reachable on every node, both ways, IPv4 and IPv6"
for i in 1 2 3; do
	svc_ok "$i"
done

step "partition n3 from n1,n2: n3 loses quorum and latches its gate"
dropped0=$(vstatus n3 'd["gate_dropped"]')
lab partition n3
wait_is 10 n1 'peers["n3"]["state"]' down || fail "n1 does not see n3 down"
wait_is 10 n2 'peers["n3"]["state"]' down || fail "n2 does not see n3 down"
[ "$(vstatus n1 'd["quorate"]')" = True ] || fail "n1 lost quorum"
[ "$(vstatus n2 'd["quorate"]')" = True ] || fail "n2 lost quorum"
wait_is 10 n3 'd["quorate"]' False || fail "n3 kept quorum alone"
wait_is 10 n3 'd["gate"]' latched || fail "n3: gate not latched: $(vstatus n3 'd["gate"]')"
[ "$(vstatus n3 'd["fenced"]')" = quorum ] || fail "n3: fenced is $(vstatus n3 'd["fenced"]'), not quorum"
[ "$(vstatus n3 'd["lease_left_ms"]')" = 0 ] || fail "n3's lease still fresh without quorum"
on n3 vigilctl status

step "n3's service traffic stops both ways; n1, n2 keep serving"
svc_blocked 3
for i in 1 2; do
	[ "$(vstatus "n$i" 'd["gate"]')" = open ] || fail "n$i: gate $(vstatus "n$i" 'd["gate"]') on the majority side"
	host_reaches "$(addr4 "$i" svc)" || fail "host -> n$i during the partition"
done
dropped=$(vstatus n3 'd["gate_dropped"]')
[ "$dropped" -gt "$dropped0" ] || fail "n3's gate_dropped did not rise ($dropped0 -> $dropped)"
echo "n3's gate dropped $((dropped - dropped0)) packets"

step "n3's heartbeats go on"
tx_a=$(tx3)
sleep 2
tx_b=$(tx3)
[ "$tx_b" -gt "$tx_a" ] || fail "n3 stopped heartbeating while frozen (tx $tx_a -> $tx_b)"
echo "n3 sent $((tx_b - tx_a)) heartbeats in 2 s"

step "gate open is refused while n3 has no quorum"
if on n3 vigilctl gate open; then
	fail "vigilctl gate open succeeded on n3 without quorum"
fi
[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "n3's gate left latched state after a refused gate open"

for i in 1 2; do
	[ "$(vstatus "n$i" '(d["quorate"], d["gate"], d["fenced"])')" = "(True, 'open', None)" ] ||
		fail "n$i, on the majority side, is $(vstatus "n$i" '(d["quorate"], d["gate"], d["fenced"])')"
done

step "heal: n3 is quorate again but stays latched; its peers see it self-fenced"
lab partition none
wait_is 30 n3 'd["quorate"] and all(p["state"] == "up" for p in d["peers"])' True ||
	fail "n3 did not rejoin: $(vstatus n3 '[(p["name"], p["state"]) for p in d["peers"]]')"
wait_until 10 is n3 'd["lease_left_ms"] > 0' True || fail "n3's lease not renewed after heal"
for i in 1 2; do
	wait_is 10 "n$i" '(peers["n3"]["state"], peers["n3"].get("fence_cause"))' "('self-fenced', 'quorum')" ||
		fail "n$i sees n3 as $(vstatus "n$i" '(peers["n3"]["state"], peers["n3"].get("fence_cause"))')"
done
sleep 2
[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "n3's gate unlatched by itself: $(vstatus n3 'd["gate"]')"
svc_blocked 3

step "vigilctl gate open on n3: service traffic flows again"
on n3 vigilctl gate open
wait_is 5 n3 'd["gate"]' open || fail "n3: gate $(vstatus n3 'd["gate"]') after gate open"
[ "$(vstatus n3 'd["fenced"]')" = None ] || fail "n3 still fenced after gate open: $(vstatus n3 'd["fenced"]')"
wait_until 10 all_up 3 || fail "n1, n2 do not see n3 up after gate open"
svc_ok 3
on n3 vigilctl status

step "n3's events: fenced (freeze, cause quorum), quorum lost and regained, gate opened"
on n3 'cat /tmp/events' | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
kinds = [e["event"] for e in ev]
print(kinds)
# The lease (4/5 of the timeout) runs out before the peers time out, so
# the fence may come before quorum-lost: the cause fires on either.
fences = [i for i, e in enumerate(ev) if e["event"] == "fence"]
assert len(fences) == 1, "%d fence events" % len(fences)
f = ev[fences[0]]
assert (f.get("cause"), f.get("action")) == ("quorum", "freeze"), "fence event %s" % f
assert "quorum-lost" in kinds, "no quorum-lost"
assert "lease-expired" in kinds[:fences[0]], "no lease-expired before the fence"
g = max(i for i, k in enumerate(kinds) if k == "quorum-gained")
assert g > fences[0], "no quorum-gained after the fence"
assert "gate-opened" in kinds[g:], "no gate-opened after quorum came back"
' || fail "wrong events on n3"
echo ok
