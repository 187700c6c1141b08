#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The case a lease cannot cover: the hypervisor suspends the active node
# and hides the time from it ('lab suspend': QMP stop, the guest's clocks
# stop too). n2 and n3 see n1 dead; n2 isolates it through the lab cloud
# before web starts on n2. The forced stop is denied by the cloud
# (UnauthorizedOperation), so n1 stays isolated and not stopped. On
# 'lab resume n1', n1 believes no time passed, yet not one frame of it
# reaches the service network (its ENI is detached) and the client never
# gets its page again. Then the operator re-attaches n1's ENI from n2
# with 'vigilctl eni-attach n1' (refused without --yes off a terminal).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/awslib.sh"

svc_rx() { lab nsexec cat /sys/class/net/n1-svc/statistics/rx_packets; }

step "lab up 3, the lab cloud, vigild; web on n1; StopInstances denied"
aws_up
lab cloud fault StopInstances deny
start_poller
sleep 2

step "suspend n1: n2 isolates it, then starts web"
lab suspend n1
wait_until 60 online_on n2 || fail "web is $(gstate n2) on n2: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
detach=$(calls 'c["action"] == "DetachNetworkInterface" and c.get("status") == 200' | awk 'NR == 1 { print $1 }')
[ -n "$detach" ] || fail "n1 was not isolated: $(calls)"
wait_until 10 polled n2 || fail "the client never got n2's page"
first_n2=$(awk '$2 == "n2" { print $1; exit }' "$POLL")
python3 -c "import sys; sys.exit(0 if $first_n2 / 1000.0 > float('$detach') else 1)" ||
	fail "n2 answered (at $first_n2 ms) before n1's ENI was detached ($detach)"
wait_until 60 logged n2 'fencing node n1: it stays isolated by n1-isolate' ||
	fail "the denied stop is not reported: $(on n2 tail -30 /tmp/vigild.log)"
on n2 "grep -q UnauthorizedOperation /tmp/vigild.log" || fail "the AWS error is not named"
[ "$(lab status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"]["n1"])')" = suspended ] ||
	fail "n1 is not suspended any more: $(lab status)"

step "resume n1: nothing of it reaches the service network"
before=$(svc_rx)
t_resume=$(date +%s%3N)
lab resume n1
sleep 8
after=$(svc_rx)
[ "$before" = "$after" ] || fail "n1 sent $((after - before)) frames on svc after its resume"
[ "$(on n1 cat /sys/class/net/svc/carrier)" = 0 ] || fail "n1's svc link is up"
! awk -v t="$t_resume" '$1 >= t && $2 == "n1"' "$POLL" | grep -q . ||
	fail "the client got n1's page after the resume"
served_by_is n2 || fail "web is not on n2: '$(served_by)'"

step "vigilctl eni-attach n1: refused without --yes off a terminal, then done"
rc=0
on n2 "vigilctl eni-attach n1 </dev/null" || rc=$?
[ "$rc" = 2 ] || fail "eni-attach without --yes: exit $rc, not 2"
[ "$(on n1 cat /sys/class/net/svc/carrier)" = 0 ] || fail "attached without --yes"
on n2 "vigilctl eni-attach n1 --yes" || fail "eni-attach failed"
[ "$(on n1 cat /sys/class/net/svc/carrier)" = 1 ] || fail "n1's svc link is still down"
called AttachNetworkInterface || fail "no AttachNetworkInterface in the cloud's log"
calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")'
echo "32-aws-suspend: ok"
