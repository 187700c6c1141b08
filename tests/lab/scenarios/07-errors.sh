#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input gets one line on stderr that names it, and exit code 2:
# unknown node, bad link name, a lab that is not up.
. "$(dirname "$0")/lib.sh"

err=$(mktemp)

# expect2 WHAT-TO-FIND CMD...: CMD exits 2 with one stderr line containing it.
expect2() {
	want=$1
	shift
	set +e
	lab "$@" 2>"$err" >/dev/null
	rc=$?
	set -e
	cat "$err"
	[ "$rc" = 2 ] || fail "lab $*: exit $rc, want 2"
	[ "$(wc -l < "$err")" = 1 ] || fail "lab $*: not one line of error"
	grep -q -- "$want" "$err" || fail "lab $*: error does not say '$want'"
}

step "lab not up"
lab down
expect2 "not up" status
expect2 "not up" exec n1 true
expect2 "not up" cut n1 a
expect2 "not up" pause n1

step "lab up 1"
lab up 1
expect2 "unknown node 'n7'" exec n7 true
expect2 "unknown node 'n7'" kill n7
expect2 "unknown link 'c'" cut n1 c
expect2 "unknown link 'eth0'" heal n1 eth0

step "exec passes the exit code and both outputs"
set +e
out=$(lab exec n1 'echo out; echo err >&2; exit 3' 2>"$err"); rc=$?
set -e
[ "$rc" = 3 ] || fail "exec exit code $rc, want 3"
[ "$out" = out ] || fail "exec stdout '$out'"
[ "$(cat "$err")" = err ] || fail "exec stderr '$(cat "$err")'"
set +e
lab exec -t 2 n1 sleep 30 2>/dev/null; rc=$?
set -e
[ "$rc" = 124 ] || fail "exec timeout: exit $rc, want 124"
rm -f "$err"
echo ok
