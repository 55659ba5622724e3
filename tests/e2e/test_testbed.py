"""The end-to-end test bed itself: trees, the signed archive, real apt against it over loopback,
and the HTTP server's fault modes. Needs root and the cached base tree, not the aiprov binary."""

import http.client
import os
import socket
import stat
import unittest

import archive
import httpd
import rootfs
from aiprov import TreeTestCase, read_bytes, read_text, requires_tree

REAL = rootfs.REAL_FIXTURES


def fixture(name):
    with open(os.path.join(REAL, name), "rb") as f:
        return f.read()


def os_release(tree):
    out = {}
    for line in read_text(tree, "/etc/os-release").splitlines():
        k, _, v = line.partition("=")
        out[k] = v.strip('"')
    return out


@requires_tree
class TreeTest(TreeTestCase):
    def test_tree_is_a_debian_minbase_with_the_tools_steps_need(self):
        tree = self.new_tree()
        self.assertTrue(read_text(tree, "/etc/debian_version").startswith("12"))
        for tool in ("usr/sbin/groupadd", "usr/sbin/useradd", "usr/bin/gpasswd", "usr/bin/apt-get",
                     "usr/bin/dpkg", "usr/bin/gpgv", "bin/sh"):
            self.assertTrue(os.path.exists(os.path.join(tree, tool)), tool)
        st = os.lstat(os.path.join(tree, "dev/null"))
        self.assertTrue(stat.S_ISCHR(st.st_mode), "dev/null is a character device")
        self.assertEqual(os.lstat(os.path.join(tree, "etc/shadow")).st_uid, 0)
        self.assertIn("root", read_text(tree, "/etc/group"))

    def test_each_tree_is_fresh(self):
        a, b = self.new_tree(), self.new_tree()
        with open(os.path.join(a, "etc/marker"), "w") as f:
            f.write("a\n")
        self.assertFalse(os.path.exists(os.path.join(b, "etc/marker")))

    def test_make_ubuntu_like_2204(self):
        tree = self.new_tree(ubuntu="22.04")
        rel = os_release(tree)
        self.assertEqual((rel["ID"], rel["VERSION_ID"], rel["VERSION_CODENAME"],
                          rel["UBUNTU_CODENAME"]), ("ubuntu", "22.04", "jammy", "jammy"))
        self.assertEqual(read_bytes(tree, "/etc/apt/sources.list"),
                         fixture("ubuntu-22.04-sources.list"))
        self.assertEqual(os.listdir(os.path.join(tree, "etc/apt/sources.list.d")), [])

    def test_make_ubuntu_like_2404(self):
        tree = self.new_tree(ubuntu="24.04")
        rel = os_release(tree)
        self.assertEqual((rel["ID"], rel["VERSION_ID"], rel["VERSION_CODENAME"]),
                         ("ubuntu", "24.04", "noble"))
        self.assertEqual(read_bytes(tree, "/etc/apt/sources.list"),
                         fixture("ubuntu-24.04-sources.list"))
        self.assertEqual(read_bytes(tree, "/etc/apt/sources.list.d/ubuntu.sources"),
                         fixture("ubuntu-24.04-ubuntu.sources"))
        self.assertEqual(os.listdir(os.path.join(tree, "etc/apt/sources.list.d")),
                         ["ubuntu.sources"])

    def test_remove_tree_unmounts_first(self):
        tree = rootfs.new_tree(self.tmp)
        with rootfs.chroot_mounts(tree):
            self.assertTrue(rootfs.mounts_under(tree))
            r = rootfs.chroot_run(tree, ["cat", "/proc/self/stat"])
            self.assertEqual(r.returncode, 0, r.stderr)
            # leave something mounted behind, as a killed aiprov run could
            os.makedirs(os.path.join(tree, "mnt/extra"), exist_ok=True)
            rootfs.subprocess.run(["mount", "-t", "proc", "proc",
                                   os.path.join(tree, "mnt/extra")], check=True)
        self.assertEqual(rootfs.mounts_under(tree), [os.path.join(tree, "mnt/extra")])
        rootfs.remove_tree(tree)
        self.assertFalse(os.path.exists(tree))
        self.assertEqual(rootfs.mounts_under(tree), [])
        self.assertTrue(os.path.exists("/dev/null"))


def hello_package(version="1.0"):
    return archive.Package(
        "aiprov-hello", version, depends=["aiprov-base"],
        files={"/usr/share/aiprov-hello/hello.txt": f"hello {version}\n",
               "/usr/bin/aiprov-hello": ("#!/bin/sh\necho hello\n", 0o755)},
        scripts={"postinst": 'echo configured "$1" > /var/lib/aiprov-hello.postinst\n'})


def make_ubuntu_archive(tmp, key):
    """An Ubuntu-shaped mirror: jammy + -updates/-backports/-security, four components."""
    repo = archive.Archive(os.path.join(tmp, "www"), "ubuntu", key)
    repo.add("jammy", "main", archive.Package("aiprov-base", "1.0"))
    repo.add("jammy", "universe", hello_package("1.0"))
    repo.add("jammy-updates", "universe", hello_package("1.1"))
    repo.build(["jammy", "jammy-updates", "jammy-backports", "jammy-security"],
               ["main", "restricted", "universe", "multiverse"])
    return repo


@requires_tree
class ArchiveTest(TreeTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.ktmp = tempfile.mkdtemp(prefix="aiprov-e2e-key-")
        cls.key = archive.SigningKey(cls.ktmp)

    @classmethod
    def tearDownClass(cls):
        cls.key.close()
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.ktmp])

    def test_archive_layout_and_signatures(self):
        repo = make_ubuntu_archive(self.tmp, self.key)
        dists = os.path.join(repo.base, "dists")
        self.assertEqual(sorted(os.listdir(dists)),
                         ["jammy", "jammy-backports", "jammy-security", "jammy-updates"])
        release = read_text(repo.base, "dists/jammy/Release")
        self.assertIn("Suite: jammy\n", release)
        self.assertIn("Components: main restricted universe multiverse\n", release)
        self.assertIn("universe/binary-amd64/Packages.gz", release)
        packages = read_text(repo.base, "dists/jammy-updates/universe/binary-amd64/Packages")
        self.assertIn("Package: aiprov-hello\n", packages)
        self.assertIn("Version: 1.1\n", packages)
        self.assertEqual(read_text(repo.base, "dists/jammy-backports/main/binary-amd64/Packages"),
                         "")
        with open(self.key.public_asc) as f:
            self.assertTrue(f.read().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        self.assertEqual(len(self.key.fingerprint), 40)
        keyring = self.key.public_gpg
        for args in (["InRelease"], ["Release.gpg", "Release"]):
            r = rootfs.subprocess.run(
                ["gpgv", "--keyring", keyring] + [os.path.join(dists, "jammy", a) for a in args],
                capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
        # a tampered Release fails verification: the signature is real
        with open(os.path.join(dists, "jammy", "Release"), "a") as f:
            f.write("X-Tampered: yes\n")
        r = rootfs.subprocess.run(["gpgv", "--keyring", keyring,
                                   os.path.join(dists, "jammy", "Release.gpg"),
                                   os.path.join(dists, "jammy", "Release")],
                                  capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)

    def _apt(self, tree, *args):
        return rootfs.chroot_run(tree, ["apt-get", "-q", "-y"] + list(args), timeout=300)

    def _point_at(self, tree, url, keyring):
        with open(os.path.join(tree, "etc/apt/sources.list"), "w") as f:
            for suite in ("jammy", "jammy-updates", "jammy-security"):
                f.write(f"deb [signed-by={keyring}] {url} {suite} main restricted universe "
                        "multiverse\n")

    def test_apt_update_and_install_in_a_chroot_over_loopback(self):
        repo = make_ubuntu_archive(self.tmp, self.key)
        tree = self.new_tree(ubuntu="22.04")
        keyring = archive.install_key(tree, self.key, "aiprov-e2e-archive")
        self.assertEqual(keyring, "/usr/share/keyrings/aiprov-e2e-archive.gpg")
        with httpd.Server(repo.root) as srv, rootfs.chroot_mounts(tree):
            self._point_at(tree, srv.url("/ubuntu/"), keyring)
            r = self._apt(tree, "update")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertNotIn("W:", r.stdout + r.stderr)
            r = self._apt(tree, "install", "aiprov-hello")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            paths = [q.path for q in srv.requests]
            self.assertIn("/ubuntu/dists/jammy/InRelease", paths)
            self.assertIn("/ubuntu/pool/universe/a/aiprov-hello/aiprov-hello_1.1_all.deb", paths)
        # jammy-updates' 1.1 wins over jammy's 1.0; the dependency came along; postinst ran
        self.assertEqual(read_text(tree, "/usr/share/aiprov-hello/hello.txt"), "hello 1.1\n")
        self.assertIn("Package: aiprov-base\nStatus: install ok installed",
                      read_text(tree, "/var/lib/dpkg/status"))
        self.assertEqual(read_text(tree, "/var/lib/aiprov-hello.postinst"),
                         "configured configure\n")
        self.assertEqual(rootfs.mounts_under(tree), [])

    def test_apt_rejects_the_archive_without_the_key_in_trusted_d_or_signed_by(self):
        repo = make_ubuntu_archive(self.tmp, self.key)
        tree = self.new_tree(ubuntu="22.04")
        with httpd.Server(repo.root) as srv, rootfs.chroot_mounts(tree):
            with open(os.path.join(tree, "etc/apt/sources.list"), "w") as f:
                f.write(f"deb {srv.url('/ubuntu/')} jammy main universe\n")
            r = self._apt(tree, "update")
            self.assertIn("NO_PUBKEY", r.stdout + r.stderr)
            self.assertNotEqual(self._apt(tree, "install", "aiprov-hello").returncode, 0)
            # the same sources work once the key is trusted through etc/apt/trusted.gpg.d
            archive.install_key(tree, self.key, "aiprov-e2e", trusted_d=True)
            r = self._apt(tree, "update")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertNotIn("NO_PUBKEY", r.stdout + r.stderr)
            r = self._apt(tree, "install", "aiprov-hello")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(read_text(tree, "/usr/share/aiprov-hello/hello.txt"), "hello 1.0\n")


class HttpdTest(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="aiprov-e2e-www-")
        self.data = bytes((i * 7 + 3) % 256 for i in range(200_000))
        os.makedirs(os.path.join(self.dir, "sub"))
        with open(os.path.join(self.dir, "sub/blob.bin"), "wb") as f:
            f.write(self.data)
        self.srv = httpd.Server(self.dir)
        self.srv.start()
        self.addCleanup(self.srv.stop)
        self.addCleanup(rootfs.subprocess.run, ["rm", "-rf", self.dir])

    def get(self, path, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def test_binds_loopback_only(self):
        self.assertEqual(self.srv._httpd.server_address[0], "127.0.0.1")
        self.assertNotEqual(self.srv.port, 0)

    def test_full_and_range(self):
        status, headers, body = self.get("/sub/blob.bin")
        self.assertEqual((status, body), (200, self.data))
        self.assertEqual(headers["Accept-Ranges"], "bytes")
        for rng, start, end in (("bytes=1000-1999", 1000, 1999), ("bytes=150000-", 150000, 199999),
                                ("bytes=-10", 199990, 199999)):
            status, headers, body = self.get("/sub/blob.bin", {"Range": rng})
            self.assertEqual(status, 206, rng)
            self.assertEqual(body, self.data[start:end + 1], rng)
            self.assertEqual(headers["Content-Range"], f"bytes {start}-{end}/200000")
        status, headers, _ = self.get("/sub/blob.bin", {"Range": "bytes=300000-"})
        self.assertEqual(status, 416)
        self.assertEqual(headers["Content-Range"], "bytes */200000")

    def test_missing_and_outside_paths_are_404(self):
        self.assertEqual(self.get("/nope")[0], 404)
        self.assertEqual(self.get("/sub")[0], 404)
        self.assertEqual(self.get("/../../etc/passwd")[0], 404)

    def test_status_fault_then_normal(self):
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.status(404, times=1))
        self.assertEqual(self.get("/sub/blob.bin")[0], 404)
        self.assertEqual(self.get("/sub/blob.bin")[0], 200)
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.status(500))
        self.assertEqual(self.get("/sub/blob.bin")[0], 500)
        self.assertEqual(self.get("/sub/blob.bin")[0], 500)

    def test_cut_then_resume_with_range(self):
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.cut(5000, times=1))
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        conn.request("GET", "/sub/blob.bin")
        resp = conn.getresponse()
        self.assertEqual(resp.getheader("Content-Length"), "200000")
        with self.assertRaises(http.client.IncompleteRead) as cm:
            resp.read()
        conn.close()
        got = cm.exception.partial
        self.assertEqual(got, self.data[:5000])
        status, _, rest = self.get("/sub/blob.bin", {"Range": f"bytes={len(got)}-"})
        self.assertEqual(status, 206)
        self.assertEqual(got + rest, self.data)
        log = self.srv.requests_for("/sub/blob.bin")
        self.assertEqual([(r.range, r.status, r.fault) for r in log],
                         [(None, 200, "cut"), ("bytes=5000-", 206, None)])
        self.assertEqual(log[0].body_bytes, 5000)

    def test_corrupt_keeps_length_changes_bytes(self):
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.corrupt(times=1))
        status, _, body = self.get("/sub/blob.bin")
        self.assertEqual((status, len(body)), (200, len(self.data)))
        self.assertNotEqual(body, self.data)
        self.assertEqual(self.get("/sub/blob.bin")[2], self.data)
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.corrupt())
        status, _, part = self.get("/sub/blob.bin", {"Range": "bytes=10-20"})
        self.assertEqual((status, len(part)), (206, 11))
        self.assertNotEqual(part, self.data[10:21])

    def test_stall_outlasts_a_short_client_timeout(self):
        self.srv.set_fault("/sub/blob.bin", httpd.Fault.stall(3, times=1))
        with self.assertRaises((socket.timeout, TimeoutError)):
            self.get("/sub/blob.bin", timeout=0.5)
        self.assertEqual(httpd.Fault.stall(10_000).value, httpd.MAX_STALL_S)


if __name__ == "__main__":
    unittest.main()
