#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab netem NODE LINK SPEC' impairs one link of one node, both directions.
. "$(dirname "$0")/lib.sh"

# Average round trip in ms of 3 pings from NODE to ADDR.
rtt() {
	on "$1" ping -c 3 -i 0.3 -W 2 "$2" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

step "lab up 2"
lab up 2
base=$(rtt n1 "$(addr4 2 a)")
echo "baseline rtt over a: ${base}ms"

step "netem n1 a 'delay 150ms'"
lab netem n1 a delay 150ms
slow=$(rtt n1 "$(addr4 2 a)")
other=$(rtt n1 "$(addr4 2 b)")
echo "rtt over a: ${slow}ms, over b: ${other}ms"
python3 -c 'import sys; s,o=map(float,sys.argv[1:]); sys.exit(0 if s >= 290 and o < 150 else 1)' \
	"$slow" "$other" || fail "delay not applied to a both ways, or leaked to b"

step "netem n1 a 'loss 100%'"
lab netem n1 a loss 100%
blocked n1 "$(addr4 2 a)" || fail "loss 100% on a still passes"
reaches n1 "$(addr4 2 b)" || fail "loss on a broke b"

step "netem n1 a none"
lab netem n1 a none
reaches n1 "$(addr4 2 a)" || fail "a not restored"

step "bad link and bad spec are refused"
set +e
lab netem n1 q delay 1ms 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "bad link: exit $rc, want 2"
set +e
lab netem n1 a 'delay 1ms; reboot' 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "bad spec: exit $rc, want 2"
echo ok
