#!/usr/bin/env python3
"""Root trees for the end-to-end tests.

`rootfs.py --build CACHE` makes CACHE/base.tar once: a Debian 12 (bookworm) minbase tree made by
mmdebstrap. With --workstation it also makes CACHE/workstation.tar: the same plus what the
workstation recipe's steps and probes use on a real machine and a minbase tree lacks (a compiler and
make, libfreeimage-dev for the cuDNN sample, systemd for systemctl, initramfs-tools, kmod). Each is
rebuilt only when missing or older than this script. The library functions give each test a fresh
copy of one:

    tree = new_tree(tmpdir)            # extract base.tar into tmpdir/root-XXXX
    tree = new_tree(tmpdir, variant="workstation")    # workstation.tar
    make_ubuntu_like(tree, "22.04")     # os-release and apt sources of a fresh Ubuntu
    with chroot_mounts(tree): ...      # proc, sys, dev, dev/pts mounted for apt/dpkg in a chroot
    remove_tree(tree)                  # unmount what is still mounted below it, then delete

Must run as root (tar keeps owners and device nodes; chroot and mount need it).
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("AIPROV_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
REAL_FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "real")

SUITE = "bookworm"
# minbase already has apt and the Priority: required set (passwd, login); the rest is what the
# steps and the tests use inside the tree.
INCLUDE = ["ca-certificates", "passwd", "login", "apt", "gpgv"]
# workstation.tar: INCLUDE and these (tests/e2e/test_workstation.py).
WORKSTATION_INCLUDE = ["build-essential", "libfreeimage-dev", "systemd", "initramfs-tools", "kmod"]
VARIANTS = {"base": INCLUDE, "workstation": INCLUDE + WORKSTATION_INCLUDE}
BUILD_TIMEOUT_S = 1200


def cache_dir():
    """The cache named by AIPROV_E2E_CACHE, else tests/e2e/.cache (ignored by git)."""
    return os.environ.get("AIPROV_E2E_CACHE") or os.path.join(HERE, ".cache")


def tarball_path(cache=None, variant="base"):
    if variant not in VARIANTS:
        raise ValueError(f"unknown tree variant {variant!r}")
    return os.path.join(cache or cache_dir(), variant + ".tar")


def is_fresh(tar):
    """True when tar exists and is newer than this script (so an edited INCLUDE rebuilds it)."""
    return os.path.exists(tar) and os.path.getmtime(tar) >= os.path.getmtime(os.path.abspath(__file__))


def build(cache, variant="base"):
    """Make cache/<variant>.tar with mmdebstrap unless a fresh one is there. Returns its path."""
    os.makedirs(cache, exist_ok=True)
    tar = tarball_path(cache, variant)
    if is_fresh(tar):
        print(f"rootfs: reusing {tar}")
        return tar
    partial = tar + ".partial.tar"
    if os.path.exists(partial):
        os.unlink(partial)
    cmd = ["mmdebstrap", "--variant=minbase", "--include=" + ",".join(VARIANTS[variant]),
           "--mode=root", "--format=tar", SUITE, partial]
    print("rootfs: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, timeout=BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL)
    os.replace(partial, tar)
    print(f"rootfs: built {tar} ({os.path.getsize(tar)} bytes)")
    return tar


def new_tree(tmpdir, cache=None, variant="base"):
    """Extract a cached tree (base.tar, or workstation.tar) into a fresh directory under tmpdir and
    return its path."""
    tar = tarball_path(cache, variant)
    if not os.path.exists(tar):
        flag = "" if variant == "base" else " --" + variant
        raise RuntimeError(f"{tar} missing: run `rootfs.py --build {cache or cache_dir()}{flag}` first")
    tree = tempfile.mkdtemp(prefix="root-", dir=tmpdir)
    os.chmod(tree, 0o755)
    subprocess.run(["tar", "-C", tree, "--numeric-owner", "-xpf", tar], check=True, timeout=300)
    return tree


UBUNTU_OS_RELEASE = {
    "22.04": (
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\n'
        'NAME="Ubuntu"\n'
        'VERSION_ID="22.04"\n'
        'VERSION="22.04.4 LTS (Jammy Jellyfish)"\n'
        "VERSION_CODENAME=jammy\n"
        "ID=ubuntu\n"
        "ID_LIKE=debian\n"
        'HOME_URL="https://www.ubuntu.com/"\n'
        'SUPPORT_URL="https://help.ubuntu.com/"\n'
        'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n'
        'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\n'
        "UBUNTU_CODENAME=jammy\n"),
    "24.04": (
        'PRETTY_NAME="Ubuntu 24.04.1 LTS"\n'
        'NAME="Ubuntu"\n'
        'VERSION_ID="24.04"\n'
        'VERSION="24.04.1 LTS (Noble Numbat)"\n'
        "VERSION_CODENAME=noble\n"
        "ID=ubuntu\n"
        "ID_LIKE=debian\n"
        'HOME_URL="https://www.ubuntu.com/"\n'
        'SUPPORT_URL="https://help.ubuntu.com/"\n'
        'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n'
        'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\n'
        "UBUNTU_CODENAME=noble\n"
        "LOGO=ubuntu-logo\n"),
}
CODENAMES = {"22.04": "jammy", "24.04": "noble"}


def _write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def _real_fixture(name):
    with open(os.path.join(REAL_FIXTURES, name), "rb") as f:
        return f.read()


def make_ubuntu_like(tree, release="22.04"):
    """Give the tree the os-release and the apt sources of a fresh Ubuntu `release`.

    22.04: the one-line etc/apt/sources.list of the ubuntu:22.04 image; 24.04: the 4-line stub
    sources.list plus the deb822 etc/apt/sources.list.d/ubuntu.sources. Debian's own sources are
    removed. The packages stay Debian's: only what aiprov reads and edits changes.
    """
    if release not in UBUNTU_OS_RELEASE:
        raise ValueError(f"unknown release {release!r}")
    os_release = os.path.join(tree, "usr/lib/os-release")
    etc_os_release = os.path.join(tree, "etc/os-release")
    if os.path.islink(etc_os_release) or os.path.exists(etc_os_release):
        os.unlink(etc_os_release)
    _write(os_release, UBUNTU_OS_RELEASE[release])
    os.symlink("../usr/lib/os-release", etc_os_release)
    _write(os.path.join(tree, "etc/lsb-release"),
           "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=%s\nDISTRIB_CODENAME=%s\n"
           'DISTRIB_DESCRIPTION="%s"\n' % (release, CODENAMES[release],
                                           UBUNTU_OS_RELEASE[release].split('"')[1]))
    sources_d = os.path.join(tree, "etc/apt/sources.list.d")
    os.makedirs(sources_d, exist_ok=True)
    for name in os.listdir(sources_d):
        if name.endswith(".sources") or name.endswith(".list"):
            os.unlink(os.path.join(sources_d, name))
    if release == "22.04":
        _write(os.path.join(tree, "etc/apt/sources.list"), _real_fixture("ubuntu-22.04-sources.list"))
    else:
        _write(os.path.join(tree, "etc/apt/sources.list"), _real_fixture("ubuntu-24.04-sources.list"))
        _write(os.path.join(sources_d, "ubuntu.sources"), _real_fixture("ubuntu-24.04-ubuntu.sources"))
    return tree


def mounts_under(path):
    """Mount points at or below path, deepest first (from /proc/mounts, octal escapes decoded)."""
    real = os.path.realpath(path)
    found = []
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2:
                continue
            mnt = fields[1].encode().decode("unicode_escape")
            if mnt == real or mnt.startswith(real.rstrip("/") + "/"):
                found.append(mnt)
    return sorted(set(found), key=len, reverse=True)


def unmount_all(path, tries=5):
    """Unmount everything mounted at or below path (lazily if busy). Raises if some stay."""
    for _ in range(tries):
        mnts = mounts_under(path)
        if not mnts:
            return
        for m in mnts:
            if subprocess.run(["umount", m], stderr=subprocess.DEVNULL).returncode != 0:
                subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
    left = mounts_under(path)
    if left:
        raise RuntimeError(f"still mounted under {path}: {left}")


def remove_tree(tree):
    """Unmount what aiprov or a test left mounted under tree, then delete it without crossing
    into any mount (refuses if something is still mounted)."""
    if not os.path.lexists(tree):
        return
    unmount_all(tree)
    # one_file_system: rm never descends into a mount it did not see.
    subprocess.run(["rm", "-rf", "--one-file-system", "--", tree], check=True, timeout=300)


CHROOT_MOUNTS = [("proc", "proc", "proc", []), ("sysfs", "sys", "sysfs", []),
                 ("/dev", "dev", None, ["--bind"]), ("devpts", "dev/pts", "devpts",
                                                     ["-o", "newinstance,ptmxmode=0666"])]


@contextlib.contextmanager
def chroot_mounts(tree):
    """Mount proc, sys, dev (bind) and a private dev/pts inside tree; unmount them on exit."""
    done = []
    try:
        for src, rel, fstype, opts in CHROOT_MOUNTS:
            target = os.path.join(tree, rel)
            os.makedirs(target, exist_ok=True)
            cmd = ["mount"] + opts + (["-t", fstype] if fstype else []) + [src, target]
            subprocess.run(cmd, check=True, timeout=30)
            done.append(target)
        yield tree
    finally:
        for target in reversed(done):
            if subprocess.run(["umount", target], stderr=subprocess.DEVNULL).returncode != 0:
                subprocess.run(["umount", "-l", target], stderr=subprocess.DEVNULL)


def chroot_run(tree, argv, timeout=300, env=None, check=False):
    """Run argv inside tree with chroot; returns CompletedProcess with text output."""
    full_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8",
                "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"}
    full_env.update(env or {})
    return subprocess.run(["chroot", tree] + list(argv), capture_output=True, text=True,
                          timeout=timeout, env=full_env, stdin=subprocess.DEVNULL, check=check)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", metavar="CACHE", required=True,
                        help="make CACHE/base.tar unless a fresh one is there")
    parser.add_argument("--workstation", action="store_true",
                        help="also make CACHE/workstation.tar (base + " + " ".join(WORKSTATION_INCLUDE) + ")")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("rootfs: must run as root", file=sys.stderr)
        return 1
    build(args.build)
    if args.workstation:
        build(args.build, "workstation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
