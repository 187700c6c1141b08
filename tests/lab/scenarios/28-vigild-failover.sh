#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover of the active node. The cluster of scenario 24 (web = VIP on
# svc + busybox httpd via exec + OCF Dummy, on n1 when it can), each node
# fenced by fence_lab: a ClusterLabs-style fence agent (parameters on
# stdin) that asks a small server on the host side of svc to 'lab kill'
# the node (busybox wget without -T: with it, it crashes; the fence
# timeout bounds it). A client on the host side fetches from the VIP every 50 ms.
# Kill n1's VM: n2 fences n1 through the agent, then starts web; the VIP
# answers from n2. The outage the client saw is reported.
. "$(dirname "$0")/lib.sh"

VIP=169.254.3.100
PORT=7999
# The host-side helpers (fence server, client) run in the lab namespace
# and stop when this file appears: on every exit of the scenario.
STOP=$(mktemp -u)
at_exit "touch $STOP; sleep 2; rm -f $STOP"

# The guest's fence agent: action and port from stdin; off and reboot ask
# the host side to kill the node's VM; status and monitor say it works.
FENCE_LAB='#!/bin/sh
action=; port=
while IFS== read -r k v; do
	case "$k" in action) action=$v ;; port|plug) port=$v ;; esac
done
case "$action" in
off|reboot) [ "$(wget -q -O - "http://169.254.3.254:'$PORT'/off/$port")" = ok ] ;;
status|monitor) exit 0 ;;
metadata) echo "<resource-agent name=\"fence_lab\"/>" ;;
*) exit 1 ;;
esac'

# The host side: kill the VM named in GET /off/NODE, answer ok; for 120 s.
fence_server() {
	lab nsexec python3 -c '
import http.server, os, subprocess, sys, time
lab = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.strip("/").split("/")
        ok = len(parts) == 2 and parts[0] == "off" and subprocess.run([lab, "kill", parts[1]]).returncode == 0
        print("fence_lab: %s: %s" % (self.path, "ok" if ok else "failed"), flush=True)
        body = b"ok" if ok else b"failed"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("169.254.3.254", int(sys.argv[2])), H)
s.timeout = 1
end = time.time() + 120
while time.time() < end and not os.path.exists(sys.argv[3]):
    s.handle_request()
' "$LAB" "$PORT" "$STOP" &
}

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
		printf '\n[node n%s]\nid = %s\nreset_priority = %s\naddress.a = 52:54:00:01:00:%02x\naddress.b = 52:54:00:02:00:%02x\nfence = lab-n%s\n' \
			"$i" "$i" "$i" "$i" "$i" "$i"
	done
	for i in 1 2 3; do
		printf '\n[fence lab-n%s]\ntype = agent\nagent = /usr/local/sbin/fence_lab\ntimeout = 20s\nparam.port = n%s\n' "$i" "$i"
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

gstate() {
	vstatus "$1" '[(g["state"], g["node"]) for g in d["groups"]]'
}
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }

step "lab up 3, fence_lab and vigil.conf on every node, vigild"
lab up 3
fence_server
for i in 1 2 3; do
	lab exec --stdin "n$i" "mkdir -p /usr/local/sbin && cat > /usr/local/sbin/fence_lab && chmod 755 /usr/local/sbin/fence_lab" <<<"$FENCE_LAB"
	lab exec --stdin "n$i" "mkdir -p /etc/vigil && umask 077 && echo $KEY_HEX > /etc/vigil/vigil.key && cat > /etc/vigil/vigil.conf" < <(conf)
	lab exec --bg "n$i" "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
done
wait_until 30 all_up 3 || fail "membership did not form: $(on n1 cat /tmp/vigild.log)"
wait_until 30 is n1 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n1')]" ||
	fail "web not online on n1: $(gstate n1); $(on n1 cat /tmp/vigild.log)"
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page"

step "a client polls the VIP every 50 ms; kill n1"
POLL=$(mktemp)
at_exit "rm -f $POLL"
lab nsexec sh -c "for i in \$(seq 400); do [ ! -e $STOP ] || break; t=\$(date +%s%3N); if wget -q -T 1 -t 1 -O /dev/null http://$VIP:8080/; then echo \$t ok; else echo \$t fail; fi; sleep 0.05; done" >"$POLL" 2>/dev/null &
POLLER=$!
sleep 2
lab kill n1

step "n2 fences n1 through fence_lab, then starts web"
wait_until 60 is n2 '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', 'n2')]" ||
	fail "web is $(gstate n2) on n2: $(on n2 tail -30 /tmp/vigild.log)"
on n2 "grep -q 'fencing node n1: method lab-n1 confirmed' /tmp/vigild.log" ||
	fail "n2 did not fence n1 first: $(on n2 tail -30 /tmp/vigild.log)"
wait_until 10 served_by_is n2 || fail "the VIP does not serve n2's page: '$(served_by)'"
on n2 test -f /run/dummy.state || fail "the OCF Dummy did not start on n2"
wait "$POLLER" || true
python3 - "$POLL" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
first_fail = next((i for i, r in enumerate(rows) if r[1] == "fail"), None)
if first_fail is None:
    print("client: %d requests, no failure" % len(rows))
    sys.exit(0)
last_ok = int(rows[first_fail - 1][0]) if first_fail else int(rows[0][0])
back = next((int(r[0]) for r in rows[first_fail:] if r[1] == "ok"), None)
if back is None:
    print("client: the VIP never answered again")
    sys.exit(1)
print("client: outage %.1f s (%d requests failed of %d)" %
      ((back - last_ok) / 1000.0, sum(r[1] == "fail" for r in rows), len(rows)))
PY
on n2 "grep -v ' ok (' /tmp/vigild.log | grep -v 'monitor ok' | grep -v ': event '"
echo "28-vigild-failover: ok"
