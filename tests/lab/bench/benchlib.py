# SPDX-License-Identifier: GPL-2.0
"""What the benchmarks in this directory share: driving the lab CLI and
configuring a vigil cluster in it (the same layout as scenarios/lib.sh's
'configure')."""

import json
import os
import subprocess
import time

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(TOP, "tests", "lab", "lab")


def lab(*args, check=True, timeout=300):
    r = subprocess.run([LAB] + list(args), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("lab %s: %s" % (" ".join(args)[:200], r.stderr.strip()))
    return r.stdout


def on(node, cmd, timeout=60):
    """Run a shell command in a node; its stdout."""
    return lab("exec", "-t", str(timeout), node, cmd, timeout=timeout + 30)


def set_config_args(self_id, n, transport, timeout_ms, cluster=4242):
    """vigilctl set-config arguments for node self_id of an n-node cluster
    n1..nN on links a and b (l2: unicast MACs; udp4/udp6: ports 5405/5406)."""
    args = ["--cluster", str(cluster), "--node", str(self_id), "--timeout", str(timeout_ms),
            "--key", "1:/run/vigil/key"]
    if transport == "l2":
        args += ["--link", "0:a:l2:a", "--link", "1:b:l2:b"]
    else:
        args += ["--link", "0:a:%s:a:5405" % transport, "--link", "1:b:%s:b:5406" % transport]
    for i in range(1, n + 1):
        args += ["--member", "%d:n%d" % (i, i)]
        if i == self_id:
            continue
        if transport == "l2":
            args += ["--addr", "%d:0:52:54:00:01:00:%02x" % (i, i),
                     "--addr", "%d:1:52:54:00:02:00:%02x" % (i, i)]
        elif transport == "udp4":
            args += ["--addr", "%d:0:169.254.1.%d:5405" % (i, i),
                     "--addr", "%d:1:169.254.2.%d:5406" % (i, i)]
        else:
            args += ["--addr", "%d:0:[fe80::%x]:5405" % (i, i),
                     "--addr", "%d:1:[fe80::%x]:5406" % (i, i)]
    return args


def configure(node, n, transport, timeout_ms, key):
    args = set_config_args(int(node[1:]), n, transport, timeout_ms)
    on(node, "mkdir -p /run/vigil && echo %s > /run/vigil/key && vigilctl set-config %s"
       % (key, " ".join(args)))


def status(node, netns=None):
    pre = "ip netns exec %s " % netns if netns else ""
    return json.loads(on(node, pre + "vigilctl status -j"))


def all_up(nodes):
    for node in nodes:
        d = status(node)
        if not d.get("quorate") or any(p["state"] != "up" for p in d["peers"]):
            return False
    return True


def wait(cond, limit, what):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if cond():
                return
        except (RuntimeError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("timed out waiting for " + what)


def pct(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]
