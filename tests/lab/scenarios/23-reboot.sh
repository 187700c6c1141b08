#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-fence by restart. Three nodes, policy quorum:reboot and
# daemon:reboot; n3 boots with panic=1 and no crash kernel. (a) 'vigilctl
# fence self reboot' on n3; (b) the daemon cause ('vigild -w 2000' killed
# with SIGKILL); (c) the quorum cause (n3 partitioned from n1,n2: its last
# gasp cannot reach them); (d) 'vigilctl fence self panic': with panic=1
# the panic reboots. Each time n3 restarts in place (the VM resets, QEMU
# goes on: the lab does not pass -no-reboot) with a new boot id and an
# unconfigured vigil.ko; in (a), (b) and (d) n1 and n2 emit peer-fenced
# (dumping no) with the cause and show n3 self-fenced until it comes back,
# in (c) they see it down; they keep quorum throughout. Configured again,
# n3 rejoins in a greater incarnation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fencelib.sh"

POLICY="--fence quorum:reboot --fence daemon:reboot"

# since: n3's console since before() ran.
since() { lab log n3 | tail -n +$((con0 + 1)); }
qemu_ends() { lab log n3 | grep -ac '^\[[0-9:.]*\] lab: qemu ' || true; }

# reboot_case CAUSE KMSG NOTICE: n3 is about to fence itself with CAUSE;
# its kernel log must show KMSG; NOTICE: yes if the peers can hear the
# last gasp. Waits for the restart and checks everything.
reboot_case() {
	cause=$1 kmsg=$2 notice=$3
	for i in 1 2; do
		wait_is 30 "n$i" 'peers["n3"]["state"] != "up"' True || fail "n$i still sees n3 up"
	done
	sleep 1
	for i in 1 2; do
		m=$([ "$i" = 1 ] && echo "$m1" || echo "$m2")
		if [ "$notice" = yes ]; then
			[ "$(vstatus "n$i" 'peers["n3"]["state"], peers["n3"]["fence_cause"]')" = "('self-fenced', '$cause')" ] ||
				fail "n$i shows n3 as $(vstatus "n$i" 'peers["n3"]["state"], peers["n3"]["fence_cause"]')"
			wait_until 10 has_event "n$i" "$m" peer-fenced || fail "no peer-fenced on n$i: $(kinds "n$i" "$m")"
			[ "$(evq "n$i" "$m" 'set((e["peer"], e["cause"], e["dumping"]) for e in E if e["event"] == "peer-fenced")')" = \
				"{('n3', '$cause', False)}" ] || fail "n$i's peer-fenced events: $(evq "n$i" "$m" 'E')"
		else
			wait_is 10 "n$i" 'peers["n3"]["state"]' down ||
				fail "n$i shows n3 as $(vstatus "n$i" 'peers["n3"]["state"]'), want down"
		fi
		[ "$(vstatus "n$i" 'd["quorate"]')" = True ] || fail "n$i lost quorum"
	done
	on n1 vigilctl status | grep -A1 'peer: n3'

	wait_reboot n3 "$nboots" 240
	[ "$(boot_id n3)" != "$boot0" ] || fail "n3 has the same boot id: it did not restart"
	[ "$(qemu_ends)" = "$nqemu" ] || fail "QEMU of n3 exited instead of resetting"
	[ "$(lab status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"]["n3"])')" = running ] ||
		fail "n3 is not running after its restart"
	since | grep -a "$kmsg" || fail "no '$kmsg' on n3's console"
	[ "$(vstatus n3 'd["configured"]')" = False ] || fail "vigil.ko on n3 is configured after a restart"
	# The peers still say why n3 went away (or that it is down).
	want=$([ "$notice" = yes ] && echo "('self-fenced', '$cause')" || echo "('down', None)")
	for i in 1 2; do
		[ "$(vstatus "n$i" 'peers["n3"]["state"], peers["n3"].get("fence_cause")')" = "$want" ] ||
			fail "n$i shows the restarted, unconfigured n3 as $(vstatus "n$i" 'peers["n3"]["state"], peers["n3"].get("fence_cause")')"
		[ "$(vstatus "n$i" 'd["quorate"]')" = True ] || fail "n$i lost quorum"
	done
}

# Before each case: n3's incarnation, boot id, boot and QEMU-exit counts,
# and the peers' event marks.
before() {
	inc0=$(vstatus n1 'peers["n3"]["incarnation"]')
	boot0=$(boot_id n3)
	nboots=$(boots n3)
	nqemu=$(qemu_ends)
	con0=$(lab log n3 | wc -l)
	ev_start n1
	ev_start n2
	m1=$(ev_mark n1) m2=$(ev_mark n2)
}

# After each case: configure n3 again; it rejoins in a greater incarnation.
rejoin() {
	configure "$T" 3 n3 $POLICY
	wait_until 30 all_up 3 || fail "n3 did not rejoin"
	inc1=$(vstatus n1 'peers["n3"]["incarnation"]')
	echo "incarnation $inc0 -> $inc1"
	newer "$inc0" "$inc1" || fail "n3's new incarnation is not greater"
}

step "lab up 3 (n3 with panic=1), $T cluster, quorum:reboot, daemon:reboot"
lab up 3 --node-append n3:panic=1
on n3 'grep -qw panic=1 /proc/cmdline' || fail "n3 did not boot with panic=1"
! on n1 'grep -qw panic=1 /proc/cmdline' || fail "--node-append n3: reached n1"
cluster "$T" 3 $POLICY
wait_until 30 all_up 3 || fail "membership did not form"
[ "$(on n3 cat /sys/kernel/kexec_crash_loaded)" = 0 ] || fail "n3 has a crash kernel loaded"

step "(a) vigilctl fence self reboot on n3"
before
lab exec --bg n3 'sleep 1; vigilctl fence self reboot --yes' >/dev/null || true
reboot_case operator 'vigil: self-fence (operator[^)]*): emergency restart' yes
rejoin

step "(b) daemon cause: vigild -w 2000 on n3, killed with SIGKILL"
lab exec --bg n3 'exec vigild -w 2000 >/tmp/vigild.log 2>&1' >/dev/null
wait_is 20 n3 'd["daemon"] and d["daemon"]["timeout_ms"]' 2000 || fail "vigild did not register"
before
on n3 'kill -KILL $(pidof vigild)'
reboot_case daemon 'vigil: self-fence (daemon[^)]*): emergency restart' yes
rejoin

step "(c) quorum cause: n3 partitioned from n1,n2"
before
lab partition n3
reboot_case quorum 'vigil: self-fence (quorum[^)]*): emergency restart' no
lab partition none
rejoin

step "(d) vigilctl fence self panic on n3, no crash kernel, panic=1"
before
lab exec --bg n3 'sleep 1; vigilctl fence self panic --yes' >/dev/null || true
reboot_case operator 'Kernel panic - not syncing: vigil: self-fence (operator[^)]*)$' yes
since | grep -a 'Rebooting in 1 seconds' >/dev/null || fail "no 'Rebooting in 1 seconds' after the panic"
rejoin
echo ok
