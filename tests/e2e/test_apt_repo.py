"""apt_keyring + apt_repository + apt_pin + apt_packages on 22.04-like (one-line .list) and
24.04-like (deb822 .sources) trees: a vendor repository
(a flat archive like NVIDIA's CUDA repository, signed with its own key) on 127.0.0.1 and an
Ubuntu-shaped archive on localhost that offers newer versions of some of the same packages. Proven
with dpkg's status inside the tree; then nothing is left to do and nothing is fetched again.
Needs root, the cached base tree and AIPROV_BIN."""

import os
import shutil
import tempfile
import unittest

import archive
import httpd
import rootfs
from aiprov import (TreeTestCase, dpkg_status, last_run, file_mode, read_bytes, read_text, recipe, requires_binary,
                    requires_tree, run, stat_key)

VENDOR_PATH = "/compute/cuda/repos/ubuntu2204/x86_64/"
KEYRING = "/usr/share/keyrings/vendor-archive-keyring.gpg"
SOURCES = "/etc/apt/sources.list.d/cuda-ubuntu2204-x86_64"  # .list or .sources
PIN_FILE = "/etc/apt/preferences.d/cuda-repository-pin-600"
COMPAT_PIN = "/etc/apt/preferences.d/cuda-compat-12-4"



def vendor_packages():
    nvcc = "/usr/local/cuda-12.4/bin/nvcc"
    return [
        archive.Package("cuda-nvcc-12-4", "12.4.131-1", arch="amd64",
                        files={nvcc: ("#!/bin/sh\necho 'release 12.4, V12.4.131'\n", 0o755)}),
        archive.Package("cuda-toolkit-12-4", "12.4.1-1", arch="amd64",
                        depends=["cuda-nvcc-12-4 (>= 12.4.131)"],
                        files={"/usr/local/cuda-12.4/version.json": '{"cuda": "12.4.1"}\n'}),
        archive.Package("nsight-compute", "2024.1.1-1", arch="amd64",
                        files={"/opt/nvidia/nsight-compute/VERSION": "vendor 2024.1.1\n"}),
        archive.Package("cuda-compat-12-4", "550.54.14-1", arch="amd64",
                        files={"/usr/local/cuda-12.4/compat/VERSION": "550.54.14\n"}),
        archive.Package("cuda-compat-12-4", "550.90.07-1", arch="amd64",
                        files={"/usr/local/cuda-12.4/compat/VERSION": "550.90.07\n"}),
    ]


def distro_packages():
    """Newer versions in the "Ubuntu" archive: the pins must keep apt on the vendor's."""
    return [
        archive.Package("nsight-compute", "2025.1.0-1", arch="amd64",
                        files={"/opt/nvidia/nsight-compute/VERSION": "ubuntu 2025.1.0\n"}),
        archive.Package("cuda-nvcc-12-4", "12.4.200-1", arch="amd64",
                        files={"/usr/local/cuda-12.4/bin/nvcc": ("#!/bin/sh\necho u\n", 0o755)}),
    ]


@requires_binary
@requires_tree
class VendorRepoTest(TreeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.ktmp = tempfile.mkdtemp(prefix="aiprov-e2e-aptrepo-")
        cls.vendor_key = archive.SigningKey(cls.ktmp, uid="cudatools <cudatools@nvidia.invalid>")
        cls.distro_key = archive.SigningKey(cls.ktmp)
        www = os.path.join(cls.ktmp, "www")
        vendor = archive.FlatArchive(os.path.join(www, VENDOR_PATH.strip("/")), cls.vendor_key)
        for p in vendor_packages():
            vendor.add(p)
        vendor.build()
        shutil.copyfile(cls.vendor_key.public_asc,
                        os.path.join(www, VENDOR_PATH.strip("/"), "3bf863cc.pub"))
        distro = archive.Archive(www, "ubuntu", cls.distro_key)
        for p in distro_packages():
            distro.add("jammy", "universe", p)
        distro.build(["jammy"], ["main", "universe"])
        # Ubuntu's own nvidia-cuda-toolkit, installed before the run; the recipe removes it.
        cls.distro_toolkit = archive.Package(
            "nvidia-cuda-toolkit", "11.5.1-1ubuntu1", arch="amd64",
            files={"/usr/bin/nvcc": ("#!/bin/sh\necho 'release 11.5'\n", 0o755)}).build(
                os.path.join(cls.ktmp, "debs"))
        cls.www = www

    @classmethod
    def tearDownClass(cls):
        cls.vendor_key.close()
        cls.distro_key.close()
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.ktmp])

    def setUp(self):
        super().setUp()
        self.server = httpd.Server(self.www)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.vendor_url = self.server.url(VENDOR_PATH)

    def prepare_tree(self, release):
        """A tree of `release` whose only distribution archive is the stand-in on localhost, with
        Ubuntu's own nvidia-cuda-toolkit installed."""
        t = self.tree = self.new_tree(ubuntu=release)
        for name in os.listdir(os.path.join(t, "etc/apt/sources.list.d")):
            os.unlink(os.path.join(t, "etc/apt/sources.list.d", name))
        with open(os.path.join(t, "etc/hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")
        with open(os.path.join(t, "etc/apt/sources.list"), "w") as f:
            f.write(f"deb http://localhost:{self.server.port}/ubuntu/ jammy main universe\n")
        archive.install_key(t, self.distro_key, "ubuntu-keyring-2018-archive", trusted_d=True)
        shutil.copy(self.distro_toolkit, os.path.join(t, "tmp"))
        with rootfs.chroot_mounts(t):
            deb = "/tmp/" + os.path.basename(self.distro_toolkit)
            r = rootfs.chroot_run(t, ["dpkg", "-i", deb])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return t

    def aiprov(self, command, *options):
        return run(command, recipe("apt-vendor.yaml"), "--root", self.tree,
                   "--var", f"vendor={self.vendor_url}",
                   "--var", f"fingerprint={self.vendor_key.fingerprint}", *options)

    def test_jammy_one_line_sources(self):
        self.converge("22.04", SOURCES + ".list",
                      f"deb [signed-by={KEYRING}] {{url}} /\n")

    def test_noble_deb822_sources(self):
        self.converge("24.04", SOURCES + ".sources",
                      f"Types: deb\nURIs: {{url}}\nSuites: /\nSigned-By: {KEYRING}\n")

    def converge(self, release, sources, sources_text):
        """Plan, apply, check inside the tree, then nothing to do (sources_text: {url} = vendor)."""
        t = self.prepare_tree(release)
        # Planned before anything exists: the packages are not known to apt yet; the plan says so
        # (they depend on the repository step) instead of failing.
        plan = self.aiprov("plan", "--detailed-exitcode")
        self.assertRc(plan, 2)
        self.assertIn("cuda-toolkit-12-4", plan.stdout + plan.stderr)
        self.assertFalse(os.path.exists(os.path.join(t, KEYRING.lstrip("/"))), "plan wrote nothing")
        self.assertEqual(self.server.requests, [], "plan fetched nothing")

        first = self.aiprov("apply", "--yes")
        self.assertRc(first, 0)

        # the keyring: the served armoured key, stored binary, 0644
        self.assertEqual(read_bytes(t, KEYRING), read_bytes("/", self.vendor_key.public_gpg))
        self.assertEqual(file_mode(t, KEYRING), 0o644)
        self.assertEqual(read_text(t, sources), sources_text.format(url=self.vendor_url))
        self.assertIn("Pin: release l=NVIDIA CUDA\nPin-Priority: 600\n", read_text(t, PIN_FILE))
        self.assertEqual(read_text(t, COMPAT_PIN),
                         "Package: cuda-compat-12-4\nPin: version 550.54.14-1\n"
                         "Pin-Priority: 1001\n")

        status = dpkg_status(t)
        installed = "install ok installed"
        # removed
        self.assertNotEqual(status.get("nvidia-cuda-toolkit", ("", ""))[0], installed)
        self.assertFalse(os.path.exists(os.path.join(t, "usr/bin/nvcc")))
        # installed, the dependency came along, from the vendor (label pin 600 beats a newer
        # version from Ubuntu; origin pin -1 keeps Ubuntu's nsight-compute out)
        self.assertEqual(status["cuda-toolkit-12-4"], (installed, "12.4.1-1"))
        self.assertEqual(status["cuda-nvcc-12-4"], (installed, "12.4.131-1"))
        self.assertEqual(status["nsight-compute"], (installed, "2024.1.1-1"))
        self.assertEqual(read_text(t, "/opt/nvidia/nsight-compute/VERSION"), "vendor 2024.1.1\n")
        self.assertEqual(file_mode(t, "/usr/local/cuda-12.4/bin/nvcc"), 0o755)
        # held at the pinned (older) version
        self.assertEqual(status["cuda-compat-12-4"], ("hold ok installed", "550.54.14-1"))
        self.assertEqual(read_text(t, "/usr/local/cuda-12.4/compat/VERSION"), "550.54.14\n")
        paths = [q.path for q in self.server.requests]
        self.assertEqual(paths.count(VENDOR_PATH + "3bf863cc.pub"), 1, paths)
        self.assertEqual(rootfs.mounts_under(t), [])
        self.assertNoTempFiles(t)

        # converged: nothing to plan, a second apply changes nothing and fetches nothing
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 0)
        managed = [KEYRING, sources, PIN_FILE, COMPAT_PIN, "/var/lib/dpkg/status"]
        before = {p: stat_key(t, p) for p in managed}
        self.server.clear_log()
        second = self.aiprov("apply", "--yes")
        self.assertRc(second, 0)
        self.assertEqual(last_run(t)["changed"], 0, second.describe())
        self.assertEqual({p: stat_key(t, p) for p in managed}, before)
        self.assertEqual(self.server.requests, [])
        self.assertEqual(dpkg_status(t), status)
        self.assertRc(self.aiprov("plan", "--detailed-exitcode"), 0)


if __name__ == "__main__":
    unittest.main()
