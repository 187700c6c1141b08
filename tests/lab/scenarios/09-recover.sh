#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab up' cleans up what a crashed earlier run left (QEMU processes
# without a supervisor, a lost state file, the namespace), and 'lab down'
# leaves no VM, supervisor or namespace behind.
. "$(dirname "$0")/lib.sh"

state=/run/${VIGIL_LAB_NAME:-vigil-lab}
ns=${VIGIL_LAB_NAME:-vigil-lab}
strays() { pgrep -f -- "$state/" | wc -l; }

step "lab up 2, then crash the lab tooling: supervisors killed, state lost"
lab up 2
pkill -9 -f -- "_supervise .* $state/" || true
rm -f "$state/state.json"
[ "$(strays)" -ge 2 ] || fail "expected the two QEMUs to survive their supervisors"

step "lab up 2 again"
lab up 2
[ "$(strays)" = 4 ] || fail "want 2 QEMUs + 2 supervisors, have $(strays) processes"
on n1 true || fail "n1 not usable"

step "lab down leaves nothing"
lab down
[ "$(strays)" = 0 ] || fail "$(strays) lab processes left after down"
! ip netns list | grep -qw "$ns" || fail "namespace $ns left after down"
[ ! -e "$state" ] || fail "$state left after down"
echo ok
