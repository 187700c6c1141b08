#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dumping peer (awslib.sh). n1 runs web with a crash kernel loaded
# ('lab up --kdump n1', 'lab kdump n1'); the operator panics it
# ('vigilctl fence self panic'). Its last-gasp notice says 'dumping': that
# is proof enough for web to start on n2 at once, but n2 also isolates n1
# through the cloud (its svc ENI detached) and does not stop it while the
# capture kernel saves the dump. The capture kernel reboots n1; n1 comes
# back in a new life (vigild started again), so n2 does not stop it at
# all: it re-attaches its ENI, and n1 is a standby.
. "$(dirname "$0")/lib.sh"
AWS_UP_ARGS="--kdump n1"
AWS_DUMP_TIMEOUT=10m
. "$(dirname "$0")/awslib.sh"

step "lab up 3 (n1 with a crash kernel), the lab cloud, vigild; web on n1"
aws_up
lab kdump n1
[ "$(on n1 cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "no crash kernel loaded in n1"
boot1=$(on n1 cat /proc/sys/kernel/random/boot_id)

step "n1 panics into kdump: n2 isolates it and starts web; no stop"
lab exec --bg n1 "sleep 1; vigilctl fence self panic --yes" >/dev/null || true
wait_until 60 online_on n2 || fail "web is $(gstate n2) on n2: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 30 logged n2 'node n1 announced it is dumping: isolating it' ||
	fail "n2 did not isolate the dumping n1: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 30 called DetachNetworkInterface || fail "no DetachNetworkInterface: $(calls)"
wait_until 30 logged n2 'it is dumping: n1-stop waits until its dump is done' ||
	fail "n2 does not wait for the dump: $(on n2 tail -30 /tmp/vigild.log)"

step "the capture kernel saves the dump; still no StopInstances"
wait_until 300 sh -c "$LAB log n1 | grep -a -q 'lab-kdump: dump saved'" || fail "no dump saved"
[ -z "$(calls 'c["action"] == "StopInstances"')" ] || fail "n1 was stopped during its dump: $(calls)"

step "n1 reboots and rejoins: no stop, its ENI re-attached, a standby"
lab wait n1 || fail "n1 did not come back"
[ "$(on n1 cat /proc/sys/kernel/random/boot_id)" != "$boot1" ] || fail "n1 did not reboot"
aws_node n1
wait_until 60 logged n2 'fencing node n1: it is back after its dump: no stop' ||
	fail "n2 did not see n1 back: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 30 logged n2 'recovering node n1: ENIs re-attached' ||
	fail "n1's ENI was not re-attached: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 10 sh -c "[ \"\$($LAB exec n1 cat /sys/class/net/svc/carrier)\" = 1 ]" || fail "n1's svc link is down"
wait_until 60 all_up 3 || fail "n1 did not rejoin"
wait_until 20 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('standby', 'n2')]" ||
	fail "n1 is not a standby: $(gstate n1)"
[ -z "$(calls 'c["action"] == "StopInstances"')" ] || fail "n1 was stopped: $(calls)"
# Only the first fencer (n2, reset priority 2) acts on a dumping node.
[ -z "$(calls 'c["src"] != "169.254.1.2" and c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")')" ] ||
	fail "a node other than n2 acted on n1: $(calls)"
calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")'
echo "34-aws-dump: ok"
