#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab partition n1,n2 n3' isolates exactly the named groups from each
# other on every link; inside a group and to the host side, all works.
. "$(dirname "$0")/lib.sh"

step "lab up 3"
lab up 3

step "partition n1,n2 | n3"
lab partition n1,n2 n3
for l in a b svc; do
	reaches n1 "$(addr4 2 $l)" || fail "n1 -> n2 over $l inside the group"
	blocked n1 "$(addr4 3 $l)" || fail "n1 -> n3 over $l across the partition"
	blocked n3 "$(addr4 2 $l)" || fail "n3 -> n2 over $l across the partition"
done
for i in 1 2 3; do
	lab nsexec ping -c 1 -W 2 "$(addr4 $i svc)" >/dev/null || fail "host -> n$i during partition"
done
lab status | grep -q 'partition: n1,n2 | n3' || fail "lab status does not show the partition"

step "three groups: n1 | n2 | n3"
lab partition n1 n2 n3
blocked n1 "$(addr4 2 a)" || fail "n1 -> n2 with three groups"
blocked n2 "$(addr4 3 b)" || fail "n2 -> n3 with three groups"

step "unlisted nodes form the last group: partition n1"
lab partition n1
blocked n1 "$(addr4 2 a)" || fail "n1 -> n2 with n1 alone"
reaches n2 "$(addr4 3 a)" || fail "n2 -> n3 with n1 alone"

step "heal: partition none"
lab partition none
for l in a b svc; do
	reaches n1 "$(addr4 3 $l)" || fail "n1 -> n3 over $l after heal"
done

step "bad input: a node in two groups, an unknown node"
err=$(mktemp)
set +e
lab partition n1,n2 n2 2>"$err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "node in two groups: exit $rc, want 2"
cat "$err"
set +e
lab partition n1 n9 2>"$err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown node: exit $rc, want 2"
grep -q "unknown node 'n9'" "$err" || fail "error does not name n9"
rm -f "$err"
echo ok
