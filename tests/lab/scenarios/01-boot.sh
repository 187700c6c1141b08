#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three nodes boot with vigil.ko loaded; vigilctl status works in each and
# reports the module version of this tree, in human and JSON form.
. "$(dirname "$0")/lib.sh"

want=$(cat "$TOP/VERSION")

step "lab up 3"
lab up 3

for n in n1 n2 n3; do
	step "$n: module loaded"
	on "$n" 'grep -q "^vigil " /proc/modules' || fail "$n: vigil.ko not loaded"

	step "$n: vigilctl status"
	out=$(on "$n" vigilctl status)
	echo "$out"
	case "$out" in *"$want"*) ;; *) fail "$n: status does not show version $want" ;; esac

	step "$n: vigilctl status -j"
	json=$(on "$n" vigilctl status -j)
	echo "$json"
	echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d["module"]
assert m["version"] == sys.argv[1], m
assert m["protocol"] == 1, m
' "$want" || fail "$n: bad JSON status"
done

step "hostname and node id match"
for i in 1 2 3; do
	[ "$(on "n$i" hostname)" = "n$i" ] || fail "n$i: wrong hostname"
	[ "$(on "n$i" cat /run/lab/id)" = "$i" ] || fail "n$i: wrong id"
done
echo ok
