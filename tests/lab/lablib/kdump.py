# SPDX-License-Identifier: GPL-2.0
"""kdump in the lab: a crash kernel for nodes booted with 'lab up --kdump'.

A kdump node gets two more virtio disks:

  kdump  read-only, shared by every kdump node: a tar of the lab kernel
         (vmlinuz), the capture initramfs (capture.cpio) and the kexec
         command line (cmdline); 'lab kdump NODE' extracts it in the node
         and loads the crash kernel with 'kexec -p'
  dump   per node (<node dir>/dump.img, sparse), written by the capture
         kernel: the flattened output of 'makedumpfile -F -d 31
         /proc/vmcore'; 'lab vmcore NODE FILE' turns it back into a
         kdump-compressed file on the host (makedumpfile -R), 'lab vmcore
         --dmesg NODE' prints the kernel log it holds (--dump-dmesg)

The capture initramfs is small on purpose (the crash kernel lives in the
crashkernel= reservation): static busybox, makedumpfile and its
libraries, the virtio block modules, and tests/lab/guest/kdump-init as
/init. It is rebuilt only when one of its inputs changed.
"""

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile

from . import initramfs, paths

# What a kdump node boots with (at least this much memory; appended to
# its kernel command line).
MIN_MEM = 768
CRASHKERNEL = "crashkernel=256M"
DUMP_DISK_MIB = 1024

# The capture kernel's command line. One CPU, devices reset, panic=1 so a
# capture kernel that fails comes back as a normal boot, lab.capture=1 so
# a look at /proc/cmdline tells which kernel runs.
CAPTURE_APPEND = " ".join([
    "console=ttyS0,115200", "loglevel=7", "rdinit=/init", "panic=1",
    "irqpoll", "nr_cpus=1", "maxcpus=1", "reset_devices", "tsc=reliable",
    "no_timer_check", "printk.time=1", "lab.capture=1",
])

CAPTURE_MODULES = ["virtio_pci", "virtio_blk"]
CAPTURE_BINARIES = [("/usr/bin/makedumpfile", "/usr/bin/makedumpfile")]

# The guest side of 'lab kdump NODE': find the kdump disk by its serial,
# unpack it, load the crash kernel, and check that the kernel has it.
LOAD_SCRIPT = r"""
set -e
dev=
for s in /sys/block/vd*; do
	[ "$(cat "$s/serial" 2>/dev/null)" = kdump ] && dev=/dev/${s##*/}
done
[ -n "$dev" ] || { echo "no kdump disk (boot the node with 'lab up --kdump')" >&2; exit 1; }
grep -q crashkernel= /proc/cmdline || { echo "no crashkernel= on the kernel command line" >&2; exit 1; }
rm -rf /run/lab/kdump
mkdir -p /run/lab/kdump
tar -xf "$dev" -C /run/lab/kdump
kexec -p /run/lab/kdump/vmlinuz --initrd=/run/lab/kdump/capture.cpio \
	--append="$(cat /run/lab/kdump/cmdline)"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || { echo "kexec -p ran but no crash kernel is loaded" >&2; exit 1; }
echo "crash kernel loaded"
"""


def kdump_dir():
    return os.path.join(paths.BUILD, "lab", "kdump")


def _capture_inputs(kver):
    kdir = paths.kernel_dir(kver)
    moddir = os.path.join(kdir, "modules")
    files = [("/bin/busybox", "/bin/busybox"),
             ("/init", os.path.join(paths.TOP, "tests", "lab", "guest", "kdump-init"))]
    for rel in initramfs._module_paths(moddir, CAPTURE_MODULES):
        files.append(("/lib/modules/%s/%s" % (kver, rel), os.path.join(moddir, rel)))
    libs = set()
    for guest, host in CAPTURE_BINARIES:
        if not os.path.exists(host):
            raise initramfs.BuildError("%s is missing: run 'make deps' (makedumpfile)" % host)
        files.append((guest, host))
        libs.update(initramfs._ldd(host))
    for lib in sorted(libs):
        files.append((lib, lib))
    return files


def _digest(kver, files):
    h = hashlib.sha256()
    h.update((kver + "\n" + CAPTURE_APPEND + "\n").encode())
    for guest, host in files + [("vmlinuz", os.path.join(paths.kernel_dir(kver), "vmlinuz"))]:
        st = os.stat(host)
        h.update(("%s\0%s\0%o\0" % (guest, host, st.st_mode & 0o7777)).encode())
        with open(host, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    with open(__file__, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def build(kver, log=print):
    """Build build/lab/kdump/kdump.tar (the kdump disk) unless it is up to
    date; return its path."""
    out = os.path.join(kdump_dir(), "kdump.tar")
    files = _capture_inputs(kver)
    digest = _digest(kver, files)
    stamp = out + ".stamp"
    if os.path.exists(out) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == digest:
                return out

    log("lab: building the kdump disk (capture initramfs, %d files)" % len(files))
    os.makedirs(kdump_dir(), exist_ok=True)
    root = os.path.join(kdump_dir(), "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "lib64"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for guest, host in files:
        dst = os.path.join(root, guest.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(host, dst, follow_symlinks=True)
    os.chmod(os.path.join(root, "init"), 0o755)
    for applet in ("sh", "mount", "insmod", "cat", "echo", "sync", "reboot", "sleep",
                   "tail", "ls", "dd", "mkdir"):
        os.symlink("/bin/busybox", os.path.join(root, "bin", applet))
    with open(os.path.join(root, "modules"), "w") as f:
        for guest, _ in files:
            if guest.startswith("/lib/modules/"):
                f.write(guest + "\n")

    cpio = os.path.join(kdump_dir(), "capture.cpio")
    with open(cpio + ".tmp", "wb") as f:
        find = subprocess.Popen(["find", ".", "-print0"], cwd=root, stdout=subprocess.PIPE)
        r = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet", "--owner=0:0"],
                           cwd=root, stdin=find.stdout, stdout=f)
        find.stdout.close()
        if find.wait() != 0 or r.returncode != 0:
            raise initramfs.BuildError("cpio of the capture initramfs failed")
    os.replace(cpio + ".tmp", cpio)
    shutil.rmtree(root, ignore_errors=True)

    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.USTAR_FORMAT) as t:
        t.add(os.path.join(paths.kernel_dir(kver), "vmlinuz"), "vmlinuz")
        t.add(cpio, "capture.cpio")
        data = (CAPTURE_APPEND + "\n").encode()
        ti = tarfile.TarInfo("cmdline")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    # A whole number of 512-byte sectors for the virtio disk.
    size = os.path.getsize(tmp)
    if size % 512:
        with open(tmp, "ab") as f:
            f.write(b"\0" * (512 - size % 512))
    os.replace(tmp, out)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return out


def dump_disk(node):
    return os.path.join(paths.node_dir(node), "dump.img")


def new_dump_disk(node):
    path = dump_disk(node)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(DUMP_DISK_MIB * 1024 * 1024)
    return path


def restore(node, out):
    """Turn NODE's dump disk into a kdump-compressed file OUT (makedumpfile
    -R). Raises RuntimeError when the disk holds no dump."""
    path = dump_disk(node)
    if not os.path.exists(path):
        raise RuntimeError("%s has no dump disk (boot it with 'lab up --kdump')" % node)
    with open(path, "rb") as f:
        head = f.read(16)
    if not head.startswith(b"makedumpfile"):
        raise RuntimeError("%s: the dump disk holds no dump (the capture kernel did not write one)"
                           % node)
    with open(path, "rb") as f:
        r = subprocess.run(["makedumpfile", "-R", out], stdin=f, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("makedumpfile -R %s failed: %s" % (out, (r.stdout + r.stderr).strip()))


def dmesg(node):
    """The kernel log in NODE's dump (makedumpfile --dump-dmesg), as bytes."""
    with tempfile.TemporaryDirectory(prefix="lab-vmcore-") as d:
        core = os.path.join(d, "vmcore")
        restore(node, core)
        out = os.path.join(d, "dmesg")
        r = subprocess.run(["makedumpfile", "--dump-dmesg", core, out], capture_output=True,
                           text=True)
        if r.returncode != 0 or not os.path.exists(out):
            raise RuntimeError("makedumpfile --dump-dmesg failed: %s"
                               % (r.stdout + r.stderr).strip())
        with open(out, "rb") as f:
            return f.read()
