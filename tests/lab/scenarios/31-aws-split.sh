#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A 2|1 split of the cluster's networks while every node still reaches
# the lab cloud and the host side of the service LAN (awslib.sh): n1, which
# runs web, is cut off from n2 and n3 ('lab partition n1'). n1 loses
# quorum and freezes its service traffic; n2 and n3 keep quorum, n2
# isolates n1 through the cloud, starts web, and has n1 stopped. The
# safety invariant, checked by the host-side client's log of which node
# answered: web answers from exactly one node at any moment, never from
# n1 once n2 has answered; and n1, not quorate, never calls the cloud to
# change anything (the race guard).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/awslib.sh"

step "lab up 3, the lab cloud, vigild; web on n1"
aws_up
start_poller
sleep 2

step "partition n1 from n2 and n3 (all three still reach the cloud and the host side)"
lab partition n1
reaches n1 169.254.3.254 || fail "n1 lost the host side of svc"
wait_until 60 online_on n2 || fail "web is $(gstate n2) on n2: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n2 "grep -q 'fencing node n1: method n1-isolate confirmed' /tmp/vigild.log" ||
	fail "n2 did not isolate n1: $(on n2 tail -40 /tmp/vigild.log)"
wait_until 60 called StopInstances || fail "n1 was not stopped: $(calls)"
sleep 3
touch "$STOP"
sleep 1

step "the client saw one node at a time, n1 then n2, never n1 again"
python3 - "$POLL" <<'PY' || fail "the client's log breaks the invariant: $(awk '{print $2}' "$POLL" | uniq -c | tr '\n' ' ')"
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
names = [n for _, n in rows if n != "-"]
assert names, "the client got no answer at all"
bad = [n for n in names if n not in ("n1", "n2")]
assert not bad, "answers from %s" % sorted(set(bad))
# n1 ... n1 then n2 ... n2: one switch, no way back.
switches = [i for i in range(1, len(names)) if names[i] != names[i - 1]]
assert names[0] == "n1" and names[-1] == "n2" and len(switches) == 1, \
    "answers went %s" % " ".join(n for i, n in enumerate(names) if i == 0 or names[i - 1] != n)
t = [int(a) for a, n in rows]
last_n1 = max(int(a) for a, n in rows if n == "n1")
first_n2 = min(int(a) for a, n in rows if n == "n2")
print("client: %d answers; n1 last at %d, n2 first at %d: %.1f s without service" %
      (len(names), last_n1, first_n2, (first_n2 - last_n1) / 1000.0))
PY

step "n1 froze itself; it called nothing that changes anything"
on n2 "grep -E 'fencing|recovering' /tmp/vigild.log"
[ -z "$(calls 'c["src"] == "169.254.1.1" and c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")')" ] ||
	fail "n1 (not quorate) changed something: $(calls 'c["src"] == "169.254.1.1"')"
calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")'
echo "31-aws-split: ok"
