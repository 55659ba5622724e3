"""Harness for running the real aiprov binary against root trees.

    r = run("apply", recipe, "--root", tree, "--yes")
    check_rc(r, 0)          # AssertionError with argv, rc, stdout and stderr tail
    proc = start("apply", recipe, "--root", tree, "--yes")   # background Popen

AIPROV_BIN names the binary (CTest sets it to the built target). Test classes that need it use
@requires_binary. TreeTestCase gives each test a temp dir and fresh trees, removed (mounts first)
at the end; it also has helpers to read files, modes and owners inside a tree.
"""

import glob
import json
import os
import signal
import stat
import subprocess
import tempfile
import time
import unittest

import rootfs

HERE = os.path.dirname(os.path.abspath(__file__))
RECIPES = os.path.join(HERE, "recipes")
DEFAULT_TIMEOUT_S = 600
POLL_S = 0.1
POLL_LIMIT = 600  # polls, i.e. at most about a minute of waiting for a condition


def binary():
    return os.environ.get("AIPROV_BIN", "")


def have_binary():
    b = binary()
    return bool(b) and os.path.isfile(b) and os.access(b, os.X_OK)


requires_binary = unittest.skipUnless(have_binary(),
                                      "AIPROV_BIN is not set to an executable aiprov binary")
requires_tree = unittest.skipUnless(os.path.exists(rootfs.tarball_path()),
                                    "no base tree: run `rootfs.py --build CACHE` (CTest fixture "
                                    "e2e_tree) and set AIPROV_E2E_CACHE")


class Result:
    def __init__(self, argv, rc, stdout, stderr):
        self.argv, self.rc, self.stdout, self.stderr = argv, rc, stdout, stderr

    def json(self):
        return json.loads(self.stdout)

    def describe(self, tail=4000):
        return (f"\n$ {' '.join(self.argv)}\nrc={self.rc}\n--- stdout ---\n{self.stdout[-tail:]}"
                f"\n--- stderr ---\n{self.stderr[-tail:]}")


def _env(extra):
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    env.update(extra or {})
    return env


def run(*args, timeout=DEFAULT_TIMEOUT_S, env=None, input=None):
    """Runs aiprov with args and returns its Result (the process is killed after `timeout`)."""
    argv = [binary()] + [str(a) for a in args]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=_env(env),
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"aiprov timed out after {timeout}s: {' '.join(argv)}\n"
                             f"stdout: {e.stdout}\nstderr: {e.stderr}") from None
    return Result(argv, p.returncode, p.stdout, p.stderr)


def start(*args, env=None):
    """Starts aiprov in the background in its own process group. Its output goes to temporary
    files (a pipe nobody reads would block it once full); finish() collects them."""
    argv = [binary()] + [str(a) for a in args]
    out = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    err = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    p = subprocess.Popen(argv, stdout=out, stderr=err, env=_env(env), stdin=subprocess.DEVNULL,
                         start_new_session=True)
    p.argv, p.out_file, p.err_file = argv, out, err
    return p


def _collect(proc):
    texts = []
    for f in (proc.out_file, proc.err_file):
        f.seek(0)
        texts.append(f.read())
        f.close()
    return texts


def finish(proc, timeout=DEFAULT_TIMEOUT_S):
    """Waits for a start()ed process and returns its Result (kills its group after `timeout`)."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        out, err = _collect(proc)
        raise AssertionError(f"aiprov timed out after {timeout}s: {' '.join(proc.argv)}\n"
                             f"stdout: {out}\nstderr: {err}")
    out, err = _collect(proc)
    return Result(proc.argv, proc.returncode, out, err)


def reap(proc):
    """Kills a start()ed process's group if it still runs and closes its output files; for
    addCleanup(reap, proc), so no test leaves a process behind."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    if not proc.out_file.closed:
        finish(proc)


def check_rc(result, *expected):
    if result.rc not in expected:
        raise AssertionError(f"expected rc in {expected}" + result.describe())
    return result


def recipe(name):
    return os.path.join(RECIPES, name)


def wait_for(condition, what):
    """Polls condition() (bounded); fails the test naming `what` if it never holds."""
    for _ in range(POLL_LIMIT):
        value = condition()
        if value:
            return value
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


# --- inside a tree ----------------------------------------------------------------------------

def in_tree(tree, path):
    return os.path.join(tree, path.lstrip("/"))


def read_text(tree, path):
    with open(in_tree(tree, path), encoding="utf-8") as f:
        return f.read()


def dpkg_status(tree):
    """package -> (Status, Version) from the tree's /var/lib/dpkg/status."""
    packages = {}
    for stanza in read_text(tree, "/var/lib/dpkg/status").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines()
                      if ": " in line and not line.startswith(" "))
        if "Package" in fields:
            packages[fields["Package"]] = (fields.get("Status", ""), fields.get("Version", ""))
    return packages


def last_run(tree):
    """The newest run journal in the tree, parsed."""
    runs = sorted(glob.glob(os.path.join(tree, "var/lib/aiprov/runs/*.json")), key=os.path.getmtime)
    with open(runs[-1]) as f:
        return json.load(f)


def read_bytes(tree, path):
    with open(in_tree(tree, path), "rb") as f:
        return f.read()


def file_mode(tree, path):
    """Permission bits including setuid/setgid/sticky (e.g. 0o2770)."""
    return stat.S_IMODE(os.lstat(in_tree(tree, path)).st_mode)


def _db(tree, name):
    entries = {}
    for line in read_text(tree, "/etc/" + name).splitlines():
        if line and not line.startswith("#"):
            fields = line.split(":")
            entries[fields[0]] = fields
    return entries


def group_entry(tree, name):
    """(gid, [members]) of group `name` in tree/etc/group, or None."""
    fields = _db(tree, "group").get(name)
    if fields is None:
        return None
    return int(fields[2]), [m for m in fields[3].split(",") if m]


def user_entry(tree, name):
    """(uid, gid, home, shell) of user `name` in tree/etc/passwd, or None."""
    fields = _db(tree, "passwd").get(name)
    if fields is None:
        return None
    return int(fields[2]), int(fields[3]), fields[5], fields[6]


def owner_names(tree, path):
    """(user, group) names of a file inside the tree, looked up in the tree's passwd/group."""
    st = os.lstat(in_tree(tree, path))
    users = {int(f[2]): n for n, f in _db(tree, "passwd").items()}
    groups = {int(f[2]): n for n, f in _db(tree, "group").items()}
    return users.get(st.st_uid, str(st.st_uid)), groups.get(st.st_gid, str(st.st_gid))


def find_temp_files(tree, marker=".aiprov-"):
    """Paths below tree (not crossing mounts) whose name contains marker."""
    found = []
    dev = os.lstat(tree).st_dev
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = [d for d in dirnames
                       if os.lstat(os.path.join(dirpath, d)).st_dev == dev]
        found += [os.path.join(dirpath, n) for n in filenames + dirnames if marker in n]
    return found


def add_users(tree, *names):
    """useradd --create-home inside the tree (chroot)."""
    for name in names:
        r = rootfs.chroot_run(tree, ["useradd", "--create-home", "--shell", "/bin/bash", name])
        if r.returncode != 0:
            raise AssertionError(f"useradd {name}: {r.stderr}")


def stat_key(tree, path):
    """What changes when a file is rewritten or its metadata changed (inode, mtime, mode, owner)."""
    st = os.lstat(in_tree(tree, path))
    return (st.st_ino, st.st_mtime_ns, st.st_mode, st.st_uid, st.st_gid)


class TreeTestCase(unittest.TestCase):
    """Each test gets self.tmp; trees made with self.new_tree() are removed after the test."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="aiprov-e2e-")
        self.addCleanup(self._cleanup_tmp)

    def _cleanup_tmp(self):
        rootfs.unmount_all(self.tmp)
        subprocess.run(["rm", "-rf", "--one-file-system", "--", self.tmp], timeout=300)

    def new_tree(self, ubuntu=None):
        tree = rootfs.new_tree(self.tmp)
        if ubuntu:
            rootfs.make_ubuntu_like(tree, ubuntu)
        self.addCleanup(rootfs.remove_tree, tree)
        return tree

    def write_recipe(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def copy_recipe(self, name, **subst):
        """Copies tests/e2e/recipes/<name> into self.tmp, replacing @KEY@ with subst values."""
        with open(recipe(name)) as f:
            text = f.read()
        for k, v in subst.items():
            text = text.replace(f"@{k}@", str(v))
        return self.write_recipe(name, text)

    def assertRc(self, result, *expected):
        if result.rc not in expected:
            self.fail(f"expected rc in {expected}" + result.describe())

    def assertNoTempFiles(self, tree):
        self.assertEqual(find_temp_files(tree), [])

