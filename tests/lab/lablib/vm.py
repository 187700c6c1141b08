# SPDX-License-Identifier: GPL-2.0
"""Lab VMs: one QEMU (TCG) per node, run by a small supervisor process that
timestamps the serial console into console.log with the host's clock and
records how QEMU ended.

Per node, under the lab state directory (node_dir):
  config.json     id, memory, disks, kernel command line: what 'lab start'
                  boots again
  dump.img        the dump disk of a node booted with --kdump (kdump.py)
  supervisor.pid  the supervisor; qemu.pid: QEMU itself
  console.log     the serial console, each line prefixed by host time
  qmp.sock        QMP; agent.sock: the guest agent's virtio-serial port
  run-state       running | paused | suspended (absent: not running)
"""

import json
import os
import signal
import subprocess
import sys
import time

from . import net, paths

QEMU = "qemu-system-x86_64"


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def pid_alive(pid, marker=None):
    """True when `pid` exists and (if given) its command line holds
    `marker`: a stale pid file never makes us signal a stranger."""
    if not pid:
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # A zombie has an empty command line.
    if not cmd:
        return False
    return marker is None or marker.encode() in cmd


def qemu_pid(node):
    p = _read(os.path.join(paths.node_dir(node), "qemu.pid"))
    pid = int(p) if p else 0
    return pid if pid_alive(pid, "vigil.node=%s " % node) else 0


def supervisor_pid(node):
    p = _read(os.path.join(paths.node_dir(node), "supervisor.pid"))
    pid = int(p) if p else 0
    return pid if pid_alive(pid, "_supervise") else 0


def run_state(node):
    if not qemu_pid(node):
        return "off"
    return _read(os.path.join(paths.node_dir(node), "run-state")) or "running"


def set_run_state(node, state):
    _write(os.path.join(paths.node_dir(node), "run-state"), state + "\n")


def qemu_argv(node, cfg, kver):
    d = paths.node_dir(node)
    kdir = paths.kernel_dir(kver)
    nid = cfg["id"]
    append = " ".join([
        "console=ttyS0,115200", "loglevel=7", "panic=0", "rdinit=/init",
        "tsc=reliable", "no_timer_check", "printk.time=1",
        cfg.get("append", ""),
        # vigil.node= last, followed by a space: pid_alive() matches it.
        "vigil.id=%d" % nid, "vigil.node=%s " % node,
    ])
    argv = [
        QEMU, "-name", node, "-accel", "tcg", "-machine", "pc",
        "-m", str(cfg["mem"]), "-smp", "1",
        "-nodefaults", "-no-user-config", "-display", "none",
        "-kernel", os.path.join(kdir, "vmlinuz"),
        "-initrd", cfg["initrd"],
        "-append", append,
        "-serial", "stdio",
        "-rtc", "base=utc,clock=vm",
        "-qmp", "unix:%s,server=on,wait=off" % os.path.join(d, "qmp.sock"),
        "-device", "virtio-serial-pci,id=vser",
        "-chardev", "socket,id=agent,path=%s,server=on,wait=off" % os.path.join(d, "agent.sock"),
        "-device", "virtserialport,chardev=agent,name=vigil.agent",
    ]
    for link in net.LINKS:
        argv += ["-netdev", "tap,id=%s,ifname=%s,script=no,downscript=no" % (link, net.tap(node, link)),
                 "-device", "virtio-net-pci,netdev=%s,mac=%s" % (link, net.mac(nid, link))]
    disk = cfg.get("shared_disk")
    if disk:
        argv += ["-drive", "file=%s,if=none,id=shared,format=raw,cache=none,file.locking=off" % disk,
                 "-device", "virtio-blk-pci,drive=shared,share-rw=on,serial=shared"]
    kd = cfg.get("kdump")
    if kd:
        # After the shared disk, so that one stays /dev/vda.
        argv += ["-drive", "file=%s,if=none,id=kdump,format=raw,readonly=on" % kd["image"],
                 "-device", "virtio-blk-pci,drive=kdump,serial=kdump",
                 "-drive", "file=%s,if=none,id=dump,format=raw" % kd["dump"],
                 "-device", "virtio-blk-pci,drive=dump,serial=dump"]
    return argv


def supervise(node):
    """Body of the per-node supervisor (run detached by start())."""
    d = paths.node_dir(node)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    argv = ["nsenter", "--net=/run/netns/%s" % paths.NETNS, "--"] + qemu_argv(node, cfg, cfg["kver"])
    log = open(os.path.join(d, "console.log"), "ab", buffering=0)

    def stamp(text):
        t = time.time()
        return ("[%s.%03d] " % (time.strftime("%H:%M:%S", time.localtime(t)),
                                int(t * 1000) % 1000)).encode() + text

    log.write(stamp(b"lab: booting %s\n" % node.encode()))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    _write(os.path.join(d, "qemu.pid"), "%d\n" % proc.pid)
    set_run_state(node, "running")
    # nsenter execs QEMU, so proc.pid is QEMU's pid.
    signal.signal(signal.SIGTERM, lambda *_: proc.kill())
    pending = b""
    while True:
        chunk = proc.stdout.read1(65536)
        if not chunk:
            break
        pending += chunk.replace(b"\r", b"")
        *lines, pending = pending.split(b"\n")
        for line in lines:
            log.write(stamp(line + b"\n"))
    if pending:
        log.write(stamp(pending + b"\n"))
    rc = proc.wait()
    how = ("killed by signal %d" % -rc) if rc < 0 else ("exited with status %d" % rc)
    log.write(stamp(("lab: qemu %s\n" % how).encode()))
    for f in ("qemu.pid", "run-state"):
        try:
            os.unlink(os.path.join(d, f))
        except FileNotFoundError:
            pass


def start(node, cfg):
    d = paths.node_dir(node)
    os.makedirs(d, exist_ok=True)
    for f in ("agent.sock", "qmp.sock", "qemu.pid", "run-state"):
        try:
            os.unlink(os.path.join(d, f))
        except FileNotFoundError:
            pass
    _write(os.path.join(d, "config.json"), json.dumps(cfg, indent=1) + "\n")
    lab = os.path.join(paths.TOP, "tests", "lab", "lab")
    p = subprocess.Popen([sys.executable, lab, "_supervise", node, d + "/"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(d, "supervisor.err"), "ab"),
                         start_new_session=True, close_fds=True)
    _write(os.path.join(d, "supervisor.pid"), "%d\n" % p.pid)
    # Wait until QEMU runs (its pid file) and its sockets exist.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if qemu_pid(node) and os.path.exists(os.path.join(d, "agent.sock")) \
                and os.path.exists(os.path.join(d, "qmp.sock")):
            return
        if p.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("%s: QEMU did not start; see %s and %s" % (
        node, os.path.join(d, "console.log"), os.path.join(d, "supervisor.err")))


def kill(node, wait=10.0):
    """Power off at once (SIGKILL), as a power loss; returns when QEMU and
    its supervisor are gone."""
    pid = qemu_pid(node)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    sup = supervisor_pid(node)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and (qemu_pid(node) or supervisor_pid(node)):
        time.sleep(0.02)
    sup = supervisor_pid(node)
    if sup:
        os.kill(sup, signal.SIGKILL)
