#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the stall proof's two halves: tests/lab/logserver's
rule, on synthetic records, and build/lab/vigil-recorder --fake-lease
talking to a real 'logserver serve' over loopback (no vigil.ko needed).

    python3 tests/lab/guest/test_logserver.py [-v] [TestCase.test_name ...]

Needs the recorder built first (make lab-agent). Prints TAP on stdout;
exits 1 if anything failed.
"""

import importlib.machinery
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
from test_agent import tap_main  # noqa: E402

LOGSERVER = os.path.join(TOP, "tests", "lab", "logserver")
RECORDER = os.environ.get("VIGIL_RECORDER",
                          os.path.join(TOP, "build", "lab", "vigil-recorder"))

_loader = importlib.machinery.SourceFileLoader("logserver", LOGSERVER)
_spec = importlib.util.spec_from_loader("logserver", _loader)
ls = importlib.util.module_from_spec(_spec)
_loader.exec_module(ls)

MS = 1000000


def rec(seq, t_send, end, prev_end_after=0):
    return {"run": "00000001", "seq": seq, "t_read": t_send - MS, "t_reply": t_send,
            "t_send": t_send, "left_ms": 0, "end": end,
            "prev_end_after": prev_end_after, "flags": 0, "gate": "open"}


class Verdict(unittest.TestCase):
    def test_fresh_lease(self):
        self.assertEqual(ls.verdict(rec(1, 100 * MS, 150 * MS), None), ("ok", 50.0))

    def test_lease_never_ends(self):
        self.assertEqual(ls.verdict(rec(1, 100 * MS, ls.NEVER), None)[0], "ok")

    def test_renewed_between_reading_and_send(self):
        r = rec(1, 100 * MS, 99 * MS)
        nxt = rec(2, 110 * MS, 400 * MS, prev_end_after=400 * MS)
        self.assertEqual(ls.verdict(r, nxt), ("renewed", 300.0))

    def test_sent_after_the_end_is_a_violation(self):
        r = rec(1, 100 * MS, 99 * MS)
        nxt = rec(2, 110 * MS, 99 * MS, prev_end_after=99 * MS)
        self.assertEqual(ls.verdict(r, nxt), ("violation", -1.0))

    def test_sent_exactly_at_the_end_is_a_violation(self):
        r = rec(1, 100 * MS, 100 * MS)
        nxt = rec(2, 110 * MS, 100 * MS, prev_end_after=100 * MS)
        self.assertEqual(ls.verdict(r, nxt)[0], "violation")

    def test_no_next_record_is_unresolved(self):
        self.assertEqual(ls.verdict(rec(1, 100 * MS, 99 * MS), None)[0], "unresolved")

    def test_next_record_lost_is_unresolved(self):
        r = rec(1, 100 * MS, 99 * MS)
        later = rec(3, 120 * MS, 400 * MS, prev_end_after=400 * MS)
        self.assertEqual(ls.verdict(r, later)[0], "unresolved")

    def test_analyse_counts_stalls_and_verdicts(self):
        recs = [rec(0, 10 * MS, 500 * MS), rec(1, 20 * MS, 500 * MS),
                rec(5, 900 * MS, 800 * MS, prev_end_after=400 * MS),
                rec(6, 910 * MS, 800 * MS, prev_end_after=800 * MS)]
        out = ls.analyse(recs, 10)
        self.assertEqual(out["lost"], 3)
        self.assertEqual(len(out["stalls"]), 1)
        self.assertEqual(len(out["violations"]), 1)     # seq 5
        self.assertEqual(len(out["unresolved"]), 1)     # seq 6, the last

    def test_parse_refuses_other_versions(self):
        data = ls.REC.pack(ls.REC_MAGIC, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0)
        self.assertIsNone(ls.parse(data))
        data = ls.REC.pack(ls.REC_MAGIC, ls.REC_VERSION, 0, 1, 5, 7, 1, 2, 3, 4, 5)
        r = ls.parse(data)
        self.assertEqual((r["seq"], r["t_send"], r["end"], r["prev_end_after"]),
                         (7, 3, 4, 5))


@unittest.skipUnless(os.access(RECORDER, os.X_OK), "vigil-recorder not built (make lab-agent)")
class RecorderToServer(unittest.TestCase):
    """The recorder's fake lease stands in for vigil.ko, and nothing stands
    in for the gate: with a lease that has ended, every record that
    arrives is one a gate should have stopped."""

    def run_pair(self, fake_ms, count=20):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "records.jsonl")
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            srv = subprocess.Popen([sys.executable, LOGSERVER, "serve", "--addr", "127.0.0.1",
                                    "--port", str(port), log],
                                   stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 10
                while not os.path.exists(log) and time.monotonic() < deadline:
                    time.sleep(0.05)
                rec_out = subprocess.run([RECORDER, "-i", "5", "-n", str(count),
                                          "--fake-lease", str(fake_ms), "127.0.0.1", str(port)],
                                         capture_output=True, text=True, timeout=30)
                self.assertEqual(rec_out.returncode, 0, rec_out.stderr)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    with open(log) as f:
                        if sum(1 for _ in f) >= count:
                            break
                    time.sleep(0.05)
            finally:
                srv.terminate()
                _, err = srv.communicate(timeout=10)
            chk = subprocess.run([sys.executable, LOGSERVER, "check", "--json", log],
                                 capture_output=True, text=True, timeout=30)
            return chk.returncode, json.loads(chk.stdout), err

    def test_fresh_lease_passes(self):
        rc, res, err = self.run_pair(1000)
        self.assertEqual(rc, 0, res)
        self.assertEqual(res["records"], 20)
        self.assertEqual(res["violations"], [])
        self.assertEqual(res["unresolved"], [])
        self.assertEqual(err, "")

    def test_ended_lease_is_caught(self):
        rc, res, err = self.run_pair(0)
        self.assertEqual(rc, 1)
        self.assertEqual(len(res["violations"]), 19)   # every record but the last
        self.assertEqual(len(res["unresolved"]), 1)    # the last: no next reading
        self.assertIn("VIOLATION", err)


def main():
    return tap_main(sys.modules[__name__])


if __name__ == "__main__":
    sys.exit(main())
