# SPDX-License-Identifier: GPL-2.0
#
# Sourced by every lab scenario: strict shell, a 'lab' function, step
# logging, assertions, and a trap that takes the lab down on exit.

set -e
set -u

TOP=$(cd "$(dirname "$0")/../../.." && pwd)
LAB="$TOP/tests/lab/lab"

lab() { "$LAB" "$@"; }

step() { printf '[%s] == %s\n' "$(date +%T)" "$*"; }

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	rc=$?
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
