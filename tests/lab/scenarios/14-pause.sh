#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pause n3 (the whole VM stalls, its clock runs on) past the timeout: n1 and
# n2 see it down. On resume n3 itself sees that it had no quorum, then
# rejoins.
. "$(dirname "$0")/lib.sh"

step "lab up 3, $T cluster"
lab up 3
cluster "$T" 3
wait_until 30 all_up 3 || fail "membership did not form"
on n3 'vigilctl events -j --timeout 40 > /tmp/events 2>&1 &'
sleep 1

step "pause n3 for 3 s (6 timeouts)"
lab pause n3
wait_is 10 n1 'peers["n3"]["state"]' down || fail "n1 does not see the paused n3 down"
[ "$(vstatus n2 'peers["n3"]["state"]')" = down ] || fail "n2 does not see the paused n3 down"
sleep 2
lab resume n3

step "n3 rejoins; its own events show it lost quorum on resume"
wait_until 30 all_up 3 || fail "n3 did not rejoin after resume"
sleep 1
on n3 'cat /tmp/events' | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
kinds = [e["event"] for e in ev]
print(kinds)
assert "quorum-lost" in kinds, "n3 never saw itself without quorum"
i = kinds.index("quorum-lost")
assert "quorum-gained" in kinds[i:], "n3 did not regain quorum"
' || fail "wrong events on n3"
echo ok
