# SPDX-License-Identifier: GPL-2.0
"""Host side of the lab guest agent (tests/lab/guest/vigil-agent.c).

The agent runs commands inside a lab VM. QEMU exposes its virtio-serial port
as a unix socket, <node dir>/agent.sock, and accepts one client at a time;
callers hold the node's lock while they use it.

    r = agent.run(sock, ["uname", "-r"], timeout=10)
    r = agent.run(sock, "vigild -f >/var/log/vigild.log 2>&1", shell=True,
                  detach=True)
    up = agent.ping(sock, timeout=2)

Wire format (little-endian; a blob is a u32 length and that many bytes),
defined in vigil-agent.c and mirrored here:

    request  "VGQ1" u32 id, u32 timeout_ms, u32 flags, u32 argc,
             argc x blob argument, blob stdin,
             u32 CRC-32 of the above                       (<= 1 MiB in all)
    response "VGR1" u32 id, i32 status, u32 flags, u64 pid,
             blob stdout, blob stderr                      (<= 8 MiB each)

A response can reach a later client than the one that asked (its host went
away before it was written), so each request carries a random id and
responses with another id are skipped.
"""

import math
import os
import socket
import struct
import time
import zlib
from typing import NamedTuple

REQUEST_MAGIC = b"VGQ1"
RESPONSE_MAGIC = b"VGR1"

F_SHELL = 0x1   # run "/bin/sh -c argv[0] argv[1]..."; argv[1] becomes $0
F_DETACH = 0x2  # own session, stdio on /dev/null, answer at once with pid
F_LOG = 0x4     # with F_DETACH: argv[0] is a file for stdout and stderr

R_TIMED_OUT = 0x1
R_TRUNCATED = 0x2
R_ALL = R_TIMED_OUT | R_TRUNCATED

MAX_REQUEST = 1 << 20
MAX_OUTPUT = 8 << 20

# How long the host waits beyond the command's own timeout: the guest runs
# under TCG, and a stale response for an earlier client may come first.
DEFAULT_MARGIN = 10.0
DEFAULT_CONNECT_TIMEOUT = 2.0

_REQ_HDR = struct.Struct("<4sIIII")
_RESP_HDR = struct.Struct("<4sIiIQ")
_U32 = struct.Struct("<I")


class AgentError(Exception):
    """The agent could not be reached, did not answer in time, or answered
    with something that is not a response."""


class Result(NamedTuple):
    """What a command did. status: exit code 0-255, 128+N if signal N
    killed it, -1 if it could not be started (stderr says why)."""
    status: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    truncated: bool
    pid: int


def _arg(a):
    if isinstance(a, bytes):
        return a
    if isinstance(a, str):
        return os.fsencode(a)
    raise TypeError(f"argument {a!r} is neither str nor bytes")


def encode_request(req_id, argv, *, flags=0, stdin=b"", timeout_ms=0):
    """One request frame. Raises AgentError if it would exceed 1 MiB."""
    args = [_arg(a) for a in argv]
    parts = [_REQ_HDR.pack(REQUEST_MAGIC, req_id, timeout_ms, flags,
                           len(args))]
    for a in args:
        parts += [_U32.pack(len(a)), a]
    parts += [_U32.pack(len(stdin)), bytes(stdin)]
    frame = b"".join(parts)
    frame += _U32.pack(zlib.crc32(frame))
    if len(frame) > MAX_REQUEST:
        raise AgentError(f"request of {len(frame)} bytes exceeds the "
                         f"agent's limit of {MAX_REQUEST}")
    return frame


class _Reader:
    def __init__(self, sock, deadline, what):
        self.sock = sock
        self.deadline = deadline
        self.what = what
        self.buf = bytearray()
        self.start = time.monotonic()

    def timed_out(self):
        return AgentError(f"{self.what}: timed out after "
                          f"{time.monotonic() - self.start:.1f} s waiting "
                          "for the response (VM stopped or hung?)")

    def more(self):
        if self.deadline is None:
            self.sock.settimeout(None)
        else:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise self.timed_out()
            self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise self.timed_out() from None
        except ConnectionResetError:
            chunk = b""
        except OSError as e:
            raise AgentError(f"{self.what}: {e.strerror or e}") from None
        if not chunk:
            raise AgentError(f"{self.what}: connection closed before the "
                             "response (did the VM stop?)")
        self.buf += chunk

    def need(self, n):
        while len(self.buf) < n:
            self.more()

    def take(self, n):
        self.need(n)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data


def read_response(sock, req_id, deadline=None, what="agent"):
    """Read until the response to req_id, skipping anything else. deadline
    is a time.monotonic() value or None."""
    rd = _Reader(sock, deadline, what)
    while True:
        i = rd.buf.find(RESPONSE_MAGIC)
        if i < 0:
            # Keep what could be the start of a magic.
            del rd.buf[:max(0, len(rd.buf) - len(RESPONSE_MAGIC) + 1)]
            rd.more()
            continue
        del rd.buf[:i]
        rd.need(_RESP_HDR.size)
        _, rid, status, flags, pid = _RESP_HDR.unpack_from(rd.buf)
        if rid != req_id:
            # Someone else's, or not a header at all: look further on.
            del rd.buf[:len(RESPONSE_MAGIC)]
            continue
        del rd.buf[:_RESP_HDR.size]
        if flags & ~R_ALL or not -1 <= status <= 255:
            raise AgentError(f"{what}: malformed response (status {status}, "
                             f"flags {flags:#x})")
        blobs = []
        for name in ("stdout", "stderr"):
            (n,) = _U32.unpack(rd.take(_U32.size))
            if n > MAX_OUTPUT:
                raise AgentError(f"{what}: malformed response ({name} of "
                                 f"{n} bytes)")
            blobs.append(rd.take(n))
        return Result(status, blobs[0], blobs[1], bool(flags & R_TIMED_OUT),
                      bool(flags & R_TRUNCATED), pid)


def connect(sock_path, connect_timeout=DEFAULT_CONNECT_TIMEOUT):
    """Connect to the agent socket, retrying while it is missing or refuses
    (QEMU still starting) for up to connect_timeout seconds."""
    path = os.fspath(sock_path)
    end = time.monotonic() + connect_timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError) as e:
            s.close()
            if time.monotonic() >= end:
                raise AgentError(f"cannot connect to agent socket {path}: "
                                 f"{e.strerror} (is the VM running?)") from None
        except socket.timeout:
            s.close()
            raise AgentError(f"connecting to agent socket {path} timed out "
                             f"after {connect_timeout:g} s") from None
        except OSError as e:
            s.close()
            raise AgentError(f"cannot connect to agent socket {path}: "
                             f"{e.strerror or e}") from None
        time.sleep(0.05)


def _call(sock_path, argv, flags, stdin, timeout_ms, deadline,
          connect_timeout, what):
    req_id = int.from_bytes(os.urandom(4), "little")
    frame = encode_request(req_id, argv, flags=flags, stdin=stdin,
                           timeout_ms=timeout_ms)
    with connect(sock_path, connect_timeout) as s:
        try:
            if deadline is not None:
                s.settimeout(max(0.001, deadline - time.monotonic()))
            s.sendall(frame)
        except socket.timeout:
            raise AgentError(f"{what}: timed out sending the request (VM "
                             "stopped or hung?)") from None
        except OSError as e:
            raise AgentError(f"{what}: sending the request: "
                             f"{e.strerror or e}") from None
        return read_response(s, req_id, deadline, what)


def run(sock_path, argv, *, shell=False, detach=False, log=None, stdin=b"",
        timeout=None, connect_timeout=DEFAULT_CONNECT_TIMEOUT,
        margin=DEFAULT_MARGIN):
    """Run argv in the VM and return its Result.

    argv: list of str or bytes; with shell=True a single str is taken as
    the script ("/bin/sh -c argv[0] argv[1]...": argv[1] is $0).
    detach: do not wait; the command gets its own session with stdio on
    /dev/null, or on the file log (appended to) if given; Result.pid is its
    pid and status is 0, or -1 if it could not be started.
    timeout: seconds; when they run out the agent kills the command's whole
    process group (status 137, timed_out True). None: no limit, and then
    the host waits for as long as the command runs.
    The host gives up with AgentError after timeout + margin seconds (a
    stopped or paused VM), and if the socket cannot be reached within
    connect_timeout seconds. A command that leaves a background process
    holding its stdout returns 200 ms after it exits; that process then
    writes to a closed pipe, so redirect it or use detach.
    """
    if isinstance(argv, (str, bytes)):
        if not shell:
            raise TypeError("a single string needs shell=True; pass a list")
        argv = [argv]
    argv = list(argv)
    if not argv:
        raise ValueError("empty argv (use ping())")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if log is not None and not detach:
        raise ValueError("log needs detach=True")
    what = (f"agent {os.fspath(sock_path)}: "
            f"{os.fsdecode(_arg(argv[0]))[:60]!r}")
    flags = (F_SHELL if shell else 0) | (F_DETACH if detach else 0)
    if log is not None:
        flags |= F_LOG
        argv = [log] + argv
    timeout_ms = 0 if timeout is None or detach else math.ceil(timeout * 1000)
    if timeout_ms > 0xffffffff:
        raise ValueError(f"timeout {timeout!r} s is too long for the agent")
    if detach:
        deadline = time.monotonic() + (timeout or 0) + margin
    elif timeout is not None:
        deadline = time.monotonic() + timeout + margin
    else:
        deadline = None
    return _call(sock_path, argv, flags, stdin, timeout_ms, deadline,
                 connect_timeout, what)


def ping(sock_path, timeout=2.0):
    """True if the agent answers within timeout seconds."""
    deadline = time.monotonic() + timeout
    try:
        r = _call(sock_path, [], 0, b"", 0, deadline, timeout,
                  f"agent {os.fspath(sock_path)}: ping")
    except AgentError:
        return False
    return r.status == 0
