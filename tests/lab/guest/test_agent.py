#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the lab guest agent and its Python client.

    python3 tests/lab/guest/test_agent.py [-v] [TestCase.test_name ...]

Needs the agent built first (make lab-agent). Runs build/lab/vigil-agent
(or $VIGIL_AGENT) with --stdio behind a stand-in for QEMU: a unix socket,
agent.sock, that takes one client at a time and relays it to the agent over
a SOCK_SEQPACKET pair. A client's disconnect reaches the agent as an empty
message, which it reads as the virtio port's end of file. Commands run on
this machine, not in a VM.

Prints TAP on stdout (unittest's report goes to stderr); exits 1 if anything
failed.
"""

import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))

from lablib import agent  # noqa: E402

AGENT = os.environ.get("VIGIL_AGENT", os.path.join(TOP, "build", "lab", "vigil-agent"))


def proc_state(pid):
    """The process's state letter, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def wait_gone(pid, timeout=5.0):
    """True once pid no longer exists or is a zombie reparented elsewhere."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc_state(pid) in (None, "Z"):
            return True
        time.sleep(0.02)
    return False


def children(pid):
    """(pid, state) of each child of pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(d), fields[0]))
    return out


class FakeQemu:
    """agent.sock in a temporary directory, relayed to an agent on a
    SOCK_SEQPACKET pair the way QEMU relays it to the virtio port."""

    def __init__(self):
        if not os.access(AGENT, os.X_OK):
            raise RuntimeError("%s not built: run 'make lab-agent'" % AGENT)
        self.dir = tempfile.mkdtemp(prefix="vigil-agent-test.")
        self.path = os.path.join(self.dir, "agent.sock")
        self.log = open(os.path.join(self.dir, "agent.log"), "w+b")
        self.port, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen([AGENT, "--stdio"], stdin=theirs, stdout=theirs,
                                     stderr=self.log)
        theirs.close()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.stop_r, self.stop_w = os.pipe()
        self.clients = 0
        self.to_conn = bytearray()
        # False: the agent misses a disconnect, as it does when the next
        # host connects before it looks.
        self.send_eof = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            sel = selectors.DefaultSelector()
            sel.register(self.listener, selectors.EVENT_READ)
            sel.register(self.stop_r, selectors.EVENT_READ)
            ready = [k.fileobj for k, _ in sel.select()]
            sel.close()
            if self.stop_r in ready:
                return
            conn, _ = self.listener.accept()
            self.clients += 1
            stop = self._relay(conn)
            conn.close()
            # What the agent sees when the host side closes.
            if self.send_eof:
                self.port.send(b"")
            if stop:
                return

    def _relay(self, conn):
        """Copy both ways until the client closes; True if told to stop.
        Like QEMU, output the client did not take waits for the next one."""
        conn.setblocking(False)
        self.port.setblocking(False)
        to_port, to_conn = [], self.to_conn
        eof = False
        while not eof or to_port:
            sel = selectors.DefaultSelector()
            sel.register(self.stop_r, selectors.EVENT_READ)
            if not eof:
                sel.register(conn, selectors.EVENT_READ |
                             (selectors.EVENT_WRITE if to_conn else 0))
            sel.register(self.port, selectors.EVENT_READ |
                         (selectors.EVENT_WRITE if to_port else 0))
            events = {k.fileobj: ev for k, ev in sel.select()}
            sel.close()
            if self.stop_r in events:
                return True
            ev = events.get(conn, 0)
            if ev & selectors.EVENT_READ and len(to_port) < 64:
                try:
                    data = conn.recv(32768)
                except ConnectionResetError:
                    data = b""
                if data:
                    to_port.append(data)
                else:
                    eof = True
            if ev & selectors.EVENT_WRITE and to_conn and not eof:
                try:
                    n = conn.send(to_conn)
                except (BrokenPipeError, ConnectionResetError):
                    eof = True
                    n = 0
                del to_conn[:n]
            ev = events.get(self.port, 0)
            if ev & selectors.EVENT_READ and len(to_conn) < (4 << 20) and not eof:
                msg = self.port.recv(65536)
                if msg:
                    to_conn += msg
            if ev & selectors.EVENT_WRITE and to_port:
                try:
                    self.port.send(to_port[0])
                    to_port.pop(0)
                except BlockingIOError:
                    pass
        return False

    def fds(self):
        return sorted(os.listdir("/proc/%d/fd" % self.proc.pid))

    def agent_log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def close(self):
        """Stop everything; returns the agent's exit status (None if it was
        gone before it was told to stop)."""
        alive = self.proc.poll() is None
        os.write(self.stop_w, b"x")
        self.thread.join(5)
        self.listener.close()
        self.port.close()
        # The peer is gone for good: the agent exits on its own.
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        for f in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, f))
        os.rmdir(self.dir)
        os.close(self.stop_r)
        os.close(self.stop_w)
        return rc if alive else None


class AgentTest(unittest.TestCase):
    """Against a real agent. One agent serves the whole class, which checks
    at the end that it is alive and leaked neither descriptors nor zombies."""

    @classmethod
    def setUpClass(cls):
        cls.q = FakeQemu()
        cls.sock = cls.q.path
        if not agent.ping(cls.sock, 5):
            raise RuntimeError("agent does not answer a ping: " + cls.q.agent_log())
        cls.fds_before = cls.q.fds()

    @classmethod
    def tearDownClass(cls):
        try:
            assert cls.q.proc.poll() is None, "agent died: " + cls.q.agent_log()
            assert agent.ping(cls.sock, 5), "agent no longer answers"
            # Let detached children finish and be reaped.
            end = time.monotonic() + 5
            while [c for c in children(cls.q.proc.pid) if c[1] == "Z"] and time.monotonic() < end:
                time.sleep(0.05)
            zombies = [c for c in children(cls.q.proc.pid) if c[1] == "Z"]
            assert not zombies, "agent left zombies: %r" % zombies
            fds = cls.q.fds()
            assert fds == cls.fds_before, "agent fds %r, were %r" % (fds, cls.fds_before)
        finally:
            rc = cls.q.close()
        assert rc == 0, "agent exited with %r at the end" % rc

    def run_(self, argv, **kw):
        kw.setdefault("timeout", 20)
        return agent.run(self.sock, argv, **kw)

    def raw(self, data, req_id=None, deadline=10):
        """Send raw bytes; if req_id is given, return that response."""
        with agent.connect(self.sock) as s:
            s.sendall(data)
            if req_id is not None:
                return agent.read_response(s, req_id, time.monotonic() + deadline)
        return None

    # -- commands -----------------------------------------------------------

    def test_ping(self):
        self.assertTrue(agent.ping(self.sock, 5))
        with agent.connect(self.sock) as s:
            s.sendall(agent.encode_request(77, []))
            r = agent.read_response(s, 77, time.monotonic() + 5)
        self.assertEqual((r.status, r.pid, r.stdout, r.stderr), (0, 0, b"", b""))

    def test_echo_stdin(self):
        r = self.run_(["cat"], stdin=b"hello\0world\n")
        self.assertEqual(r.status, 0)
        self.assertEqual(r.stdout, b"hello\0world\n")
        self.assertGreater(r.pid, 0)
        self.assertFalse(r.timed_out or r.truncated)

    def test_large_stdin_and_stdout(self):
        # More than any pipe holds, in both directions at once.
        data = os.urandom(900 * 1024)
        r = self.run_(["cat"], stdin=data)
        self.assertEqual(r.status, 0)
        self.assertEqual(r.stdout, data)

    def test_stdin_closed_early(self):
        r = self.run_(["true"], stdin=b"x" * (512 * 1024))
        self.assertEqual(r.status, 0)

    def test_args_kept_apart(self):
        r = self.run_(["printf", "[%s]", "a b", "", "\u00e9", b"\xff"])
        self.assertEqual(r.stdout, b"[a b][][\xc3\xa9][\xff]")

    def test_exit_codes(self):
        for code in (0, 1, 3, 255):
            r = self.run_(["sh", "-c", "exit %d" % code])
            self.assertEqual(r.status, code)
        r = self.run_("echo out; echo err >&2; exit 7", shell=True)
        self.assertEqual((r.status, r.stdout, r.stderr), (7, b"out\n", b"err\n"))

    def test_shell_args(self):
        r = self.run_(['printf "%s|" "$0" "$@"', "zero", "one two"], shell=True)
        self.assertEqual(r.stdout, b"zero|one two|")

    def test_signal_status(self):
        r = self.run_(["sh", "-c", "kill -9 $$"])
        self.assertEqual(r.status, 128 + 9)
        self.assertFalse(r.timed_out)
        r = self.run_("kill -TERM $$", shell=True)
        self.assertEqual(r.status, 128 + 15)

    def test_not_found(self):
        r = self.run_(["/nonexistent/cmd", "x"])
        self.assertEqual(r.status, -1)
        self.assertEqual(r.stderr, b"exec /nonexistent/cmd: No such file or directory\n")
        self.assertEqual(r.pid, 0)
        r = self.run_(["vigil-no-such-command"])
        self.assertEqual(r.status, -1)
        self.assertIn(b"exec vigil-no-such-command: No such file or directory", r.stderr)
        r = self.run_([os.path.join(TOP, "Makefile")])
        self.assertEqual(r.status, -1)
        self.assertIn(b"Permission denied", r.stderr)

    def test_timeout_kills_process_group(self):
        t0 = time.monotonic()
        r = self.run_("sleep 60 & echo $!; sleep 60", shell=True, timeout=0.5)
        dt = time.monotonic() - t0
        self.assertTrue(r.timed_out)
        self.assertEqual(r.status, 128 + 9)
        self.assertLess(dt, 5)
        bg = int(r.stdout)
        self.assertTrue(wait_gone(bg), "background sleep %d survived the timeout" % bg)

    def test_timeout_not_hit(self):
        r = self.run_(["sleep", "0.1"], timeout=5)
        self.assertEqual(r.status, 0)
        self.assertFalse(r.timed_out)

    def test_truncated(self):
        t0 = time.monotonic()
        r = self.run_("head -c 9000000 /dev/zero; echo done >&2", shell=True, timeout=60)
        self.assertEqual(r.status, 0, r.stderr)
        self.assertTrue(r.truncated)
        self.assertEqual(len(r.stdout), agent.MAX_OUTPUT)
        self.assertEqual(r.stderr, b"done\n")
        self.assertLess(time.monotonic() - t0, 30)

    def test_background_holding_stdout(self):
        t0 = time.monotonic()
        r = self.run_("sleep 30 & echo $!", shell=True, timeout=20)
        dt = time.monotonic() - t0
        self.assertEqual(r.status, 0)
        self.assertLess(dt, 3, "waited for the background sleep")
        bg = int(r.stdout)
        self.assertIn(proc_state(bg), ("S", "R"))
        os.kill(bg, signal.SIGKILL)
        self.assertTrue(wait_gone(bg))

    def test_output_before_exit_is_kept(self):
        # The command exits while a background child holds the pipe;
        # everything it wrote before exiting still arrives.
        r = self.run_("head -c 60000 /dev/zero | tr '\\0' x; sleep 30 & exit 0",
                      shell=True, timeout=20)
        self.assertEqual(r.status, 0)
        self.assertEqual(r.stdout, b"x" * 60000)
        # The background sleep is in the command's process group.
        try:
            os.killpg(r.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    # -- detach ---------------------------------------------------------------

    def test_detach(self):
        t0 = time.monotonic()
        r = self.run_(["sleep", "30"], detach=True)
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual(r.status, 0, r.stderr)
        self.assertGreater(r.pid, 0)
        with open("/proc/%d/cmdline" % r.pid, "rb") as f:
            self.assertEqual(f.read(), b"sleep\x0030\x00")
        self.assertEqual(os.getsid(r.pid), r.pid)
        for fd in (0, 1, 2):
            self.assertEqual(os.readlink("/proc/%d/fd/%d" % (r.pid, fd)), "/dev/null")
        self.assertIn(r.pid, [pid for pid, _ in children(self.q.proc.pid)])
        os.kill(r.pid, signal.SIGKILL)
        # The agent reaps it.
        end = time.monotonic() + 5
        while proc_state(r.pid) is not None and time.monotonic() < end:
            time.sleep(0.02)
        self.assertIsNone(proc_state(r.pid), "agent did not reap its detached child")

    def test_detach_log(self):
        log = os.path.join(self.q.dir, "detached.log")
        r = self.run_("echo out; echo err >&2", shell=True, detach=True, log=log)
        self.assertEqual(r.status, 0, r.stderr)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            with open(log, "rb") as f:
                if f.read() == b"out\nerr\n":
                    break
            time.sleep(0.02)
        with open(log, "rb") as f:
            self.assertEqual(f.read(), b"out\nerr\n")
        self.assertEqual(os.stat(log).st_mode & 0o777, 0o644)

    def test_detach_failures(self):
        r = self.run_(["/nonexistent/cmd"], detach=True)
        self.assertEqual((r.status, r.pid), (-1, 0))
        self.assertEqual(r.stderr, b"exec /nonexistent/cmd: No such file or directory\n")
        r = self.run_(["true"], detach=True, log="/nonexistent/dir/x.log")
        self.assertEqual(r.status, -1)
        self.assertEqual(r.stderr, b"open /nonexistent/dir/x.log: No such file or directory\n")
        r = self.run_(["cat"], detach=True, stdin=b"x")
        self.assertEqual(r.status, -1)
        self.assertIn(b"stdin data cannot go with DETACH", r.stderr)

    # -- bad requests -----------------------------------------------------------

    def test_refused_requests(self):
        cases = [
            (agent.encode_request(1, ["true"], flags=0x80), b"unknown flags 0x80"),
            (agent.encode_request(2, ["echo", "a\0b"]), b"argument 1 contains a NUL byte"),
            (agent.encode_request(3, ["/tmp/x", "true"], flags=agent.F_LOG),
             b"flag LOG needs DETACH"),
            (agent.encode_request(4, ["true"], flags=agent.F_LOG | agent.F_DETACH),
             b"flag LOG needs a file and a command"),
        ]
        for frame, why in cases:
            req_id = struct.unpack_from("<I", frame, 4)[0]
            r = self.raw(frame, req_id)
            self.assertEqual(r.status, -1, why)
            self.assertIn(why, r.stderr)

    def test_oversized_request(self):
        huge = b"VGQ1" + struct.pack("<IIII", 5, 0, 0, 0x10000000)
        big = b"VGQ1" + struct.pack("<IIIII", 6, 0, 0, 1, 2 << 20)
        for frame, rid, why in ((huge, 5, b"too many arguments"),
                                (big, 6, b"request larger than 1 MiB")):
            good = agent.encode_request(rid + 100, ["echo", "ok"])
            with agent.connect(self.sock) as s:
                s.sendall(frame + good)
                r = agent.read_response(s, rid, time.monotonic() + 10)
                self.assertEqual(r.status, -1)
                self.assertIn(why, r.stderr)
                r = agent.read_response(s, rid + 100, time.monotonic() + 10)
                self.assertEqual(r.stdout, b"ok\n")

    def test_garbage_then_request(self):
        good = agent.encode_request(0x1234, ["echo", "ok"])
        r = self.raw(b"\0\xffgarbage VGQ VG" + good, 0x1234)
        self.assertEqual((r.status, r.stdout), (0, b"ok\n"))

    def test_partial_frame_then_disconnect(self):
        frame = agent.encode_request(9, ["echo", "never"], stdin=b"x" * 1000)
        for cut in (3, 10, 25, len(frame) - 1):
            self.raw(frame[:cut])
            r = self.run_(["echo", "ok"], timeout=5)
            self.assertEqual(r.stdout, b"ok\n", "after a frame cut at %d" % cut)

    def test_partial_frame_then_next_client_at_once(self):
        # The partial request absorbs the next one's bytes: the CRC catches
        # it when it ends inside them, the stall timeout (2 s) when it needs
        # more, the size checks when they make no sense.
        frame = agent.encode_request(10, ["echo", "never"], stdin=b"x" * 1000)
        self.q.send_eof = False
        try:
            for cut in (len(frame) - 1, len(frame) - 500, 25):
                self.raw(frame[:cut])
                t0 = time.monotonic()
                r = self.run_(["echo", "ok"], timeout=5)
                self.assertEqual(r.stdout, b"ok\n", "after a frame cut at %d" % cut)
                self.assertLess(time.monotonic() - t0, 5)
        finally:
            self.q.send_eof = True

    def test_corrupt_frame_not_run(self):
        path = os.path.join(self.q.dir, "corrupt")
        frame = bytearray(agent.encode_request(11, ["touch", path]))
        frame[-1] ^= 1
        good = agent.encode_request(12, ["echo", "ok"])
        r = self.raw(bytes(frame) + good, 12)
        self.assertEqual(r.stdout, b"ok\n")
        self.assertFalse(os.path.exists(path))

    def test_request_too_large_for_client(self):
        with self.assertRaisesRegex(agent.AgentError, "exceeds"):
            self.run_(["cat"], stdin=b"x" * agent.MAX_REQUEST)

    # -- host side ------------------------------------------------------------

    def test_stale_response_skipped(self):
        # A client that leaves before its answer: the answer goes to the next.
        clients = self.q.clients
        self.raw(agent.encode_request(0xdead, ["sh", "-c", "sleep 0.3; echo stale"]))
        r = self.run_(["echo", "fresh"])
        self.assertEqual(r.stdout, b"fresh\n")
        self.assertEqual(self.q.clients, clients + 2)

    def test_stopped_agent_times_out(self):
        os.kill(self.q.proc.pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            with self.assertRaisesRegex(agent.AgentError, "timed out"):
                agent.run(self.sock, ["echo", "late"], timeout=0.3, margin=0.5)
            self.assertLess(time.monotonic() - t0, 3)
            self.assertFalse(agent.ping(self.sock, 0.5))
        finally:
            os.kill(self.q.proc.pid, signal.SIGCONT)
        # The late answers come first and are skipped.
        r = self.run_(["echo", "after"])
        self.assertEqual(r.stdout, b"after\n")


class FakeAgent:
    """A socket that answers each request with canned bytes built from its
    id, to test the client alone."""

    def __init__(self, reply):
        self.dir = tempfile.mkdtemp(prefix="vigil-agent-client.")
        self.path = os.path.join(self.dir, "agent.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.reply = reply
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.listener.accept()
        with conn:
            hdr = b""
            while len(hdr) < 20:
                hdr += conn.recv(20 - len(hdr))
            req_id = struct.unpack_from("<I", hdr, 4)[0]
            data = self.reply(req_id)
            if data is not None:
                conn.sendall(data)
                time.sleep(0.5)
            else:
                time.sleep(1)

    def close(self):
        self.thread.join(5)
        self.listener.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


def response(req_id, status=0, flags=0, pid=0, out=b"", err=b""):
    return (b"VGR1" + struct.pack("<IiIQ", req_id, status, flags, pid) +
            struct.pack("<I", len(out)) + out + struct.pack("<I", len(err)) + err)


class ClientTest(unittest.TestCase):
    """The Python client against canned answers."""

    def with_fake(self, reply, **kw):
        f = FakeAgent(reply)
        try:
            return agent.run(f.path, ["x"], **kw)
        finally:
            f.close()

    def test_skips_other_ids(self):
        def reply(rid):
            stale = response(rid ^ 1, out=b"VGR1 inside stale output")
            partial = response(rid ^ 2, out=b"y" * 100)[:30]
            return (b"noise" + stale + partial + b"VGR" + b"VG" +
                    response(rid, 3, agent.R_TRUNCATED, 42, b"mine", b"err"))
        r = self.with_fake(reply, timeout=5)
        self.assertEqual(r, agent.Result(3, b"mine", b"err", False, True, 42))

    def test_partial_stale_header_swallows_nothing(self):
        # A stale frame cut inside its length field must not eat ours.
        def reply(rid):
            return response(rid + 1, out=b"z" * 50)[:26] + response(rid, out=b"ok")
        r = self.with_fake(reply, timeout=5)
        self.assertEqual(r.stdout, b"ok")

    def test_no_answer_times_out(self):
        t0 = time.monotonic()
        with self.assertRaisesRegex(agent.AgentError, "timed out"):
            self.with_fake(lambda rid: None, timeout=0.2, margin=0.3)
        self.assertLess(time.monotonic() - t0, 2)

    def test_connection_closed(self):
        with self.assertRaisesRegex(agent.AgentError, "closed"):
            self.with_fake(lambda rid: b"VGR1", timeout=5)

    def test_malformed(self):
        with self.assertRaisesRegex(agent.AgentError, "malformed"):
            self.with_fake(lambda rid: response(rid, flags=0x10), timeout=5)
        with self.assertRaisesRegex(agent.AgentError, "malformed"):
            self.with_fake(lambda rid: response(rid)[:24] + struct.pack("<I", 9 << 20),
                           timeout=5)

    def test_no_socket(self):
        path = os.path.join(tempfile.gettempdir(), "vigil-no-such-dir", "agent.sock")
        t0 = time.monotonic()
        with self.assertRaisesRegex(agent.AgentError,
                                    "cannot connect to agent socket .*agent.sock: "
                                    "No such file or directory"):
            agent.run(path, ["true"], connect_timeout=0.3)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertFalse(agent.ping(path, 0.2))

    def test_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "agent.sock")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)    # bound, never listening: refused
            try:
                with self.assertRaisesRegex(agent.AgentError, "Connection refused"):
                    agent.run(path, ["true"], connect_timeout=0)
                self.assertFalse(agent.ping(path, 0.2))
            finally:
                s.close()

    def test_argument_checks(self):
        with self.assertRaises(TypeError):
            agent.run("/nonexistent", "echo hi")
        with self.assertRaises(ValueError):
            agent.run("/nonexistent", [])
        with self.assertRaises(ValueError):
            agent.run("/nonexistent", ["true"], timeout=0)
        with self.assertRaises(ValueError):
            agent.run("/nonexistent", ["true"], log="/x")

    def test_encoding(self):
        frame = agent.encode_request(0x01020304, ["ab", b"c"], flags=agent.F_SHELL,
                                     stdin=b"in", timeout_ms=1500)
        body = (b"VGQ1" + bytes([4, 3, 2, 1]) + struct.pack("<III", 1500, 1, 2) +
                struct.pack("<I", 2) + b"ab" + struct.pack("<I", 1) + b"c" +
                struct.pack("<I", 2) + b"in")
        self.assertEqual(frame, body + struct.pack("<I", zlib.crc32(body)))
        # The CRC the agent computes: zlib's, as in the check value.
        self.assertEqual(zlib.crc32(b"123456789"), 0xcbf43926)


class TapResult(unittest.TextTestResult):
    """unittest's result, plus one TAP line per test on stdout."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.tap_n = 0

    def _tap(self, ok, test, extra=""):
        self.tap_n += 1
        if hasattr(test, "_testMethodName"):
            name = test.id().split(".", 1)[-1]
        else:
            name = str(test)    # class setup or teardown
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.tap_n, name, extra),
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._tap(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._tap(False, test)

    def addError(self, test, err):
        super().addError(test, err)
        self._tap(False, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._tap(True, test, " # SKIP " + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._tap(True, test, " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._tap(False, test, " # unexpected success")


def tap_main(mod):
    """Run the tests of module mod (or those named on the command line)
    with TAP on stdout; 0 if all passed, else 1. Shared by the lab's
    host-side test files."""
    argv = sys.argv[1:]
    verbosity = 2 if "-v" in argv else 1
    names = [a for a in argv if a != "-v"]
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromNames(names, mod) if names else loader.loadTestsFromModule(mod)
    print("TAP version 13", flush=True)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=verbosity,
                                     resultclass=TapResult)
    result = runner.run(suite)
    # Class setup and teardown errors got a line of their own.
    print("1..%d" % result.tap_n)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print("# %d passed, %d failed, %d skipped" % (
        result.testsRun - failed - len(result.skipped), failed, len(result.skipped)))
    return 0 if result.wasSuccessful() else 1


def main():
    return tap_main(sys.modules[__name__])


if __name__ == "__main__":
    sys.exit(main())
