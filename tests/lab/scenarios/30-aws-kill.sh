#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kill the active node, fenced through the lab cloud (awslib.sh). n1 runs
# web; its VM is killed. n2 (the best reset priority left) isolates n1
# (its svc ENI detached, confirmed), starts web at once, and meanwhile
# force-stops n1's instance; once stopped, recovery re-attaches the ENI
# and starts the instance: n1 boots again and, with vigild, rejoins as a
# standby. The cloud's call log shows the order; n3 calls nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/awslib.sh"

step "lab up 3, the lab cloud, vigild with aws-isolate + aws-stop on every node"
aws_up
N1=$(instance_of n1)
ENI1=$(svc_eni_of n1)
boot1=$(on n1 cat /proc/sys/kernel/random/boot_id)

step "vigilctl fence n1 --dry-run on n2 changes nothing"
on n2 "vigilctl fence n1 --dry-run" || fail "dry run failed"
[ -z "$(calls 'c["action"] in ("DetachNetworkInterface", "StopInstances")')" ] ||
	fail "a dry run called the API: $(calls)"

step "kill n1: n2 isolates it, web starts on n2, n1 is force-stopped"
start_poller
sleep 1
lab kill n1
wait_until 60 online_on n2 || fail "web is $(gstate n2) on n2: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n2 "grep -q 'fencing node n1: method n1-isolate confirmed' /tmp/vigild.log" ||
	fail "n2 did not isolate n1: $(on n2 tail -40 /tmp/vigild.log)"
detach=$(calls 'c["action"] == "DetachNetworkInterface" and c.get("status") == 200' | awk 'NR == 1 { print $1 }')
[ -n "$detach" ] || fail "no DetachNetworkInterface in the cloud's log: $(calls)"
wait_until 60 called StopInstances || fail "no StopInstances: $(calls)"
stop=$(calls 'c["action"] == "StopInstances" and c.get("status") == 200' | awk 'NR == 1 { print $1 }')
python3 -c "import sys; sys.exit(0 if float('$detach') < float('$stop') else 1)" ||
	fail "the stop ($stop) came before the isolation ($detach)"

# Web answered from n2 only after the isolation was confirmed.
wait_until 10 polled n2 || fail "the client never got n2's page"
first_n2=$(awk '$2 == "n2" { print $1; exit }' "$POLL")
[ -n "$first_n2" ] || fail "the client never got n2's page"
python3 -c "import sys; sys.exit(0 if $first_n2 / 1000.0 > float('$detach') else 1)" ||
	fail "n2 answered at $first_n2 ms, before n1's ENI was detached ($detach)"
! awk '$2 != "n1" && $2 != "n2" && $2 != "-"' "$POLL" | grep -q . ||
	fail "the VIP answered for another node: $(sort -u -k2,2 "$POLL")"
! awk 'seen && $2 == "n1" { bad = 1 } $2 == "n2" { seen = 1 } END { exit !bad }' "$POLL" ||
	fail "n1 answered after n2 had taken over"

step "recovery: n1's ENI re-attached and its instance started; it rejoins as a standby"
wait_until 90 called StartInstances ||
	fail "n2 did not start n1 again: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 60 logged n2 'recovering node n1: instance running' ||
	fail "recovery not confirmed: $(on n2 tail -30 /tmp/vigild.log)"
att=$(calls 'c["action"] == "AttachNetworkInterface" and c.get("status") == 200' | awk 'NR == 1 { print $1 }')
start=$(calls 'c["action"] == "StartInstances" and c.get("status") == 200' | awk 'NR == 1 { print $1 }')
[ -n "$att" ] && python3 -c "import sys; sys.exit(0 if float('$att') < float('$start') else 1)" ||
	fail "the ENI was not re-attached before the start (attach '$att', start '$start')"
lab wait n1 || fail "n1 did not boot"
[ "$(on n1 cat /proc/sys/kernel/random/boot_id)" != "$boot1" ] || fail "n1 did not restart"
[ "$(on n1 cat /sys/class/net/svc/carrier)" = 1 ] || fail "n1's svc link is down after recovery"
aws_node n1
wait_until 30 all_up 3 || fail "n1 did not rejoin: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 20 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('standby', 'n2')]" ||
	fail "n1 is not a standby: $(gstate n1)"
served_by_is n2 || fail "web moved: '$(served_by)'"

step "n3 called nothing that changes anything; n1 (dead) could not"
[ -z "$(calls 'c["src"] != "169.254.1.2" and c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")')" ] ||
	fail "a node other than n2 changed something: $(calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")'); n3: $(on n3 cat /tmp/vigild.log)"
calls
on n2 "grep -E 'fencing|recovering' /tmp/vigild.log"
echo "30-aws-kill: ok"
