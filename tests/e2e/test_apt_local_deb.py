"""The `deb` step with NVIDIA's local installer layout on a 22.04-like tree: a stand-in
cuda-repo-ubuntu2204-12-4-local .deb served on loopback carries a signed flat repository under
/var/cuda-repo-ubuntu2204-12-4-local/, its keyring cuda-XXXXXXXX-keyring.gpg and the sources list
naming that keyring (the 12.2 layout in tests/fixtures/real/cuda-ubuntu2204-12-2-local.list).
aiprov downloads and verifies it, installs it, copies the keyring to /usr/share/keyrings/, runs
apt-get update and installs a package from the local repository. Needs root, the cached base tree
and AIPROV_BIN."""

import glob
import hashlib
import os
import tempfile
import unittest

import archive
import httpd
import rootfs
from aiprov import (TreeTestCase, dpkg_status, last_run, file_mode, read_bytes, read_text, recipe, requires_binary,
                    requires_tree, run, stat_key)

REPO_DIR = "/var/cuda-repo-ubuntu2204-12-4-local"
LIST = "/etc/apt/sources.list.d/cuda-ubuntu2204-12-4-local.list"
DEB_NAME = "cuda-repo-ubuntu2204-12-4-local_12.4.0-550.54.14-1_amd64.deb"
CUDART = "/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudart.so.12.4.99"

# What NVIDIA's package prints when the key is not copied yet.
POSTINST = f"""\
if [ ! -e /usr/share/keyrings/cuda-*-keyring.gpg ]; then
  echo "The public cuda-repo-ubuntu2204-12-4-local GPG key does not appear to be installed."
  echo "To install the key, run this command:"
  echo "sudo cp {REPO_DIR}/cuda-*-keyring.gpg /usr/share/keyrings/"
fi
"""



def build_local_installer(tmp, key, out_dir):
    """The cuda-repo-*-local .deb: a signed flat repository, its keyring and the sources list."""
    keyring_name = f"cuda-{key.fingerprint[-8:]}-keyring.gpg"
    repo_dir = os.path.join(tmp, "local-repo")
    repo = archive.FlatArchive(repo_dir, key, origin="NVIDIA", label="NVIDIA CUDA")
    repo.add(archive.Package("cuda-toolkit-config-common", "12.4.99-1", arch="all",
                             files={"/etc/ld.so.conf.d/000_cuda.conf": "/usr/local/cuda/lib64\n"}))
    repo.add(archive.Package("cuda-cudart-12-4", "12.4.99-1", arch="amd64",
                             depends=["cuda-toolkit-config-common"],
                             files={CUDART: b"\x7fELF stand-in\n"}))
    repo.build()
    files = archive.local_repo_files(repo_dir, key, REPO_DIR, keyring_name, LIST)
    deb = archive.Package("cuda-repo-ubuntu2204-12-4-local", "12.4.0-550.54.14-1", arch="amd64",
                          files=files, scripts={"postinst": POSTINST}).build(out_dir)
    assert os.path.basename(deb) == DEB_NAME, deb
    return deb, keyring_name


@requires_binary
@requires_tree
class LocalInstallerTest(TreeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.ktmp = tempfile.mkdtemp(prefix="aiprov-e2e-aptlocal-")
        cls.key = archive.SigningKey(cls.ktmp, uid="cudatools <cudatools@nvidia.invalid>")
        cls.www = os.path.join(cls.ktmp, "www")
        deb, cls.keyring_name = build_local_installer(cls.ktmp, cls.key, cls.www)
        with open(deb, "rb") as f:
            cls.deb_sha256 = hashlib.sha256(f.read()).hexdigest()

    @classmethod
    def tearDownClass(cls):
        cls.key.close()
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.ktmp])

    def setUp(self):
        super().setUp()
        self.server = httpd.Server(self.www)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.tree = self.new_tree(ubuntu="22.04")
        with open(os.path.join(self.tree, "etc/apt/sources.list"), "w") as f:
            f.write("# no distribution mirror in this tree: only the local repository\n")

    def aiprov(self, command, *options):
        return run(command, recipe("apt-local-deb.yaml"), "--root", self.tree,
                   "--var", f"deb_url={self.server.url('/' + DEB_NAME)}",
                   "--var", f"deb_sha256={self.deb_sha256}", *options)

    def test_local_installer_keyring_and_package_then_nothing_to_do(self):
        t = self.tree
        keyring = "/usr/share/keyrings/" + self.keyring_name
        plan = self.aiprov("plan", "--detailed-exitcode")
        self.assertRc(plan, 2)
        self.assertIn("cuda-cudart-12-4", plan.stdout + plan.stderr)
        self.assertEqual(self.server.requests, [], "plan fetched nothing")

        self.assertRc(self.aiprov("apply", "--yes"), 0)
        status = dpkg_status(t)
        self.assertEqual(status["cuda-repo-ubuntu2204-12-4-local"],
                         ("install ok installed", "12.4.0-550.54.14-1"))
        self.assertEqual(read_text(t, LIST),
                         f"deb [signed-by={keyring}] file://{REPO_DIR} /\n")
        # the keyring the package ships, copied where its sources line expects it
        self.assertEqual(read_bytes(t, keyring), read_bytes(t, f"{REPO_DIR}/{self.keyring_name}"))
        self.assertEqual(read_bytes(t, keyring), read_bytes("/", self.key.public_gpg))
        self.assertEqual(file_mode(t, keyring), 0o644)
        # the package from the local repository, with its dependency
        self.assertEqual(status["cuda-cudart-12-4"], ("install ok installed", "12.4.99-1"))
        self.assertEqual(status["cuda-toolkit-config-common"],
                         ("install ok installed", "12.4.99-1"))
        self.assertEqual(read_bytes(t, CUDART), b"\x7fELF stand-in\n")
        # the verified .deb stays in the download cache under its digest
        cached = f"/var/cache/aiprov/downloads/{self.deb_sha256}"
        self.assertEqual(hashlib.sha256(read_bytes(t, cached)).hexdigest(), self.deb_sha256)
        self.assertEqual([q.path for q in self.server.requests], ["/" + DEB_NAME])
        # apt trusts the local repository through the copied keyring: no warning, no error
        with rootfs.chroot_mounts(t):
            r = rootfs.chroot_run(t, ["apt-get", "-q", "update"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotRegex(r.stdout + r.stderr, r"(?m)^(W|E):")
        self.assertEqual(rootfs.mounts_under(t), [])
        self.assertNoTempFiles(t)

        # converged
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 0)
        managed = [keyring, LIST, "/var/lib/dpkg/status"]
        before = {p: stat_key(t, p) for p in managed}
        self.server.clear_log()
        second = self.aiprov("apply", "--yes")
        self.assertRc(second, 0)
        self.assertEqual(last_run(t)["changed"], 0, second.describe())
        self.assertEqual({p: stat_key(t, p) for p in managed}, before)
        self.assertEqual(self.server.requests, [])

    def test_wrong_digest_installs_nothing(self):
        t = self.tree
        wrong = hashlib.sha256(b"not the installer").hexdigest()
        r = run("apply", recipe("apt-local-deb.yaml"), "--root", t, "--yes",
                "--var", f"deb_url={self.server.url('/' + DEB_NAME)}",
                "--var", f"deb_sha256={wrong}")
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(wrong, out)
        self.assertIn(self.deb_sha256, out)
        self.assertNotIn("cuda-repo-ubuntu2204-12-4-local", dpkg_status(t))
        self.assertFalse(os.path.exists(os.path.join(t, LIST.lstrip("/"))))
        self.assertEqual(glob.glob(os.path.join(t, "usr/share/keyrings/cuda-*")), [])


if __name__ == "__main__":
    unittest.main()
