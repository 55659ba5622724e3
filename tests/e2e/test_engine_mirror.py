"""(b) The apt mirror swap on 22.04-like (one-line sources.list) and 24.04-like (deb822
ubuntu.sources) trees, proven by apt-get update and install inside the tree against a signed
Ubuntu-shaped archive on loopback. Needs root, the cached base tree and AIPROV_BIN."""

import os
import tempfile
import unittest

import archive
import httpd
import rootfs
from aiprov import TreeTestCase, read_bytes, read_text, recipe, requires_binary, requires_tree, run


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


if __name__ == "__main__":
    unittest.main()
