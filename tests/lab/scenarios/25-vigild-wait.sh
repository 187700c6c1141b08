#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The switchover wait. The cluster of scenario 24 (web = VIP on svc +
# busybox httpd via exec + OCF Dummy, on n1 when it can), every node
# fenced by an agent that always fails (/bin/false). Kill n1 (the VM,
# no last gasp): n2 and n3 try to fence it, fail, and with nothing to
# prove n1 is down web goes to 'wait' on n2: nothing starts anywhere.
# 'vigilctl act web' without --yes and without a terminal is refused;
# 'vigilctl act web --yes' on n2 starts it there, the VIP answers from n2.
. "$(dirname "$0")/lib.sh"

VIP=169.254.3.100

conf() {
	cat <<CONF
[cluster]
name = lab
id = 4242
key_file = /etc/vigil/vigil.key
timeout_ms = 500
on_quorum_loss = freeze
protect = svc

[link a]
index = 0
type = l2
interface = a

[link b]
index = 1
type = l2
interface = b
CONF
	for i in 1 2 3; do
		printf '\n[node n%s]\nid = %s\nreset_priority = %s\naddress.a = 52:54:00:01:00:%02x\naddress.b = 52:54:00:02:00:%02x\nfence = nofence\n' \
			"$i" "$i" "$i" "$i" "$i"
	done
	cat <<CONF

; A fence agent that always fails: no method ever confirms.
[fence nofence]
type = agent
agent = /bin/false
timeout = 5s

[group web]
resources = vip httpd dummy
nodes = n1 n2 n3
monitor_interval = 2s

[resource vip]
type = ip
address = $VIP/24
interface = svc

[resource httpd]
type = exec
start = mkdir -p /tmp/www && hostname > /tmp/www/index.html && /bin/busybox httpd -p 8080 -h /tmp/www -f & echo \$! > /tmp/httpd.pid
stop = [ ! -f /tmp/httpd.pid ] || { kill \$(cat /tmp/httpd.pid) 2>/dev/null; rm -f /tmp/httpd.pid; }
monitor = kill -0 \$(cat /tmp/httpd.pid)
start_timeout = 5s

[resource dummy]
type = ocf:heartbeat:Dummy
param.state = /run/dummy.state
CONF
}

# gstate NODE: web's state and node as NODE's vigilctl status -j shows them.
gstate() {
	vstatus "$1" '[(g["state"], g["node"]) for g in d["groups"]]'
}
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }

step "lab up 3, vigil.conf on every node, vigild"
lab up 3
for i in 1 2 3; do
	lab exec --stdin "n$i" "mkdir -p /etc/vigil && umask 077 && echo $KEY_HEX > /etc/vigil/vigil.key && cat > /etc/vigil/vigil.conf" < <(conf)
	lab exec --bg "n$i" "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
done
wait_until 30 all_up 3 || fail "membership did not form: $(on n1 cat /tmp/vigild.log)"
wait_until 30 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n1')]" ||
	fail "web not online on n1: $(gstate n1); $(on n1 cat /tmp/vigild.log)"
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page"

step "kill n1: fencing fails, web waits on n2, nothing starts"
lab kill n1
wait_is 10 n2 'peers["n1"]["state"]' down || fail "n2 does not see n1 down"
wait_until 40 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('wait', 'n2')]" ||
	fail "web is $(gstate n2) on n2, want wait: $(on n2 cat /tmp/vigild.log)"
on n2 "grep -q 'fencing node n1: no method confirmed' /tmp/vigild.log" ||
	fail "n2 did not try to fence n1: $(on n2 cat /tmp/vigild.log)"
wait_until 10 is n3 '[(g["state"], g["node"]) for g in d["groups"]]' "[('wait', 'n2')]" ||
	fail "n3 shows web as $(gstate n3)"
sleep 3
for i in 2 3; do
	on "n$i" "! ip -4 addr show dev svc | grep -q $VIP" || fail "the VIP is on n$i during the wait"
	on "n$i" "! test -f /run/dummy.state" || fail "Dummy started on n$i during the wait"
done
on n2 vigilctl status

step "act without --yes and without a terminal: refused (exit 2)"
rc=0
on n2 "vigilctl act web </dev/null" || rc=$?
[ "$rc" = 2 ] || fail "vigilctl act web without --yes: exit $rc, want 2"
is n2 '[g["state"] for g in d["groups"]]' "['wait']" || fail "web left wait: $(gstate n2)"

step "vigilctl act web --yes on n2: web starts there"
on n2 vigilctl act web --yes
wait_until 30 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) after act: $(on n2 cat /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n2 test -f /run/dummy.state || fail "the OCF Dummy did not start on n2"
on n2 vigilctl status
step "vigild's log on n2"
on n2 "grep -v ' ok (' /tmp/vigild.log | grep -v 'monitor ok' | grep -v ': event '"
echo "25-vigild-wait: ok"
