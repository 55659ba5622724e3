"""The vendor stand-ins of standins.py print what the real programs print (tests/fixtures/real/): run
here with /bin/sh, no tree, no binary. test_workstation.py uses them inside trees."""

import os
import subprocess
import tempfile
import unittest

import standins


class StandinsTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="aiprov-standins-")
        self.addCleanup(subprocess.run, ["rm", "-rf", "--", self.dir])

    def script(self, name, spec):
        text = spec[0] if isinstance(spec, tuple) else spec
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        os.chmod(path, 0o755)
        return path

    def sh(self, *argv, env=None, cwd=None):
        return subprocess.run(["sh"] + list(argv), capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, **(env or {})), cwd=cwd or self.dir)

    def test_nvidia_smi(self):
        smi = self.script("nvidia-smi", standins.nvidia_smi_script(standins.DRIVER))
        self.assertEqual(self.sh(smi).stdout, standins.real("nvidia-smi-550.127.08-tesla-t4-cuda12.4.txt"))
        r = self.sh(smi, "--query-gpu=name,driver_version,memory.total", "--format=csv")
        header = standins.real("nvidia-smi-query-name-driver-memory-linux.csv").splitlines()[0]
        self.assertEqual(r.stdout, f"{header}\nTesla T4, 550.127.08, 15360 MiB\n")
        self.assertEqual(self.sh(smi, "--bogus").returncode, 2)

    def test_nvcc(self):
        nvcc = self.script("nvcc", standins.cuda_packages()[0].files["/usr/local/cuda-12.4/bin/nvcc"])
        self.assertEqual(self.sh(nvcc, "--version").stdout, standins.real("nvcc-version-12.4.99.txt"))
        old = self.script("nvcc-old", standins.cuda_packages("12.2")[0].files["/usr/local/cuda-12.4/bin/nvcc"])
        self.assertIn("Cuda compilation tools, release 12.2, V12.2.140\n", self.sh(old, "--version").stdout)

    def test_ubuntu_drivers_devices_has_the_shape_of_the_capture(self):
        tool = self.script("ubuntu-drivers", standins.ubuntu_drivers_common().files["/usr/bin/ubuntu-drivers"])
        out = self.sh(tool, "devices").stdout
        real = standins.real("ubuntu-drivers-devices-rtx2080ti-515.txt")
        keys = [line.split(":")[0] for line in out.splitlines()[1:] if line]
        self.assertEqual(keys, [line.split(":")[0] for line in real.splitlines()[1:] if line][:len(keys)])
        self.assertIn("driver   : nvidia-driver-550 - distro non-free recommended\n", out)
        self.assertTrue(out.endswith("\n\n") and real.endswith("\n\n"))
        self.assertEqual(self.sh(tool, "frobnicate").returncode, 2)

    def test_anaconda_installer_help_and_layout(self):
        with open(os.path.join(self.dir, "Anaconda3-2023.07-1-Linux-aarch64.sh"), "wb") as f:
            f.write(standins.anaconda_installer())
        r = self.sh("./Anaconda3-2023.07-1-Linux-aarch64.sh", "-h", env={"HOME": "/home/anaconda"})
        self.assertEqual(r.stdout, standins.real("anaconda3-2023.07-1-installer-help.txt"))
        prefix = os.path.join(self.dir, "prefix")
        r = self.sh("./Anaconda3-2023.07-1-Linux-aarch64.sh", "-b", "-p", prefix)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sh("./Anaconda3-2023.07-1-Linux-aarch64.sh", "-b", "-p", prefix)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"ERROR: File or directory already exists: '{prefix}'", r.stderr)
        conda = os.path.join(prefix, "bin", "conda")
        self.assertEqual(self.sh(conda, "--version").stdout, "conda 23.7.2\n")
        r = self.sh(conda, "create", "-n", "py311", "python=3.11", "numpy=1.26", "-y")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(os.path.join(prefix, "envs/py311/conda-meta"))),
                         ["numpy-1.26-0.json", "python-3.11.5-h955ad1f_0.json"])
        self.assertEqual(self.sh(conda, "run", "-n", "py311", "python", "--version").stdout, "Python 3.11.5\n")
        self.assertIn(f"py311                    {prefix}/envs/py311\n", self.sh(conda, "env", "list").stdout)

    def test_pip_config_list_prints_like_pip(self):
        pip = self.script("pip", standins.PIP)
        conf = os.path.join(self.dir, "pip.conf")
        with open(conf, "w") as f:
            f.write("# a comment\n[global]\nindex-url = https://pypi.mirror.invalid/simple\n\n"
                    "[install]\n; another\ntrusted-host=pypi.mirror.invalid  \n")
        r = self.sh(pip, "config", "list", env={"PIP_CONFIG_FILE": conf})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[-2:], ["global.index-url='https://pypi.mirror.invalid/simple'",
                                                      "install.trusted-host='pypi.mirror.invalid'"])
        self.assertEqual(self.sh(pip, "install", "x").returncode, 2)

if __name__ == "__main__":
    unittest.main()
