# SPDX-License-Identifier: GPL-2.0
#
# Sourced after lib.sh by the self-fence action scenarios (21-23): event
# recording in a node, and waiting for a node that reboots by itself.

# ev_start NODE: record NODE's vigil events in /tmp/ev from now on, one
# JSON object a line, each prefixed with the node's uptime; a recorder
# that already runs in this boot of NODE goes on (use ev_mark to tell
# the events apart).
ev_start() {
	on "$1" '[ -e /tmp/ev ] || (vigilctl events -j --timeout 3600 | while read -r l; do
		echo "$(cut -d" " -f1 /proc/uptime) $l"; done) > /tmp/ev 2>&1 &'
}

# ev_mark NODE: how many events NODE has recorded so far.
ev_mark() { on "$1" 'wc -l < /tmp/ev'; }

# evq NODE FROM EXPR: evaluate a Python expression over E, NODE's events
# after its first FROM lines (dicts as 'vigilctl events -j' prints them,
# plus the node's uptime in "t"), and print the result. EXPR may end in
# 'or exit(1)' to fail when the value is false (for wait_until).
evq() {
	on "$1" cat /tmp/ev | python3 -c '
import json, sys
E = []
for i, line in enumerate(sys.stdin):
    t, _, rest = line.partition(" ")
    if i < int(sys.argv[1]) or not rest.startswith("{"):
        continue
    e = json.loads(rest)
    e["t"] = float(t)
    E.append(e)
print(eval(sys.argv[2]))' "$2" "$3"
}

# kinds NODE FROM: the kinds of NODE's events after FROM (for messages).
kinds() { evq "$1" "$2" '[e["event"] for e in E]'; }

# has_event NODE FROM KIND: NODE recorded an event KIND after FROM.
has_event() { evq "$1" "$2" "\"$3\" in [e[\"event\"] for e in E] or exit(1)" >/dev/null; }

# boots NODE: how many times NODE's normal boot script finished (its
# console's 'lab-rc: node ... up' lines; a capture kernel prints none).
boots() { lab log "$1" | grep -ac "lab-rc: node $1 " || true; }

# wait_reboot NODE BOOTS SECONDS: wait until NODE booted again after BOOTS
# boots (by itself: a reset, not 'lab start') and its agent answers.
wait_reboot() {
	wait_until "$3" sh -c "[ \$($LAB log $1 | grep -ac 'lab-rc: node $1 ') -gt $2 ]" ||
		fail "$1 did not boot again within $3 s"
	lab wait --timeout "$3" "$1" || fail "$1 booted again but its agent does not answer"
}

# boot_id NODE: the node's boot id (changes with every boot).
boot_id() { on "$1" cat /proc/sys/kernel/random/boot_id; }

# newer INC0 INC1: incarnation INC1 is greater than INC0.
newer() { python3 -c 'import sys; sys.exit(0 if int(sys.argv[2]) > int(sys.argv[1]) else 1)' "$1" "$2"; }
