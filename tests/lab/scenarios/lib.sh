# SPDX-License-Identifier: GPL-2.0
#
# Sourced by every lab scenario: strict shell, a 'lab' function, step
# logging, assertions, and a trap that takes the lab down on exit.

set -e
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
LAB="$TOP/tests/lab/lab"

lab() { "$LAB" "$@"; }

step() { printf '[%s] == %s\n' "$(date +%T)" "$*"; }

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# at_exit CMD...: run CMD (as one string, by eval) when the scenario ends,
# before the lab goes down: stop what the scenario started on the host.
AT_EXIT=
at_exit() { AT_EXIT="$*; $AT_EXIT"; }

cleanup() {
	rc=$?
	[ -z "$AT_EXIT" ] || eval "$AT_EXIT" || true
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for n in $(lab status -j 2>/dev/null | python3 -c \
			'import json,sys; print(" ".join(json.load(sys.stdin)["nodes"]))' 2>/dev/null); do
			echo "--- console of $n (last 30 lines)"
			lab log -n 30 "$n" 2>/dev/null || true
		done
	fi
	lab down || true
	exit "$rc"
}
trap cleanup EXIT

# Run CMD in NODE; succeed only if it does.
on() {
	node=$1
	shift
	lab exec "$node" "$@"
}

# A node reaches an address (one ping, 1 s deadline per try, 3 tries).
reaches() {
	node=$1 addr=$2
	for _ in 1 2 3; do
		lab exec "$node" ping -c 1 -W 1 "$addr" >/dev/null 2>&1 && return 0
	done
	return 1
}

# A node does not reach an address (3 pings over 3 s, none answered).
blocked() {
	node=$1 addr=$2
	! lab exec "$node" ping -c 3 -i 1 -W 1 "$addr" >/dev/null 2>&1
}

# The host side (the lab namespace) reaches an address: ping -c 1, 3 tries;
# an IPv6 link-local address needs its zone (fe80::3%svc).
host_reaches() {
	for _ in 1 2 3; do
		lab nsexec ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}

# The host side does not reach an address (3 pings over 3 s, none answered).
host_blocked() {
	! lab nsexec ping -c 3 -i 1 -W 1 "$1" >/dev/null 2>&1
}

# Link-local IPv4 address of node ID on link a|b|svc.
addr4() {
	case "$2" in a) net=1 ;; b) net=2 ;; svc) net=3 ;; *) fail "bad link $2" ;; esac
	echo "169.254.$net.$1"
}

# wait_until SECONDS CMD...: retry CMD until it succeeds or time runs out.
wait_until() {
	limit=$1
	shift
	end=$(($(date +%s) + limit))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# --- vigil clusters ----------------------------------------------------------

# The heartbeat transport of the scenarios that do not name one.
T=${VIGIL_TRANSPORT:-l2}

# The cluster key, shared by every node of a scenario.
KEY_HEX=$(python3 -c 'import secrets; print(secrets.token_hex(32))')

# vstatus NODE EXPR: evaluate a Python expression over NODE's
# 'vigilctl status -j' (bound to d) and print the result.
vstatus() {
	lab exec "$1" vigilctl status -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
peers = {p["name"]: p for p in d.get("peers", [])}
def link(peer, name):
    return {l["name"]: l for l in peers[peer]["links"]}[name]
print(eval(sys.argv[1]))' "$2"
}

# Extra 'vigilctl set-config' options for every node that configure pushes,
# after those of the scenario (e.g. VIGIL_CONFIG_EXTRA="--timeout 1000").
CONFIG_EXTRA=${VIGIL_CONFIG_EXTRA:-}

# configure TRANSPORT N NODE [SET-CONFIG-OPTION...]: push the configuration
# of an N-node cluster (n1..nN) to NODE, with the options given (e.g.
# --protect svc --fence quorum:freeze) and $CONFIG_EXTRA appended.
# TRANSPORT: l2 (links a and b, unicast MACs), l2bcast (a and b,
# broadcast), udp4, udp6.
configure() {
	transport=$1 n=$2 node=$3
	shift 3
	self=${node#n}
	args="--cluster 4242 --node $self --key 1:/run/vigil/key"
	case "$transport" in
	l2|l2bcast) args="$args --link 0:a:l2:a --link 1:b:l2:b" ;;
	# One UDP port per link: the module binds each link's socket to the
	# wildcard address, so two links cannot share a port.
	udp4) args="$args --link 0:a:udp4:a:5405 --link 1:b:udp4:b:5406" ;;
	udp6) args="$args --link 0:a:udp6:a:5405 --link 1:b:udp6:b:5406" ;;
	*) fail "unknown transport $transport" ;;
	esac
	for i in $(seq 1 "$n"); do
		args="$args --member $i:n$i"
		[ "$i" = "$self" ] && continue
		hex=$(printf '%02x' "$i")
		case "$transport" in
		l2) args="$args --addr $i:0:52:54:00:01:00:$hex --addr $i:1:52:54:00:02:00:$hex" ;;
		udp4) args="$args --addr $i:0:169.254.1.$i:5405 --addr $i:1:169.254.2.$i:5406" ;;
		udp6) args="$args --addr $i:0:[fe80::$(printf '%x' "$i")]:5405 --addr $i:1:[fe80::$(printf '%x' "$i")]:5406" ;;
		esac
	done
	lab exec "$node" "mkdir -p /run/vigil && echo $KEY_HEX > /run/vigil/key && vigilctl set-config $args $* $CONFIG_EXTRA"
}

# cluster TRANSPORT N [SET-CONFIG-OPTION...]: configure n1..nN as one
# cluster, every node with the same extra options.
cluster() {
	transport=$1 n=$2
	shift 2
	for i in $(seq 1 "$n"); do
		configure "$transport" "$n" "n$i" "$@"
	done
}

# all_up N: every node of n1..nN sees every other up and is quorate.
all_up() {
	n=$1
	for i in $(seq 1 "$n"); do
		[ "$(vstatus "n$i" 'all(p["state"] == "up" for p in d["peers"]) and d["quorate"]')" = True ] || return 1
	done
}

# is NODE EXPR VALUE: NODE's status expression EXPR prints VALUE.
is() { [ "$(vstatus "$1" "$2" 2>/dev/null)" = "$3" ]; }

# wait_is SECONDS NODE EXPR VALUE: until NODE's EXPR is VALUE.
wait_is() {
	t=$1
	shift
	wait_until "$t" is "$@"
}
