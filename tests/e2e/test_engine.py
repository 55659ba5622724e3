"""(a) The real aiprov binary applies every step type to a 22.04-like tree; then nothing is left
to do. Also facts of a tree, plan --json, --only/--skip. Needs root, the cached base tree and
AIPROV_BIN. The mirror swap, the run lock, interrupted runs and recipe errors have their own files
(test_engine_*.py)."""

import configparser
import glob
import json
import os
import unittest

import rootfs
from aiprov import (TreeTestCase, add_users, file_mode, group_entry, owner_names, read_bytes,
                    read_text, recipe, requires_binary, requires_tree, run, stat_key)

PIP_CONF = """\
# pip configuration, edited by hand
[global]
timeout = 60
index-url = https://pypi.org/simple

; packages go to the user's site by default
[install]
user = false
"""


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


if __name__ == "__main__":
    unittest.main()
