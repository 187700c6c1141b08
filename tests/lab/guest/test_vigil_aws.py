#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""vigil-aws (daemon/aws/vigil-aws.c, the C client: SigV4, libcurl,
libxml2) end to end against the lab cloud (tests/lab/lablib/cloud.py, an
independent SigV4 verifier), no VM: the emulator's fake backend on
127.0.0.1 with TLS from its own CA. Each fencing step, the confirmation,
the race guard, retries on throttling and 5xx within the deadline, auth
and not-found errors not retried, credentials and region from IMDSv2,
and a dry run that changes nothing.

    python3 tests/lab/guest/test_vigil_aws.py [-v]

Needs build/vigil-aws (make). Prints TAP; exits 1 if anything failed.
"""

import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
from test_agent import tap_main  # noqa: E402

_loader = importlib.machinery.SourceFileLoader(
    "labcloud", os.path.join(TOP, "tests", "lab", "lablib", "cloud.py"))
_spec = importlib.util.spec_from_loader("labcloud", _loader)
cloud = importlib.util.module_from_spec(_spec)
_loader.exec_module(cloud)

PROGRAM = os.environ.get("VIGIL_AWS_PROGRAM", os.path.join(TOP, "build", "vigil-aws"))
N1, N2 = "i-00000000000000001", "i-00000000000000002"
N2_SVC = "eni-00000000000000023"    # n2's svc ENI, device index 2
N2_B = "eni-00000000000000022"      # n2's b ENI, device index 1


class VigilAws(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test_vigil_aws.")
        cls.dir = os.path.join(cls.tmp, "cloud")
        os.makedirs(cls.dir)
        cls.c = cloud.Cloud(cls.dir, ["n1", "n2", "n3"], cloud.FakeBackend(),
                            source_map={"127.0.0.1": "n1"}, stop_delay=1.0,
                            start_delay=0.3, eni_delay=0.3).start()
        with open(os.path.join(cls.dir, "keys.json")) as f:
            cls.keys = json.load(f)
        cls.ca = os.path.join(cls.dir, "ca.pem")

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        cloud.clear_faults(self.dir)
        self.mark = len(self.calls())

    def tearDown(self):
        cloud.clear_faults(self.dir)

    # -- helpers

    def calls(self):
        try:
            with open(os.path.join(self.dir, "calls.jsonl")) as f:
                return [json.loads(line) for line in f]
        except FileNotFoundError:
            return []

    def new_calls(self):
        return [c for c in self.calls()[self.mark:] if c.get("service", "ec2") == "ec2"
                and "action" in c]

    def params(self, **kw):
        p = {"region": "lab-1", "endpoint": self.c.ec2_url, "ca_file": self.ca,
             "imds_endpoint": self.c.imds_url, "deadline_ms": "20000",
             "call_timeout_ms": "3000", "node": "n2", "instance_id": N2,
             "self_instance_id": N1}
        p.update(kw)
        lines = []
        for k, v in p.items():
            if v is None:
                continue
            for one in (v if isinstance(v, list) else [v]):
                lines.append("%s=%s" % (k, one))
        return "".join(line + "\n" for line in lines)

    def run_aws(self, action, params, secret=None, env_creds=True):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.tmp}
        if env_creds:
            env["AWS_ACCESS_KEY_ID"] = self.keys["access_key_id"]
            env["AWS_SECRET_ACCESS_KEY"] = secret or self.keys["secret_access_key"]
        r = subprocess.run([PROGRAM, action], input=params, capture_output=True,
                           text=True, env=env, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def snap(self):
        return self.c.ec2.snapshot()

    def state(self, node):
        return self.snap()["instances"][node]["state"]

    def wait_state(self, node, want, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.state(node) != want:
            time.sleep(0.1)
        return self.state(node)

    # -- the steps

    def test_01_status(self):
        rc, out, err = self.run_aws("status", self.params())
        self.assertEqual(rc, 0, err)
        self.assertIn("instance %s running" % N2, out)
        self.assertRegex(out, r"eni %s eni-attach-\S+ device-index 2 attached" % N2_SVC)

    def test_02_isolate_then_attach(self):
        rc, _, err = self.run_aws("isolate", self.params(eni=["%s:2" % N2_SVC, "%s:1" % N2_B]))
        self.assertEqual(rc, 0, err)
        self.assertIn("isolated node n2 (%s): 2 ENIs detached" % N2, err)
        enis = self.snap()["enis"]
        self.assertIsNone(enis[N2_SVC]["attachment"], "svc ENI detached, confirmed")
        self.assertIsNone(enis[N2_B]["attachment"])
        self.assertEqual(enis["eni-00000000000000021"]["attachment_status"], "attached",
                         "the primary ENI is never touched")
        acts = [c["action"] for c in self.new_calls()]
        self.assertEqual(acts[0], "DescribeInstances", "the race guard comes first")
        self.assertEqual(acts.count("DetachNetworkInterface"), 2)
        self.assertLess(acts.index("DetachNetworkInterface"),
                        len(acts) - 1, "confirmation after the detach")
        for c in self.new_calls():
            if c["action"] == "DetachNetworkInterface":
                self.assertEqual(c["params"].get("Force"), "true")

        self.mark = len(self.calls())
        rc, _, err = self.run_aws("attach", self.params(eni=["%s:2" % N2_SVC, "%s:1" % N2_B]))
        self.assertEqual(rc, 0, err)
        enis = self.snap()["enis"]
        self.assertEqual(enis[N2_SVC]["attachment_status"], "attached")
        self.assertEqual(enis[N2_SVC]["device_index"], 2, "re-attached at its device index")
        self.assertEqual(enis[N2_B]["device_index"], 1)
        rc, _, err = self.run_aws("attach", self.params(eni="%s:2" % N2_SVC))
        self.assertEqual(rc, 0, "attaching an attached ENI is a no-op: " + err)

    def test_03_stop_then_start(self):
        t0 = time.monotonic()
        rc, _, err = self.run_aws("stop", self.params())
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.state("n2"), "stopped", "stop returns once confirmed")
        self.assertGreaterEqual(time.monotonic() - t0, 0.9, "it waited for 'stopping' to end")
        stops = [c for c in self.new_calls() if c["action"] == "StopInstances"]
        self.assertEqual(len(stops), 1)
        self.assertEqual(stops[0]["params"].get("Force"), "true")
        rc, _, err = self.run_aws("start", self.params())
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.state("n2"), "running")

    def test_04_race_guard(self):
        # This node's own instance (n1) is being stopped: it fences nobody.
        self.c.ec2.stop_instances({"InstanceId.1": N1, "Force": "true"})
        try:
            rc, _, err = self.run_aws("isolate", self.params(eni="%s:2" % N2_SVC))
            self.assertEqual(rc, 3, err)
            self.assertIn("this node's own instance %s is" % N1, err)
            acts = [c["action"] for c in self.new_calls()]
            self.assertNotIn("DetachNetworkInterface", acts)
            rc, _, err = self.run_aws("stop", self.params())
            self.assertEqual(rc, 3, err)
            self.assertNotIn("StopInstances", [c["action"] for c in self.new_calls()
                                               if c["params"].get("InstanceId.1") == N2])
        finally:
            self.wait_state("n1", "stopped")
            self.c.ec2.start_instances({"InstanceId.1": N1})
            self.wait_state("n1", "running")

    def test_05_throttled_then_ok(self):
        cloud.set_fault(self.dir, "StopInstances", "throttle", count=2)
        rc, _, err = self.run_aws("stop", self.params())
        self.assertEqual(rc, 0, err)
        stops = [c for c in self.new_calls() if c["action"] == "StopInstances"]
        self.assertEqual([c["code"] for c in stops][:2],
                         ["RequestLimitExceeded", "RequestLimitExceeded"])
        self.assertEqual(len(stops), 3, "retried until it went through")
        self.assertIn("RequestLimitExceeded", err, "each retry is logged")
        self.run_aws("start", self.params())
        self.wait_state("n2", "running")

    def test_06_5xx_until_the_deadline(self):
        cloud.set_fault(self.dir, "StopInstances", "error", 503)
        t0 = time.monotonic()
        rc, _, err = self.run_aws("stop", self.params(deadline_ms="3000"))
        took = time.monotonic() - t0
        self.assertEqual(rc, 1, err)
        self.assertIn("Unavailable", err.strip().splitlines()[-1], "the last line names the code")
        self.assertLess(took, 15, "gave up at the deadline")
        self.assertGreater(len([c for c in self.new_calls() if c["action"] == "StopInstances"]),
                           1, "5xx is retried")
        self.assertEqual(self.state("n2"), "running")

    def test_07_wrong_secret_not_retried(self):
        rc, _, err = self.run_aws("stop", self.params(), secret="x" * 40)
        self.assertEqual(rc, 1, err)
        self.assertIn("SignatureDoesNotMatch", err)
        self.assertNotIn("x" * 40, err, "the secret is never printed")
        self.assertEqual(len([c for c in self.new_calls()]), 1,
                         "an auth error is not retried (the race guard's call was the only one)")
        self.assertEqual(self.state("n2"), "running")

    def test_08_denied_and_not_found(self):
        cloud.set_fault(self.dir, "DetachNetworkInterface", "deny")
        rc, _, err = self.run_aws("isolate", self.params(eni="%s:2" % N2_SVC))
        self.assertEqual(rc, 1, err)
        self.assertIn("UnauthorizedOperation", err)
        self.assertEqual(len([c for c in self.new_calls()
                              if c["action"] == "DetachNetworkInterface"]), 1)
        cloud.clear_faults(self.dir)
        rc, _, err = self.run_aws("stop", self.params(instance_id="i-0000000000000abcd"))
        self.assertEqual(rc, 1, err)
        self.assertIn("InvalidInstanceID.NotFound", err)
        self.assertEqual(self.snap()["enis"][N2_SVC]["attachment_status"], "attached")

    def test_09_imds_role_and_region(self):
        # No credentials in the environment, no region, no own id: IMDSv2.
        rc, out, err = self.run_aws("status", self.params(region=None, self_instance_id=None),
                                    env_creds=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("instance %s running" % N2, out)
        rc, _, err = self.run_aws("isolate", self.params(region=None, self_instance_id=None,
                                                         eni="%s:2" % N2_SVC),
                                  env_creds=False)
        self.assertEqual(rc, 0, err)
        mine = [c for c in self.calls()[self.mark:] if c.get("action") == "DescribeInstances"]
        self.assertTrue(any(c["params"].get("InstanceId.1") == N1 for c in mine),
                        "the race guard asked about this node's own instance, named by IMDS")
        self.run_aws("attach", self.params(eni="%s:2" % N2_SVC))

    def test_10_dry_run_changes_nothing(self):
        before = self.snap()
        for act, extra in (("isolate", {"eni": "%s:2" % N2_SVC}), ("stop", {}),
                           ("attach", {"eni": "%s:2" % N2_SVC}), ("start", {})):
            rc, _, err = self.run_aws(act, self.params(dry_run="1", **extra))
            self.assertEqual(rc, 0, err)
            self.assertIn("would", err)
        self.assertEqual([c["action"] for c in self.new_calls()], [], "nothing sent")
        self.assertEqual(self.snap(), before)

    def test_12_untrusted_endpoint_fails_fast(self):
        other = os.path.join(self.tmp, "other-ca.pem")
        key = os.path.join(self.tmp, "other-ca.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", other, "-days", "1", "-subj", "/CN=not the lab"],
                       check=True, capture_output=True)
        t0 = time.monotonic()
        rc, _, err = self.run_aws("stop", self.params(ca_file=other, deadline_ms="20000"))
        self.assertEqual(rc, 1, err)
        self.assertIn("TLSNotTrusted", err)
        self.assertLess(time.monotonic() - t0, 10, "not retried until the deadline")
        self.assertEqual(self.new_calls(), [], "nothing reached the API")
        self.assertEqual(self.state("n2"), "running")

    def test_11_bad_parameters(self):
        rc, _, err = self.run_aws("stop", self.params() + "colour=blue\n")
        self.assertEqual(rc, 2)
        self.assertIn("unknown name 'colour'", err)
        rc, _, err = self.run_aws("isolate", self.params(eni="eni-1234:x"))
        self.assertEqual(rc, 2)
        self.assertIn("eni = 'eni-1234:x': bad value", err)
        rc, _, err = self.run_aws("reboot", self.params())
        self.assertEqual(rc, 2)
        self.assertIn("unknown action 'reboot'", err)


if __name__ == "__main__":
    if not os.access(PROGRAM, os.X_OK):
        print("1..1\nnot ok 1 - %s not built (make build/vigil-aws)" % PROGRAM)
        sys.exit(1)
    sys.exit(tap_main(sys.modules[__name__]))
