"""The real aiprov binary on real root trees: every step type, the apt mirror swap proven with apt,
the run lock, a run killed mid-way, and recipe errors. Needs root, the cached base tree and
AIPROV_BIN."""

import configparser
import glob
import json
import os
import re
import signal
import time
import unittest

import archive
import httpd
import rootfs
from aiprov import (TreeTestCase, file_mode, finish, group_entry, owner_names, read_bytes,
                    read_text, recipe, requires_binary, requires_tree, run, start, user_entry)

POLL_S = 0.1
POLL_LIMIT = 600  # polls, i.e. at most about a minute of waiting for a condition

PIP_CONF = """\
# pip configuration, edited by hand
[global]
timeout = 60
index-url = https://pypi.org/simple

; packages go to the user's site by default
[install]
user = false
"""


def wait_for(condition, what):
    """Polls condition() (bounded); fails the test naming `what` if it never holds."""
    for _ in range(POLL_LIMIT):
        value = condition()
        if value:
            return value
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


def add_users(tree, *names):
    for name in names:
        r = rootfs.chroot_run(tree, ["useradd", "--create-home", "--shell", "/bin/bash", name])
        if r.returncode != 0:
            raise AssertionError(f"useradd {name}: {r.stderr}")


def stat_key(tree, path):
    st = os.lstat(os.path.join(tree, path.lstrip("/")))
    return (st.st_ino, st.st_mtime_ns, st.st_mode, st.st_uid, st.st_gid)


@requires_binary
@requires_tree
class AllStepsTest(TreeTestCase):
    """(a) every step type applied to a 22.04-like tree, then idempotence."""

    MANAGED = ["/etc/motd", "/etc/aiprov-e2e/secret.conf", "/etc/aiprov-e2e/banner.txt",
               "/etc/pip.conf", "/srv/shared/aiteam", "/etc/apt/sources.list",
               "/var/lib/aiprov-e2e/marker", "/var/lib/aiprov-e2e/env.txt",
               "/var/lib/aiprov-e2e/handler.log", "/etc/group"]

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        add_users(self.tree, "alice", "bob", "carol")
        with open(os.path.join(self.tree, "etc/pip.conf"), "w") as f:
            f.write(PIP_CONF)
        os.makedirs(os.path.join(self.tree, "etc/aiprov-e2e"))
        with open(os.path.join(self.tree, "etc/aiprov-e2e/stale.conf"), "w") as f:
            f.write("stale\n")
        self.old_motd = read_bytes(self.tree, "/etc/motd")
        self.mirror = "http://127.0.0.1:9/ubuntu/"
        self.recipe = recipe("all-steps.yaml")

    def aiprov(self, command, *options):
        return run(command, self.recipe, "--root", self.tree, "--var", f"mirror={self.mirror}",
                   *options)

    def test_apply_every_step_type_then_nothing_to_do(self):
        t = self.tree
        self.assertRc(run("validate", self.recipe), 0)
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 2)
        self.assertEqual(read_bytes(t, "/etc/motd"), self.old_motd, "plan changed nothing")

        first = self.aiprov("apply", "--yes")
        self.assertRc(first, 0)

        # group, system group, members
        self.assertEqual(group_entry(t, "aiteam"), (2345, ["alice", "bob"]))
        svc_gid, _ = group_entry(t, "aisvc")
        self.assertLess(svc_gid, 1000, "a system group gets a gid below 1000")
        self.assertNotIn("carol", group_entry(t, "aiteam")[1])
        # directory: setgid, group-owned
        self.assertEqual(file_mode(t, "/srv/shared/aiteam"), 0o2770)
        self.assertEqual(owner_names(t, "/srv/shared/aiteam"), ("root", "aiteam"))
        # files: content, mode, owner; source; absent
        self.assertEqual(read_text(t, "/etc/motd"), "Managed by aiprov (aiteam).\n")
        self.assertEqual(file_mode(t, "/etc/motd"), 0o644)
        self.assertEqual(read_text(t, "/etc/aiprov-e2e/secret.conf"), "token = abc123\n")
        self.assertEqual(file_mode(t, "/etc/aiprov-e2e/secret.conf"), 0o640)
        self.assertEqual(owner_names(t, "/etc/aiprov-e2e/secret.conf"), ("alice", "aiteam"))
        with open(os.path.join(os.path.dirname(self.recipe), "files/banner.txt"), "rb") as f:
            self.assertEqual(read_bytes(t, "/etc/aiprov-e2e/banner.txt"), f.read())
        self.assertEqual(owner_names(t, "/etc/aiprov-e2e/banner.txt"), ("root", "root"))
        self.assertFalse(os.path.lexists(os.path.join(t, "etc/aiprov-e2e/stale.conf")))
        self.assertFalse(os.path.lexists(os.path.join(t, "etc/aiprov-e2e/not-on-ubuntu")))
        # ini: the keys set, every other line (comments too) kept in order
        pip = read_text(t, "/etc/pip.conf")
        cp = configparser.ConfigParser()
        cp.read_string(pip)
        self.assertEqual(cp["global"]["index-url"], "http://127.0.0.1:9/pypi/simple")
        self.assertEqual(cp["global"]["timeout"], "60")
        self.assertEqual(cp["install"]["trusted-host"], "127.0.0.1")
        self.assertEqual(cp["install"]["user"], "false")
        kept = [line for line in PIP_CONF.splitlines() if not line.startswith("index-url")]
        lines = pip.splitlines()
        self.assertEqual([line for line in lines if line in kept], kept, pip)
        self.assertNotIn("pypi.org", pip)
        # commands: guards and effects, run inside the tree
        self.assertEqual(read_text(t, "/var/lib/aiprov-e2e/marker"), "ran\n")
        self.assertEqual(read_text(t, "/var/lib/aiprov-e2e/env.txt"), "hello-aiteam /srv\n")
        self.assertIn("aiteam", read_text(t, "/var/lib/aiprov-e2e/alice-groups").split())
        self.assertFalse(os.path.exists(os.path.join(t, "var/lib/aiprov-e2e/never")))
        self.assertEqual(read_text(t, "/var/lib/aiprov-e2e/handler.log"), "notified\n")
        # apt mirror, both archive and security
        sources = read_text(t, "/etc/apt/sources.list")
        self.assertNotIn("archive.ubuntu.com", sources)
        self.assertNotIn("security.ubuntu.com", sources)
        self.assertIn(f"deb {self.mirror} jammy-security main restricted\n", sources)
        # the run is recorded, the replaced motd backed up, nothing left mounted
        runs = glob.glob(os.path.join(t, "var/lib/aiprov/runs/*.json"))
        self.assertEqual(len(runs), 1, runs)
        with open(runs[0]) as f:
            json.load(f)
        run_id = os.path.basename(runs[0])[:-len(".json")]
        backup = os.path.join(t, "var/lib/aiprov/backups", run_id, "etc/motd")
        with open(backup, "rb") as f:
            self.assertEqual(f.read(), self.old_motd)
        self.assertEqual(rootfs.mounts_under(t), [])
        self.assertNoTempFiles(t)

        # converged: plan has nothing to do; a second apply rewrites nothing and runs nothing
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 0)
        before = {p: stat_key(t, p) for p in self.MANAGED}
        second = self.aiprov("apply", "--yes")
        self.assertRc(second, 0)
        self.assertEqual({p: stat_key(t, p) for p in self.MANAGED}, before)
        self.assertEqual(read_text(t, "/var/lib/aiprov-e2e/handler.log"), "notified\n")
        self.assertEqual(read_text(t, "/var/lib/aiprov-e2e/marker"), "ran\n")
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 0)
        self.assertEqual(rootfs.mounts_under(t), [])

    def test_plan_json_and_selection(self):
        r = self.aiprov("plan", "--json")
        self.assertRc(r, 0)
        text = json.dumps(r.json())
        for step_id in ("team-group", "shared-dir", "motd", "pip", "apt-mirror"):
            self.assertIn(step_id, text)
        # --only a tag: nothing outside it is applied
        self.assertRc(self.aiprov("apply", "--yes", "--only", "accounts"), 0)
        self.assertEqual(group_entry(self.tree, "aiteam"), (2345, ["alice", "bob"]))
        self.assertEqual(read_bytes(self.tree, "/etc/motd"), self.old_motd)
        self.assertFalse(os.path.exists(os.path.join(self.tree, "srv/shared/aiteam")))
        # --skip: everything but the skipped tag; the accounts are already there
        self.assertRc(self.aiprov("apply", "--yes", "--skip", "apt"), 0)
        self.assertEqual(read_text(self.tree, "/etc/motd"), "Managed by aiprov (aiteam).\n")
        self.assertIn("archive.ubuntu.com", read_text(self.tree, "/etc/apt/sources.list"))
        self.assertRc(self.aiprov("plan", "--detailed-exitcode", "--skip", "apt"), 0)
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 2)

    def test_options_before_the_recipe(self):
        # `aiprov plan --only accounts RECIPE`: a repeatable option does not swallow the recipe
        r = run("plan", "--detailed-exitcode", "--only", "accounts", self.recipe,
                "--root", self.tree)
        self.assertRc(r, 2)

    def test_command_whose_cwd_an_earlier_step_creates(self):
        # Planning must not run a guard in a directory that does not exist yet: the step depends on
        # the directory step (StepPlan::depends_on) and is planned again before it is applied.
        path = self.write_recipe("cwd.yaml", """\
aiprov: 1
name: e2e-cwd
steps:
  - id: work-dir
    type: directory
    path: /srv/work
  - id: in-work-dir
    type: command
    argv: [/bin/sh, -c, "pwd > out.txt"]
    cwd: /srv/work
    unless: [test, -e, out.txt]
""")
        args = [path, "--root", self.tree]
        self.assertRc(run("plan", *args, "--detailed-exitcode"), 2)
        self.assertRc(run("apply", *args, "--yes"), 0)
        self.assertEqual(read_text(self.tree, "/srv/work/out.txt"), "/srv/work\n")
        self.assertRc(run("plan", *args, "--detailed-exitcode"), 0)

    def test_facts_of_the_tree(self):
        r = run("facts", "--root", self.tree, "--json")
        self.assertRc(r, 0)
        facts = r.json()
        self.assertEqual(facts["os"]["id"], "ubuntu")
        self.assertEqual(facts["os"]["codename"], "jammy")
        self.assertIn("22.04", json.dumps(facts["os"]))


def ubuntu_archive(tmp, key, codename):
    """An Ubuntu-shaped signed archive for codename with a stand-in package in universe."""
    repo = archive.Archive(os.path.join(tmp, "www"), "ubuntu", key)
    repo.add(codename, "main", archive.Package("aiprov-base", "1.0"))
    repo.add(f"{codename}-updates", "universe", archive.Package(
        "aiprov-hello", "1.1", depends=["aiprov-base"],
        files={"/usr/share/aiprov-hello/hello.txt": "hello from the mirror\n"}))
    repo.build([codename, f"{codename}-updates", f"{codename}-backports", f"{codename}-security"],
               ["main", "restricted", "universe", "multiverse"])
    return repo


@requires_binary
@requires_tree
class MirrorTest(TreeTestCase):
    """(b) the mirror swap, proven by apt-get update + install inside the tree."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.ktmp = tempfile.mkdtemp(prefix="aiprov-e2e-key-")
        cls.key = archive.SigningKey(cls.ktmp)

    @classmethod
    def tearDownClass(cls):
        cls.key.close()
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.ktmp])

    def swap_and_install(self, release, codename):
        tree = self.new_tree(ubuntu=release)
        repo = ubuntu_archive(self.tmp, self.key, codename)
        before = {p: read_bytes(tree, p) for p in ("/etc/apt/sources.list",
                                                   "/etc/apt/sources.list.d/ubuntu.sources")
                  if os.path.exists(os.path.join(tree, p.lstrip("/")))}
        if release == "22.04":  # jammy's ubuntu-keyring puts its key in trusted.gpg.d
            archive.install_key(tree, self.key, "ubuntu-keyring-2018-archive", trusted_d=True)
        else:  # noble's ubuntu.sources names it with Signed-By
            archive.install_key(tree, self.key, "ubuntu-archive-keyring")
        with httpd.Server(repo.root) as srv:
            mirror = srv.url("/ubuntu/")
            args = [recipe("mirror.yaml"), "--root", tree, "--var", f"mirror={mirror}"]
            self.assertRc(run("plan", *args, "--detailed-exitcode"), 2)
            self.assertRc(run("apply", *args, "--yes"), 0)
            self.assertRc(run("plan", *args, "--detailed-exitcode"), 0)
            self.assertEqual(rootfs.mounts_under(tree), [])
            # every byte kept except the distribution URIs
            for path, old in before.items():
                expected = (old.replace(b"http://archive.ubuntu.com/ubuntu/", mirror.encode())
                            .replace(b"http://security.ubuntu.com/ubuntu/", mirror.encode()))
                self.assertEqual(read_bytes(tree, path).decode(), expected.decode(), path)
            with rootfs.chroot_mounts(tree):
                r = rootfs.chroot_run(tree, ["apt-get", "-q", "-y", "update"])
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertNotRegex(r.stdout + r.stderr, r"(?m)^(W|E):")
                r = rootfs.chroot_run(tree, ["apt-get", "-q", "-y", "install", "aiprov-hello"])
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            paths = {q.path for q in srv.requests}
            for suite in (codename, f"{codename}-updates", f"{codename}-backports",
                          f"{codename}-security"):
                self.assertIn(f"/ubuntu/dists/{suite}/InRelease", paths)
        self.assertEqual(read_text(tree, "/usr/share/aiprov-hello/hello.txt"),
                         "hello from the mirror\n")
        return before

    def test_jammy_one_line_sources_list(self):
        before = self.swap_and_install("22.04", "jammy")
        self.assertEqual(list(before), ["/etc/apt/sources.list"])

    def test_noble_deb822_ubuntu_sources(self):
        before = self.swap_and_install("24.04", "noble")
        self.assertEqual(sorted(before),
                         ["/etc/apt/sources.list", "/etc/apt/sources.list.d/ubuntu.sources"])


@requires_binary
@requires_tree
class LockTest(TreeTestCase):
    """(c) two applies on one root: the second is refused naming the holder, or waits."""

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        self.args = ["apply", recipe("slow.yaml"), "--root", self.tree, "--yes"]
        self.lock = os.path.join(self.tree, "run/aiprov.lock")
        self.order = os.path.join(self.tree, "var/lib/aiprov-e2e/order.log")

    def start_holder(self):
        holder = start(*self.args)
        self.addCleanup(self._reap, holder)

        def holding():
            if holder.poll() is not None:
                raise AssertionError("the first run ended before it was seen holding the lock: " +
                                     finish(holder).describe())
            if not os.path.exists(self.order):
                return False
            with open(self.lock) as f:
                return f"pid {holder.pid}" in f.read()
        wait_for(holding, "the first run to hold the lock and start its slow step")
        return holder

    def _reap(self, proc):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if not proc.out_file.closed:
            finish(proc)

    def test_second_run_is_refused_naming_the_holder(self):
        holder = self.start_holder()
        second = run(*self.args)
        self.assertRc(second, 5)
        self.assertIn(str(holder.pid), second.stdout + second.stderr)
        self.assertRc(finish(holder), 0)
        lines = read_text(self.tree, "/var/lib/aiprov-e2e/order.log").splitlines()
        self.assertEqual([line.split()[0] for line in lines], ["start", "end"],
                         "the refused run ran nothing")

    def test_wait_lock_waits_for_the_holder(self):
        holder = self.start_holder()
        second = run(*self.args, "--wait-lock", "30")
        self.assertRc(second, 0)
        self.assertRc(finish(holder), 0)
        lines = read_text(self.tree, "/var/lib/aiprov-e2e/order.log").splitlines()
        self.assertEqual([line.split()[0] for line in lines], ["start", "end", "start", "end"],
                         "the runs did not overlap")


@requires_binary
@requires_tree
class KillTest(TreeTestCase):
    """(d) SIGKILL during a slow step: nothing half-written, the next apply converges."""

    FILES = ["/etc/aiprov-e2e/first.conf", "/etc/aiprov-e2e/big.conf", "/etc/aiprov-e2e/last.conf"]

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        self.recipe = self.copy_recipe("interrupted.yaml")
        os.makedirs(os.path.join(self.tmp, "files"))
        self.big = {}
        for gen in ("1", "2"):
            line = f"generation {gen}: " + "x" * 100 + "\n"
            self.big[gen] = (line * 2000).encode()  # about 230 KB
            with open(os.path.join(self.tmp, f"files/big-{gen}.conf"), "wb") as f:
                f.write(self.big[gen])

    def contents(self, gen):
        return {"/etc/aiprov-e2e/first.conf": f"generation {gen}: first\n".encode(),
                "/etc/aiprov-e2e/big.conf": self.big[gen],
                "/etc/aiprov-e2e/last.conf": f"generation {gen}: last\n".encode()}

    def apply(self, gen):
        """A run that does not pause in the slow step."""
        return run("apply", self.recipe, "--root", self.tree, "--yes", "--var",
                   f"generation={gen}", "--var", "pause=0")

    def test_killed_run_leaves_old_or_new_files_and_the_next_run_converges(self):
        t = self.tree
        self.assertRc(self.apply("1"), 0)
        os.unlink(os.path.join(t, "var/lib/aiprov-e2e/slow.done"))  # make the slow step run again
        started = os.path.join(t, "var/lib/aiprov-e2e/slow.started")
        os.unlink(started)
        old, new = self.contents("1"), self.contents("2")

        proc = start("apply", self.recipe, "--root", t, "--yes", "--var", "generation=2")
        try:
            wait_for(lambda: os.path.exists(started) or proc.poll() is not None,
                     "the slow step to start")
        finally:
            ended_early = proc.poll() is not None
            if not ended_early:
                os.kill(proc.pid, signal.SIGKILL)  # aiprov itself, in the middle of the run
            proc.wait(timeout=30)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the orphaned sleep inside the tree
            except ProcessLookupError:
                pass
            killed = finish(proc)
        self.assertFalse(ended_early, "the run ended before it was killed" + killed.describe())
        self.assertEqual(killed.rc, -signal.SIGKILL)

        for path in self.FILES:
            got = read_bytes(t, path)
            self.assertIn(got, (old[path], new[path]), f"{path} is neither old nor new")
        # the steps before the slow one were done, the one after was not
        self.assertEqual(read_bytes(t, "/etc/aiprov-e2e/big.conf"), new["/etc/aiprov-e2e/big.conf"])
        self.assertEqual(read_bytes(t, "/etc/aiprov-e2e/last.conf"),
                         old["/etc/aiprov-e2e/last.conf"])
        self.assertNoTempFiles(t)

        # the dead run's mounts may still be there; the next run copes and converges
        self.assertRc(self.apply("2"), 0)
        for path in self.FILES:
            self.assertEqual(read_bytes(t, path), new[path], path)
        self.assertRc(run("plan", self.recipe, "--root", t, "--var", "generation=2",
                          "--detailed-exitcode"), 0)
        self.assertNoTempFiles(t)


@requires_binary
class BrokenRecipeTest(TreeTestCase):
    """(e) invalid recipes exit 3 with file:line:col."""

    CASES = [  # recipe, line of the mistake, a word the message must name
        ("broken-type.yaml", 7, "mode"),
        ("broken-unknown-step.yaml", 8, "fiel"),
        ("broken-unknown-field.yaml", 7, "contnet"),
        ("broken-yaml.yaml", 8, "YAML"),
    ]

    def test_validate_names_file_line_col(self):
        for name, line, word in self.CASES:
            with self.subTest(recipe=name):
                path = recipe(name)
                r = run("validate", path)
                self.assertRc(r, 3)
                out = r.stdout + r.stderr
                m = re.search(re.escape(path) + r":(\d+):(\d+): ", out)
                self.assertIsNotNone(m, out)
                if line is not None:
                    self.assertEqual(int(m.group(1)), line, out)
                    self.assertIn(word, out)
                self.assertGreater(int(m.group(2)), 0)

    def test_plan_and_apply_refuse_a_broken_recipe_before_touching_the_tree(self):
        tree = rootfs.new_tree(self.tmp)
        self.addCleanup(rootfs.remove_tree, tree)
        motd = read_bytes(tree, "/etc/motd")
        for cmd in (["plan"], ["apply", "--yes"]):
            r = run(*cmd, recipe("broken-unknown-step.yaml"), "--root", tree)
            self.assertRc(r, 3)
        self.assertEqual(read_bytes(tree, "/etc/motd"), motd)
        self.assertFalse(os.path.exists(os.path.join(tree, "srv/ok")))
        self.assertFalse(os.path.exists(os.path.join(tree, "var/lib/aiprov/runs")))

    def test_usage_errors_exit_3(self):
        tree = rootfs.new_tree(self.tmp)
        self.addCleanup(rootfs.remove_tree, tree)
        rootfs.make_ubuntu_like(tree, "22.04")
        sources = read_bytes(tree, "/etc/apt/sources.list")
        # apply without --yes and without a terminal to ask on: refused, nothing changed
        self.assertRc(run("apply", recipe("mirror.yaml"), "--root", tree), 3)
        self.assertEqual(read_bytes(tree, "/etc/apt/sources.list"), sources)
        self.assertRc(run("plan", recipe("mirror.yaml"), "--root", tree, "--var", "novalue"), 3)
        self.assertRc(run("validate", os.path.join(self.tmp, "missing.yaml")), 3)
        self.assertRc(run("no-such-command"), 3)


if __name__ == "__main__":
    unittest.main()
