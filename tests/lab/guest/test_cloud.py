#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the lab cloud (tests/lab/lablib/cloud.py), no VM:
the emulator with its fake backend on 127.0.0.1 (random ports), driven by
Debian's awscli (/usr/bin/aws), botocore's own signer and urllib (IMDSv2);
and its SigV4 verifier against cases of AWS's test suite
(../shared/data/aws-sig-v4-test-suite, skipped when absent).

    python3 tests/lab/guest/test_cloud.py [-v] [TestCase.test_name ...]

Prints TAP on stdout; exits 1 if anything failed.
"""

import importlib.machinery
import importlib.util
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
from test_agent import tap_main  # noqa: E402

_loader = importlib.machinery.SourceFileLoader(
    "labcloud", os.path.join(TOP, "tests", "lab", "lablib", "cloud.py"))
_spec = importlib.util.spec_from_loader("labcloud", _loader)
cloud = importlib.util.module_from_spec(_spec)
_loader.exec_module(cloud)

AWS = "/usr/bin/aws"
SUITE = os.environ.get("AWS_SIGV4_SUITE", os.path.join(
    TOP, "..", "shared", "data", "aws-sig-v4-test-suite", "aws-sig-v4-test-suite"))

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:     # pragma: no cover
    SigV4Auth = None

N1, N2, N3 = "i-00000000000000001", "i-00000000000000002", "i-00000000000000003"
LIFETIME = 6.0


def wait_for(fn, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.05)
    return fn()


class Lab(unittest.TestCase):
    """One emulator for the whole class: n1..n3, the test's 127.0.0.1 is n1."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test_cloud.")
        cls.dir = os.path.join(cls.tmp, "cloud")
        os.makedirs(cls.dir)
        cls.backend = cloud.FakeBackend()
        cls.c = cloud.Cloud(cls.dir, ["n1", "n2", "n3"], cls.backend,
                            source_map={"127.0.0.1": "n1"}, stop_delay=1.5, start_delay=0.5,
                            eni_delay=0.3, creds_lifetime=LIFETIME).start()
        with open(os.path.join(cls.dir, "keys.json")) as f:
            cls.keys = json.load(f)
        cls.ca = os.path.join(cls.dir, "ca.pem")
        home = os.path.join(cls.tmp, "home")
        os.makedirs(home)
        for n in ("config", "credentials"):
            open(os.path.join(home, n), "w").close()
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": home,
                   "AWS_CONFIG_FILE": os.path.join(home, "config"),
                   "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
                   "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                   "AWS_RETRY_MODE": "standard", "AWS_PAGER": "",
                   "AWS_ACCESS_KEY_ID": cls.keys["access_key_id"],
                   "AWS_SECRET_ACCESS_KEY": cls.keys["secret_access_key"]}
        cls.sslctx = ssl.create_default_context(cafile=cls.ca)

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        cloud.clear_faults(self.dir)

    # -- helpers

    def aws(self, *args, env=None, ok=True):
        if not os.access(AWS, os.X_OK):
            self.skipTest("Debian's awscli is not installed (%s)" % AWS)
        e = dict(self.env)
        e.update(env or {})
        r = subprocess.run([AWS, "--endpoint-url", self.c.ec2_url, "--ca-bundle", self.ca,
                            "--region", "lab-1", "--output", "json", "ec2"] + list(args),
                           capture_output=True, text=True, env=e, timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout) if r.stdout.strip() else {}
        self.assertNotEqual(r.returncode, 0, r.stdout)
        return r.stderr

    def instance(self, iid):
        out = self.aws("describe-instances", "--instance-ids", iid)
        return out["Reservations"][0]["Instances"][0]

    def state(self, iid):
        return self.c.ec2.snapshot()["instances"]["n%d" % int(iid[2:], 16)]["state"]

    def signed(self, params, method="POST", key=None, secret=None, token=None,
               region="lab-1", timeout=10):
        """A request signed by botocore's SigV4Auth, sent with urllib:
        (status, body)."""
        creds = Credentials(key or self.keys["access_key_id"],
                            secret or self.keys["secret_access_key"], token)
        body = urllib.parse.urlencode(params)
        url = self.c.ec2_url + "/"
        if method == "POST":
            req = AWSRequest(method="POST", url=url, data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        else:
            url += "?" + body
            req = AWSRequest(method="GET", url=url)
            body = None
        SigV4Auth(creds, "ec2", region).add_auth(req)
        r = urllib.request.Request(url, data=body.encode() if body else None,
                                   headers=dict(req.headers.items()), method=method)
        try:
            with urllib.request.urlopen(r, context=self.sslctx, timeout=timeout) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def imds(self, path, method="GET", headers=None):
        r = urllib.request.Request(self.c.imds_url + path, method=method,
                                   headers=headers or {}, data=b"" if method == "PUT" else None)
        try:
            with urllib.request.urlopen(r, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def token(self, ttl=60):
        st, tok = self.imds("/latest/api/token", "PUT",
                            {"X-aws-ec2-metadata-token-ttl-seconds": str(ttl)})
        self.assertEqual(st, 200)
        return tok

    def calls(self):
        with open(os.path.join(self.dir, "calls.jsonl")) as f:
            return [json.loads(line) for line in f]


class Ec2Cli(Lab):
    def test_01_describe(self):
        out = self.aws("describe-instances")
        ins = [i for r in out["Reservations"] for i in r["Instances"]]
        self.assertEqual([i["InstanceId"] for i in ins], [N1, N2, N3])
        i = ins[1]
        self.assertEqual(i["State"], {"Code": 16, "Name": "running"})
        self.assertEqual(i["Placement"]["AvailabilityZone"], "lab-1a")
        enis = {e["NetworkInterfaceId"]: e["Attachment"] for e in i["NetworkInterfaces"]}
        self.assertEqual(enis["eni-00000000000000021"]["DeviceIndex"], 0)
        self.assertEqual(enis["eni-00000000000000023"]["AttachmentId"],
                         "eni-attach-00000000000000023")
        self.assertEqual(enis["eni-00000000000000023"]["Status"], "attached")

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_02_stop_start_reboot(self):
        out = self.aws("stop-instances", "--instance-ids", N2, "--force")
        ch = out["StoppingInstances"][0]
        self.assertEqual((ch["PreviousState"]["Name"], ch["CurrentState"]["Name"]),
                         ("running", "stopping"))
        # Within the stopping delay: fast calls (botocore's signer), not awscli.
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15",
                                "InstanceId.1": N2})
        self.assertIn("<instanceState><code>64</code><name>stopping</name>", body)
        # Start while stopping is refused.
        st, body = self.signed({"Action": "StartInstances", "Version": "2016-11-15",
                                "InstanceId.1": N2})
        self.assertEqual(st, 400)
        self.assertIn("<Code>IncorrectInstanceState</Code>", body)
        self.assertTrue(wait_for(lambda: self.state(N2) == "stopped"))
        self.assertIn(("power_off", "n2"), self.backend.calls)
        self.assertEqual(self.instance(N2)["State"], {"Code": 80, "Name": "stopped"})
        # Stopping a stopped instance is fine.
        out = self.aws("stop-instances", "--instance-ids", N2)
        self.assertEqual(out["StoppingInstances"][0]["CurrentState"]["Name"], "stopped")
        err = self.aws("reboot-instances", "--instance-ids", N2, ok=False)
        self.assertIn("IncorrectInstanceState", err)
        out = self.aws("start-instances", "--instance-ids", N2)
        self.assertEqual(out["StartingInstances"][0]["CurrentState"]["Name"], "pending")
        self.assertTrue(wait_for(lambda: self.state(N2) == "running"))
        self.assertIn(("power_on", "n2"), self.backend.calls)
        self.assertEqual(self.instance(N2)["State"]["Name"], "running")
        self.aws("reboot-instances", "--instance-ids", N2)
        self.assertTrue(wait_for(lambda: ("reset", "n2") in self.backend.calls))
        # The call log has them in order, with their results.
        acts = [(c["action"], c["code"]) for c in self.calls()
                if c["service"] == "ec2" and c["params"].get("InstanceId.1") == N2]
        self.assertEqual(acts[0], ("StopInstances", "OK"))
        self.assertIn(("StartInstances", "IncorrectInstanceState"), acts)
        self.assertEqual(acts[-1], ("RebootInstances", "OK"))
        stop = next(c for c in self.calls() if c["action"] == "StopInstances")
        self.assertEqual(stop["params"].get("Force"), "true")
        self.assertNotIn(self.keys["secret_access_key"], open(
            os.path.join(self.dir, "calls.jsonl")).read())

    def test_03_enis(self):
        out = self.aws("describe-network-interfaces", "--network-interface-ids",
                       "eni-00000000000000033")
        eni = out["NetworkInterfaces"][0]
        self.assertEqual(eni["Status"], "in-use")
        self.assertEqual(eni["Attachment"]["InstanceId"], N3)
        self.assertEqual(eni["Attachment"]["DeviceIndex"], 2)
        self.aws("detach-network-interface", "--attachment-id", "eni-attach-00000000000000033",
                 "--force")
        self.assertTrue(wait_for(lambda: self.c.ec2.snapshot()["enis"][
            "eni-00000000000000033"]["status"] == "available"))
        self.assertIn(("link", "n3", "svc", False), self.backend.calls)
        eni = self.aws("describe-network-interfaces", "--network-interface-ids",
                       "eni-00000000000000033")["NetworkInterfaces"][0]
        self.assertEqual(eni["Status"], "available")
        self.assertNotIn("Attachment", eni)
        self.assertEqual(len(self.instance(N3)["NetworkInterfaces"]), 2)
        err = self.aws("detach-network-interface", "--attachment-id",
                       "eni-attach-00000000000000033", ok=False)
        self.assertIn("InvalidAttachmentID.NotFound", err)
        out = self.aws("attach-network-interface", "--network-interface-id",
                       "eni-00000000000000033", "--instance-id", N3, "--device-index", "2")
        aid = out["AttachmentId"]
        self.assertEqual(aid, "eni-attach-00000000000001033")
        self.assertTrue(wait_for(lambda: self.c.ec2.snapshot()["enis"][
            "eni-00000000000000033"]["status"] == "in-use"))
        self.assertIn(("link", "n3", "svc", True), self.backend.calls)
        att = {e["NetworkInterfaceId"]: e["Attachment"]
               for e in self.instance(N3)["NetworkInterfaces"]}["eni-00000000000000033"]
        self.assertEqual((att["AttachmentId"], att["Status"]), (aid, "attached"))
        err = self.aws("attach-network-interface", "--network-interface-id",
                       "eni-00000000000000033", "--instance-id", N3, "--device-index", "2",
                       ok=False)
        self.assertIn("InvalidNetworkInterface.InUse", err)

    def test_04_primary_eni_cannot_be_detached(self):
        err = self.aws("detach-network-interface", "--attachment-id",
                       "eni-attach-00000000000000011", ok=False)
        self.assertIn("OperationNotPermitted", err)

    def test_05_not_found(self):
        self.assertIn("InvalidInstanceID.NotFound",
                      self.aws("stop-instances", "--instance-ids", "i-000000000000000ff",
                               ok=False))
        self.assertIn("InvalidInstanceID.Malformed",
                      self.aws("describe-instances", "--instance-ids", "i-xyz", ok=False))
        self.assertIn("InvalidNetworkInterfaceID.NotFound",
                      self.aws("describe-network-interfaces", "--network-interface-ids",
                               "eni-000000000000000ff", ok=False))

    def test_06_wrong_secret(self):
        err = self.aws("describe-instances", env={"AWS_SECRET_ACCESS_KEY": "x" * 40}, ok=False)
        self.assertIn("SignatureDoesNotMatch", err)

    def test_07_unknown_key(self):
        err = self.aws("describe-instances", env={"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"},
                       ok=False)
        self.assertIn("AuthFailure", err)

    def test_08_throttle(self):
        cloud.set_fault(self.dir, "DescribeInstances", "throttle", count=1)
        self.assertIn("RequestLimitExceeded", self.aws("describe-instances", ok=False))
        self.aws("describe-instances")
        cloud.set_fault(self.dir, "*", "throttle")
        self.assertIn("RequestLimitExceeded", self.aws("describe-network-interfaces", ok=False))
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"})
        self.assertEqual(st, 503)
        self.assertIn("<Code>RequestLimitExceeded</Code>", body)

    def test_09_deny(self):
        cloud.set_fault(self.dir, "StopInstances", "deny")
        self.assertIn("UnauthorizedOperation",
                      self.aws("stop-instances", "--instance-ids", N3, ok=False))
        self.assertEqual(self.state(N3), "running")
        self.aws("describe-instances")

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_10_role_credentials(self):
        tok = self.token()
        h = {"X-aws-ec2-metadata-token": tok}
        st, role = self.imds("/latest/meta-data/iam/security-credentials/", headers=h)
        self.assertEqual((st, role), (200, "vigil-lab-role"))
        st, doc = self.imds("/latest/meta-data/iam/security-credentials/vigil-lab-role",
                            headers=h)
        self.assertEqual(st, 200)
        c = json.loads(doc)
        self.assertEqual(sorted(c), ["AccessKeyId", "Code", "Expiration", "LastUpdated",
                                     "SecretAccessKey", "Token", "Type"])
        self.assertEqual((c["Code"], c["Type"]), ("Success", "AWS-HMAC"))
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        self.assertRegex(c["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"], "AWS_SESSION_TOKEN": c["Token"]}
        self.aws("describe-instances", "--instance-ids", N1, env=env)
        # Without the session token the key is not accepted.
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"},
                               key=c["AccessKeyId"], secret=c["SecretAccessKey"])
        self.assertEqual(st, 401)
        self.assertIn("<Code>AuthFailure</Code>", body)
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"},
                               key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                               token=c["Token"])
        self.assertEqual(st, 200, body)
        exp = cloud.calendar.timegm(time.strptime(c["Expiration"], "%Y-%m-%dT%H:%M:%SZ"))
        time.sleep(max(0, exp - time.time()) + 0.2)
        self.assertIn("RequestExpired", self.aws("describe-instances", env=env, ok=False))
        # IMDS hands out fresh ones.
        st, doc = self.imds("/latest/meta-data/iam/security-credentials/vigil-lab-role",
                            headers=h)
        self.assertNotEqual(json.loads(doc)["AccessKeyId"], c["AccessKeyId"])
        self.assertNotIn(c["Token"], open(os.path.join(self.dir, "calls.jsonl")).read())


class Imds(Lab):
    def test_token_required(self):
        st, _ = self.imds("/latest/meta-data/instance-id")
        self.assertEqual(st, 401)
        st, _ = self.imds("/latest/meta-data/instance-id",
                          headers={"X-aws-ec2-metadata-token": "bogus"})
        self.assertEqual(st, 401)

    def test_token_ttl_bounds(self):
        for ttl in ("0", "21601", "x"):
            st, _ = self.imds("/latest/api/token", "PUT",
                              {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
            self.assertEqual(st, 400, ttl)
        st, _ = self.imds("/latest/api/token", "PUT")
        self.assertEqual(st, 400)

    def test_token_expires(self):
        tok = self.token(ttl=1)
        h = {"X-aws-ec2-metadata-token": tok}
        self.assertEqual(self.imds("/latest/meta-data/instance-id", headers=h)[0], 200)
        time.sleep(1.1)
        self.assertEqual(self.imds("/latest/meta-data/instance-id", headers=h)[0], 401)

    def test_instance_and_region(self):
        h = {"X-aws-ec2-metadata-token": self.token()}
        self.assertEqual(self.imds("/latest/meta-data/instance-id", headers=h), (200, N1))
        self.assertEqual(self.imds("/latest/meta-data/placement/region", headers=h),
                         (200, "lab-1"))
        st, doc = self.imds("/latest/dynamic/instance-identity/document", headers=h)
        self.assertEqual(json.loads(doc)["instanceId"], N1)
        self.assertEqual(self.imds("/latest/meta-data/nothing", headers=h)[0], 404)

    def test_source_address_names_the_instance(self):
        self.assertEqual(self.c.node_of("169.254.1.3"), "n3")
        self.assertIsNone(self.c.node_of("169.254.2.3"))
        self.assertIsNone(self.c.node_of("169.254.1.9"))


class Signing(Lab):
    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_botocore_post_odd_value(self):
        odd = "a b+c/d~e*f=g&h%i\u00e9\u4e2d'\"<>"
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15",
                                "Filter.1.Name": "tag:Name", "Filter.1.Value.1": odd})
        self.assertEqual(st, 200, body)
        self.assertIn('<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/'
                      '2016-11-15/"><requestId>', body)
        self.assertIn("<reservationSet></reservationSet>", body)
        c = self.calls()[-1]
        self.assertEqual(c["params"]["Filter.1.Value.1"], odd)

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_botocore_get_query(self):
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15",
                                "InstanceId.1": N3}, method="GET")
        self.assertEqual(st, 200, body)
        self.assertIn("<instanceId>%s</instanceId>" % N3, body)

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_error_shape(self):
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"},
                               secret="wrong")
        self.assertEqual(st, 403)
        self.assertRegex(body, r'^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors>'
                         r'<Error><Code>SignatureDoesNotMatch</Code><Message>[^<]*</Message>'
                         r'</Error></Errors><RequestID>[0-9a-f-]{36}</RequestID></Response>$')

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_wrong_region_scope(self):
        st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"},
                               region="us-east-1")
        self.assertEqual(st, 403)
        self.assertIn("SignatureDoesNotMatch", body)

    def test_libcurl_sigv4_post(self):
        """libcurl's own SigV4 (curl --aws-sigv4), as a C client may use it.
        (curl 7.88 does not sort query parameters when it signs, so a GET
        with an unsorted query fails there as on AWS: POST is the way.)"""
        if subprocess.run(["curl", "--help", "all"], capture_output=True,
                          text=True).stdout.find("--aws-sigv4") < 0:
            self.skipTest("curl without --aws-sigv4")
        r = subprocess.run(["curl", "-sS", "--cacert", self.ca, "--aws-sigv4",
                            "aws:amz:lab-1:ec2", "--user", "%s:%s" % (
                                self.keys["access_key_id"], self.keys["secret_access_key"]),
                            "-d", "Action=DescribeInstances&Version=2016-11-15&"
                            "InstanceId.1=%s" % N2, self.c.ec2_url + "/"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<instanceId>%s</instanceId>" % N2, r.stdout)

    def test_unsigned_and_stale(self):
        r = urllib.request.Request(self.c.ec2_url + "/", data=b"Action=DescribeInstances&"
                                   b"Version=2016-11-15", method="POST")
        try:
            urllib.request.urlopen(r, context=self.sslctx, timeout=5)
            self.fail("an unsigned request was answered")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 401)
            self.assertIn("MissingAuthenticationToken", e.read().decode())
        r = urllib.request.Request(self.c.ec2_url + "/", data=b"Action=DescribeInstances",
                                   method="POST", headers={
                                       "Authorization": "AWS4-HMAC-SHA256 Credential=x"})
        try:
            urllib.request.urlopen(r, context=self.sslctx, timeout=5)
            self.fail("a bad Authorization header was accepted")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 400)
            self.assertIn("IncompleteSignature", e.read().decode())

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_request_expired(self):
        old = self.c.skew
        self.c.skew = -1     # every timestamp is too old
        try:
            st, body = self.signed({"Action": "DescribeInstances", "Version": "2016-11-15"})
        finally:
            self.c.skew = old
        self.assertEqual(st, 400)
        self.assertIn("RequestExpired", body)


class Faults(Lab):
    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_error_count(self):
        cloud.set_fault(self.dir, "DescribeInstances", "error", 503, count=2)
        p = {"Action": "DescribeInstances", "Version": "2016-11-15"}
        self.assertEqual(self.signed(p)[0], 503)
        self.assertIn("Unavailable", self.signed(p)[1])
        self.assertEqual(self.signed(p)[0], 200)
        cloud.set_fault(self.dir, "*", "error", count=1)
        st, body = self.signed(p)
        self.assertEqual(st, 500)
        self.assertIn("InternalError", body)

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_latency(self):
        cloud.set_fault(self.dir, "DescribeInstances", "latency", 700)
        t0 = time.monotonic()
        self.assertEqual(self.signed({"Action": "DescribeInstances",
                                      "Version": "2016-11-15"})[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.7)

    @unittest.skipIf(SigV4Auth is None, "botocore is not installed")
    def test_hang_until_cleared(self):
        cloud.set_fault(self.dir, "DescribeInstances", "hang")
        p = {"Action": "DescribeInstances", "Version": "2016-11-15"}
        with self.assertRaises((socket.timeout, TimeoutError, urllib.error.URLError)):
            self.signed(p, timeout=1)
        cloud.clear_faults(self.dir)
        self.assertEqual(self.signed(p)[0], 200)

    def test_down(self):
        cloud.set_fault(self.dir, "*", "down")
        host, port = self.c.ec2_srv.server_address[:2]
        with self.assertRaises(OSError):
            with socket.create_connection((host, port), timeout=5) as s:
                with self.sslctx.wrap_socket(s, server_hostname=host) as t:
                    t.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    if not t.recv(100):
                        raise OSError("closed")
        self.assertEqual(self.calls()[-1]["code"], "ConnectionReset")
        cloud.clear_faults(self.dir)
        self.assertIn("Reservations", self.aws("describe-instances"))

    def test_bad_fault(self):
        for args in (("Nope", "deny"), ("*", "explode"), ("*", "latency"),
                     ("*", "error", 404), ("*", "hang", None, 2)):
            with self.assertRaises(ValueError):
                cloud.set_fault(self.dir, *args)


def read_req(path):
    with open(path, "rb") as f:
        raw = f.read().decode()
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, target, _ = lines[0].split(" ")
    headers = []
    for line in lines[1:]:
        if line.startswith((" ", "\t")):
            return None
        k, _, v = line.partition(":")
        headers.append((k, v))
    return method, target, headers, body.encode()


@unittest.skipUnless(os.path.isdir(SUITE), "AWS's SigV4 test suite is not at %s" % SUITE)
class SigV4Suite(unittest.TestCase):
    KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    def check(self, name):
        d = os.path.join(SUITE, name)
        method, target, headers, body = read_req(os.path.join(d, name + ".req"))
        with open(os.path.join(d, name + ".authz")) as f:
            authz = cloud.parse_authorization(f.read().strip())
        with open(os.path.join(d, name + ".creq")) as f:
            want_creq = f.read()
        path, _, query = target.partition("?")
        cred = authz["Credential"].split("/")
        amz = dict((k.lower(), v) for k, v in headers)["x-amz-date"]
        creq, _, sig = cloud.sigv4(method, path, query, headers, body,
                                   authz["SignedHeaders"].split(";"), amz,
                                   "/".join(cred[1:]), self.KEY)
        self.assertEqual(creq, want_creq)
        self.assertEqual(sig, authz["Signature"])

    def test_post_vanilla_query(self):
        self.check("post-vanilla-query")

    def test_get_vanilla_query_order_key_case(self):
        self.check("get-vanilla-query-order-key-case")

    def test_get_header_value_trim(self):
        self.check("get-header-value-trim")


def main():
    return tap_main(sys.modules[__name__])


if __name__ == "__main__":
    sys.exit(main())
