"""The real recipes/workstation.yaml, end to end, on 22.04-like and 24.04-like trees (workstation.tar:
Debian 12 with a compiler, libfreeimage-dev, systemd, initramfs-tools), with the vendor stand-ins of
standins.py served on loopback: an Ubuntu-shaped archive (ubuntu-drivers-common, the driver), NVIDIA's
CUDA repository (CUDA, cuDNN), the Anaconda installer, and NVIDIA's local-installer .debs on disk.
The facts say there is one NVIDIA GPU (--fact gpu.nvidia_count=1).

  - apply stops with exit 4 at the reboot step, `aiprov resume --root` finishes the run, `aiprov
    verify` passes (nvidia-smi, nvcc, the cuDNN sample built with the tree's compiler, conda as a
    member of the group, pip's mirror), and a second plan has nothing to do;
  - nvcc reporting 12.2 fails its probe with that evidence; nvidia-driver-535 stops the CUDA layer with
    its message; a missing installer checksum stops the plan naming the variable, a wrong one runs
    nothing (no prefix); the offline path installs CUDA and cuDNN from the local installers without
    touching the network repository.

The trees' security entries point at the loopback archive too (the apt-mirror module leaves security
alone by design, and there is no network here). Needs root, the cached trees (fixture e2e_tree with
--workstation) and AIPROV_BIN."""

import hashlib
import os
import shutil
import tempfile
import unittest

import archive
import httpd
import rootfs
import standins
from aiprov import (dpkg_status, file_mode, group_entry, last_run, owner_names, read_bytes, read_text,
                    requires_binary, run)

WORKSTATION = os.path.join(rootfs.SOURCE_DIR, "recipes", "workstation.yaml")
INSTALLED = "install ok installed"
HELD = "hold ok installed"
PREFIX = "/opt/anaconda3"
CHECKPOINT = "/var/lib/aiprov/checkpoint.json"
GPU = ["--fact", "gpu.nvidia_count=1"]

requires_workstation_tree = unittest.skipUnless(
    os.path.exists(rootfs.tarball_path(variant="workstation")),
    "no workstation tree: run `rootfs.py --build CACHE --workstation` (CTest fixture e2e_tree) and set "
    "AIPROV_E2E_CACHE")


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@requires_binary
@requires_workstation_tree
class WorkstationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="aiprov-e2e-workstation-")
        cls.ubuntu_key = archive.SigningKey(cls.shared)
        cls.cuda_key = archive.SigningKey(cls.shared, uid="cudatools <cudatools@nvidia.invalid>")
        www = cls.www = os.path.join(cls.shared, "www")
        standins.build_ubuntu_archive(www, cls.ubuntu_key)
        libcudnn = standins.build_libcudnn(cls.shared)
        cls.cuda_dirs = {}
        for release, distro in standins.CUDA_DISTROS.items():
            path = f"compute/cuda/repos/{distro}/x86_64/"
            standins.build_cuda_repo(os.path.join(www, path), cls.cuda_key, libcudnn)
            cls.cuda_dirs[release] = path
        cls.bad_cuda_dir = "compute/cuda/repos-nvcc-12.2/ubuntu2204/x86_64/"
        standins.build_cuda_repo(os.path.join(www, cls.bad_cuda_dir), cls.cuda_key, libcudnn, nvcc_release="12.2")
        os.makedirs(os.path.join(www, "archive"))
        installer = os.path.join(www, "archive", standins.ANACONDA_FILE)
        with open(installer, "wb") as f:
            f.write(standins.anaconda_installer())
        cls.installer_sha256 = sha256_of(installer)
        offline = os.path.join(cls.shared, "offline")
        cls.cuda_local = standins.build_cuda_local_installer(offline, cls.cuda_key)
        cls.cudnn_local = standins.build_cudnn_local_installer(offline, cls.cuda_key, libcudnn)
        cls.driver_debs = [os.path.join(www, "ubuntu", p) for p in cls.pool_debs(
            www, ["nvidia-driver-550", "nvidia-utils-550", "nvidia-compute-utils-550", "libnvidia-compute-550"])]
        cls.server = httpd.Server(www)
        cls.server.start()

    @staticmethod
    def pool_debs(www, names):
        found = []
        for dirpath, _, files in os.walk(os.path.join(www, "ubuntu", "pool")):
            found += [os.path.relpath(os.path.join(dirpath, f), os.path.join(www, "ubuntu"))
                      for f in files if f.split("_")[0] in names]
        assert len(found) == len(names), found
        return found

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ubuntu_key.close()
        cls.cuda_key.close()
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.shared])

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="aiprov-e2e-")
        self.addCleanup(lambda: (rootfs.unmount_all(self.tmp),
                                 rootfs.subprocess.run(["rm", "-rf", "--one-file-system", self.tmp])))
        self.server.clear_log()

    # --- the bed ----------------------------------------------------------------------------------

    def new_tree(self, release, variant="workstation"):
        """A fresh tree of `release` whose security entries point at the loopback archive, with the
        archive's key where that release keeps it, and users alice (for the group) and bob."""
        tree = rootfs.new_tree(self.tmp, variant=variant)
        self.addCleanup(rootfs.remove_tree, tree)
        rootfs.make_ubuntu_like(tree, release)
        with open(os.path.join(tree, "etc/hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")
        local = f"http://localhost:{self.server.port}/ubuntu/"
        for rel in ("etc/apt/sources.list", "etc/apt/sources.list.d/ubuntu.sources"):
            path = os.path.join(tree, rel)
            if os.path.exists(path):
                text = read_text(tree, "/" + rel).replace("http://security.ubuntu.com/ubuntu/", local)
                with open(path, "w") as f:
                    f.write(text)
        if release == "22.04":
            archive.install_key(tree, self.ubuntu_key, "ubuntu-keyring-2018-archive", trusted_d=True)
        else:
            archive.install_key(tree, self.ubuntu_key, "ubuntu-archive-keyring")
        for user in ("alice", "bob"):
            r = rootfs.chroot_run(tree, ["useradd", "--create-home", "--shell", "/bin/bash", user])
            self.assertEqual(r.returncode, 0, r.stderr)
        return tree

    def variables(self, release, **override):
        v = {
            "mirror": self.server.url("/ubuntu/").replace("localhost", "127.0.0.1"),
            "cuda_repo_url": self.server.url("/" + self.cuda_dirs[release]),
            "cuda_keyring_fingerprint": self.cuda_key.fingerprint,
            "anaconda_installer_url": self.server.url("/archive/" + standins.ANACONDA_FILE),
            "anaconda_installer_sha256": self.installer_sha256,
            "anaconda_users": "alice",
            "conda_probe_user": "alice",
            "conda_env_packages": "numpy=1.26",
            "pip_index_url": "https://pypi.mirror.invalid/simple",
        }
        v.update(override)
        args = []
        for k, val in v.items():
            args += ["--var", f"{k}={val}"]
        return args

    def aiprov(self, command, tree, release, *options, **override):
        return run(command, WORKSTATION, "--root", tree, *GPU, *self.variables(release, **override), *options)

    def assertRc(self, result, *expected):
        if result.rc not in expected:
            self.fail(f"expected rc in {expected}" + result.describe())

    def chroot(self, tree, argv):
        with rootfs.chroot_mounts(tree):
            return rootfs.chroot_run(tree, argv)

    # --- the whole recipe -------------------------------------------------------------------------

    def converge(self, release, **override):
        """apply (exit 4 at the reboot), resume, verify, plan: nothing left. Returns the tree."""
        tree = self.new_tree(release)
        plan = self.aiprov("plan", tree, release, "--detailed-exitcode", **override)
        self.assertRc(plan, 2)

        first = self.aiprov("apply", tree, release, "--yes", **override)
        self.assertRc(first, 4)
        self.assertIn("reboot", (first.stdout + first.stderr).lower())
        self.assertTrue(os.path.exists(os.path.join(tree, CHECKPOINT.lstrip("/"))))
        status = dpkg_status(tree)
        self.assertEqual(status["nvidia-driver-550"], (HELD, standins.DRIVER_DEB))
        self.assertEqual(status["nvidia-utils-550"][0], HELD)
        self.assertEqual(status["libnvidia-compute-550"][0], HELD)
        self.assertNotIn("cuda-toolkit-12-4", status, "nothing after the reboot step runs before the reboot")
        steps = {s["id"]: s for s in last_run(tree)["steps"]}
        self.assertEqual(steps["update-initramfs"]["status"], "changed", "the initramfs before the reboot")
        self.assertEqual(rootfs.mounts_under(tree), [])

        resumed = run("resume", "--root", tree)
        self.assertRc(resumed, 0)
        self.assertFalse(os.path.exists(os.path.join(tree, CHECKPOINT.lstrip("/"))))
        self.assertEqual(read_text(tree, "/var/lib/aiprov/reboots/nvidia-reboot").strip(),
                         f"nvidia-driver-550={standins.DRIVER_DEB}")

        verify = self.aiprov("verify", tree, release, **override)
        self.assertRc(verify, 0)
        out = verify.stdout + verify.stderr
        for probe in ("nvidia-smi", "nvcc", "cudnn-mnist", "conda", "pip-config"):
            self.assertRegex(out, rf"(?m)^\s*PASS\s+{probe}\b")
        self.assertRegex(out, r"(?m)^\s*SKIP\s+nvml\b")
        self.assertIn("release 12.4", out)
        self.assertIn("Tesla T4", out)

        again = self.aiprov("plan", tree, release, "--detailed-exitcode", **override)
        self.assertRc(again, 0)
        self.assertEqual(rootfs.mounts_under(tree), [])
        self.check_layers(tree)
        return tree

    def check_layers(self, tree):
        """What each layer leaves in the tree, as a user of the machine sees it."""
        status = dpkg_status(tree)
        for p in ("ubuntu-drivers-common", "cuda-toolkit-12-4", "cudnn9-cuda-12", "libcudnn9-samples",
                  "libfreeimage-dev"):
            self.assertEqual(status[p][0], INSTALLED, p)
        self.assertIn("blacklist nouveau", read_text(tree, "/etc/modprobe.d/blacklist-nouveau.conf"))
        self.assertIn('"nvidia-";', read_text(tree, "/etc/apt/apt.conf.d/51aiprov-nvidia-no-unattended"))
        self.assertTrue(os.path.islink(os.path.join(
            tree, "etc/systemd/system/multi-user.target.wants/nvidia-persistenced.service")))
        link = os.readlink(os.path.join(tree, "usr/local/cuda"))  # update-alternatives, as NVIDIA's packages do
        self.assertEqual(os.readlink(os.path.join(tree, link.lstrip("/"))), "/usr/local/cuda-12.4")
        self.assertEqual(read_text(tree, "/etc/ld.so.conf.d/cuda.conf"), "/usr/local/cuda/lib64\n")
        # a login shell has nvcc on PATH and lib64 (not lib) on LD_LIBRARY_PATH
        r = self.chroot(tree, ["su", "-", "alice", "-c", 'command -v nvcc; echo "$LD_LIBRARY_PATH"'])
        self.assertEqual(r.stdout.split(), ["/usr/local/cuda/bin/nvcc", "/usr/local/cuda/lib64"], r.stderr)
        # Anaconda: the group's, not other users'
        gid, members = group_entry(tree, "anaconda")
        self.assertEqual(members, ["alice"])
        self.assertEqual(owner_names(tree, PREFIX), ("root", "anaconda"))
        self.assertEqual(file_mode(tree, PREFIX), 0o2770)
        self.assertEqual(file_mode(tree, PREFIX + "/bin/conda"), 0o770)
        self.assertEqual(file_mode(tree, PREFIX + "/envs/py311/conda-meta"), 0o2770)
        self.assertIn("https://mirrors.ustc.edu.cn/anaconda/pkgs/main", read_text(tree, PREFIX + "/.condarc"))
        self.assertTrue(os.path.exists(os.path.join(tree, "opt/anaconda3/envs/py311/conda-meta",
                                                    "numpy-1.26-0.json")))
        r = self.chroot(tree, ["runuser", "-u", "alice", "--", PREFIX + "/bin/conda", "run", "-n", "py311",
                               "python", "--version"])
        self.assertEqual((r.returncode, r.stdout), (0, "Python 3.11.5\n"), r.stderr)
        r = self.chroot(tree, ["runuser", "-u", "bob", "--", PREFIX + "/bin/conda", "--version"])
        self.assertNotEqual(r.returncode, 0, "bob is not in the group: " + r.stdout)
        self.assertIn("Permission denied", r.stderr)
        self.assertIn("index-url = https://pypi.mirror.invalid/simple", read_text(tree, "/etc/pip.conf"))

    def test_jammy(self):
        tree = self.converge("22.04")
        self.assertIn(f"deb [signed-by=/usr/share/keyrings/cuda-archive-keyring.gpg] "
                      f"{self.server.url('/' + self.cuda_dirs['22.04'])} /",
                      read_text(tree, "/etc/apt/sources.list.d/cuda-nvidia.list"))
        self.assertEqual(read_text(tree, "/etc/apt/preferences.d/cuda-repository-pin-600"),
                         standins.real("cuda-ubuntu2204.pin"))

    def test_noble(self):
        tree = self.converge("24.04")
        self.assertIn("Suites: /", read_text(tree, "/etc/apt/sources.list.d/cuda-nvidia.sources"))

    def test_offline_local_installers(self):
        """cuda_local_installer and cudnn_local_installer: the repositories inside NVIDIA's .debs,
        their keys copied as the guide says; the network repository is never asked."""
        tree = self.converge("22.04", cuda_repo_url="http://127.0.0.1:9/unused/",
                             cuda_local_installer=self.cuda_local,
                             cuda_local_installer_sha256=sha256_of(self.cuda_local),
                             cudnn_local_installer=self.cudnn_local,
                             cudnn_local_installer_sha256=sha256_of(self.cudnn_local))
        keyid = standins.key_id(self.cuda_key)
        for keyring in (f"cuda-{keyid}-keyring.gpg", f"cudnn-local-{keyid}-keyring.gpg"):
            self.assertEqual(read_bytes(tree, "/usr/share/keyrings/" + keyring),
                             read_bytes("/", self.cuda_key.public_gpg), keyring)
        status = dpkg_status(tree)
        self.assertEqual(status["cuda-repo-ubuntu2204-12-4-local"][0], INSTALLED)
        self.assertEqual(status["cudnn-local-repo-ubuntu2204-9.3.0"][0], INSTALLED)
        self.assertFalse(os.path.exists(os.path.join(tree, "etc/apt/sources.list.d/cuda-nvidia.list")))
        self.assertFalse(os.path.exists(os.path.join(tree, "usr/share/keyrings/cuda-archive-keyring.gpg")))
        self.assertEqual([r.path for r in self.server.requests if "/compute/" in r.path], [])

    # --- failures ---------------------------------------------------------------------------------

    def test_nvcc_reporting_another_release_fails_its_probe(self):
        """A toolkit whose nvcc says 12.2: every step converges, the nvcc probe fails with the
        evidence. The driver is installed beforehand (dpkg -i), the CUDA layer alone applied."""
        tree = self.new_tree("22.04", variant="base")
        for deb in self.driver_debs:
            shutil.copy(deb, os.path.join(tree, "tmp"))
        r = self.chroot(tree, ["dpkg", "-i"] + ["/tmp/" + os.path.basename(d) for d in self.driver_debs])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        bad = self.server.url("/" + self.bad_cuda_dir)
        r = self.aiprov("apply", tree, "22.04", "--yes", "--only", "apt-mirror", "--only", "cuda",
                        cuda_repo_url=bad)
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn("expected release 12.4, found 12.2", out)
        self.assertIn("Cuda compilation tools, release 12.2, V12.2.140", out)
        self.assertEqual(dpkg_status(tree)["cuda-toolkit-12-4"][0], INSTALLED)
        r = self.aiprov("verify", tree, "22.04", "--only", "cuda", cuda_repo_url=bad)
        self.assertRc(r, 1)
        self.assertRegex(r.stdout + r.stderr, r"(?m)^\s*FAIL\s+nvcc\b")

    def test_driver_too_old_for_cuda_stops_the_cuda_layer(self):
        tree = self.new_tree("22.04")
        self.assertRc(self.aiprov("apply", tree, "22.04", "--yes", nvidia_driver="nvidia-driver-535"), 4)
        self.assertEqual(dpkg_status(tree)["nvidia-driver-535"], (HELD, standins.OLD_DRIVER_DEB))
        r = run("resume", "--root", tree)
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn("cuda-driver-check", out)
        self.assertIn("550.54.14", out)
        self.assertIn(standins.OLD_DRIVER, out)
        self.assertNotIn("cuda-toolkit-12-4", dpkg_status(tree))

    def test_installer_checksum(self):
        """No checksum: the plan stops and names the variable. A wrong one: the download fails its
        check and nothing runs: no prefix, no installer left."""
        tree = self.new_tree("22.04", variant="base")
        r = self.aiprov("plan", tree, "22.04", "--only", "anaconda", anaconda_installer_sha256="none")
        self.assertRc(r, 1)
        self.assertIn("anaconda_installer_sha256", r.stdout + r.stderr)
        self.assertEqual(self.server.requests, [])

        wrong = hashlib.sha256(b"not the installer").hexdigest()
        r = self.aiprov("apply", tree, "22.04", "--yes", "--only", "anaconda", anaconda_installer_sha256=wrong)
        self.assertRc(r, 1)
        self.assertIn(wrong, r.stdout + r.stderr)
        self.assertFalse(os.path.lexists(os.path.join(tree, PREFIX.lstrip("/"))))
        self.assertFalse(os.path.lexists(os.path.join(tree, "var/cache/aiprov/installers/anaconda-installer.sh")))
        self.assertIsNone(group_entry(tree, "anaconda"), "the run stopped at the download")


if __name__ == "__main__":
    unittest.main()
