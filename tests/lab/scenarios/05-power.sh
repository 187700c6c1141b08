#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab kill' is a power loss, 'lab start' boots the node again (a new boot,
# module loaded again); 'lab crash' panics the kernel inside the node.
. "$(dirname "$0")/lib.sh"

state() { lab status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"][sys.argv[1]])' "$1"; }

step "lab up 3"
lab up 3
boot0=$(on n2 cat /proc/sys/kernel/random/boot_id)

step "kill n2"
lab kill n2
[ "$(state n2)" = off ] || fail "n2 not off after kill"
blocked n1 "$(addr4 2 a)" || fail "n2 still answers after kill"
set +e
lab exec n2 true 2>/dev/null; rc=$?
set -e
[ "$rc" = 1 ] || fail "exec on a killed node: exit $rc, want 1"
reaches n1 "$(addr4 3 a)" || fail "n1 -> n3 broken by kill of n2"

step "start n2"
lab start n2
[ "$(state n2)" = running ] || fail "n2 not running after start"
boot1=$(on n2 cat /proc/sys/kernel/random/boot_id)
[ "$boot0" != "$boot1" ] || fail "n2 did not boot again (same boot id)"
on n2 'grep -q "^vigil " /proc/modules' || fail "vigil.ko not loaded after restart"
reaches n1 "$(addr4 2 a)" || fail "n1 -> n2 after restart"

step "start of a running node is refused"
set +e
lab start n2 2>/dev/null; rc=$?
set -e
[ "$rc" = 1 ] || fail "start of a running node: exit $rc, want 1"

step "crash n3"
lab crash n3
lab log n3 | grep -q 'Kernel panic - not syncing: sysrq triggered crash' || fail "no panic on n3's console"
set +e
lab exec -t 5 n3 true 2>/dev/null; rc=$?
set -e
[ "$rc" != 0 ] || fail "n3 still runs commands after the panic"
blocked n1 "$(addr4 3 a)" || fail "n3 still answers after the panic"

step "kill and start n3 after the crash"
lab kill n3
lab start n3
on n3 true || fail "n3 not usable after restart"
echo ok
