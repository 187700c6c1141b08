#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'lab pause' stops the QEMU process: the guest's clock runs on, so after
# 'lab resume' the guest sees the time jump. 'lab suspend' is a QMP stop:
# the guest clock is frozen too and the guest cannot notice the gap.
. "$(dirname "$0")/lib.sh"

GAP=8

# Guest uptime (CLOCK_BOOTTIME, 10 ms resolution) and host monotonic time.
guest_now() { on "$1" cat /proc/uptime | cut -d' ' -f1; }
host_now() { python3 -c 'import time; print(time.monotonic())'; }

# measure NODE pause|suspend: print "host_delta guest_delta"
measure() {
	g0=$(guest_now "$1"); h0=$(host_now)
	lab "$2" "$1"
	[ "$(lab status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"][sys.argv[1]])' "$1")" = \
		"$([ "$2" = pause ] && echo paused || echo suspended)" ] || fail "lab status does not show $1 $2d"
	sleep "$GAP"
	lab resume "$1"
	g1=$(guest_now "$1"); h1=$(host_now)
	python3 -c 'import sys; a=[float(x) for x in sys.argv[1:]]; print("%.2f %.2f" % (a[3]-a[2], a[1]-a[0]))' \
		"$g0" "$g1" "$h0" "$h1"
}

step "lab up 2"
lab up 2

step "pause n1 for ${GAP}s"
read -r hd gd < <(measure n1 pause)
echo "host saw ${hd}s, guest saw ${gd}s"
python3 -c 'import sys; h,g,gap=map(float,sys.argv[1:]); sys.exit(0 if g >= gap - 0.5 and g <= h + 0.5 else 1)' \
	"$hd" "$gd" "$GAP" || fail "after pause the guest clock did not jump by the gap"

step "n2 kept running while n1 was paused"
reaches n2 "$(addr4 1 a)" || fail "n1 unreachable after resume"

step "suspend n1 for ${GAP}s"
read -r hd gd < <(measure n1 suspend)
echo "host saw ${hd}s, guest saw ${gd}s"
python3 -c 'import sys; h,g,gap=map(float,sys.argv[1:]); sys.exit(0 if g <= h - gap + 1.5 else 1)' \
	"$hd" "$gd" "$GAP" || fail "after suspend the guest saw the gap"

step "resume of a running node is refused"
set +e
lab resume n1; rc=$?
set -e
[ "$rc" = 1 ] || fail "resume of a running node: exit $rc, want 1"
echo ok
