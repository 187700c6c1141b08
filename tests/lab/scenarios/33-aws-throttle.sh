#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cloud misbehaves (awslib.sh). (a) DetachNetworkInterface is
# throttled three times (RequestLimitExceeded) when n1, which runs web,
# is killed: n2 retries with backoff within the method's deadline,
# isolates n1, web fails over to n2, n1 is stopped and recovered and
# rejoins as a standby. (b) The cloud is down (every connection reset)
# when n2 is killed: neither isolation nor stop can be confirmed, so web
# goes to switchover wait on n1 and n3 and nothing starts it; after
# 'vigilctl act web --yes' on n1 it starts there.
. "$(dirname "$0")/lib.sh"
AWS_ISOLATE_TIMEOUT=10s
AWS_STOP_TIMEOUT=15s
. "$(dirname "$0")/awslib.sh"

step "lab up 3, the lab cloud, vigild; web on n1"
aws_up

step "(a) DetachNetworkInterface throttled 3 times; kill n1"
lab cloud fault DetachNetworkInterface throttle --count 3
lab kill n1
wait_until 60 online_on n2 || fail "web is $(gstate n2) on n2: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
codes=$(calls 'c["action"] == "DetachNetworkInterface"' | awk '{ print $5 }' | tr '\n' ' ')
[ "$codes" = "RequestLimitExceeded RequestLimitExceeded RequestLimitExceeded OK " ] ||
	fail "DetachNetworkInterface answers: '$codes'"
on n2 "grep -c RequestLimitExceeded /tmp/vigild.log" >/dev/null ||
	fail "the retries are not in n2's log"
wait_until 90 logged n2 'recovering node n1: instance running' ||
	fail "n1 was not recovered: $(on n2 tail -30 /tmp/vigild.log)"
lab wait n1 || fail "n1 did not boot"
aws_node n1
wait_until 60 all_up 3 || fail "n1 did not rejoin: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 20 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('standby', 'n2')]" ||
	fail "n1 is not a standby: $(gstate n1)"

step "(b) the cloud is down; kill n2: web waits, nothing starts"
lab cloud fault '*' down
lab kill n2
wait_until 150 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('wait', 'n1')]" ||
	fail "web is $(gstate n1) on n1, want wait: $(on n1 tail -40 /tmp/vigild.log)"
on n1 "grep -q 'fencing node n2: no method confirmed' /tmp/vigild.log" ||
	fail "n1 did not try to fence n2: $(on n1 tail -30 /tmp/vigild.log)"
wait_until 10 is n3 '[(g["state"], g["node"]) for g in d["groups"]]' "[('wait', 'n1')]" ||
	fail "n3 shows web as $(gstate n3)"
sleep 3
for i in 1 3; do
	on "n$i" "! ip -4 addr show dev svc | grep -q $VIP" || fail "the VIP is on n$i during the wait"
done
served_by_is n2 && fail "the VIP still answers from n2"

step "vigilctl act web --yes on n1: web starts there"
lab cloud clear
on n1 "vigilctl act web --yes" || fail "act refused: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 30 online_on n1 || fail "web is $(gstate n1) on n1 after act: $(on n1 tail -30 /tmp/vigild.log)"
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page: '$(served_by)'"
calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")'
echo "33-aws-throttle: ok"
