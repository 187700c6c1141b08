# SPDX-License-Identifier: GPL-2.0
"""The lab cloud: an emulator of the parts of AWS that vigil's fencing
uses, Python standard library only. See "The lab cloud" in
Documentation/lab.md.

  IMDS (plain HTTP): IMDSv2 only. PUT /latest/api/token, then GETs with
      X-aws-ec2-metadata-token: instance-id, placement/region,
      placement/availability-zone, iam/security-credentials/[ROLE],
      dynamic/instance-identity/document. The instance that asks is named
      by its source address (169.254.1.N -> nN, or an explicit map).
  EC2 Query API (HTTPS, API version 2016-11-15): DescribeInstances,
      StopInstances, StartInstances, RebootInstances,
      DescribeNetworkInterfaces, DetachNetworkInterface,
      AttachNetworkInterface; every request's SigV4 signature is verified.

State directory (DIR, the lab's STATE/cloud or any directory):
  config.json      what 'serve' was started with (ports, addresses, delays)
  keys.json        the IAM user's key and the account id (secret: 0600)
  credentials      the IAM user's key in AWS shared-credentials format
  ca.pem, ca.key   the lab CA (openssl CLI); server.pem, server.key: the
                   endpoint's certificate (SAN IP:169.254.169.254,
                   IP:127.0.0.1)
  faults.json      faults in force (read on every request; counts are
                   consumed by the server under flock)
  calls.jsonl      one JSON line per request: t, src, service, action,
                   params (never a secret), code, status
  instances.json   the emulator's instances and ENIs, rewritten on change
  endpoints.json   written once the server listens: ec2 and imds URLs
  cloud.pid, cloud.log

Run: python3 cloud.py serve --dir DIR [--backend fake|lab] ...
This module imports nothing from lablib, so it runs as a script too.
"""

import argparse
import base64
import calendar
import fcntl
import hashlib
import hmac
import http.server
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from xml.sax.saxutils import escape

API_VERSION = "2016-11-15"
XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
DEFAULT_REGION = "lab-1"
ROLE = "vigil-lab-role"
LINKS = ("a", "b", "svc")
LINK_INDEX = {"a": 1, "b": 2, "svc": 3}
DEVICE_INDEX = {"a": 0, "b": 1, "svc": 2}
IMDS_ADDR = "169.254.169.254"
# The host side's address on bridge a, so that replies reach 169.254.1.N.
HOST_A_ADDR = "169.254.1.254/24"
MAX_SKEW_S = 300
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48,
               "stopping": 64, "stopped": 80}
LAB = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))

FAULT_KINDS = ("latency", "throttle", "error", "hang", "deny", "down")


# --- ids -------------------------------------------------------------------------

def node_num(node):
    return int(node[1:])


def instance_id(node):
    return "i-%017x" % node_num(node)


def eni_id(node, link):
    return "eni-%017x" % (node_num(node) * 16 + LINK_INDEX[link])


def attachment_id(node, link, gen=0):
    return "eni-attach-%017x" % ((gen << 12) | (node_num(node) * 16 + LINK_INDEX[link]))


def ids(nodes):
    """{node: {"instance": id, "enis": {link: {"eni", "device_index",
    "attachment"}}}} (attachment ids of the first attachment)."""
    out = {}
    for n in nodes:
        out[n] = {"instance": instance_id(n), "enis": {
            l: {"eni": eni_id(n, l), "device_index": DEVICE_INDEX[l],
                "attachment": attachment_id(n, l)} for l in LINKS}}
    return out


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def iso_ms(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


# --- SigV4 (verification) --------------------------------------------------------

def _uri_encode(s, safe="-_.~"):
    return urllib.parse.quote(s, safe=safe)


def canonical_uri(raw_path):
    """The canonical URI of a non-S3 service: dot segments removed, then
    each segment encoded (the raw path is already encoded once: AWS
    encodes it a second time)."""
    segs = []
    for seg in raw_path.split("/"):
        if seg == "..":
            if segs:
                segs.pop()
        elif seg not in (".", ""):
            segs.append(seg)
    path = "/" + "/".join(_uri_encode(s) for s in segs)
    if raw_path.endswith("/") and segs:
        path += "/"
    return path


def canonical_query(raw_query):
    pairs = []
    if raw_query:
        for part in raw_query.split("&"):
            if not part:
                continue
            k, _, v = part.partition("=")
            k = urllib.parse.unquote(k)
            v = urllib.parse.unquote(v)
            pairs.append((_uri_encode(k), _uri_encode(v)))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def canonical_headers(headers, signed):
    """headers: list of (name, value) as received (repeats allowed)."""
    vals = {}
    for name, value in headers:
        n = name.strip().lower()
        vals.setdefault(n, []).append(" ".join(value.strip().split()))
    missing = [h for h in signed if h not in vals]
    text = "".join("%s:%s\n" % (h, ",".join(vals.get(h, []))) for h in signed)
    return text, missing


def signing_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def sigv4(method, raw_path, raw_query, headers, body, signed, amz_date, scope, secret):
    """(canonical request, string to sign, signature hex)."""
    ch, _ = canonical_headers(headers, signed)
    creq = "\n".join([method, canonical_uri(raw_path), canonical_query(raw_query), ch,
                      ";".join(signed), hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    date, region, service, _ = scope.split("/")
    sig = hmac.new(signing_key(secret, date, region, service), sts.encode(),
                   hashlib.sha256).hexdigest()
    return creq, sts, sig


AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)


def parse_authorization(value):
    """{"Credential", "SignedHeaders", "Signature"} or None."""
    m = AUTH_RE.match(value or "")
    if not m:
        return None
    out = {}
    for part in m.group(1).split(","):
        k, sep, v = part.strip().partition("=")
        if sep:
            out[k.strip()] = v.strip()
    if not all(k in out for k in ("Credential", "SignedHeaders", "Signature")):
        return None
    return out


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- the emulated account -------------------------------------------------------

class Account:
    """The IAM user's long-term key and the role's temporary credentials."""

    def __init__(self, keys, lifetime):
        self.user_key = keys["access_key_id"]
        self.user_secret = keys["secret_access_key"]
        self.account_id = keys["account_id"]
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.temp = {}          # access key -> {secret, token, expires, issued}
        self.current = None

    def role_credentials(self, now):
        """The role's current credentials; new ones when the current are
        past half their lifetime or within 5 minutes of their end, as AWS
        rotates them before they expire."""
        with self.lock:
            c = self.current
            if c is None or c["expires"] - now < min(300, self.lifetime / 2):
                key = "ASIA" + "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                       for _ in range(16))
                c = {"key": key, "secret": base64.b64encode(secrets.token_bytes(30)).decode(),
                     "token": base64.b64encode(b"vigil-lab-session:" + secrets.token_bytes(96)
                                               ).decode(),
                     # Whole seconds: Expiration says exactly when they end.
                     "issued": int(now), "expires": int(now) + max(1, int(self.lifetime))}
                self.temp[key] = c
                self.current = c
            return c

    def lookup(self, key, token, now):
        """The secret of `key`; ApiError when unknown, expired or the
        session token does not match."""
        if key == self.user_key:
            if token:
                raise ApiError(401, "AuthFailure",
                               "AWS was not able to validate the provided access credentials")
            return self.user_secret
        with self.lock:
            c = self.temp.get(key)
        if c is None:
            raise ApiError(401, "AuthFailure",
                           "AWS was not able to validate the provided access credentials")
        if not token or not hmac.compare_digest(token, c["token"]):
            raise ApiError(401, "AuthFailure",
                           "AWS was not able to validate the provided access credentials")
        if now >= c["expires"]:
            raise ApiError(400, "RequestExpired", "Request has expired.")
        return c["secret"]


def new_keys():
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return {"access_key_id": "AKIA" + "".join(random.choice(alnum) for _ in range(16)),
            "secret_access_key": base64.b64encode(secrets.token_bytes(30)).decode(),
            "account_id": "%012d" % random.randrange(10 ** 11, 10 ** 12)}


# --- backends: what an action does to the lab -------------------------------------

class FakeBackend:
    """Nothing happens to any VM: state changes only (host-side tests).
    Calls are recorded in self.calls."""

    def __init__(self):
        self.calls = []

    def power_off(self, node):
        self.calls.append(("power_off", node))

    def power_on(self, node):
        self.calls.append(("power_on", node))

    def reset(self, node):
        self.calls.append(("reset", node))

    def link(self, node, link, up):
        self.calls.append(("link", node, link, up))

    def initial(self, nodes):
        """{node: {"running": bool, "links_down": [links]}}"""
        return {n: {"running": True, "links_down": []} for n in nodes}


class LabBackend(FakeBackend):
    """Acts through the lab CLI (which takes the lab's locks): stop = 'lab
    kill', start = 'lab start --no-wait', reboot = 'lab reset --no-wait',
    ENI detach/attach = 'lab link NODE LINK down|up'."""

    def __init__(self, log):
        super().__init__()
        self.log = log

    def _lab(self, *args):
        r = subprocess.run([sys.executable, LAB] + list(args), capture_output=True, text=True,
                           timeout=120)
        self.log("backend: lab %s -> %d %s" % (" ".join(args), r.returncode,
                                                r.stderr.strip()))
        return r.returncode == 0

    def power_off(self, node):
        super().power_off(node)
        self._lab("kill", node)

    def power_on(self, node):
        super().power_on(node)
        self._lab("start", "--no-wait", node)

    def reset(self, node):
        super().reset(node)
        self._lab("reset", "--no-wait", node)

    def link(self, node, link, up):
        super().link(node, link, up)
        self._lab("link", node, link, "up" if up else "down")

    def initial(self, nodes):
        r = subprocess.run([sys.executable, LAB, "status", "-j"], capture_output=True,
                           text=True, timeout=60)
        st = json.loads(r.stdout) if r.returncode == 0 else {}
        down = st.get("links_down", {})
        return {n: {"running": st.get("nodes", {}).get(n, "off") != "off",
                    "links_down": down.get(n, [])} for n in nodes}


# --- the emulated EC2 -------------------------------------------------------------

class Ec2:
    def __init__(self, nodes, backend, region, stop_delay, start_delay, eni_delay,
                 account_id, on_change=None):
        self.lock = threading.RLock()
        self.backend = backend
        self.region = region
        self.az = region + "a"
        self.stop_delay, self.start_delay, self.eni_delay = stop_delay, start_delay, eni_delay
        self.account_id = account_id
        self.on_change = on_change
        self.inst = {}      # instance id -> dict
        self.enis = {}      # eni id -> dict
        init = backend.initial(nodes)
        now = time.time()
        for n in nodes:
            iid = instance_id(n)
            running = init[n]["running"]
            self.inst[iid] = {"node": n, "id": iid, "state": "running" if running else "stopped",
                              "gen": 0, "launch": now,
                              "reason": "" if running else "User initiated (lab: was off)"}
            for l in LINKS:
                e = {"id": eni_id(n, l), "node": n, "link": l, "gen": 0,
                     "home": iid, "status": "in-use", "att": None}
                if l not in init[n]["links_down"]:
                    e["att"] = {"id": attachment_id(n, l), "instance": iid,
                                "index": DEVICE_INDEX[l], "status": "attached", "time": now}
                else:
                    e["status"] = "available"
                self.enis[e["id"]] = e
        self.changed()

    def changed(self):
        if self.on_change:
            self.on_change(self.snapshot())

    def snapshot(self):
        with self.lock:
            return {"instances": {i["node"]: {"id": k, "state": i["state"]}
                                  for k, i in self.inst.items()},
                    "enis": {k: {"node": e["node"], "link": e["link"], "status": e["status"],
                                 "attachment": e["att"]["id"] if e["att"] else None,
                                 "attachment_status": e["att"]["status"] if e["att"] else None,
                                 "device_index": e["att"]["index"] if e["att"] else None}
                             for k, e in self.enis.items()}}

    # -- helpers

    def _later(self, delay, fn):
        t = threading.Timer(delay, fn)
        t.daemon = True
        t.start()

    def _instances(self, ids_):
        bad = [i for i in ids_ if not re.match(r"^i-([0-9a-f]{8}|[0-9a-f]{17})$", i)]
        if bad:
            raise ApiError(400, "InvalidInstanceID.Malformed", 'Invalid id: "%s"' % bad[0])
        missing = [i for i in ids_ if i not in self.inst]
        if missing:
            if len(missing) == 1:
                msg = "The instance ID '%s' does not exist" % missing[0]
            else:
                msg = "The instance IDs '%s' do not exist" % ", ".join(missing)
            raise ApiError(400, "InvalidInstanceID.NotFound", msg)
        return [self.inst[i] for i in ids_]

    def _eni(self, eid):
        if not re.match(r"^eni-([0-9a-f]{8}|[0-9a-f]{17})$", eid or ""):
            raise ApiError(400, "InvalidNetworkInterfaceID.Malformed",
                           "Invalid id: \"%s\" (expecting \"eni-...\")" % eid)
        e = self.enis.get(eid)
        if e is None:
            raise ApiError(400, "InvalidNetworkInterfaceID.NotFound",
                           "The networkInterface ID '%s' does not exist" % eid)
        return e

    @staticmethod
    def _state(name):
        return {"code": STATE_CODES[name], "name": name}

    # -- actions (each returns the body's inner XML)

    def describe_instances(self, p):
        ids_ = list_param(p, "InstanceId")
        filters = filter_params(p)
        with self.lock:
            sel = self._instances(ids_) if ids_ else [self.inst[k] for k in sorted(self.inst)]
            items = []
            for i in sel:
                ok = True
                for name, values in filters:
                    if name == "instance-id":
                        ok = ok and i["id"] in values
                    elif name == "instance-state-name":
                        ok = ok and i["state"] in values
                    elif name == "instance-state-code":
                        ok = ok and str(STATE_CODES[i["state"]]) in values
                    elif name == "tag:Name":
                        ok = ok and i["node"] in values
                    else:
                        raise ApiError(400, "InvalidParameterValue",
                                       "The filter '%s' is invalid" % name)
                if ok:
                    items.append(self._reservation_xml(i))
        return "<reservationSet>%s</reservationSet>" % "".join(items)

    def _reservation_xml(self, i):
        n = i["node"]
        num = node_num(n)
        enis = sorted((e for e in self.enis.values() if e["att"] and e["att"]["instance"] == i["id"]),
                      key=lambda e: e["att"]["index"])
        eni_xml = "".join(
            "<item><networkInterfaceId>%s</networkInterfaceId><subnetId>%s</subnetId>"
            "<vpcId>vpc-%017x</vpcId><description>lab %s link %s</description>"
            "<ownerId>%s</ownerId><status>%s</status><macAddress>%s</macAddress>"
            "<privateIpAddress>%s</privateIpAddress><sourceDestCheck>true</sourceDestCheck>"
            "<groupSet/><attachment><attachmentId>%s</attachmentId>"
            "<deviceIndex>%d</deviceIndex><status>%s</status><attachTime>%s</attachTime>"
            "<deleteOnTermination>%s</deleteOnTermination><networkCardIndex>0</networkCardIndex>"
            "</attachment><privateIpAddressesSet><item><privateIpAddress>%s</privateIpAddress>"
            "<primary>true</primary></item></privateIpAddressesSet>"
            "<interfaceType>interface</interfaceType></item>" % (
                e["id"], subnet_id(e["link"]), 1, n, e["link"], self.account_id, e["status"],
                mac(num, e["link"]), ip(num, e["link"]), e["att"]["id"], e["att"]["index"],
                e["att"]["status"], iso_ms(e["att"]["time"]),
                "true" if e["att"]["index"] == 0 else "false", ip(num, e["link"]))
            for e in enis)
        st = i["state"]
        reason = ""
        if st in ("stopped", "stopping"):
            reason = ("<stateReason><code>Client.UserInitiatedShutdown</code><message>"
                      "Client.UserInitiatedShutdown: User initiated shutdown</message>"
                      "</stateReason>")
        return ("<item><reservationId>r-%017x</reservationId><ownerId>%s</ownerId><groupSet/>"
                "<instancesSet><item><instanceId>%s</instanceId><imageId>ami-%017x</imageId>"
                "<instanceState><code>%d</code><name>%s</name></instanceState>"
                "<privateDnsName>ip-169-254-1-%d.%s.compute.internal</privateDnsName>"
                "<dnsName/><reason>%s</reason><amiLaunchIndex>0</amiLaunchIndex><productCodes/>"
                "<instanceType>t3.micro</instanceType><launchTime>%s</launchTime>"
                "<placement><availabilityZone>%s</availabilityZone><groupName/>"
                "<tenancy>default</tenancy></placement>"
                "<monitoring><state>disabled</state></monitoring>"
                "<subnetId>%s</subnetId><vpcId>vpc-%017x</vpcId>"
                "<privateIpAddress>%s</privateIpAddress><sourceDestCheck>true</sourceDestCheck>"
                "<groupSet/>%s<architecture>x86_64</architecture><rootDeviceType>ebs"
                "</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>"
                "<blockDeviceMapping/><virtualizationType>hvm</virtualizationType>"
                "<tagSet><item><key>Name</key><value>%s</value></item></tagSet>"
                "<hypervisor>xen</hypervisor><networkInterfaceSet>%s</networkInterfaceSet>"
                "<ebsOptimized>false</ebsOptimized></item></instancesSet></item>" % (
                    num, self.account_id, i["id"], 1, STATE_CODES[st], st, num, self.region,
                    escape(i["reason"]), iso_ms(i["launch"]), self.az, subnet_id("a"), 1,
                    ip(num, "a"), reason, n, eni_xml))

    def _change_xml(self, changes):
        return "<instancesSet>%s</instancesSet>" % "".join(
            "<item><instanceId>%s</instanceId><currentState><code>%d</code><name>%s</name>"
            "</currentState><previousState><code>%d</code><name>%s</name></previousState>"
            "</item>" % (iid, STATE_CODES[cur], cur, STATE_CODES[prev], prev)
            for iid, cur, prev in changes)

    def stop_instances(self, p):
        ids_ = list_param(p, "InstanceId")
        if not ids_:
            raise ApiError(400, "MissingParameter",
                           "The request must contain the parameter InstanceId")
        force = bool_param(p, "Force")
        changes = []
        with self.lock:
            sel = self._instances(ids_)
            for i in sel:
                if i["state"] == "pending":
                    raise ApiError(400, "IncorrectInstanceState",
                                   "This instance '%s' is not in a state from which it can be "
                                   "stopped." % i["id"])
            for i in sel:
                prev = i["state"]
                if prev == "running":
                    i["state"] = "stopping"
                    i["reason"] = "User initiated (%s)" % time.strftime(
                        "%Y-%m-%d %H:%M:%S GMT", time.gmtime())
                    i["gen"] += 1
                    self._later(self.stop_delay, lambda i=i, g=i["gen"]: self._stopped(i, g))
                changes.append((i["id"], i["state"], prev))
            _ = force
        self.changed()
        return self._change_xml(changes)

    def _stopped(self, i, gen):
        with self.lock:
            if i["gen"] != gen or i["state"] != "stopping":
                return
        # The VM is off before anyone can see "stopped".
        self.backend.power_off(i["node"])
        with self.lock:
            if i["gen"] == gen and i["state"] == "stopping":
                i["state"] = "stopped"
        self.changed()

    def start_instances(self, p):
        ids_ = list_param(p, "InstanceId")
        if not ids_:
            raise ApiError(400, "MissingParameter",
                           "The request must contain the parameter InstanceId")
        changes = []
        with self.lock:
            sel = self._instances(ids_)
            for i in sel:
                if i["state"] == "stopping":
                    raise ApiError(400, "IncorrectInstanceState",
                                   "The instance '%s' is not in a state from which it can be "
                                   "started." % i["id"])
            for i in sel:
                prev = i["state"]
                if prev == "stopped":
                    i["state"] = "pending"
                    i["reason"] = ""
                    i["gen"] += 1
                    g = i["gen"]
                    threading.Thread(target=self._start, args=(i, g), daemon=True).start()
                changes.append((i["id"], i["state"], prev))
        self.changed()
        return self._change_xml(changes)

    def _start(self, i, gen):
        t0 = time.monotonic()
        self.backend.power_on(i["node"])
        # The links of detached ENIs stay down in the new boot.
        with self.lock:
            down = [e["link"] for e in self.enis.values()
                    if e["node"] == i["node"] and (e["att"] is None or e["att"]["status"] != "attached")]
        for l in down:
            self.backend.link(i["node"], l, False)
        left = self.start_delay - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
        with self.lock:
            if i["gen"] == gen and i["state"] == "pending":
                i["state"] = "running"
                i["launch"] = time.time()
        self.changed()

    def reboot_instances(self, p):
        ids_ = list_param(p, "InstanceId")
        if not ids_:
            raise ApiError(400, "MissingParameter",
                           "The request must contain the parameter InstanceId")
        with self.lock:
            sel = self._instances(ids_)
            for i in sel:
                if i["state"] != "running":
                    raise ApiError(400, "IncorrectInstanceState",
                                   "The instance '%s' is not in a state from which it can be "
                                   "rebooted." % i["id"])
        for i in sel:
            threading.Thread(target=self.backend.reset, args=(i["node"],), daemon=True).start()
        return "<return>true</return>"

    def describe_network_interfaces(self, p):
        ids_ = list_param(p, "NetworkInterfaceId")
        filters = filter_params(p)
        with self.lock:
            if ids_:
                sel = [self._eni(e) for e in ids_]
            else:
                sel = [self.enis[k] for k in sorted(self.enis)]
            out = []
            for e in sel:
                ok = True
                for name, values in filters:
                    if name == "network-interface-id":
                        ok = ok and e["id"] in values
                    elif name == "attachment.instance-id":
                        ok = ok and bool(e["att"]) and e["att"]["instance"] in values
                    elif name == "status":
                        ok = ok and e["status"] in values
                    else:
                        raise ApiError(400, "InvalidParameterValue",
                                       "The filter '%s' is invalid" % name)
                if ok:
                    out.append(self._eni_xml(e))
        return "<networkInterfaceSet>%s</networkInterfaceSet>" % "".join(out)

    def _eni_xml(self, e):
        num = node_num(e["node"])
        att = ""
        if e["att"]:
            a = e["att"]
            att = ("<attachment><attachTime>%s</attachTime><attachmentId>%s</attachmentId>"
                   "<deleteOnTermination>%s</deleteOnTermination><deviceIndex>%d</deviceIndex>"
                   "<networkCardIndex>0</networkCardIndex><instanceId>%s</instanceId>"
                   "<instanceOwnerId>%s</instanceOwnerId><status>%s</status></attachment>" % (
                       iso_ms(a["time"]), a["id"], "true" if a["index"] == 0 else "false",
                       a["index"], a["instance"], self.account_id, a["status"]))
        return ("<item><networkInterfaceId>%s</networkInterfaceId><subnetId>%s</subnetId>"
                "<vpcId>vpc-%017x</vpcId><availabilityZone>%s</availabilityZone>"
                "<description>lab %s link %s</description><ownerId>%s</ownerId>"
                "<requesterManaged>false</requesterManaged><status>%s</status>"
                "<macAddress>%s</macAddress><privateIpAddress>%s</privateIpAddress>"
                "<sourceDestCheck>true</sourceDestCheck><groupSet/>%s"
                "<interfaceType>interface</interfaceType>"
                "<privateIpAddressesSet><item><privateIpAddress>%s</privateIpAddress>"
                "<primary>true</primary></item></privateIpAddressesSet><tagSet/></item>" % (
                    e["id"], subnet_id(e["link"]), 1, self.az, e["node"], e["link"],
                    self.account_id, e["status"], mac(num, e["link"]), ip(num, e["link"]), att,
                    ip(num, e["link"])))

    def detach_network_interface(self, p):
        aid = p.get("AttachmentId")
        if not aid:
            raise ApiError(400, "MissingParameter",
                           "The request must contain the parameter attachmentId")
        with self.lock:
            e = next((x for x in self.enis.values() if x["att"] and x["att"]["id"] == aid), None)
            if e is None:
                raise ApiError(400, "InvalidAttachmentID.NotFound",
                               "The interface attachment '%s' does not exist." % aid)
            if e["att"]["index"] == 0:
                raise ApiError(400, "OperationNotPermitted",
                               "The network interface at device index 0 and networkCard index 0 "
                               "cannot be detached.")
            if e["att"]["status"] == "attached" or e["att"]["status"] == "attaching":
                e["att"]["status"] = "detaching"
                e["status"] = "detaching"
                e["gen"] += 1
                self._later(self.eni_delay, lambda e=e, g=e["gen"]: self._detached(e, g))
        self.changed()
        return "<return>true</return>"

    def _detached(self, e, gen):
        with self.lock:
            if e["gen"] != gen:
                return
        # The link is down before anyone can see "available".
        self.backend.link(e["node"], e["link"], False)
        with self.lock:
            if e["gen"] == gen:
                e["att"] = None
                e["status"] = "available"
        self.changed()

    def attach_network_interface(self, p):
        for k in ("NetworkInterfaceId", "InstanceId", "DeviceIndex"):
            if not p.get(k):
                raise ApiError(400, "MissingParameter",
                               "The request must contain the parameter %s" % k)
        try:
            index = int(p["DeviceIndex"])
        except ValueError:
            raise ApiError(400, "InvalidParameterValue",
                           "Invalid value '%s' for deviceIndex" % p["DeviceIndex"])
        with self.lock:
            e = self._eni(p["NetworkInterfaceId"])
            i = self._instances([p["InstanceId"]])[0]
            if e["att"] is not None:
                raise ApiError(400, "InvalidNetworkInterface.InUse",
                               "Interface: [%s] in use." % e["id"])
            if e["home"] != i["id"]:
                raise ApiError(400, "InvalidParameterValue",
                               "lab: network interface %s can only be attached to %s (the lab's "
                               "NICs do not move)" % (e["id"], e["home"]))
            if any(x["att"] and x["att"]["instance"] == i["id"] and x["att"]["index"] == index
                   for x in self.enis.values()):
                raise ApiError(400, "InvalidParameterValue",
                               "Instance '%s' already has an interface attached at device index "
                               "'%d'." % (i["id"], index))
            if i["state"] not in ("running", "stopped"):
                raise ApiError(400, "IncorrectInstanceState",
                               "The instance '%s' is not in a valid state for this operation."
                               % i["id"])
            e["gen"] += 1
            e["agen"] = e.get("agen", 0) + 1
            aid = attachment_id(e["node"], e["link"], e["agen"])
            e["att"] = {"id": aid, "instance": i["id"], "index": index, "status": "attaching",
                        "time": time.time()}
            e["status"] = "attaching"
            self._later(self.eni_delay, lambda e=e, g=e["gen"]: self._attached(e, g))
        self.changed()
        return "<attachmentId>%s</attachmentId><networkCardIndex>0</networkCardIndex>" % aid

    def _attached(self, e, gen):
        with self.lock:
            if e["gen"] != gen:
                return
        # The link is up before anyone can see "in-use" (for a stopped
        # instance the lab keeps the state and applies it at boot).
        self.backend.link(e["node"], e["link"], True)
        with self.lock:
            if e["gen"] == gen and e["att"]:
                e["att"]["status"] = "attached"
                e["status"] = "in-use"
        self.changed()


def subnet_id(link):
    return "subnet-%017x" % LINK_INDEX[link]


def mac(num, link):
    return "52:54:00:%02x:00:%02x" % (LINK_INDEX[link], num)


def ip(num, link):
    return "169.254.%d.%d" % (LINK_INDEX[link], num)


def list_param(p, name):
    """Values of NAME.1, NAME.2 ... in order."""
    out = []
    for k, v in p.items():
        m = re.match(r"^%s\.(\d+)$" % re.escape(name), k)
        if m:
            out.append((int(m.group(1)), v))
    return [v for _, v in sorted(out)]


def filter_params(p):
    """[(name, [values])] from Filter.N.Name / Filter.N.Value.M."""
    out = {}
    for k, v in p.items():
        m = re.match(r"^Filter\.(\d+)\.Name$", k)
        if m:
            out.setdefault(int(m.group(1)), [None, []])[0] = v
        m = re.match(r"^Filter\.(\d+)\.Value\.(\d+)$", k)
        if m:
            out.setdefault(int(m.group(1)), [None, []])[1].append(v)
    return [(n, vals) for _, (n, vals) in sorted(out.items()) if n]


def bool_param(p, name):
    return p.get(name, "false").lower() == "true"


ACTIONS = {
    "DescribeInstances": "describe_instances",
    "StopInstances": "stop_instances",
    "StartInstances": "start_instances",
    "RebootInstances": "reboot_instances",
    "DescribeNetworkInterfaces": "describe_network_interfaces",
    "DetachNetworkInterface": "detach_network_interface",
    "AttachNetworkInterface": "attach_network_interface",
}

SECRET_PARAMS = {"x-amz-signature", "x-amz-security-token", "x-amz-credential",
                 "signature", "awsaccesskeyid", "securitytoken"}


# --- faults ------------------------------------------------------------------------

def _faults_path(d):
    return os.path.join(d, "faults.json")


class _Locked:
    def __init__(self, d):
        self.f = open(os.path.join(d, "faults.lock"), "a")

    def __enter__(self):
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def read_faults(d):
    try:
        with open(_faults_path(d)) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}


def _write_faults(d, faults):
    tmp = _faults_path(d) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(faults, f, indent=1, sort_keys=True)
    os.replace(tmp, _faults_path(d))


def set_fault(d, action, kind, arg=None, count=None):
    """Add a fault: ACTION (an EC2 action, '*' for all of them, or 'imds'),
    KIND one of FAULT_KINDS; count None: until cleared."""
    if kind not in FAULT_KINDS:
        raise ValueError("unknown fault '%s' (faults: %s)" % (kind, ", ".join(FAULT_KINDS)))
    if action not in ACTIONS and action not in ("*", "imds"):
        raise ValueError("unknown action '%s' (actions: *, imds, %s)" % (
            action, ", ".join(sorted(ACTIONS))))
    if kind == "latency":
        if arg is None or int(arg) < 0:
            raise ValueError("latency needs MS")
        arg = int(arg)
    elif kind == "error":
        arg = int(arg) if arg is not None else 500
        if arg not in (500, 503):
            raise ValueError("error takes 500 (InternalError) or 503 (Unavailable)")
    elif arg is not None:
        raise ValueError("%s takes no argument" % kind)
    if kind == "hang" and count is not None:
        raise ValueError("hang holds until cleared: no --count")
    if count is not None and count < 1:
        raise ValueError("--count must be at least 1")
    with _Locked(d):
        faults = read_faults(d)
        faults.setdefault(action, {})[kind] = {"arg": arg, "count": count}
        _write_faults(d, faults)


def clear_faults(d, action=None):
    with _Locked(d):
        faults = read_faults(d)
        if action is None:
            faults = {}
        else:
            faults.pop(action, None)
        _write_faults(d, faults)


def take_faults(d, action, kinds):
    """The faults of `kinds` in force for `action` ({kind: arg}); each one
    with a count is consumed once."""
    with _Locked(d):
        faults = read_faults(d)
        out = {}
        dirty = False
        for key in (action, "*") if action != "imds" else ("imds",):
            for kind in kinds:
                f = faults.get(key, {}).get(kind)
                if f is None or kind in out:
                    continue
                out[kind] = f["arg"]
                if f["count"] is not None:
                    f["count"] -= 1
                    dirty = True
                    if f["count"] <= 0:
                        del faults[key][kind]
                        if not faults[key]:
                            del faults[key]
        if dirty:
            _write_faults(d, faults)
        return out


def hang_active(d, action):
    faults = read_faults(d)
    keys = (action, "*") if action != "imds" else ("imds",)
    return any("hang" in faults.get(k, {}) for k in keys)


# --- HTTP --------------------------------------------------------------------------

class Cloud:
    """The emulator: an IMDS server and an EC2 server over one Ec2 and
    Account. start() binds and serves in threads; stop() ends both."""

    def __init__(self, d, nodes, backend, region=DEFAULT_REGION, ec2_addr="127.0.0.1",
                 ec2_port=0, imds_addr="127.0.0.1", imds_port=0, source_map=None,
                 stop_delay=2.0, start_delay=2.0, eni_delay=1.0, creds_lifetime=3600,
                 skew=MAX_SKEW_S, log=None):
        self.dir = d
        self.nodes = list(nodes)
        self.region = region
        self.skew = skew
        self.source_map = dict(source_map or {})
        self.log = log or (lambda m: None)
        keys = ensure_keys(d)
        ensure_tls(d)
        self.account = Account(keys, creds_lifetime)
        self.ec2 = Ec2(self.nodes, backend, region, stop_delay, start_delay, eni_delay,
                       keys["account_id"], on_change=self._save_instances)
        self.imds_tokens = {}     # token -> (node, expires)
        self.calls_lock = threading.Lock()
        self.ec2_srv = _TLSServer((ec2_addr, ec2_port), _Ec2Handler, self)
        self.imds_srv = _Server((imds_addr, imds_port), _ImdsHandler, self)
        self.threads = []

    def _save_instances(self, snap):
        tmp = os.path.join(self.dir, "instances.json.tmp")
        with open(tmp, "w") as f:
            json.dump(snap, f, indent=1, sort_keys=True)
        os.replace(tmp, os.path.join(self.dir, "instances.json"))

    @property
    def ec2_url(self):
        h, p = self.ec2_srv.server_address[:2]
        return "https://%s%s" % (h, "" if p == 443 else ":%d" % p)

    @property
    def imds_url(self):
        h, p = self.imds_srv.server_address[:2]
        return "http://%s%s" % (h, "" if p == 80 else ":%d" % p)

    def start(self):
        for srv in (self.ec2_srv, self.imds_srv):
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 daemon=True)
            t.start()
            self.threads.append(t)
        with open(os.path.join(self.dir, "endpoints.json.tmp"), "w") as f:
            json.dump({"ec2": self.ec2_url, "imds": self.imds_url, "region": self.region,
                       "pid": os.getpid()}, f)
        os.replace(os.path.join(self.dir, "endpoints.json.tmp"),
                   os.path.join(self.dir, "endpoints.json"))
        return self

    def stop(self):
        for srv in (self.ec2_srv, self.imds_srv):
            srv.shutdown()
            srv.server_close()

    def node_of(self, addr):
        if addr in self.source_map:
            return self.source_map[addr]
        m = re.match(r"^169\.254\.1\.(\d+)$", addr)
        if m and "n" + m.group(1) in self.nodes:
            return "n" + m.group(1)
        return None

    def record(self, **kw):
        kw = dict(kw)
        t = time.time()
        line = {"t": round(t, 6), "time": iso_ms(t)}
        line.update(kw)
        with self.calls_lock:
            with open(os.path.join(self.dir, "calls.jsonl"), "a") as f:
                f.write(json.dumps(line, sort_keys=True) + "\n")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, cloud):
        self.cloud = cloud
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):
        pass


class _TLSServer(_Server):
    def __init__(self, addr, handler, cloud):
        super().__init__(addr, handler, cloud)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(cloud.dir, "server.pem"),
                                 os.path.join(cloud.dir, "server.key"))

    def verify_request(self, request, client_address):
        # 'down' for every action: reset the connection at once.
        if "down" in read_faults(self.cloud.dir).get("*", {}):
            take_faults(self.cloud.dir, "*", ("down",))
            self.cloud.record(src=client_address[0], service="ec2", action=None, params={},
                              code="ConnectionReset", status=0)
            _reset(request)
            return False
        return True

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread, not in accept().
        request.settimeout(30)
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        conn.settimeout(None)
        self.RequestHandlerClass(conn, client_address, self)


def _reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vigil-lab-cloud"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def hang(self, action):
        """'hang': hold the connection without answering until the fault
        is cleared, then close it."""
        cloud = self.server.cloud
        while hang_active(cloud.dir, action):
            time.sleep(0.2)
        self.close_connection = True
        _reset(self.connection)


# -- IMDS

class _ImdsHandler(_Handler):
    def _imds(self, method):
        cloud = self.server.cloud
        src = self.client_address[0]
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        _ = body
        node = cloud.node_of(src)
        f = take_faults(cloud.dir, "imds", ("latency", "down", "hang", "error"))
        status, out, ctype = 200, "", "text/plain"
        if "latency" in f:
            time.sleep(f["latency"] / 1000.0)
        if "down" in f:
            cloud.record(src=src, service="imds", action=method + " " + path, node=node,
                         code="ConnectionReset", status=0)
            self.close_connection = True
            _reset(self.connection)
            return
        if "hang" in f:
            cloud.record(src=src, service="imds", action=method + " " + path, node=node,
                         code="Hang", status=0)
            self.hang("imds")
            return
        try:
            if "error" in f:
                status = f["error"]
                raise _ImdsStatus(status)
            status, out, ctype = self._route(method, path, node, cloud)
        except _ImdsStatus as e:
            status, out, ctype = e.status, e.body, "text/html"
        # Never a token or a secret in the log.
        cloud.record(src=src, service="imds", action=method + " " + path, node=node,
                     code="OK" if status == 200 else str(status), status=status)
        self.send(status, out, ctype)

    def _route(self, method, path, node, cloud):
        if self.headers.get("X-Forwarded-For"):
            raise _ImdsStatus(403)
        if path == "/latest/api/token":
            if method != "PUT":
                raise _ImdsStatus(405)
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            try:
                ttl = int(ttl)
            except (TypeError, ValueError):
                raise _ImdsStatus(400)
            if not 1 <= ttl <= 21600:
                raise _ImdsStatus(400)
            if node is None:
                raise _ImdsStatus(403)
            token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
            now = time.time()
            for k, (_, exp) in list(cloud.imds_tokens.items()):
                if exp <= now:
                    cloud.imds_tokens.pop(k, None)
            cloud.imds_tokens[token] = (node, now + ttl)
            self.extra = ttl
            return 200, token, "text/plain"
        if method != "GET":
            raise _ImdsStatus(405)
        token = self.headers.get("X-aws-ec2-metadata-token")
        t = cloud.imds_tokens.get(token or "")
        if t is None or t[0] != node or time.time() >= t[1]:
            raise _ImdsStatus(401)
        if node is None:
            raise _ImdsStatus(404)
        num = node_num(node)
        c = None
        md = {
            "/latest/meta-data/instance-id": instance_id(node),
            "/latest/meta-data/placement/region": cloud.region,
            "/latest/meta-data/placement/availability-zone": cloud.region + "a",
            "/latest/meta-data/local-ipv4": ip(num, "a"),
            "/latest/meta-data/mac": mac(num, "a"),
            "/latest/meta-data/hostname": node,
            "/latest/meta-data/instance-type": "t3.micro",
            "/latest/meta-data/iam/security-credentials/": ROLE,
            "/latest/meta-data/iam/security-credentials": ROLE,
            "/latest/meta-data/": "\n".join(["hostname", "iam/", "instance-id", "instance-type",
                                             "local-ipv4", "mac", "placement/"]),
            "/latest/meta-data/placement/": "availability-zone\nregion",
        }
        if path in md:
            return 200, md[path], "text/plain"
        if path == "/latest/dynamic/instance-identity/document":
            doc = {"accountId": cloud.account.account_id, "architecture": "x86_64",
                   "availabilityZone": cloud.region + "a", "imageId": "ami-%017x" % 1,
                   "instanceId": instance_id(node), "instanceType": "t3.micro",
                   "pendingTime": iso(time.time()), "privateIp": ip(num, "a"),
                   "region": cloud.region, "version": "2017-09-30"}
            return 200, json.dumps(doc, indent=2), "text/plain"
        if path.rstrip("/") == "/latest/meta-data/iam/security-credentials/" + ROLE:
            now = time.time()
            c = cloud.account.role_credentials(now)
            doc = {"Code": "Success", "LastUpdated": iso(c["issued"]), "Type": "AWS-HMAC",
                   "AccessKeyId": c["key"], "SecretAccessKey": c["secret"],
                   "Token": c["token"], "Expiration": iso(c["expires"])}
            return 200, json.dumps(doc, indent=2), "text/plain"
        raise _ImdsStatus(404)

    def do_GET(self):
        self._imds("GET")

    def do_PUT(self):
        self._imds("PUT")

    def do_POST(self):
        self._imds("POST")

    def do_DELETE(self):
        self._imds("DELETE")

    def send(self, status, body, ctype):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 200 and getattr(self, "extra", None):
            self.send_header("X-aws-ec2-metadata-token-ttl-seconds", str(self.extra))
        self.end_headers()
        self.wfile.write(data)


class _ImdsStatus(Exception):
    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 500: "Internal Server Error",
               503: "Service Unavailable"}

    def __init__(self, status):
        super().__init__(status)
        self.status = status
        r = self.REASONS.get(status, "Error")
        self.body = ('<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC '
                     '"-//W3C//DTD XHTML 1.0 Transitional//EN"\n\t"http://www.w3.org/TR/xhtml1/'
                     'DTD/xhtml1-transitional.dtd">\n<html><head><title>%d - %s</title></head>'
                     '<body><h1>%d - %s</h1></body></html>\n' % (status, r, status, r))


# -- EC2

def error_xml(code, message, request_id):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
            '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>' % (
                escape(code), escape(message), request_id))


class _Ec2Handler(_Handler):
    def do_GET(self):
        self._ec2("GET")

    def do_POST(self):
        self._ec2("POST")

    def _ec2(self, method):
        cloud = self.server.cloud
        rid = str(uuid.uuid4())
        src = self.client_address[0]
        url = urllib.parse.urlsplit(self.path)
        body = self._body()
        params = {}
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            params[k] = v
        ctype = self.headers.get("Content-Type", "")
        if method == "POST" and body and ctype.split(";")[0].strip().lower() in (
                "application/x-www-form-urlencoded", ""):
            for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                               keep_blank_values=True):
                params[k] = v
        action = params.get("Action")
        logged = {k: v for k, v in params.items()
                  if k.lower() not in SECRET_PARAMS and k not in ("Action",)}
        fkey = action if action in ACTIONS else "*"
        f = take_faults(cloud.dir, fkey, ("latency", "down", "hang"))
        if "latency" in f:
            time.sleep(f["latency"] / 1000.0)
        if "down" in f:
            cloud.record(src=src, service="ec2", action=action, params=logged,
                         code="ConnectionReset", status=0)
            self.close_connection = True
            _reset(self.connection)
            return
        if "hang" in f:
            cloud.record(src=src, service="ec2", action=action, params=logged, code="Hang",
                         status=0)
            self.hang(fkey)
            return
        try:
            who = self._verify(method, url, body, cloud)
            logged["_caller"] = who
            if not action:
                raise ApiError(400, "MissingAction", "The request must contain the parameter "
                               "Action")
            if action not in ACTIONS:
                raise ApiError(400, "InvalidAction",
                               "The action %s is not valid for this web service." % action)
            if params.get("Version") != API_VERSION:
                raise ApiError(400, "InvalidParameterValue" if params.get("Version") else
                               "MissingParameter",
                               "lab: Version must be %s" % API_VERSION)
            f = take_faults(cloud.dir, action, ("throttle", "error", "deny"))
            if "throttle" in f:
                raise ApiError(503, "RequestLimitExceeded", "Request limit exceeded.")
            if "error" in f:
                if f["error"] == 503:
                    raise ApiError(503, "Unavailable", "The server is overloaded and can't "
                                   "handle the request.")
                raise ApiError(500, "InternalError", "An internal error has occurred")
            if "deny" in f:
                raise ApiError(403, "UnauthorizedOperation",
                               "You are not authorized to perform this operation. User: "
                               "arn:aws:sts::%s:lab is not authorized to perform: ec2:%s"
                               % (cloud.account.account_id, action))
            if bool_param(params, "DryRun"):
                raise ApiError(412, "DryRunOperation",
                               "Request would have succeeded, but DryRun flag is set.")
            inner = getattr(cloud.ec2, ACTIONS[action])(params)
            xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">'
                   '<requestId>%s</requestId>%s</%sResponse>' % (action, XMLNS, rid, inner,
                                                                  action))
            cloud.record(src=src, service="ec2", action=action, params=logged, code="OK",
                         status=200, request_id=rid)
            self.send(200, xml, "text/xml;charset=UTF-8")
        except ApiError as e:
            cloud.record(src=src, service="ec2", action=action, params=logged, code=e.code,
                         status=e.status, request_id=rid)
            self.send(e.status, error_xml(e.code, e.message, rid), "text/xml;charset=UTF-8")

    def _verify(self, method, url, body, cloud):
        """Check the request's SigV4 signature; the caller's access key id
        (never the secret), or ApiError."""
        auth = self.headers.get("Authorization")
        if not auth:
            raise ApiError(401, "MissingAuthenticationToken",
                           "Request is missing Authentication Token")
        a = parse_authorization(auth)
        if a is None:
            raise ApiError(400, "IncompleteSignature",
                           "Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters. Authorization=%s" % auth.split(" ")[0])
        cred = a["Credential"].split("/")
        if len(cred) != 5:
            raise ApiError(400, "IncompleteSignature",
                           "Credential should have five slash-separated parts, not %d"
                           % len(cred))
        key, date, region, service, term = cred
        signed = a["SignedHeaders"].split(";")
        if "host" not in signed:
            raise ApiError(400, "IncompleteSignature",
                           "'Host' or ':authority' must be a 'SignedHeader' in the "
                           "AWS Authorization.")
        amz_date = self.headers.get("X-Amz-Date")
        if not amz_date:
            raise ApiError(400, "IncompleteSignature",
                           "Authorization header requires existence of either a 'X-Amz-Date' "
                           "or a 'Date' header.")
        try:
            t = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise ApiError(400, "IncompleteSignature", "Date must be in ISO-8601 'basic format'")
        now = time.time()
        token = self.headers.get("X-Amz-Security-Token")
        secret = cloud.account.lookup(key, token, now)
        if abs(now - t) > cloud.skew:
            raise ApiError(400, "RequestExpired",
                           "Request has expired. Timestamp date is %s" % amz_date)
        if term != "aws4_request" or service != "ec2":
            raise ApiError(403, "SignatureDoesNotMatch",
                           "Credential should be scoped to correct service: 'ec2'.")
        if region != cloud.region:
            raise ApiError(403, "SignatureDoesNotMatch",
                           "Credential should be scoped to a valid region, not '%s'." % region)
        if date != amz_date[:8]:
            raise ApiError(403, "SignatureDoesNotMatch",
                           "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                           "version of date from HTTP: '%s' != '%s'" % (date, amz_date[:8]))
        if token and "x-amz-security-token" not in signed:
            raise ApiError(403, "SignatureDoesNotMatch",
                           "lab: X-Amz-Security-Token must be a signed header")
        headers = list(self.headers.items())
        _, missing = canonical_headers(headers, signed)
        if missing:
            raise ApiError(403, "SignatureDoesNotMatch",
                           "lab: signed header %s is not in the request" % missing[0])
        _, _, sig = sigv4(method, url.path or "/", url.query, headers, body, signed, amz_date,
                          "/".join(cred[1:]), secret)
        if not hmac.compare_digest(sig, a["Signature"]):
            raise ApiError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature "
                           "you provided. Check your AWS Secret Access Key and signing method. "
                           "Consult the service documentation for details.")
        return key


# --- files: keys, TLS --------------------------------------------------------------

def ensure_keys(d):
    path = os.path.join(d, "keys.json")
    try:
        with open(path) as f:
            keys = json.load(f)
    except FileNotFoundError:
        keys = new_keys()
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(keys, f, indent=1)
        os.replace(path + ".tmp", path)
    cpath = os.path.join(d, "credentials")
    if not os.path.exists(cpath):
        fd = os.open(cpath + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (
                keys["access_key_id"], keys["secret_access_key"]))
        os.replace(cpath + ".tmp", cpath)
    return keys


def ensure_tls(d):
    """The lab CA and the endpoint's certificate, made once with the
    openssl CLI."""
    ca, cakey = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    crt, key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
    if all(os.path.exists(p) for p in (ca, cakey, crt, key)):
        return

    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0], r.stderr.strip()))

    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", cakey, "-out", ca, "-days", "3650", "-subj",
         "/CN=vigil lab cloud CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    csr = os.path.join(d, "server.csr")
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:169.254.169.254,IP:127.0.0.1,DNS:ec2.lab-1.amazonaws.com,"
                "DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", csr, "-subj", "/CN=169.254.169.254")
    ossl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey, "-CAcreateserial",
         "-out", crt, "-days", "3650", "-extfile", ext)
    for p in (csr, ext, os.path.join(d, "ca.srl")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    os.chmod(cakey, 0o600)
    os.chmod(key, 0o600)


# --- serve -------------------------------------------------------------------------

def serve(argv=None):
    p = argparse.ArgumentParser(prog="cloud.py serve")
    p.add_argument("--dir", required=True)
    p.add_argument("--nodes", required=True, help="comma-separated")
    p.add_argument("--backend", choices=("fake", "lab"), default="fake")
    p.add_argument("--region", default=DEFAULT_REGION)
    p.add_argument("--ec2-addr", default="127.0.0.1")
    p.add_argument("--ec2-port", type=int, default=0)
    p.add_argument("--imds-addr", default="127.0.0.1")
    p.add_argument("--imds-port", type=int, default=0)
    p.add_argument("--map", action="append", default=[], metavar="ADDR=NODE")
    p.add_argument("--stop-delay", type=float, default=2.0)
    p.add_argument("--start-delay", type=float, default=2.0)
    p.add_argument("--eni-delay", type=float, default=1.0)
    p.add_argument("--creds-lifetime", type=float, default=3600)
    a = p.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    logf = open(os.path.join(a.dir, "cloud.log"), "a", buffering=1)

    def log(msg):
        logf.write("%s %s\n" % (iso_ms(time.time()), msg))

    backend = LabBackend(log) if a.backend == "lab" else FakeBackend()
    smap = dict(m.split("=", 1) for m in a.map)
    cloud = Cloud(a.dir, a.nodes.split(","), backend, region=a.region, ec2_addr=a.ec2_addr,
                  ec2_port=a.ec2_port, imds_addr=a.imds_addr, imds_port=a.imds_port,
                  source_map=smap, stop_delay=a.stop_delay, start_delay=a.start_delay,
                  eni_delay=a.eni_delay, creds_lifetime=a.creds_lifetime, log=log)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    cloud.start()
    log("serving: ec2 %s imds %s backend %s nodes %s" % (cloud.ec2_url, cloud.imds_url,
                                                        a.backend, a.nodes))
    done.wait()
    log("stopping")
    cloud.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        sys.exit(serve(sys.argv[2:]))
    print("usage: cloud.py serve --dir DIR --nodes n1,n2,... [options]", file=sys.stderr)
    sys.exit(2)
