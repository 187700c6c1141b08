#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kill n2 (power loss) and boot it again: the others see it down, then up
# with a new incarnation.
. "$(dirname "$0")/lib.sh"

step "lab up 3, $T cluster"
lab up 3
cluster "$T" 3
wait_until 30 all_up 3 || fail "membership did not form"
inc0=$(vstatus n1 'peers["n2"]["incarnation"]')

step "kill n2"
lab kill n2
wait_is 10 n1 'peers["n2"]["state"]' down || fail "n1 does not see n2 down"
[ "$(vstatus n1 'd["quorate"]')" = True ] || fail "n1 lost quorum with 2 of 3"

step "start n2 and configure it again"
lab start n2
configure "$T" 3 n2
wait_until 30 all_up 3 || fail "n2 did not rejoin"
inc1=$(vstatus n1 'peers["n2"]["incarnation"]')
echo "incarnation $inc0 -> $inc1"
[ "$inc0" != "$inc1" ] || fail "n2 rejoined with the same incarnation"
python3 -c 'import sys; sys.exit(0 if int(sys.argv[2]) > int(sys.argv[1]) else 1)' "$inc0" "$inc1" ||
	fail "the new incarnation is not greater"
echo ok
