#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon watchdog. Three nodes, each protecting svc with the policy
# daemon:freeze; on n3 'vigild -w 1000' registers with vigil.ko and pets
# it. (a) SIGTERM: vigild unregisters, nothing fences. (b) kill -9: the
# daemon cause fires no earlier than the timeout after the last pet and
# within timeout + interval (+ slack for TCG) of the kill, n3 latches its
# gate (service traffic stops), n1 and n2 show n3 self-fenced (cause
# daemon); a new vigild does not unlatch it, 'vigilctl gate open' does.
# (c) SIGSTOP: the same; SIGCONT does not unlatch. (d) with
# daemon:freeze:5000, SIGSTOP then SIGCONT while the fence is pending:
# fence-cancelled, no latch, peers never see n3 fenced.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fencelib.sh"

WD=1000         # vigild's watchdog timeout, ms
INTERVAL=100    # heartbeat interval: the default timeout (500 ms) / 5
DELAY=5000      # the daemon cause's delay in case (d), ms

# The host reaches n3 over svc (3 tries); or does not (3 pings, none back).
svc3_ok() {
	for _ in 1 2 3; do
		lab nsexec ping -c 1 -W 1 169.254.3.3 >/dev/null 2>&1 && return 0
	done
	return 1
}
svc3_blocked() { ! lab nsexec ping -c 3 -i 1 -W 1 169.254.3.3 >/dev/null 2>&1; }

# kmsg_time NODE PATTERN: printk time (s) of the last kernel log line of
# NODE that holds PATTERN.
kmsg_time() {
	on "$1" dmesg | grep -F "$2" | tail -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}

vigild_start() {
	lab exec --bg n3 "exec vigild -w $WD >>/tmp/vigild.log 2>&1" >/dev/null
	wait_is 20 n3 'd["daemon"] and d["daemon"]["timeout_ms"]' "$WD" ||
		fail "vigild did not register: $(on n3 cat /tmp/vigild.log)"
}
vigild_gone() { ! on n3 pidof vigild; }

# n3 is fenced by the daemon cause with a freeze, and everyone shows it.
check_frozen() {
	from1=$1 from3=$2
	wait_is 20 n3 'd["gate"]' latched || fail "n3's gate not latched: $(vstatus n3 'd["gate"]')"
	[ "$(vstatus n3 'd["fenced"]')" = daemon ] || fail "n3 fenced by $(vstatus n3 'd["fenced"]'), want daemon"
	wait_until 10 has_event n3 "$from3" fence ||
		fail "no fence event on n3: $(kinds n3 "$from3")"
	[ "$(evq n3 "$from3" '[(e["cause"], e["action"]) for e in E if e["event"] == "fence"]')" = \
		"[('daemon', 'freeze')]" ] || fail "n3's fence events: $(evq n3 "$from3" 'E')"
	for i in 1 2; do
		wait_is 10 "n$i" 'peers["n3"]["state"], peers["n3"]["fence_cause"]' "('self-fenced', 'daemon')" ||
			fail "n$i shows n3 as $(vstatus "n$i" 'peers["n3"]["state"], peers["n3"]["fence_cause"]')"
		[ "$(vstatus "n$i" 'd["quorate"]')" = True ] || fail "n$i lost quorum"
	done
	wait_until 10 has_event n1 "$from1" peer-fenced ||
		fail "no peer-fenced event on n1: $(kinds n1 "$from1")"
	[ "$(evq n1 "$from1" '[(e["peer"], e["cause"], e["dumping"]) for e in E if e["event"] == "peer-fenced"]')" = \
		"[('n3', 'daemon', False)]" ] || fail "n1's peer-fenced events: $(evq n1 "$from1" 'E')"
	svc3_blocked || fail "n3 still serves over svc while its gate is latched"
}

# Reopen n3's gate (vigild runs and is registered again).
reopen() {
	[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "n3's gate left the latch before gate open"
	on n3 vigilctl gate open || fail "gate open refused on n3"
	wait_is 10 n3 'd["gate"]' open || fail "n3's gate not open after gate open"
	for i in 1 2; do
		wait_is 10 "n$i" 'peers["n3"]["state"]' up || fail "n$i does not see n3 up after gate open"
	done
	svc3_ok || fail "n3 does not serve after gate open"
}

# timing FROM_KMSG: the daemon cause fired (kernel log) within bounds of
# the moment the scenario stopped vigild (its /dev/kmsg mark).
timing() {
	t0=$(kmsg_time n3 "act: $1")
	t1=$(kmsg_time n3 "daemon missed its $WD ms watchdog")
	[ -n "$t0" ] && [ -n "$t1" ] || fail "missing kernel log lines ($1: '$t0', fire: '$t1')"
	ms=$(python3 -c 'import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))' "$t0" "$t1")
	echo "daemon cause fired $ms ms after '$1' (timeout $WD ms, interval $INTERVAL ms, pet every $((WD / 3)) ms)"
	# vigild pets every third of the timeout, so the last pet came at most
	# WD/3 before the mark: firing earlier than WD - WD/3 would be early.
	[ "$ms" -ge $((WD - WD / 3 - 20)) ] || fail "the daemon cause fired early: $ms ms"
	# Upper bound: timeout + interval, plus generous slack for TCG.
	[ "$ms" -le $((WD + INTERVAL + 2000)) ] || fail "the daemon cause fired late: $ms ms"
}

step "lab up 3, $T cluster, svc protected, daemon:freeze"
lab up 3
cluster "$T" 3 --protect svc --fence daemon:freeze
wait_until 30 all_up 3 || fail "membership did not form"
wait_is 10 n3 'd["gate"]' open || fail "n3's gate not open: $(vstatus n3 'd["gate"]')"
[ "$(vstatus n3 'd["daemon"]')" = None ] || fail "a daemon is registered before vigild runs"
ev_start n1
ev_start n3
svc3_ok || fail "host does not reach n3 over svc"

step "vigild -w $WD on n3 registers"
m3=$(ev_mark n3)
vigild_start
wait_until 10 has_event n3 "$m3" daemon-registered ||
	fail "no daemon-registered event: $(kinds n3 "$m3")"
on n3 vigilctl status | grep -E 'daemon watchdog|gate|fence policy'
sleep 3
[ "$(vstatus n3 'd["gate"], d["fenced"], d["fence_pending"]')" = "('open', None, [])" ] ||
	fail "n3 fenced while vigild pets: $(vstatus n3 'd["gate"], d["fenced"], d["fence_pending"]')"

step "(a) SIGTERM: vigild unregisters, no fence"
m1=$(ev_mark n1) m3=$(ev_mark n3)
on n3 'kill -TERM $(pidof vigild)'
wait_until 10 vigild_gone || fail "vigild did not exit on SIGTERM"
on n3 tail -n 2 /tmp/vigild.log
on n3 'grep -q "daemon watchdog: unregistered" /tmp/vigild.log' || fail "vigild did not log its unregistration"
wait_until 10 has_event n3 "$m3" daemon-unregistered ||
	fail "no daemon-unregistered event: $(kinds n3 "$m3")"
[ "$(vstatus n3 'd["daemon"]')" = None ] || fail "the watchdog is still armed after a clean stop"
sleep $(((WD + INTERVAL) * 3 / 1000))
[ "$(evq n3 "$m3" '[e["event"] for e in E if e["event"].startswith("fence")]')" = "[]" ] ||
	fail "a clean stop fenced: $(kinds n3 "$m3")"
[ "$(vstatus n3 'd["gate"], d["fenced"]')" = "('open', None)" ] || fail "n3 fenced after a clean stop"
[ "$(evq n1 "$m1" '[e for e in E if e["event"] == "peer-fenced"]')" = "[]" ] || fail "n1 saw a peer fence"
[ "$(vstatus n1 'peers["n3"]["state"]')" = up ] || fail "n1 does not see n3 up"
svc3_ok || fail "n3 stopped serving after a clean stop of vigild"

step "(b) kill -9: the daemon cause fires, n3 freezes"
vigild_start
sleep 1
m1=$(ev_mark n1) m3=$(ev_mark n3)
on n3 'echo "act: SIGKILL vigild" > /dev/kmsg; kill -KILL $(pidof vigild)'
check_frozen "$m1" "$m3"
timing "SIGKILL vigild"
on n3 vigilctl status | grep -E 'gate|fenced|daemon watchdog'
on n1 vigilctl status | grep -A1 'peer: n3'

step "(b) a new vigild does not unlatch; gate open does"
vigild_start
sleep 1
[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "a new vigild reopened the gate"
[ "$(vstatus n3 'd["fence_pending"]')" = "[]" ] || fail "a fence is pending after the new vigild registered"
reopen

step "(c) SIGSTOP: the daemon cause fires; SIGCONT does not unlatch"
m1=$(ev_mark n1) m3=$(ev_mark n3)
on n3 'echo "act: SIGSTOP vigild" > /dev/kmsg; kill -STOP $(pidof vigild)'
check_frozen "$m1" "$m3"
timing "SIGSTOP vigild"
on n3 'kill -CONT $(pidof vigild)'
wait_is 10 n3 'd["daemon"]["left_ms"] > 0' True || fail "vigild did not pet again after SIGCONT"
sleep 1
[ "$(vstatus n3 'd["gate"]')" = latched ] || fail "SIGCONT reopened the gate"
reopen

step "(d) daemon:freeze:$DELAY: SIGSTOP, SIGCONT within the delay: cancelled"
configure "$T" 3 n3 --protect svc --fence "daemon:freeze:$DELAY"
wait_until 30 all_up 3 || fail "membership did not come back after n3's reconfiguration"
[ "$(vstatus n3 '[(f["action"], f["delay_ms"]) for f in d["fence"] if f["cause"] == "daemon"]')" = \
	"[('freeze', $DELAY)]" ] || fail "n3's fence policy: $(vstatus n3 'd["fence"]')"
[ "$(vstatus n3 'd["daemon"]["timeout_ms"]')" = "$WD" ] || fail "the watchdog did not survive the reconfiguration"
wait_is 10 n3 'd["gate"]' open || fail "n3's gate not open after reconfiguration"
m1=$(ev_mark n1) m3=$(ev_mark n3)
# In the node, in one go: stop vigild, wait for fence-pending, continue it.
on n3 "pid=\$(pidof vigild); n=\$(wc -l < /tmp/ev); kill -STOP \$pid; i=0
	while ! tail -n +\$((n + 1)) /tmp/ev | grep -q '\"fence-pending\"'; do
		i=\$((i + 1)); [ \$i -le 400 ] || break; usleep 50000; done
	kill -CONT \$pid; cut -d' ' -f1 /proc/uptime > /tmp/cont"
wait_until 10 has_event n3 "$m3" fence-cancelled ||
	fail "no fence-cancelled on n3: $(kinds n3 "$m3")"
cont=$(on n3 cat /tmp/cont)
evq n3 "$m3" '[(e["event"], e.get("cause"), e.get("action")) for e in E]'
[ "$(evq n3 "$m3" '[(e["event"], e["cause"], e["action"]) for e in E if e["event"].startswith("fence")]')" = \
	"[('fence-pending', 'daemon', 'freeze'), ('fence-cancelled', 'daemon', 'freeze')]" ] ||
	fail "n3's fence events: $(evq n3 "$m3" 'E')"
pend=$(evq n3 "$m3" '[e["t"] for e in E if e["event"] == "fence-pending"][0]')
python3 -c 'import sys; p, c, d = map(float, sys.argv[1:])
print("SIGCONT %.0f ms after fence-pending (delay %.0f ms)" % ((c - p) * 1000, d))
sys.exit(0 if c - p < d / 1000 else 1)' "$pend" "$cont" "$DELAY" ||
	fail "SIGCONT came after the delay: this run did not test a cancel"
sleep $((DELAY / 1000 + 1))
[ "$(vstatus n3 'd["gate"], d["fenced"], d["fence_pending"]')" = "('open', None, [])" ] ||
	fail "n3 fenced after a cancelled daemon cause: $(vstatus n3 'd["gate"], d["fenced"], d["fence_pending"]')"
[ "$(evq n3 "$m3" '[e for e in E if e["event"] == "fence"]')" = "[]" ] || fail "a fence ran after the cancel"
[ "$(evq n1 "$m1" '[e for e in E if e["event"] == "peer-fenced"]')" = "[]" ] || fail "n1 saw n3 fence itself"
[ "$(vstatus n1 'peers["n3"]["state"]')" = up ] || fail "n1 does not see n3 up"
svc3_ok || fail "n3 does not serve after the cancelled fence"

step "stop vigild cleanly"
on n3 'kill -TERM $(pidof vigild)'
wait_until 10 vigild_gone || fail "vigild did not exit on SIGTERM"
echo ok
