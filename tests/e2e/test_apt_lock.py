"""apt_packages while another process holds dpkg's frontend lock inside the tree, the way
unattended-upgrades does after boot: aiprov waits, says who holds the lock, and installs once it
is released; with --apt-lock-timeout it gives up naming the holder. The holder is python run
through a symlink named unattended-upgrades, so that its /proc/PID/comm reads "unattended-upgr"
like the real one's. Needs root, the cached base tree and AIPROV_BIN."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

import archive
import httpd
import rootfs
from aiprov import (dpkg_status, finish, reap, read_text, recipe, requires_binary, requires_tree, run, start,
                    wait_for)

LOCK = "var/lib/dpkg/lock-frontend"
# Takes a POSIX record lock (fcntl F_SETLK, as apt does), says so, holds it until stdin closes.
HOLDER = """\
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.read()
"""


def installed(tree, package):
    return dpkg_status(tree).get(package, ("", ""))[0] == "install ok installed"


def stderr_so_far(proc):
    """What a start()ed aiprov wrote to stderr until now (pread: its file offset stays put)."""
    fd = proc.err_file.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")


@requires_binary
@requires_tree
class DpkgLockTest(unittest.TestCase):
    """One tree with a configured, updated repository for the class; each test its own package."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="aiprov-e2e-aptlock-")
        cls.key = archive.SigningKey(cls.tmp)
        repo = archive.Archive(os.path.join(cls.tmp, "www"), "ubuntu", cls.key)
        for name in ("aiprov-lock-a", "aiprov-lock-b"):
            repo.add("jammy", "main", archive.Package(
                name, "1.0", files={f"/usr/share/{name}/ok": "installed\n"}))
        repo.build(["jammy"], ["main"])
        vendor = archive.FlatArchive(os.path.join(repo.root, "vendor"), cls.key)
        vendor.add(archive.Package("aiprov-lock-vendor", "1.0",
                                   files={"/usr/share/aiprov-lock-vendor/ok": "installed\n"}))
        vendor.build()
        cls.server = httpd.Server(repo.root)
        cls.server.start()
        cls.tree = t = rootfs.new_tree(cls.tmp)
        rootfs.make_ubuntu_like(t, "22.04")
        with open(os.path.join(t, "etc/apt/sources.list"), "w") as f:
            f.write(f"deb {cls.server.url('/ubuntu/')} jammy main\n")
        archive.install_key(t, cls.key, "ubuntu-keyring-2018-archive", trusted_d=True)
        with rootfs.chroot_mounts(t):
            r = rootfs.chroot_run(t, ["apt-get", "-q", "update"])
        if r.returncode != 0:
            raise RuntimeError("apt-get update in the tree failed:\n" + r.stdout + r.stderr)
        cls.holder_exe = {}
        for name in ("unattended-upgrades", "apt-get"):  # python, named as the real lock holders
            cls.holder_exe[name] = os.path.join(cls.tmp, name)
            os.symlink(os.path.realpath(sys.executable), cls.holder_exe[name])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.key.close()
        rootfs.remove_tree(cls.tree)
        subprocess.run(["rm", "-rf", "--one-file-system", cls.tmp])

    def hold_lock(self, lock=LOCK, name="unattended-upgrades"):
        """Starts the holder and returns it once it holds the lock; released at cleanup anyway."""
        argv = [self.holder_exe[name], "-c", HOLDER, os.path.join(self.tree, lock)]
        holder = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.release, holder)
        self.assertEqual(holder.stdout.readline().strip(), "locked")
        with open(f"/proc/{holder.pid}/comm") as f:
            self.assertEqual(f.read().strip(), name[:15])
        return holder

    @staticmethod
    def release(holder):
        if holder.poll() is None:
            holder.stdin.close()
            try:
                holder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait(timeout=30)
        holder.stdout.close()

    def apply_args(self, package):
        return ["apply", recipe("apt-lock.yaml"), "--root", self.tree, "--yes",
                "--var", f"package={package}"]

    def test_waits_for_the_holder_then_installs(self):
        package = "aiprov-lock-a"
        holder = self.hold_lock()
        self.wait_then_install(holder, "unattended-upgr", package, self.apply_args(package))

    def test_apt_update_after_a_sources_change_waits_for_the_lists_lock(self):
        # apt-daily's `apt-get update` holds /var/lib/apt/lists/lock; the update the engine runs
        # after the repository step needs that lock.
        package = "aiprov-lock-vendor"
        holder = self.hold_lock("var/lib/apt/lists/lock", "apt-get")
        args = ["apply", recipe("apt-lock-lists.yaml"), "--root", self.tree, "--yes",
                "--var", f"vendor={self.server.url('/vendor/')}"]
        self.wait_then_install(holder, "apt-get", package, args)

    def wait_then_install(self, holder, name, package, args):
        """aiprov waits while `holder` holds its lock, names it, installs once it is released."""
        proc = start(*args)
        self.addCleanup(reap, proc)
        who = f"{name} (pid {holder.pid})"
        wait_for(lambda: who in stderr_so_far(proc) or proc.poll() is not None,
                 "aiprov to say who holds the lock")
        time.sleep(3)
        self.assertIsNone(proc.poll(), "aiprov ended while the lock was held:" +
                          (finish(proc).describe() if proc.poll() is not None else ""))
        self.assertIn(who, stderr_so_far(proc))
        self.assertFalse(installed(self.tree, package))
        self.release(holder)
        result = finish(proc, timeout=300)
        if result.rc != 0:
            self.fail("expected rc 0" + result.describe())
        self.assertTrue(installed(self.tree, package))
        self.assertEqual(read_text(self.tree, f"/usr/share/{package}/ok"), "installed\n")
        self.assertEqual(rootfs.mounts_under(self.tree), [])

    def test_gives_up_after_the_lock_timeout_naming_the_holder(self):
        package = "aiprov-lock-b"
        holder = self.hold_lock()
        r = run(*self.apply_args(package), "--apt-lock-timeout", "2", timeout=120)
        if r.rc != 1:
            self.fail("expected rc 1" + r.describe())
        out = r.stdout + r.stderr
        self.assertIn(f"unattended-upgr (pid {holder.pid})", out)
        self.assertIn("/var/lib/dpkg/lock-frontend", out)
        self.assertIn("--apt-lock-timeout", out)
        self.assertIsNone(holder.poll(), "the holder was left alone")
        self.assertFalse(installed(self.tree, package))
        self.assertEqual(rootfs.mounts_under(self.tree), [])


if __name__ == "__main__":
    unittest.main()
