"""The real aiprov binary applies a tree_permissions step to a real directory tree: the result equals
the blog guide's `chgrp -R`, `chmod -R u=rwX,g=rwX,o=`, `find -type d -exec chmod g+s` on a twin copy
of the tree; symbolic links and what they point to are left alone; a second plan is converged.
Needs root (chgrp to another group, setuid files) and AIPROV_BIN; no mmdebstrap tree: the root is a
temp dir holding etc/passwd and etc/group."""

import os
import stat
import subprocess
import unittest

from aiprov import TreeTestCase, requires_binary, run

GID = 2345
RECIPE = """\
aiprov: 1
name: e2e-tree-permissions
steps:
  - id: team-tree
    type: tree_permissions
    path: /srv/team
    group: team
    mode: "u=rwX,g=rwX,o="
    setgid_dirs: true
"""

# (relative path, mode) of the tree's directories and files, made in this order.
DIRS = [("", 0o755), ("bin", 0o700), ("data", 0o2775), ("data/deep", 0o750), ("empty", 0o777)]
FILES = [("README", 0o644), ("bin/tool", 0o755), ("bin/suid-tool", 0o4755), ("data/x.csv", 0o600),
         ("data/deep/y.bin", 0o640), ("data/deep/run.sh", 0o744), ("data/sticky", 0o1644)]


def snapshot(top):
    """{relative path: (type, mode, uid, gid)} of everything under top, lstat only."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            out[os.path.relpath(p, top)] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid,
                                            st.st_gid)
    st = os.lstat(top)
    out["."] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    return out


@requires_binary
@unittest.skipUnless(os.geteuid() == 0, "needs root: chgrp to another group, setuid files")
class TreePermissionsTest(TreeTestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(self.root, "etc"))
        with open(os.path.join(self.root, "etc/passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/bash\n")
        with open(os.path.join(self.root, "etc/group"), "w") as f:
            f.write(f"root:x:0:\nteam:x:{GID}:\n")
        self.canary = os.path.join(self.root, "etc/canary")
        with open(self.canary, "w") as f:
            f.write("not part of the tree\n")
        os.chmod(self.canary, 0o600)
        self.tree = os.path.join(self.root, "srv/team")
        os.makedirs(os.path.dirname(self.tree))
        for rel, mode in DIRS:
            p = os.path.join(self.tree, rel)
            os.makedirs(p, exist_ok=True)
            os.chmod(p, mode)
        for rel, mode in FILES:
            p = os.path.join(self.tree, rel)
            with open(p, "w") as f:
                f.write(rel)
            os.chmod(p, mode)
        # Links inside the tree to a file outside it and to nothing: never followed, never changed.
        os.symlink("../../../etc/canary", os.path.join(self.tree, "data/to-canary"))
        os.symlink("no-such-file", os.path.join(self.tree, "dangling"))
        self.recipe = self.write_recipe("tree.yaml", RECIPE)

    def guide_on_twin(self):
        twin = os.path.join(self.tmp, "twin")
        subprocess.run(["cp", "-a", self.tree, twin], check=True)
        subprocess.run(["chgrp", "-R", str(GID), twin], check=True)
        subprocess.run(["chmod", "-R", "u=rwX,g=rwX,o=", twin], check=True)
        subprocess.run(["find", twin, "-type", "d", "-exec", "chmod", "g+s", "{}", "+"], check=True)
        return snapshot(twin)

    def test_apply_matches_the_guide_and_leaves_links_alone(self):
        before = snapshot(self.tree)
        expected = self.guide_on_twin()

        plan = run("plan", self.recipe, "--root", self.root, "--detailed-exitcode")
        self.assertRc(plan, 2)
        self.assertIn("12 of 14 entries: 12 group, 12 mode; 2 symbolic links left alone", plan.stdout)
        self.assertEqual(snapshot(self.tree), before, "plan changed nothing")

        self.assertRc(run("apply", self.recipe, "--root", self.root, "--yes"), 0)
        after = snapshot(self.tree)
        for rel, (kind, mode, uid, gid) in after.items():
            if kind == stat.S_IFLNK:
                self.assertEqual(after[rel], before[rel], f"symlink {rel} untouched (no lchown)")
                continue
            self.assertEqual((oct(mode), gid), (oct(expected[rel][1]), expected[rel][3]), rel)
        self.assertEqual(after["data/deep/y.bin"][1], 0o660, "X: a file without x stays without")
        self.assertEqual(after["bin/suid-tool"][1], 0o770)
        self.assertEqual(after["empty"][1], 0o2770)
        st = os.lstat(self.canary)
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_gid), (0o600, 0), "link target untouched")

        self.assertRc(run("plan", self.recipe, "--root", self.root, "--detailed-exitcode"), 0)


if __name__ == "__main__":
    unittest.main()
