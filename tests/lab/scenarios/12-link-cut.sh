#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cutting one of two links changes no membership: the peer stays up, the
# generation does not move, only a link-down event is raised; healing
# raises link-up.
. "$(dirname "$0")/lib.sh"

step "lab up 3, $T cluster"
lab up 3
cluster "$T" 3
wait_until 30 all_up 3 || fail "membership did not form"
g0=$(vstatus n2 'd["generation"]')

step "watch events on n2, cut n1's link a"
on n2 'vigilctl events -j --timeout 15 > /tmp/events 2>&1 &'
sleep 1
lab cut n1 a
wait_is 10 n2 'link("n1", "a")["state"]' down || fail "n2 does not see n1's link a down"
[ "$(vstatus n2 'peers["n1"]["state"]')" = up ] || fail "n1 went down with one link left"
[ "$(vstatus n2 'link("n1", "b")["state"]')" = up ] || fail "link b of n1 went down too"
[ "$(vstatus n2 'd["quorate"]')" = True ] || fail "n2 lost quorum"
[ "$(vstatus n2 'd["generation"]')" = "$g0" ] || fail "generation moved on a link cut"
[ "$(vstatus n3 'link("n1", "a")["state"]')" = down ] || fail "n3 does not see n1's link a down"
[ "$(vstatus n3 'link("n2", "a")["state"]')" = up ] || fail "n2-n3 link a went down"

step "heal"
lab heal n1 a
wait_is 10 n2 'link("n1", "a")["state"]' up || fail "link a did not come back"
sleep 12
on n2 cat /tmp/events
on n2 cat /tmp/events | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
kinds = [(e["event"], e.get("peer"), e.get("link")) for e in ev]
print(kinds)
assert ("link-down", "n1", "a") in kinds, "no link-down event"
assert ("link-up", "n1", "a") in kinds, "no link-up event"
assert not any(k[0] in ("peer-down", "quorum-lost") for k in kinds), "membership changed"
' || fail "wrong events on n2"
echo ok
