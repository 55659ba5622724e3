"""(e) Invalid recipes and invalid usage exit 3 naming file:line:col, before the tree is touched.
Needs AIPROV_BIN (and the cached base tree for the tests that use one)."""

import os
import re
import unittest

import rootfs
from aiprov import TreeTestCase, read_bytes, recipe, requires_binary, run


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
