# SPDX-License-Identifier: GPL-2.0
#
# Sourced (after lib.sh) by the scenarios of AWS fencing (30-35): the lab
# cloud (tests/lab/lablib/cloud.py) at 169.254.169.254 on LAN a, and
# vigild on every node with the group web of scenario 24 (VIP on svc,
# busybox httpd, OCF Dummy) and each node fenced by aws-isolate (its svc
# ENI, device index 2) then aws-stop. Credentials come from the instance
# role through IMDSv2, as on EC2; TLS is verified against the lab CA.
#
# Knobs, set before aws_up: AWS_ON_QUORUM_LOSS (default freeze),
# AWS_DUMP_TIMEOUT (default 60s), AWS_STOP_TIMEOUT (default 60s),
# AWS_ISOLATE_TIMEOUT (default 20s), AWS_UP_ARGS (extra 'lab up' options),
# AWS_CLOUD_ARGS (extra 'lab cloud start' options).

VIP=169.254.3.100
AWS_ON_QUORUM_LOSS=${AWS_ON_QUORUM_LOSS:-freeze}
AWS_DUMP_TIMEOUT=${AWS_DUMP_TIMEOUT:-60s}
AWS_STOP_TIMEOUT=${AWS_STOP_TIMEOUT:-60s}
AWS_ISOLATE_TIMEOUT=${AWS_ISOLATE_TIMEOUT:-20s}
AWS_UP_ARGS=${AWS_UP_ARGS:-}
AWS_CLOUD_ARGS=${AWS_CLOUD_ARGS:-}
AWS_NODES=3

# On failure, also the cloud's log of changes and what each node's
# vigild said about fencing.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	echo "--- the lab cloud's calls that change something" >&2
	calls 'c["action"] not in ("DescribeInstances", "DescribeNetworkInterfaces")' >&2 2>/dev/null || true
	for i in $(seq 1 "$AWS_NODES"); do
		echo "--- n$i: vigild about fencing" >&2
		lab exec "n$i" "grep -E 'fenc|recover|group web' /tmp/vigild.log | tail -20" >&2 2>/dev/null || true
	done
	exit 1
}

instance_of() { printf 'i-%017x' "${1#n}"; }
svc_eni_of() { printf 'eni-%017x' $(( ${1#n} * 16 + 3 )); }

aws_conf() {
	cat <<CONF
[cluster]
name = lab
id = 4242
key_file = /etc/vigil/vigil.key
timeout_ms = 500
on_quorum_loss = $AWS_ON_QUORUM_LOSS
protect = svc

[link a]
index = 0
type = l2
interface = a

[link b]
index = 1
type = l2
interface = b

[aws]
region = lab-1
endpoint = https://169.254.169.254
ca_file = /etc/vigil/lab-ca.pem
call_timeout = 3s
CONF
	for i in $(seq 1 "$AWS_NODES"); do
		printf '\n[node n%s]\nid = %s\nreset_priority = %s\naddress.a = 52:54:00:01:00:%02x\naddress.b = 52:54:00:02:00:%02x\nfence = n%s-isolate n%s-stop\n' \
			"$i" "$i" "$i" "$i" "$i" "$i" "$i"
		printf '\n[fence n%s-isolate]\ntype = aws-isolate\ninstance_id = %s\nenis = %s:2\ntimeout = %s\n' \
			"$i" "$(instance_of "n$i")" "$(svc_eni_of "n$i")" "$AWS_ISOLATE_TIMEOUT"
		printf '\n[fence n%s-stop]\ntype = aws-stop\ninstance_id = %s\ntimeout = %s\ndump_timeout = %s\n' \
			"$i" "$(instance_of "n$i")" "$AWS_STOP_TIMEOUT" "$AWS_DUMP_TIMEOUT"
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

# aws_node NODE: key, vigil.conf and the lab CA on NODE, then vigild.
aws_node() {
	lab exec --stdin "$1" "mkdir -p /etc/vigil && umask 077 && echo $KEY_HEX > /etc/vigil/vigil.key && cat > /etc/vigil/vigil.conf" < <(aws_conf)
	lab exec --stdin "$1" "cat > /etc/vigil/lab-ca.pem" <"$(lab cloud ca)"
	lab exec --bg "$1" "exec vigild -v >>/tmp/vigild.log 2>&1" >/dev/null
}

# logged NODE TEXT: NODE's vigild log has a line with TEXT (no ' in it).
logged() { lab exec "$1" "grep -qF -- '$2' /tmp/vigild.log"; }

gstate() { vstatus "$1" '[(g["state"], g["node"]) for g in d["groups"]]'; }
online_on() { is "$1" '[(g["state"], g["node"]) for g in d["groups"]]' "[('online', '$1')]"; }
served_by() { lab nsexec wget -q -T 2 -O - "http://$VIP:8080/" 2>/dev/null; }
served_by_is() { [ "$(served_by)" = "$1" ]; }

# aws_up: N nodes, the cloud, vigild everywhere; web online on n1.
aws_up() {
	# shellcheck disable=SC2086
	lab up "$AWS_NODES" $AWS_UP_ARGS
	# shellcheck disable=SC2086
	lab cloud start $AWS_CLOUD_ARGS
	for i in $(seq 1 "$AWS_NODES"); do
		aws_node "n$i"
	done
	wait_until 30 all_up "$AWS_NODES" || fail "membership did not form: $(on n1 cat /tmp/vigild.log)"
	wait_until 30 online_on n1 || fail "web not online on n1: $(gstate n1); $(on n1 cat /tmp/vigild.log)"
	wait_until 10 served_by_is n1 || fail "the VIP does not serve n1's page"
}

# calls [PYTHON-FILTER]: the cloud's call log as 'T SRC ACTION TARGET CODE'
# lines (T: host time, s), oldest first; FILTER an expression over c.
calls() {
	lab cloud log | python3 -c '
import json, sys
flt = sys.argv[1] if len(sys.argv) > 1 else "True"
for line in sys.stdin:
    c = json.loads(line)
    if c.get("service") != "ec2" or not c.get("action") or not eval(flt):
        continue
    p = c.get("params", {})
    tgt = p.get("InstanceId.1") or p.get("NetworkInterfaceId.1") or p.get("NetworkInterfaceId") or p.get("AttachmentId") or "-"
    print("%.3f %s %s %s %s" % (c["t"], c.get("src", "-"), c["action"], tgt, c.get("code") or c.get("status")))
' "$@"
}

# called ACTION: the cloud answered ACTION with success at least once.
called() {
	[ -n "$(calls "c[\"action\"] == \"$1\" and c.get(\"status\") == 200")" ]
}

# polled NODE: the client's log has an answer from NODE (the log lags the
# served_by checks by up to one request).
polled() { grep -q " $1\$" "$POLL"; }

# A client on the host side of svc asks the VIP every 50 ms and logs
# 'TIME_MS NODE' (or 'TIME_MS -') into $POLL until $STOP appears.
start_poller() {
	POLL=$(mktemp)
	STOP=$(mktemp -u)
	at_exit "touch $STOP; sleep 1; rm -f $STOP $POLL"
	lab nsexec sh -c "while [ ! -e $STOP ]; do t=\$(date +%s%3N); n=\$(wget -q -T 1 -t 1 -O - http://$VIP:8080/ 2>/dev/null) || n=-; echo \"\$t \${n:--}\"; sleep 0.05; done" >"$POLL" 2>/dev/null &
}
