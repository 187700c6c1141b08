#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A cut link stops traffic on that link only; heal restores it. Cutting
# all links of a node isolates it from peers and from the host side.
. "$(dirname "$0")/lib.sh"

step "lab up 3"
lab up 3

step "every node reaches every other on a, b and svc"
for l in a b svc; do
	reaches n1 "$(addr4 2 $l)" || fail "n1 -> n2 over $l before any cut"
	reaches n2 "$(addr4 3 $l)" || fail "n2 -> n3 over $l before any cut"
done
reaches n1 fe80::2%a || fail "n1 -> n2 over IPv6 link-local on a"

step "cut n1 a: n1 loses a only"
lab cut n1 a
blocked n1 "$(addr4 2 a)" || fail "n1 -> n2 over a still works after cut"
blocked n3 "$(addr4 1 a)" || fail "n3 -> n1 over a still works after cut"
blocked n1 fe80::2%a || fail "n1 -> n2 IPv6 over a still works after cut"
reaches n1 "$(addr4 2 b)" || fail "n1 -> n2 over b broken by cut of a"
reaches n1 "$(addr4 2 svc)" || fail "n1 -> n2 over svc broken by cut of a"
reaches n2 "$(addr4 3 a)" || fail "n2 -> n3 over a broken by cut of n1 a"
lab status | grep -q 'n1 .*cut: a' || fail "lab status does not show the cut"

step "heal n1 a"
lab heal n1 a
reaches n1 "$(addr4 2 a)" || fail "n1 -> n2 over a after heal"

step "cut n2 (all links): isolated from peers and host"
lab cut n2
for l in a b svc; do
	blocked n1 "$(addr4 2 $l)" || fail "n1 -> n2 over $l with n2 cut"
done
blocked n2 "$(addr4 3 a)" || fail "n2 -> n3 with n2 cut"
! lab nsexec ping -c 2 -W 1 "$(addr4 2 svc)" >/dev/null || fail "host -> n2 with n2 cut"
lab nsexec ping -c 1 -W 2 "$(addr4 1 svc)" >/dev/null || fail "host -> n1 broken by cut of n2"
reaches n1 "$(addr4 3 a)" || fail "n1 -> n3 broken by cut of n2"

step "heal n2"
lab heal n2
for l in a b svc; do
	reaches n1 "$(addr4 2 $l)" || fail "n1 -> n2 over $l after heal"
done
echo ok
