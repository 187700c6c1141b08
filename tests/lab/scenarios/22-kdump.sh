#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-fence by panic into kdump. n3 boots with a crash kernel reserved
# ('lab up --kdump n3': 768 MiB, crashkernel=256M, a kdump disk and a dump
# disk) and loads it with kexec -p ('lab kdump n3'). Twice: (a) the daemon
# cause (policy daemon:panic, 'vigild -w 1000' killed with SIGKILL: the
# action runs from the heartbeat timer), (b) 'vigilctl fence self panic'
# (the action runs in the netlink request). Each time n3's last-gasp
# notice says it is dumping: n1 and n2 emit peer-fenced (dumping yes) with
# the cause, show n3 'dumping' and keep quorum; the capture kernel saves
# /proc/vmcore to the dump disk and reboots n3; the host restores the dump
# (makedumpfile -R) and finds vigil's panic with that cause in the
# captured kernel log (makedumpfile --dump-dmesg); n3, configured again,
# rejoins in a greater incarnation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fencelib.sh"

# What the peers were told about n3 is checked to the end of the
# scenario, which then fails with every discrepancy found.
PROBLEMS=
problem() {
	echo "PROBLEM: $*" >&2
	PROBLEMS="$PROBLEMS
  - $*"
}

# shows_dumping NODE CAUSE: NODE shows n3 dumping with CAUSE.
shows_dumping() {
	got=$(vstatus "$1" 'peers["n3"]["state"], peers["n3"]["fence_cause"]')
	[ "$got" = "('dumping', '$2')" ] || problem "($2) $1 shows n3 as $got, want ('dumping', '$2')"
}

# panic_case CAUSE NAME CMD: with the crash kernel loaded in n3, run CMD
# there (it must make vigil panic n3 with cause CAUSE, whose kernel-log
# name starts with NAME), check the notice, the dump and the rejoin.
panic_case() {
	cause=$1 name=$2 cmd=$3
	inc0=$(vstatus n1 'peers["n3"]["incarnation"]')
	boot0=$(boot_id n3)
	nboots=$(boots n3)
	[ "$(on n3 cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "no crash kernel loaded in n3"
	ev_start n1
	ev_start n2
	m1=$(ev_mark n1) m2=$(ev_mark n2)

	# Detached: a panic with no delay may end n3 before the agent answers.
	lab exec --bg n3 "sleep 1; $cmd" >/dev/null || true
	for i in 1 2; do
		wait_is 30 "n$i" 'peers["n3"]["state"] != "up"' True || fail "n$i still sees n3 up"
	done
	sleep 1
	for i in 1 2; do
		shows_dumping "n$i" "$cause"
		[ "$(vstatus "n$i" 'd["quorate"]')" = True ] || fail "n$i lost quorum"
		m=$([ "$i" = 1 ] && echo "$m1" || echo "$m2")
		wait_until 10 has_event "n$i" "$m" peer-fenced || fail "no peer-fenced event on n$i: $(kinds "n$i" "$m")"
		evs=$(evq "n$i" "$m" '[(e["peer"], e["cause"], e["dumping"]) for e in E if e["event"] == "peer-fenced"]')
		echo "n$i: peer-fenced events (peer, cause, dumping): $evs"
		echo "n$i: events about n3: $(evq "n$i" "$m" '" ".join(e["event"] + ("(dumping %s)" % e["dumping"] if "dumping" in e else "") for e in E if e.get("peer") == "n3")')"
		[ "$(evq "n$i" "$m" '[e["event"] for e in E if e.get("peer") == "n3" and e["event"] in ("peer-up", "peer-restarted")]')" = "[]" ] ||
			problem "($cause) n$i saw n3 come up again after its last gasp: $(evq "n$i" "$m" '[e["event"] for e in E if e.get("peer") == "n3"]')"
		[ "$(evq "n$i" "$m" 'set((e["peer"], e["cause"]) for e in E if e["event"] == "peer-fenced")')" = \
			"{('n3', '$cause')}" ] || fail "n$i's peer-fenced events: $(evq "n$i" "$m" 'E')"
		[ "$(evq "n$i" "$m" '[e["dumping"] for e in E if e["event"] == "peer-fenced"][-1]')" = True ] ||
			problem "($cause) n$i's last peer-fenced event for n3 says dumping no: $evs"
		[ "$(evq "n$i" "$m" 'all(e["dumping"] for e in E if e["event"] == "peer-fenced")')" = True ] ||
			problem "($cause) n$i emitted peer-fenced for n3 with dumping no while n3 was dumping: $evs"
	done
	on n1 vigilctl status | grep -A1 'peer: n3'
	want="Kernel panic - not syncing: vigil: self-fence ($name[^)]*), crash dump"
	lab log n3 | grep -a "$want" || fail "no vigil panic (cause $cause, crash dump) on n3's console"

	step "($cause) the capture kernel saves the dump and reboots n3"
	wait_until 300 sh -c "$LAB log n3 | grep -a -c 'lab-kdump: dump saved' | grep -qx $((ndumps + 1))" || {
		lab log n3 | grep -a 'lab-kdump' || true
		fail "the capture kernel did not save a dump"
	}
	ndumps=$((ndumps + 1))
	lab log n3 | grep -a 'lab-kdump:' | tail -n 4
	# Peers still say why n3 is gone while it dumps and boots again.
	shows_dumping n1 "$cause"
	wait_reboot n3 "$nboots" 300
	[ "$(boot_id n3)" != "$boot0" ] || fail "n3 has the same boot id after the dump"
	shows_dumping n2 "$cause"

	step "($cause) the host reads the dump: vigil's panic is in the captured kernel log"
	log=$(lab vmcore --dmesg n3) || fail "could not read n3's dump"
	echo "$log" | grep -a 'vigil: ' | tail -n 3
	echo "$log" | grep -aq "$want" || fail "the dump's kernel log has no '$want': $(echo "$log" | tail -n 5)"
	echo "$log" | grep -aqF "lab-rc: node n3 (id 3) up" || fail "the dump is not of n3's kernel"
	[ "$(echo "$log" | grep -a 'Kernel panic - not syncing' | tail -n 1 | grep -c "vigil: self-fence")" = 1 ] ||
		fail "the dump's last panic is not vigil's"

	step "($cause) n3 rejoins in a greater incarnation"
	configure "$T" 3 n3 --fence daemon:panic
	wait_until 30 all_up 3 || fail "n3 did not rejoin"
	inc1=$(vstatus n1 'peers["n3"]["incarnation"]')
	echo "incarnation $inc0 -> $inc1"
	newer "$inc0" "$inc1" || fail "n3's new incarnation is not greater"
}
ndumps=0

step "lab up 3 --kdump n3, $T cluster, daemon:panic"
lab up 3 --kdump n3
cluster "$T" 3 --fence daemon:panic
wait_until 30 all_up 3 || fail "membership did not form"

step "(daemon) crash kernel loaded; vigild -w 2000 on n3, killed with SIGKILL"
# The crash kernel first: unpacking it keeps n3's one vCPU busy, and a
# vigild starved that long would rightly fire the daemon cause.
lab kdump n3
lab exec --bg n3 'exec vigild -w 2000 >/tmp/vigild.log 2>&1' >/dev/null
wait_is 20 n3 'd["daemon"] and d["daemon"]["timeout_ms"]' 2000 || fail "vigild did not register"
panic_case daemon daemon 'kill -KILL $(pidof vigild)'

step "(operator) crash kernel loaded; vigilctl fence self panic on n3"
lab kdump n3
panic_case operator operator 'vigilctl fence self panic --yes'

[ -z "$PROBLEMS" ] || fail "the peers were not told that n3 was dumping:$PROBLEMS"
echo ok
