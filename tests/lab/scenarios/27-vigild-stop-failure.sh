#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stop that fails. The cluster of scenario 24 (web = VIP on svc +
# busybox httpd via exec + OCF Dummy, on n1 when it can), with the
# self-fence action reboot; httpd's stop fails while /tmp/stopfail
# exists. On n1, with /tmp/stopfail: 'vigilctl switchover web n2'. n1
# cannot release web: vigild asks vigil.ko for its own fence, n1
# reboots; n2 takes its silence after a reboot self-fence as proof and
# starts web, without any fence method (there is none).
. "$(dirname "$0")/lib.sh"

VIP=169.254.3.100

conf() {
	cat <<CONF
[cluster]
name = lab
id = 4242
key_file = /etc/vigil/vigil.key
timeout_ms = 500
on_quorum_loss = reboot
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

[resource vip]
type = ip
address = $VIP/24
interface = svc

[resource httpd]
type = exec
start = mkdir -p /tmp/www && hostname > /tmp/www/index.html && /bin/busybox httpd -p 8080 -h /tmp/www -f & echo \$! > /tmp/httpd.pid
stop = [ ! -f /tmp/stopfail ] || exit 1; [ ! -f /tmp/httpd.pid ] || { kill \$(cat /tmp/httpd.pid) 2>/dev/null; rm -f /tmp/httpd.pid; }
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
boot1=$(on n1 cat /proc/sys/kernel/random/boot_id)

step "httpd's stop fails on n1; switchover web n2: n1 reboots, web starts on n2"
on n1 touch /tmp/stopfail
on n1 vigilctl switchover web n2
wait_until 60 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) on n2: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n2 "grep -q 'group web' /tmp/vigild.log"
lab wait n1 || fail "n1 did not come back"
[ "$(on n1 cat /proc/sys/kernel/random/boot_id)" != "$boot1" ] || fail "n1 did not reboot"
on n2 "grep -v ' ok (' /tmp/vigild.log | grep -v 'monitor ok' | grep -v ': event '"
on n2 "! grep -q 'fencing node n1: trying' /tmp/vigild.log" || fail "n2 tried a fence method"
echo "27-vigild-stop-failure: ok"
