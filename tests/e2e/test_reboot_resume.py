"""Reboot and resume on a tree: a `deb` step installs a generated stand-in driver package, the
`reboot` step after it stops the run (under --root aiprov never reboots: exit 4, a checkpoint, the
step after it not run), `aiprov resume --root` goes on from the checkpoint with the run's --var,
records the trigger and removes the checkpoint; then nothing is left to do, and a new version of the
package is a new trigger. Needs root, the cached base tree and AIPROV_BIN."""

import json
import os
import shutil
import tempfile
import unittest

import archive
from aiprov import (TreeTestCase, dpkg_status, in_tree, last_run, read_text, requires_binary,
                    requires_tree, run)

CHECKPOINT = "/var/lib/aiprov/checkpoint.json"
MARKER = "/var/lib/aiprov/reboots/reboot-for-driver"
V1 = "550.127.08-0ubuntu1"
V2 = "550.144.03-0ubuntu1"


def fake_driver(version):
    return archive.Package("aiprov-fake-driver", version,
                           files={"/usr/share/aiprov-fake-driver/version": version + "\n"})


@requires_binary
@requires_tree
class RebootResumeTest(TreeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.debs = tempfile.mkdtemp(prefix="aiprov-e2e-reboot-")
        cls.deb = {v: fake_driver(v).build(cls.debs) for v in (V1, V2)}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.debs)

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        for path in self.deb.values():  # beside the recipe, where the deb step's `path` points
            shutil.copy(path, self.tmp)
        self.recipe = self.copy_recipe("reboot-resume.yaml")

    def apply(self, *options):
        return run("apply", self.recipe, "--root", self.tree, "--yes", *options)

    def test_apply_stops_for_the_reboot_then_resume_goes_on(self):
        t = self.tree
        plan = run("plan", self.recipe, "--root", t)
        self.assertRc(plan, 0)
        self.assertIn("reboot: the fake driver's module loads at the next boot", plan.stdout)

        r = self.apply("--var", "greeting=bonjour")
        self.assertRc(r, 4)
        self.assertIn("reboot required: the fake driver's module loads at the next boot; "
                      f"run `aiprov resume --root {t}` after rebooting", r.stdout)
        self.assertEqual(read_text(t, "/etc/aiprov-e2e/before"), "bonjour before the reboot\n")
        self.assertEqual(dpkg_status(t)["aiprov-fake-driver"], ("install ok installed", V1))
        self.assertFalse(os.path.exists(in_tree(t, "/etc/aiprov-e2e/after")), "the step after the reboot ran")
        self.assertFalse(os.path.exists(in_tree(t, MARKER)))
        checkpoint = json.loads(read_text(t, CHECKPOINT))
        self.assertEqual(checkpoint["recipe"], self.recipe)
        self.assertEqual(checkpoint["vars"], ["greeting=bonjour"])
        self.assertEqual(checkpoint["reboot_step"], "reboot-for-driver")
        self.assertEqual(checkpoint["trigger"], f"aiprov-fake-driver={V1}")
        self.assertEqual(os.stat(in_tree(t, CHECKPOINT)).st_mode & 0o777, 0o600)
        journal = last_run(t)
        self.assertEqual(journal["result"], "reboot pending")
        self.assertEqual(journal["reboot"]["step"], "reboot-for-driver")
        self.assertEqual([s["status"] for s in journal["steps"]],
                         ["changed", "changed", "reboot pending", "not run"])

        # Apply again before resuming: the same trigger, the same stop (nothing else changes).
        self.assertRc(self.apply("--var", "greeting=bonjour"), 4)

        r = run("resume", "--root", t)
        self.assertRc(r, 0)
        self.assertIn("Resume complete", r.stdout)
        self.assertEqual(read_text(t, "/etc/aiprov-e2e/after"), "bonjour after the reboot\n",
                         "resume uses the --var of the run it goes on with")
        self.assertEqual(read_text(t, MARKER), f"aiprov-fake-driver={V1}\n")
        self.assertFalse(os.path.exists(in_tree(t, CHECKPOINT)))
        self.assertEqual(last_run(t)["result"], "ok")

        self.assertRc(run("plan", self.recipe, "--root", t, "--var", "greeting=bonjour",
                          "--detailed-exitcode"), 0)
        self.assertRc(run("resume", "--root", t), 0)  # nothing to resume

        # A new driver version is a new trigger: the next run stops again.
        r = self.apply("--var", "greeting=bonjour", "--var", f"driver_deb={os.path.basename(self.deb[V2])}",
                       "--var", f"driver_version={V2}")
        self.assertRc(r, 4)
        self.assertEqual(json.loads(read_text(t, CHECKPOINT))["trigger"], f"aiprov-fake-driver={V2}")
        self.assertRc(run("resume", "--root", t), 0)
        self.assertEqual(read_text(t, MARKER), f"aiprov-fake-driver={V2}\n")

    def test_resume_takes_nothing_but_the_root(self):
        self.assertRc(self.apply(), 4)
        r = run("resume", "--root", self.tree, "--var", "greeting=other")
        self.assertRc(r, 3)
        self.assertIn("resume takes only --root", r.stderr)
        self.assertTrue(os.path.exists(in_tree(self.tree, CHECKPOINT)))

    def test_broken_checkpoint_is_an_error_naming_the_file(self):
        self.assertRc(self.apply(), 4)
        with open(in_tree(self.tree, CHECKPOINT), "w") as f:
            f.write("{\"version\": 1}\n")
        r = run("resume", "--root", self.tree)
        self.assertRc(r, 1)
        self.assertIn(in_tree(self.tree, CHECKPOINT), r.stderr)
        self.assertIn("missing field 'recipe'", r.stderr)


if __name__ == "__main__":
    unittest.main()
