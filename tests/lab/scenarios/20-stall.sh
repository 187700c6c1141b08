#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stall proof: no service packet leaves a node after its lease ended,
# even when the whole node stalls between reading the lease and sending.
# vigil-recorder on n1 sends a numbered UDP record every 10 ms over svc to
# tests/lab/logserver on the host side (169.254.3.254), each carrying when
# it was sent and n1's lease end (CLOCK_BOOTTIME) read before it was sent,
# and the lease end read right after the previous record was sent. 'lab
# pause n1' stalls the VM for three timeouts (its clock runs on), 'lab
# resume n1'; STALL_RUNS times (default 10) in one lab. The server checks
# that no record it received was sent when the lease the gate saw had
# ended (see tests/lab/logserver for the exact rule), and that records
# arrive again after each resume; the records lost around each stall are
# counted and printed.
# Policy quorum:none, so that n1's gate reopens by itself once heartbeats
# renew the lease (freeze would need 'vigilctl gate open' after each run;
# 18-freeze covers the latch).
. "$(dirname "$0")/lib.sh"

RUNS=${STALL_RUNS:-10}
PORT=5514
LOGSERVER="$TOP/tests/lab/logserver"
WORK=$(mktemp -d /tmp/vigil-stall.XXXXXX)
LOG="$WORK/records.jsonl"
at_exit "rm -rf '$WORK'"

step "lab up 3, $T cluster, svc protected, quorum:none"
lab up 3
cluster "$T" 3 --protect svc --fence quorum:none
wait_until 30 all_up 3 || fail "membership did not form"
wait_is 10 n1 'd["gate"]' open || fail "n1: gate not open: $(vstatus n1 'd.get("gate")')"
timeout_ms=$(vstatus n1 'd["timeout_ms"]')
echo "timeout $timeout_ms ms, lease $(vstatus n1 'd["lease_ms"]') ms"

step "log server on the host side, recorder on n1"
lab nsexec "$LOGSERVER" serve --addr 169.254.3.254 --port "$PORT" --pidfile "$WORK/server.pid" \
	"$LOG" > "$WORK/server.err" 2>&1 &
at_exit "[ -s '$WORK/server.pid' ] && kill \$(cat '$WORK/server.pid') 2>/dev/null"
wait_until 10 test -e "$LOG" || fail "the log server did not start: $(cat "$WORK/server.err")"
on n1 'vigilctl events -j --timeout 3600 > /tmp/events 2>&1 &'
on n1 "vigil-recorder -i 10 -d svc 169.254.3.254 $PORT > /tmp/recorder.out 2>&1 &"
wait_until 10 "$LOGSERVER" sent-after "$LOG" 0 || fail "no record reached the log server"

# Each node's quorum, gate and peers, for failure messages.
views() {
	for i in 1 2 3; do
		printf ' n%s %s' "$i" "$(vstatus "n$i" '(d["quorate"], d["gate"], [(p["name"], p["state"]) for p in d["peers"]])')"
	done
}

total_lost=0
lost_runs=
for run in $(seq 1 "$RUNS"); do
	step "run $run/$RUNS: pause n1 for 3 timeouts, resume"
	wait_until 30 all_up 3 || fail "run $run: the cluster is not whole before the stall:$(views)"
	wait_is 10 n1 'd["gate"]' open || fail "run $run: n1's gate $(vstatus n1 'd["gate"]') before the stall"
	sleep 1
	mark=$("$LOGSERVER" last "$LOG" | cut -d' ' -f1)
	lab pause n1
	sleep "$(python3 -c "print(3 * $timeout_ms / 1000)")"
	lab resume n1
	# n1's CLOCK_BOOTTIME after the resume: records must arrive that
	# were sent after it.
	now_ns=$(on n1 cat /proc/uptime | python3 -c 'import sys; print(int(float(sys.stdin.read().split()[0]) * 1e9))')
	wait_until 30 "$LOGSERVER" sent-after "$LOG" "$now_ns" ||
		fail "run $run: no record arrived that n1 sent after the resume (gate $(vstatus n1 'd["gate"]'))"
	sleep 0.5
	set +e
	"$LOGSERVER" check --after-seq $((mark - 1)) "$LOG"
	rc=$?
	set -e
	[ "$rc" = 0 ] || fail "run $run: a record left n1 after its lease ended (or could not be shown not to)"
	lost=$("$LOGSERVER" check --json --after-seq $((mark - 1)) "$LOG" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["lost"])')
	total_lost=$((total_lost + lost))
	lost_runs="$lost_runs $lost"
done

step "stop the recorder; the whole log"
on n1 'kill $(pidof vigil-recorder); sleep 0.5; cat /tmp/recorder.out'
sleep 0.5
set +e
"$LOGSERVER" check "$LOG"
rc=$?
set -e
[ "$rc" = 0 ] || fail "a record left n1 after its lease ended"
[ ! -s "$WORK/server.err" ] || { cat "$WORK/server.err"; fail "the log server reported errors"; }
echo "n1's gate dropped $(vstatus n1 'd["gate_dropped"]') packets"
echo "records lost around the stalls: $total_lost (per run:$lost_runs)"

step "every stall ran n1's lease out"
on n1 'cat /tmp/events' | python3 -c '
import json, sys
runs = int(sys.argv[1])
ev = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
kinds = [e["event"] for e in ev]
expired, renewed = kinds.count("lease-expired"), kinds.count("lease-renewed")
print("lease-expired %d, lease-renewed %d" % (expired, renewed))
assert expired >= runs, "%d stalls but %d lease-expired events" % (runs, expired)
' "$RUNS" || fail "n1's events do not show the lease running out in every stall"
echo ok
