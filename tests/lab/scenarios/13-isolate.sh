#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cut every link of n3: n1 and n2 see n3 down and stay quorate, n3 sees
# both peers down and loses quorum. Heal: n3 rejoins and is quorate again.
. "$(dirname "$0")/lib.sh"

step "lab up 3, $T cluster"
lab up 3
cluster "$T" 3
wait_until 30 all_up 3 || fail "membership did not form"

step "cut n3 from everything"
lab cut n3
wait_is 10 n1 'peers["n3"]["state"]' down || fail "n1 does not see n3 down"
wait_is 10 n2 'peers["n3"]["state"]' down || fail "n2 does not see n3 down"
[ "$(vstatus n1 'd["quorate"]')" = True ] || fail "n1 lost quorum"
[ "$(vstatus n2 'd["quorate"]')" = True ] || fail "n2 lost quorum"
wait_is 10 n3 'd["quorate"]' False || fail "n3 kept quorum alone"
[ "$(vstatus n3 'all(p["state"] == "down" for p in d["peers"])')" = True ] || fail "n3 still sees a peer"
on n1 vigilctl status
on n3 vigilctl status

step "heal: n3 rejoins"
lab heal n3
wait_until 30 all_up 3 || fail "n3 did not rejoin"
echo ok
