# SPDX-License-Identifier: GPL-2.0
"""Where the lab finds its inputs and keeps its state."""

import os
import subprocess

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.path.join(TOP, "build")

# One lab per machine by default; VIGIL_LAB_NAME allows another beside it.
NAME = os.environ.get("VIGIL_LAB_NAME", "vigil-lab")
STATE = os.path.join(os.environ.get("VIGIL_LAB_RUN", "/run"), NAME)
NETNS = NAME


def kver():
    """The Debian kernel the lab boots: the one linux-headers-amd64 names."""
    v = os.environ.get("KVER")
    if v:
        return v
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "linux-headers-amd64"],
                         capture_output=True, text=True)
    dep = out.stdout.split(",")[0].split()[0] if out.returncode == 0 and out.stdout else ""
    if not dep.startswith("linux-headers-"):
        raise RuntimeError("linux-headers-amd64 is not installed: run 'make deps'")
    return dep[len("linux-headers-"):]


def kernel_dir(v):
    return os.path.join(BUILD, "lab", "kernel", v)


def node_dir(node):
    return os.path.join(STATE, node)
