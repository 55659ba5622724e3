"""`aiprov verify` with the real binary against a root tree: `command`, `pip_config` and `nvcc` probes
answered by small stand-ins put in the tree (an nvcc that prints the real 12.4 capture, one that
prints a 12.2 banner, a pip that prints what `pip config list` prints), the nvml probe skipped under
--root, exit 0 when all pass and 1 with the evidence (text and --json) when one fails.
Needs AIPROV_BIN and the cached base tree."""

import os
import unittest

import rootfs
from aiprov import TreeTestCase, in_tree, requires_binary, requires_tree, run

MIRROR = "https://pypi.tuna.tsinghua.edu.cn/simple"

RECIPE = """\
aiprov: 1
name: e2e-verify
vars:
  nvcc: /opt/standin/nvcc-12.4
probes:
  - id: os-release
    type: command
    argv: [cat, /etc/os-release]
    expect: '^VERSION_ID="22\\.04"$'
    tags: [os]
  - id: pip-mirror
    type: pip_config
    pip: /opt/standin/pip
    index_url: {mirror}
  - id: cuda
    type: nvcc
    command: ${{nvcc}}
    release: "12.4"
    tags: [cuda]
  - id: nvml
    type: nvml
""".format(mirror=MIRROR)


def write_exec(tree, path, text):
    full = in_tree(tree, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, 0o755)


def add_standins(tree):
    """nvcc 12.4 (the real capture), nvcc 12.2 (its release line changed) and pip, under /opt/standin."""
    with open(os.path.join(rootfs.REAL_FIXTURES, "nvcc-version-12.4.99.txt")) as f:
        banner = f.read()
    old = "release 12.4, V12.4.99"
    assert old in banner
    for name, text in (("nvcc-12.4", banner), ("nvcc-12.2", banner.replace(old, "release 12.2, V12.2.140"))):
        write_exec(tree, "/opt/standin/" + name + ".txt", text)
        write_exec(tree, "/opt/standin/" + name,
                   '#!/bin/sh\n[ "$1" = --version ] || exit 2\nexec cat /opt/standin/%s.txt\n' % name)
    write_exec(tree, "/opt/standin/pip",
               '#!/bin/sh\n[ "$1 $2" = "config list" ] || exit 2\n'
               "echo \"global.index-url='%s'\"\necho \"global.trusted-host='pypi.tuna.tsinghua.edu.cn'\"\n"
               % MIRROR)


@requires_binary
@requires_tree
class VerifyTest(TreeTestCase):

    def setUp(self):
        super().setUp()
        self.tree = self.new_tree(ubuntu="22.04")
        add_standins(self.tree)
        self.recipe = self.write_recipe("verify.yaml", RECIPE)

    def test_all_probes_pass(self):
        r = run("verify", self.recipe, "--root", self.tree)
        self.assertRc(r, 0)
        self.assertIn('PASS os-release: `cat /etc/os-release` printed \'VERSION_ID="22.04"\'\n', r.stdout)
        self.assertIn("PASS pip-mirror: global.index-url='%s'\n" % MIRROR, r.stdout)
        self.assertIn("PASS cuda: release 12.4 (V12.4.99)\n", r.stdout)
        self.assertIn("SKIP nvml: under --root %s: NVML describes the machine aiprov runs on\n" % self.tree,
                      r.stdout)
        self.assertTrue(r.stdout.endswith("Verify: 3 passed, 0 failed, 1 skipped.\n"), r.stdout)

    def test_nvcc_12_2_fails_with_the_evidence(self):
        r = run("verify", self.recipe, "--root", self.tree, "--var", "nvcc=/opt/standin/nvcc-12.2")
        self.assertRc(r, 1)
        self.assertIn("FAIL cuda: expected release 12.4, found 12.2\n"
                      "      $ /opt/standin/nvcc-12.2 --version\n", r.stdout)
        self.assertIn("      Cuda compilation tools, release 12.2, V12.2.140\n", r.stdout)
        self.assertIn("PASS pip-mirror", r.stdout, "the other probes still run")

        r = run("verify", self.recipe, "--root", self.tree, "--var", "nvcc=/opt/standin/nvcc-12.2", "--json")
        self.assertRc(r, 1)
        report = r.json()
        self.assertFalse(report["passed"])
        self.assertEqual(report["counts"], {"pass": 2, "fail": 1, "skip": 1})
        cuda = {p["id"]: p for p in report["probes"]}["cuda"]
        self.assertEqual(cuda["status"], "fail")
        self.assertEqual(cuda["summary"], "expected release 12.4, found 12.2")
        self.assertIn("Cuda compilation tools, release 12.2, V12.2.140", cuda["evidence"])
        self.assertEqual(cuda["data"], {"release": "12.2", "version": "12.2.140"})

    def test_missing_program_and_other_mirror_fail(self):
        with open(in_tree(self.tree, "/opt/standin/pip"), "w") as f:
            f.write("#!/bin/sh\necho \"global.index-url='https://pypi.org/simple'\"\n")
        r = run("verify", self.recipe, "--root", self.tree, "--var", "nvcc=/usr/local/cuda/bin/nvcc")
        self.assertRc(r, 1)
        self.assertIn("FAIL pip-mirror: expected global.index-url='%s', found 'https://pypi.org/simple'\n"
                      % MIRROR, r.stdout)
        self.assertIn("FAIL cuda: `/usr/local/cuda/bin/nvcc --version` exited 127\n", r.stdout)
        self.assertIn("Verify: 1 passed, 2 failed, 1 skipped.", r.stdout)

    def test_only_and_skip_select_probes(self):
        r = run("verify", self.recipe, "--root", self.tree, "--only", "cuda", "--json")
        self.assertRc(r, 0)
        status = {p["id"]: (p["status"], p.get("skip_reason", "")) for p in r.json()["probes"]}
        self.assertEqual(status["cuda"], ("pass", ""))
        self.assertEqual(status["os-release"], ("skip", "not selected by --only"))
        r = run("verify", self.recipe, "--root", self.tree, "--skip", "cuda",
                "--var", "nvcc=/opt/standin/nvcc-12.2")
        self.assertRc(r, 0)
        self.assertIn("SKIP cuda: not selected by --skip\n", r.stdout)

    def test_recipe_without_probes(self):
        recipe = self.write_recipe("none.yaml", "aiprov: 1\nsteps: []\n")
        r = run("verify", recipe, "--root", self.tree)
        self.assertRc(r, 0)
        self.assertEqual(r.stdout, "no probes in %s\n" % recipe)

    def test_invalid_probe_exits_3_naming_the_line(self):
        recipe = self.write_recipe("bad.yaml", "aiprov: 1\nprobes:\n  - id: cuda\n    type: nvcc\n"
                                               "    relase: \"12.4\"\n")
        r = run("verify", recipe, "--root", self.tree)
        self.assertRc(r, 3)
        self.assertIn(recipe + ":5:5: unknown field 'relase' for probe type 'nvcc' (did you mean 'release'?)",
                      r.stderr)


if __name__ == "__main__":
    unittest.main()
