#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab cloud in a real lab (not run by tests/run; about 2 minutes):
# two nodes, 'lab cloud start', then from the host side, with Debian's
# awscli in the lab namespace: stop n2 (its VM powers off), start it (it
# boots), detach n2's svc ENI (its carrier goes to 0), attach it again
# (1); the primary ENI cannot be detached; a throttle fault; the nodes
# reach the cloud over a under a partition, not when a is cut; the call
# log names n1 as the source of n1's IMDS request and has the actions in
# order. Run as root, e.g.:
#
#     VIGIL_LAB_NAME=cloudh tests/lab/cloud/smoke.sh
. "$(dirname "$0")/../scenarios/lib.sh"

CLOUD=169.254.169.254
I1=i-00000000000000001
I2=i-00000000000000002

step "lab up 2, lab cloud start"
lab up 2
lab cloud start
TMP=$(mktemp -d)
at_exit "rm -rf $TMP"
: > "$TMP/config"
export HOME=$TMP AWS_CONFIG_FILE=$TMP/config AWS_SHARED_CREDENTIALS_FILE=$(lab cloud creds) \
	AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 AWS_PAGER=
CA=$(lab cloud ca)
aws() {
	lab nsexec /usr/bin/aws --endpoint-url "https://$CLOUD" --ca-bundle "$CA" --region lab-1 \
		--output text ec2 "$@"
}
state() { aws describe-instances --instance-ids "$1" --query 'Reservations[0].Instances[0].State.Name'; }
eni_status() { aws describe-network-interfaces --network-interface-ids "$1" --query 'NetworkInterfaces[0].Status'; }
is_state() { [ "$(state "$1")" = "$2" ]; }
eni_is() { [ "$(eni_status "$1")" = "$2" ]; }
node_state() { lab status -j | python3 -c "import json,sys; print(json.load(sys.stdin)['nodes']['$1'])"; }

step "ids"
[ "$(lab cloud ids | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["n2"]["instance"], d["n2"]["enis"]["svc"]["eni"], d["n2"]["enis"]["svc"]["device_index"])')" = \
	"$I2 eni-00000000000000023 2" ] || fail "lab cloud ids"

step "the nodes reach the cloud over a; IMDS names n1 by its source address"
reaches n1 $CLOUD || fail "n1 does not reach $CLOUD"
reaches n2 $CLOUD || fail "n2 does not reach $CLOUD"
! on n1 wget -q -O- http://$CLOUD/latest/meta-data/instance-id 2>/dev/null || fail "IMDS answered without a token"
lab cloud log | tail -n 1 | python3 -c '
import json, sys
c = json.loads(sys.stdin.read())
assert (c["service"], c["src"], c["node"], c["status"]) == ("imds", "169.254.1.1", "n1", 401), c' ||
	fail "the IMDS request of n1 is not logged as n1's"

step "describe-instances"
[ "$(aws describe-instances --query 'Reservations[].Instances[].InstanceId' | tr '\t' ' ')" = "$I1 $I2" ] ||
	fail "describe-instances"

step "stop n2: stopping, then stopped with its VM off"
aws stop-instances --instance-ids $I2 --force >/dev/null
wait_until 30 is_state $I2 stopped || fail "n2 never stopped"
[ "$(node_state n2)" = off ] || fail "n2 is stopped but its VM is $(node_state n2)"

step "start n2: it boots"
aws start-instances --instance-ids $I2 >/dev/null
wait_until 30 is_state $I2 running || fail "n2 never ran"
lab wait n2
on n2 true || fail "n2 does not answer after start"

step "detach n2's svc ENI: the link goes down; attach: up"
[ "$(on n2 cat /sys/class/net/svc/carrier)" = 1 ] || fail "svc carrier not 1 at first"
aws detach-network-interface --attachment-id eni-attach-00000000000000023 >/dev/null
wait_until 20 eni_is eni-00000000000000023 available || fail "ENI never available"
[ "$(on n2 cat /sys/class/net/svc/carrier)" = 0 ] || fail "svc carrier not 0 after detach"
lab status | grep -q 'n2 .*link down: svc' || fail "lab status does not show the link down"
reaches n2 $CLOUD || fail "n2 lost the cloud with its svc ENI"
aws attach-network-interface --network-interface-id eni-00000000000000023 --instance-id $I2 \
	--device-index 2 >/dev/null
wait_until 20 eni_is eni-00000000000000023 in-use || fail "ENI never in-use"
[ "$(on n2 cat /sys/class/net/svc/carrier)" = 1 ] || fail "svc carrier not 1 after attach"

step "the primary ENI cannot be detached"
aws detach-network-interface --attachment-id eni-attach-00000000000000021 2>&1 |
	grep -q OperationNotPermitted || fail "primary ENI detach not refused"

step "throttle fault"
lab cloud fault DescribeInstances throttle --count 1
aws describe-instances 2>&1 | grep -q RequestLimitExceeded || fail "no RequestLimitExceeded"
aws describe-instances >/dev/null || fail "the throttle outlived its count"

step "partition: both nodes still reach the cloud; a cut of a cuts it"
lab partition n1 n2
reaches n1 $CLOUD || fail "n1 lost the cloud in a partition"
reaches n2 $CLOUD || fail "n2 lost the cloud in a partition"
lab partition none
lab cut n1 a
blocked n1 $CLOUD || fail "n1 reaches the cloud with a cut"
lab heal n1
lab cut n1 svc
reaches n1 $CLOUD || fail "a cut of svc cut the cloud"
lab heal n1

step "the call log has the actions in order"
lab cloud log | python3 -c '
import json, sys
acts = [c["action"] for c in map(json.loads, sys.stdin) if c["service"] == "ec2" and c["code"] == "OK"]
want = ["StopInstances", "StartInstances", "DetachNetworkInterface", "AttachNetworkInterface"]
pos = [acts.index(a) for a in want]
assert pos == sorted(pos), acts' || fail "call log order"

step "lab cloud stop"
lab cloud stop
! lab cloud status >/dev/null || fail "cloud status says running after stop"
echo "PASS"
