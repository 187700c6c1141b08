#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vigild with a configuration file. Three nodes, vigil.conf adapted from
# Documentation/examples/three-node-l2.conf to the lab (links a and b,
# service network svc), group web = a VIP on svc + busybox httpd through
# exec + an OCF Dummy (Debian's resource-agents), on n1 when it can. vigild on every node configures vigil.ko
# itself; web comes online on n1 (the host reaches the VIP and httpd
# answers there); 'vigilctl switchover web n2' moves it: stopped on n1,
# online on n2, the VIP answers from n2. 'vigilctl status -j' shows the
# groups on every node. vigild stopped and started again on n2 leaves web
# running (a client polling the VIP every 50 ms sees no failure); SIGHUP applies a new monitor interval and refuses a new
# cluster id, naming the line. Before all that, vigild refuses a bad file
# (naming the line) and an unknown --node.
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

# gstate NODE: web's "state node" as NODE's vigilctl status -j shows it.
gstate() {
	vstatus "$1" '" ".join(str(g[k]) for g in d["groups"] for k in ("state", "node") if g["name"] == "web")'
}
# The page the VIP serves: the host name of the node behind it.
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }

step "lab up 3, vigil.conf on every node"
lab up 3
for i in 1 2 3; do
	lab exec --stdin "n$i" "mkdir -p /etc/vigil && umask 077 && echo $KEY_HEX > /etc/vigil/vigil.key && cat > /etc/vigil/vigil.conf" < <(conf)
	on "n$i" vigild --check-config
done

step "refused at start: a bad file (naming the line), an unknown --node"
out=$(on n1 "sed 's/^timeout_ms = 500/timeout_ms = 20/' /etc/vigil/vigil.conf > /tmp/bad.conf; vigild -c /tmp/bad.conf 2>&1; echo rc=\$?")
echo "$out"
echo "$out" | grep -q '^vigild: /tmp/bad.conf:5: timeout_ms = 20: ' || fail "no line named: $out"
echo "$out" | grep -q '^rc=1$' || fail "bad file: not exit 1"
out=$(on n1 "vigild --node n9 2>&1; echo rc=\$?")
echo "$out"
echo "$out" | grep -q 'has no \[node n9\]' || fail "--node n9 not refused: $out"
echo "$out" | grep -q '^rc=1$' || fail "--node n9: not exit 1"

step "vigild on every node: it configures vigil.ko itself"
for i in 1 2 3; do
	lab exec --bg "n$i" "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
done
wait_until 30 all_up 3 || fail "membership did not form: $(on n1 cat /tmp/vigild.log)"

step "web online on n1; the VIP serves n1's page"
wait_until 30 is n1 '[g["state"] for g in d["groups"]]' "['online']" ||
	fail "web not online on n1: $(gstate n1); $(on n1 cat /tmp/vigild.log)"
for i in 2 3; do
	wait_until 10 is "n$i" '[(g["state"], g["node"]) for g in d["groups"]]' "[('standby', 'n1')]" ||
		fail "n$i shows web as $(gstate "n$i")"
done
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page: '$(served_by)'"
on n1 test -f /run/dummy.state || fail "the OCF Dummy did not start on n1"
on n1 vigilctl status

step "vigilctl switchover web n2"
on n1 vigilctl switchover web n2
wait_until 30 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web not online on n2: $(gstate n2); $(on n2 cat /tmp/vigild.log)"
wait_until 10 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('standby', 'n2')]" ||
	fail "n1 shows web as $(gstate n1)"
on n1 "! ip -4 addr show dev svc | grep -q $VIP" || fail "the VIP is still on n1"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n1 "! test -f /run/dummy.state" || fail "the OCF Dummy was not stopped on n1"
on n2 test -f /run/dummy.state || fail "the OCF Dummy did not start on n2"
on n2 vigilctl status

step "SIGTERM: vigild exits cleanly and leaves web running on n2"
# A client on the host side fetches from the VIP every 50 ms, 120 times,
# across the stop and the restart of vigild: no request may fail.
POLL=$(mktemp)
STOP=$(mktemp -u)
at_exit "touch $STOP; rm -f $POLL; sleep 1; rm -f $STOP"
lab nsexec sh -c "for i in \$(seq 120); do [ ! -e $STOP ] || break; if wget -q -T 1 -t 1 -O /dev/null http://$VIP:8080/; then echo ok; else echo fail; fi; sleep 0.05; done" >"$POLL" 2>/dev/null &
POLLER=$!
pid=$(on n2 cat /tmp/httpd.pid)
on n2 'kill $(pidof vigild)'
wait_until 10 on n2 '! pidof vigild' || fail "vigild on n2 did not exit"
on n2 "grep -q 'daemon watchdog: unregistered' /tmp/vigild.log" ||
	fail "vigild did not unregister: $(on n2 cat /tmp/vigild.log)"
served_by_is n2 || fail "web stopped serving when vigild stopped"

step "vigild again on n2: web stays online there, httpd is not restarted"
lab exec --bg n2 "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
wait_until 20 on n2 "test -S /run/vigil/vigild.sock" || fail "vigild did not come back"
wait_until 20 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) after the restart: $(on n2 cat /tmp/vigild.log)"
[ "$(on n2 cat /tmp/httpd.pid)" = "$pid" ] || fail "httpd was restarted"
served_by_is n2 || fail "the VIP does not serve n2's page after the restart"
wait "$POLLER" || true
echo "client: $(grep -c '^ok$' "$POLL") requests answered, $(grep -c '^fail$' "$POLL") failed"
[ "$(grep -c '^ok$' "$POLL")" -ge 100 ] || fail "the client made too few requests: $(sort "$POLL" | uniq -c)"
! grep -q '^fail$' "$POLL" || fail "the client saw an outage across the vigild restart"
step "SIGHUP on n2: a new monitor interval is applied, a new cluster id refused"
on n2 "sed -i 's/^monitor_interval = 2s/monitor_interval = 3s/' /etc/vigil/vigil.conf && kill -HUP \$(pidof vigild)"
wait_until 10 on n2 "grep -q 'SIGHUP: reloaded /etc/vigil/vigil.conf' /tmp/vigild.log" ||
	fail "the reload was not applied: $(on n2 tail -5 /tmp/vigild.log)"
on n2 "sed -i 's/^id = 4242/id = 4243/' /etc/vigil/vigil.conf && kill -HUP \$(pidof vigild)"
wait_until 10 on n2 "grep -q 'SIGHUP: refused: 1 change cannot be applied' /tmp/vigild.log" ||
	fail "the cluster id change was not refused: $(on n2 tail -5 /tmp/vigild.log)"
on n2 "grep -qF 'vigil.conf:1: [cluster] id: 4242 -> 4243: cannot change while vigild runs' /tmp/vigild.log" ||
	fail "the refusal does not name the line: $(on n2 tail -5 /tmp/vigild.log)"
is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) after the reloads"

step "vigild's log on n2"
on n2 "grep -v ' ok (' /tmp/vigild.log | grep -v 'monitor ok'"
echo "24-vigild-switchover: ok"
