#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Planned switchover with vigild, and back. The cluster of scenario 28
# (web = VIP on svc + busybox httpd via exec + OCF Dummy, on n1 when it
# can; every node has a fence_lab method), but here the agent only writes
# down that it was called: nothing may be fenced. A client on the host
# side fetches from the VIP every 50 ms throughout.
# 'vigilctl switchover web n3': web is stopped on n1 in reverse order
# (dummy, httpd, vip), started on n3 in order (vip, httpd, dummy), the
# client reaches the VIP again and it serves n3's page, and every node's
# 'vigilctl status -j' shows web online on n3. 'vigilctl switchover web n1'
# brings it back the same way. No node logs a fencing, records a fence
# event, or has its fence agent asked to power a node off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fencelib.sh"

VIP=169.254.3.100
STOP=$(mktemp -u)
at_exit "touch $STOP; sleep 2; rm -f $STOP"

# The guest's fence agent: writes down every call (action and port) and
# says that it works; it never powers anything off.
FENCE_LAB='#!/bin/sh
action=; port=
while IFS== read -r k v; do
	case "$k" in action) action=$v ;; port|plug) port=$v ;; esac
done
echo "$action $port" >> /tmp/fence_lab.calls
case "$action" in
status|monitor|off|reboot|on) exit 0 ;;
metadata) echo "<resource-agent name=\"fence_lab\"/>" ;;
*) exit 1 ;;
esac'

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

WEB='[(g["state"], g["node"]) for g in d["groups"]]'
gstate() { vstatus "$1" "$WEB"; }
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }
# ops NODE FROM: NODE's resource operations of web logged after line FROM
# of its vigild log, as "op:resource" words.
ops() {
	on "$1" "tail -n +\$(($2 + 1)) /tmp/vigild.log" |
		sed -n 's/.*group web: resource \([a-z]*\): \(start\|stop\) ok .*/\2:\1/p' | tr '\n' ' ' | sed 's/ $//'
}
loglines() { on "$1" 'wc -l < /tmp/vigild.log'; }

# switchover FROM TO: move web from FROM to TO and check every step.
switchover() {
	from=$1 to=$2
	m_from=$(loglines "$from") m_to=$(loglines "$to")
	on "$from" vigilctl switchover web "$to"
	wait_until 30 is "$to" "$WEB" "[('online', '$to')]" ||
		fail "web not online on $to: $(gstate "$to"); $(on "$to" tail -30 /tmp/vigild.log)"
	for i in 1 2 3; do
		[ "n$i" = "$to" ] && continue
		wait_until 10 is "n$i" "$WEB" "[('standby', '$to')]" ||
			fail "n$i shows web as $(gstate "n$i")"
	done
	wait_until 10 served_by_is "$to" || fail "the VIP does not serve $to's page: '$(served_by)'"
	echo "$from: $(ops "$from" "$m_from")"
	echo "$to: $(ops "$to" "$m_to")"
	[ "$(ops "$from" "$m_from")" = "stop:dummy stop:httpd stop:vip" ] ||
		fail "$from did not stop web in reverse order: $(ops "$from" "$m_from")"
	[ "$(ops "$to" "$m_to")" = "start:vip start:httpd start:dummy" ] ||
		fail "$to did not start web in order: $(ops "$to" "$m_to")"
	on "$from" "! ip -4 addr show dev svc | grep -q $VIP" || fail "the VIP is still on $from"
	on "$from" "! test -f /run/dummy.state" || fail "the OCF Dummy was not stopped on $from"
	on "$to" test -f /run/dummy.state || fail "the OCF Dummy did not start on $to"
	on "$to" vigilctl status
}

step "lab up 3, fence_lab and vigil.conf on every node, vigild"
lab up 3
for i in 1 2 3; do
	lab exec --stdin "n$i" "mkdir -p /usr/local/sbin && cat > /usr/local/sbin/fence_lab && chmod 755 /usr/local/sbin/fence_lab" <<<"$FENCE_LAB"
	lab exec --stdin "n$i" "mkdir -p /etc/vigil && umask 077 && echo $KEY_HEX > /etc/vigil/vigil.key && cat > /etc/vigil/vigil.conf" < <(conf)
	lab exec --bg "n$i" "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
done
wait_until 30 all_up 3 || fail "membership did not form: $(on n1 cat /tmp/vigild.log)"
for i in 1 2 3; do ev_start "n$i"; done
wait_until 30 is n1 "$WEB" "[('online', 'n1')]" ||
	fail "web not online on n1: $(gstate n1); $(on n1 cat /tmp/vigild.log)"
wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page"

step "a client polls the VIP every 50 ms"
POLL=$(mktemp)
at_exit "rm -f $POLL"
lab nsexec sh -c "while [ ! -e $STOP ]; do t=\$(date +%s%3N); if wget -q -T 1 -t 1 -O - http://$VIP:8080/ 2>/dev/null; then :; else echo fail; fi | { read -r w; echo \$t \${w:-fail}; }; sleep 0.05; done" >"$POLL" 2>/dev/null &
POLLER=$!
sleep 2

# outage FROM: the client's view since line FROM of its log: the longest
# time without an answer, and whether it answers (with NODE's page) now.
outage() {
	python3 - "$POLL" "$1" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2][int(sys.argv[2]):]
fails = sum(r[1] == "fail" for r in rows)
gap, last_ok, worst = 0, None, 0
for t, r in rows:
    t = int(t)
    if r != "fail":
        if last_ok is not None:
            worst = max(worst, t - last_ok)
        last_ok = t
print("client: %d requests, %d failed, longest gap between answers %.2f s, last answer from %s" %
      (len(rows), fails, worst / 1000.0, rows[-1][1] if rows else "-"))
PY
}
pollmark() { wc -l < "$POLL"; }

step "vigilctl switchover web n3"
p=$(pollmark)
switchover n1 n3
sleep 1
outage "$p"
tail -n 1 "$POLL" | grep -q ' n3$' || fail "the client does not reach n3 through the VIP: $(tail -n 3 "$POLL")"

step "vigilctl switchover web n1"
p=$(pollmark)
switchover n3 n1
sleep 1
outage "$p"
tail -n 1 "$POLL" | grep -q ' n1$' || fail "the client does not reach n1 through the VIP: $(tail -n 3 "$POLL")"
touch "$STOP"
wait "$POLLER" || true

step "no fencing: no log line, no fence event, no power-off asked of a fence agent"
for i in 1 2 3; do
	on "n$i" "! grep -E 'fencing node|self-fence|fenced' /tmp/vigild.log" ||
		fail "n$i logged a fencing"
	ev=$(evq "n$i" 0 '[e["event"] for e in E if "fence" in e["event"]]')
	[ "$ev" = "[]" ] || fail "n$i recorded fence events: $ev"
	calls=$(on "n$i" 'cat /tmp/fence_lab.calls 2>/dev/null' || true)
	echo "n$i: events $(evq "n$i" 0 'dict(__import__("collections").Counter(e["event"] for e in E))'); fence_lab calls: ${calls:-none}"
	! echo "$calls" | grep -qE '^(off|reboot) ' || fail "n$i asked fence_lab to power off: $calls"
	[ "$(vstatus "n$i" "$WEB")" = "[('online', 'n1')]" ] ||
		[ "$(vstatus "n$i" "$WEB")" = "[('standby', 'n1')]" ] || fail "n$i shows web as $(gstate "n$i")"
done
echo "29-switchover: ok"
