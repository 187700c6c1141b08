#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Local recovery. The cluster of scenario 24 (web = VIP on svc + busybox
# httpd via exec + OCF Dummy, on n1 when it can) with restart_limit = 1.
# Kill httpd on n1: its monitor fails, httpd is restarted in place (with
# Dummy, which comes after it), web stays on n1. Kill it again: over the
# limit, web is stopped on n1 and moves to n2 without any fencing (n1 is
# up and says the group is idle there).
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
		printf '\n[node n%s]\nid = %s\nreset_priority = %s\naddress.a = 52:54:00:01:00:%02x\naddress.b = 52:54:00:02:00:%02x\n' \
			"$i" "$i" "$i" "$i" "$i"
	done
	cat <<CONF

[group web]
resources = vip httpd dummy
nodes = n1 n2 n3
monitor_interval = 2s
restart_limit = 1

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

gstate() {
	vstatus "$1" '[(g["state"], g["node"]) for g in d["groups"]]'
}
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }
pid_changed() { p=$(on n1 cat /tmp/httpd.pid 2>/dev/null) && [ -n "$p" ] && [ "$p" != "$1" ]; }

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

step "kill httpd on n1: restarted in place, web stays on n1"
pid=$(on n1 cat /tmp/httpd.pid)
on n1 "kill $pid"
wait_until 20 pid_changed "$pid" || fail "httpd was not restarted: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 20 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n1')]" ||
	fail "web is $(gstate n1) after the restart"
on n1 "grep -q 'group web: resource httpd: monitor failed' /tmp/vigild.log" || fail "no monitor failure logged"
on n1 "grep -q 'restarted in place' /tmp/vigild.log" || fail "no restart logged: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page after the restart"
on n2 "! grep -q 'fencing node' /tmp/vigild.log" || fail "n2 tried to fence"

step "kill httpd again: over restart_limit, web moves to n2, nobody is fenced"
pid=$(on n1 cat /tmp/httpd.pid)
on n1 "kill $pid"
wait_until 30 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) on n2: $(on n2 tail -20 /tmp/vigild.log); n1: $(on n1 tail -20 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n1 "! ip -4 addr show dev svc | grep -q $VIP" || fail "the VIP is still on n1"
on n1 "! test -f /run/dummy.state" || fail "Dummy still runs on n1"
for i in 2 3; do
	on "n$i" "! grep -q 'fencing node' /tmp/vigild.log" || fail "n$i tried to fence"
done
on n1 vigilctl status
step "vigild's log on n1"
on n1 "grep -v ' ok (' /tmp/vigild.log | grep -v 'monitor ok' | grep -v ': event '"
echo "26-vigild-recovery: ok"
