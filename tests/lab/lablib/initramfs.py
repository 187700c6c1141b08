# SPDX-License-Identifier: GPL-2.0
"""Build the lab nodes' initramfs from the tree.

The image holds busybox, the kernel modules the lab needs (in modules.dep
order), vigil.ko, vigild, vigilctl, the guest agent, test binaries, a few
Debian tools (tc, kexec, stress-ng) and every shared library they link. It
is rebuilt only when one of its inputs changed: the stamp is a hash of
every input file's path, mode and content.
"""

import hashlib
import os
import shutil
import subprocess

from . import paths

# Kernel modules the guest loads at boot, by name; their dependencies are
# added from modules.dep and everything is loaded in dependency order.
GUEST_MODULES = [
    "virtio_pci", "virtio_net", "virtio_console", "virtio_blk",
    "sch_netem", "sch_ingress", "ifb", "act_mirred", "cls_u32",
    "bridge", "veth",
    # vigil.ko's own dependencies (UDP links).
    "udp_tunnel", "ip6_udp_tunnel",
]

# Debian binaries copied with their libraries: (path in guest, host path).
# dash is /bin/sh: busybox's own shell runs its applets in preference to
# any binary in PATH, which would silently replace iproute2's ip and tc
# (that the lab needs for 'nodad' and netem) with busybox's smaller ones.
HOST_BINARIES = [
    ("/bin/sh", "/bin/dash"),
    ("/sbin/ip", "/usr/bin/ip"),
    ("/usr/sbin/tc", "/usr/sbin/tc"),
    ("/usr/sbin/kexec", "/usr/sbin/kexec"),
    # Load for the benchmarks (tests/lab/bench/stress).
    ("/usr/bin/stress-ng", "/usr/bin/stress-ng"),
]

# The OCF resource agent the vigild scenarios run (Debian's
# resource-agents, installed by tools/deps.sh): Dummy and the shell
# library it sources. Skipped when not installed.
OCF_FILES = ["/usr/lib/ocf/resource.d/heartbeat/Dummy"] + [
    "/usr/lib/ocf/lib/heartbeat/" + name
    for name in ("ocf-shellfuncs", "ocf-binaries", "ocf-returncodes",
                 "ocf-directories", "ocf-rarun", "ocf-distro")]


class BuildError(Exception):
    pass


def _modules_dep(moddir):
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
    return deps


def _module_paths(moddir, names):
    """Return module paths (relative to moddir) in load order."""
    deps = _modules_dep(moddir)
    by_name = {}
    for path in deps:
        base = os.path.basename(path)
        for ext in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
            if base.endswith(ext):
                by_name[base[: -len(ext)].replace("-", "_")] = path
    order = []
    seen = set()

    def visit(path, stack):
        if path in seen:
            return
        if path in stack:
            raise BuildError("module dependency cycle at %s" % path)
        # modules.dep lists deps so that the last one must load first.
        for dep in reversed(deps.get(path, [])):
            visit(dep, stack | {path})
        seen.add(path)
        order.append(path)

    for name in names:
        path = by_name.get(name.replace("-", "_"))
        if path is None:
            raise BuildError("kernel module %s not found in %s" % (name, moddir))
        visit(path, frozenset())
    return order


def _ldd(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if out.returncode != 0:
        if "not a dynamic executable" in out.stdout + out.stderr:
            return []
        raise BuildError("ldd %s failed: %s" % (binary, out.stderr.strip()))
    libs = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if "=>" in line:
            target = line.split("=>", 1)[1].split("(")[0].strip()
            if target == "not":
                raise BuildError("%s: missing library: %s" % (binary, line))
            if target:
                libs.append(target)
        elif line.startswith("/"):
            libs.append(line.split()[0])
    return libs


def inputs(kver):
    """Every (guest path, host path) that goes into the image, and the
    directories/symlinks made up in the image itself."""
    kdir = paths.kernel_dir(kver)
    moddir = os.path.join(kdir, "modules")
    files = []

    files.append(("/bin/busybox", "/bin/busybox"))
    for rel in _module_paths(moddir, GUEST_MODULES):
        files.append(("/lib/modules/%s/%s" % (kver, rel), os.path.join(moddir, rel)))

    top = paths.TOP
    build = paths.BUILD
    files.append(("/lib/vigil/vigil.ko", os.path.join(top, "vigil.ko")))
    bins = [
        ("/usr/sbin/vigild", os.path.join(build, "vigild")),
        ("/usr/sbin/vigilctl", os.path.join(build, "vigilctl")),
        ("/usr/libexec/vigil/vigil-aws", os.path.join(build, "vigil-aws")),
        ("/usr/sbin/vigil-agent", os.path.join(build, "lab", "vigil-agent")),
        ("/usr/sbin/vigil-rogue", os.path.join(build, "lab", "vigil-rogue")),
        ("/usr/sbin/vigil-recorder", os.path.join(build, "lab", "vigil-recorder")),
    ]
    seldir = os.path.join(build, "selftests")
    if os.path.isdir(seldir):
        for name in sorted(os.listdir(seldir)):
            bins.append(("/usr/lib/vigil/selftests/" + name, os.path.join(seldir, name)))
    bins += HOST_BINARIES
    for guest, host in bins:
        if not os.path.exists(host):
            raise BuildError("%s is missing: run 'make lab-inputs' first" % host)
        files.append((guest, host))

    libs = set()
    for guest, host in bins:
        libs.update(_ldd(host))
    for lib in sorted(libs):
        files.append((lib, lib))

    if all(os.path.exists(f) for f in OCF_FILES):
        files += [(f, f) for f in OCF_FILES]

    guestdir = os.path.join(top, "tests", "lab", "guest")
    files.append(("/etc/inittab", os.path.join(guestdir, "inittab")))
    files.append(("/etc/lab/rc", os.path.join(guestdir, "rc")))
    return files


def _hash(files, extra):
    h = hashlib.sha256()
    h.update(extra.encode())
    for guest, host in files:
        st = os.stat(host)
        h.update(("%s\0%s\0%o\0" % (guest, host, st.st_mode & 0o7777)).encode())
        with open(host, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    # The builder itself is an input.
    with open(__file__, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def build(kver, out, log=print):
    """Build the image at `out` unless it is up to date. Returns True when
    it was (re)built."""
    files = inputs(kver)
    modorder = [g for g, _ in files if g.startswith("/lib/modules/")]
    digest = _hash(files, kver + "\n" + "\n".join(modorder))
    stamp = out + ".stamp"
    if os.path.exists(out) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == digest:
                return False

    log("lab: building initramfs (%d files)" % len(files))
    root = out + ".root"
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp",
              "run", "var/lib/vigil", "etc/vigil", "mnt", "root", "lib64"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for guest, host in files:
        dst = os.path.join(root, guest.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(host, dst, follow_symlinks=True)

    applets = subprocess.run(["/bin/busybox", "--list-full"], capture_output=True,
                             text=True, check=True).stdout.split()
    # No busybox applet may shadow a Debian binary of the same name
    # anywhere in PATH.
    shipped = {os.path.basename(g) for g, _ in HOST_BINARIES}
    for applet in applets:
        dst = os.path.join(root, applet)
        if os.path.lexists(dst) or os.path.basename(applet) in shipped:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.symlink("/bin/busybox", dst)
    os.symlink("/bin/busybox", os.path.join(root, "init"))

    with open(os.path.join(root, "etc/lab/modules"), "w") as f:
        for m in modorder:
            f.write(m + "\n")
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    with open(os.path.join(root, "etc/lab/kver"), "w") as f:
        f.write(kver + "\n")
    os.chmod(os.path.join(root, "etc/lab/rc"), 0o755)

    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        find = subprocess.Popen(["find", ".", "-print0"], cwd=root, stdout=subprocess.PIPE)
        cpio = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet",
                               "--owner=0:0"], cwd=root, stdin=find.stdout, stdout=f)
        find.stdout.close()
        if find.wait() != 0 or cpio.returncode != 0:
            raise BuildError("cpio failed")
    os.replace(tmp, out)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    shutil.rmtree(root, ignore_errors=True)
    return True
