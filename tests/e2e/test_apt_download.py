"""Verified downloads (`download` step) and fetched apt keyrings (`apt_keyring` step) against the
loopback server's fault modes, on one 22.04-like tree: a connection cut mid-body is resumed with a
Range request; a corrupted body, a 404 and a closed port fail naming the URL and leave nothing
behind; a deleted dest is restored from the cache without a request; a key whose fingerprint is
not the listed one is refused; a partial file torn by a crash (zeros where the bytes never reached
the disk) is resumed, found wrong and fetched again whole; over HTTPS, a certificate that is not
trusted, or is trusted but names another host, is refused naming the URL, and one trusted through
CURL_CA_BUNDLE is accepted. Needs root, the cached base tree, openssl and AIPROV_BIN."""

import glob
import hashlib
import os
import random
import socket
import tempfile
import unittest

import archive
import httpd
import rootfs
from aiprov import file_mode, read_bytes, recipe, requires_binary, requires_tree, run

CACHE = "var/cache/aiprov/downloads"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def closed_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@requires_binary
@requires_tree
class DownloadTest(unittest.TestCase):
    """One tree and one server for the class; every test uses its own URL and dest."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="aiprov-e2e-aptdl-")
        cls.tree = rootfs.new_tree(cls.tmp)
        rootfs.make_ubuntu_like(cls.tree, "22.04")
        cls.www = os.path.join(cls.tmp, "www")
        os.makedirs(cls.www)
        cls.blobs = {}
        rng = random.Random(20240412)
        for name, size in (("cuda-installer.run", 1 << 20), ("corrupt.run", 200_000), ("torn.run", 300_000),
                           ("tls.run", 100_000)):
            cls.blobs[name] = rng.randbytes(size)
            with open(os.path.join(cls.www, name), "wb") as f:
                f.write(cls.blobs[name])
        cls.key = archive.SigningKey(cls.tmp, uid="vendor <vendor@aiprov.invalid>")
        with open(cls.key.public_asc, "rb") as f:
            cls.key_asc = f.read()
        with open(os.path.join(cls.www, "vendor.asc"), "wb") as f:
            f.write(cls.key_asc)
        cls.server = httpd.Server(cls.www)
        cls.server.start()
        cls.cert = httpd.self_signed_cert(cls.tmp, "loopback", ["IP:127.0.0.1"])
        cls.other_cert = httpd.self_signed_cert(cls.tmp, "other", ["DNS:other.invalid"])
        cls.tls = httpd.Server(cls.www, tls=cls.cert)
        cls.tls.start()
        cls.tls_other = httpd.Server(cls.www, tls=cls.other_cert)
        cls.tls_other.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tls.stop()
        cls.tls_other.stop()
        cls.key.close()
        rootfs.remove_tree(cls.tree)
        rootfs.subprocess.run(["rm", "-rf", "--one-file-system", cls.tmp])

    def setUp(self):
        self.server.clear_faults()
        self.server.clear_log()

    def download(self, url, dest, digest, command="apply", env=None):
        extra = ["--yes"] if command == "apply" else []
        return run(command, recipe("apt-download.yaml"), "--root", self.tree, *extra,
                   "--var", f"url={url}", "--var", f"dest={dest}", "--var", f"sha256={digest}", env=env)

    def exists(self, path):
        return os.path.lexists(os.path.join(self.tree, path.lstrip("/")))

    def parts(self, subdir=CACHE, stem="*"):
        return glob.glob(os.path.join(self.tree, subdir, stem + ".part"))

    def assertRc(self, result, *expected):
        if result.rc not in expected:
            self.fail(f"expected rc in {expected}" + result.describe())

    def test_cut_connection_resumes_and_cache_restores_a_deleted_dest(self):
        name, dest = "cuda-installer.run", "/opt/installers/cuda-installer.run"
        data, path = self.blobs[name], "/" + name
        self.server.set_fault(path, httpd.Fault.cut(300_000, times=1))
        r = self.download(self.server.url(path), dest, sha256(data))
        self.assertRc(r, 0)
        self.assertEqual(read_bytes(self.tree, dest), data)
        self.assertEqual(file_mode(self.tree, dest), 0o755)
        reqs = self.server.requests_for(path)
        self.assertGreaterEqual(len(reqs), 2, reqs)
        self.assertEqual((reqs[0].fault, reqs[0].range, reqs[0].body_bytes), ("cut", None, 300_000))
        # the next request asks only for the rest
        self.assertEqual((reqs[1].range, reqs[1].status), ("bytes=300000-", 206), reqs)
        self.assertEqual(sum(q.body_bytes for q in reqs), len(data), "nothing fetched twice")
        self.assertEqual(read_bytes(self.tree, f"{CACHE}/{sha256(data)}"), data)
        self.assertEqual(self.parts(stem=sha256(data)), [])

        # converged; with dest deleted, the cache restores it without a request
        self.assertRc(self.download(self.server.url(path), dest, sha256(data), "plan"), 0)
        os.unlink(os.path.join(self.tree, dest.lstrip("/")))
        self.server.clear_log()
        plan = run("plan", recipe("apt-download.yaml"), "--root", self.tree, "--detailed-exitcode",
                   "--var", f"url={self.server.url(path)}", "--var", f"dest={dest}",
                   "--var", f"sha256={sha256(data)}")
        self.assertRc(plan, 2)
        self.assertIn("cached", plan.stdout)
        self.assertRc(self.download(self.server.url(path), dest, sha256(data)), 0)
        self.assertEqual(read_bytes(self.tree, dest), data)
        self.assertEqual(self.server.requests, [])

    def test_corrupt_body_is_refused_and_nothing_is_left(self):
        name, dest = "corrupt.run", "/opt/installers/corrupt.run"
        data, path = self.blobs[name], "/" + name
        self.server.set_fault(path, httpd.Fault.corrupt())
        url = self.server.url(path)
        r = self.download(url, dest, sha256(data))
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(url, out)
        self.assertIn(sha256(data), out)  # expected
        self.assertIn(sha256(httpd.corrupt_bytes(data)), out)  # what came
        self.assertFalse(self.exists(dest))
        self.assertFalse(self.exists(f"{CACHE}/{sha256(data)}"))
        self.assertEqual(self.parts(stem=sha256(data)), [])
        self.assertEqual(glob.glob(os.path.join(self.tree, "opt/installers/*corrupt*")), [])

    def test_a_torn_partial_file_is_fetched_again_whole(self):
        name, dest = "torn.run", "/opt/installers/torn.run"
        data, path = self.blobs[name], "/" + name
        part = os.path.join(self.tree, CACHE, sha256(data) + ".part")
        os.makedirs(os.path.dirname(part), exist_ok=True)
        with open(part, "wb") as f:  # what a crash can leave: the length written, not the bytes
            f.write(bytes(100_000))
        r = self.download(self.server.url(path), dest, sha256(data))
        self.assertRc(r, 0)
        self.assertEqual(read_bytes(self.tree, dest), data)
        self.assertIn("fetching it again whole", r.stderr)
        reqs = self.server.requests_for(path)
        self.assertEqual([(q.range, q.status) for q in reqs], [("bytes=100000-", 206), (None, 200)], reqs)
        self.assertEqual(self.parts(stem=sha256(data)), [])

    def test_https_certificates_are_checked(self):
        name, dest = "tls.run", "/opt/installers/tls.run"
        data, digest = self.blobs[name], sha256(self.blobs[name])
        url = self.tls.url("/" + name)
        self.assertTrue(url.startswith("https://127.0.0.1:"), url)

        # A certificate no one vouches for (here: self-signed, not in the system's trust store).
        r = self.download(url, dest, digest)
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(url, out)
        self.assertIn("certificate", out.lower())
        self.assertFalse(self.exists(dest))
        self.assertFalse(self.exists(f"{CACHE}/{digest}"))
        self.assertEqual(self.parts(stem=digest), [], "nothing came: no empty .part is left")

        # Trusted, but issued to another host name.
        other = self.tls_other.url("/" + name)
        r = self.download(other, dest, digest, env={"CURL_CA_BUNDLE": self.other_cert[0]})
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(other, out)
        self.assertIn("127.0.0.1", out)
        self.assertRegex(out, r"subject name|host name|hostname")
        self.assertFalse(self.exists(dest))

        # Trusted through CURL_CA_BUNDLE and issued to 127.0.0.1: fetched and verified.
        r = self.download(url, dest, digest, env={"CURL_CA_BUNDLE": self.cert[0]})
        self.assertRc(r, 0)
        self.assertEqual(read_bytes(self.tree, dest), data)
        self.assertEqual(self.tls.requests_for("/" + name)[-1].status, 200)

    def test_http_404_names_the_url(self):
        dest = "/opt/installers/missing.run"
        url = self.server.url("/missing.run")
        r = self.download(url, dest, sha256(b"missing"))
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(url, out)
        self.assertIn("404", out)
        self.assertEqual(len(self.server.requests_for("/missing.run")), 1, "a 404 is not retried")
        self.assertFalse(self.exists(dest))
        self.assertEqual(self.parts(stem=sha256(b"missing")), [])

    def test_closed_port_names_the_url(self):
        dest = "/opt/installers/unreachable.run"
        url = f"http://127.0.0.1:{closed_port()}/unreachable.run"
        r = self.download(url, dest, sha256(b"unreachable"))
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(url, out)
        self.assertRegex(out.lower(), r"connect|refused")
        self.assertFalse(self.exists(dest))

    # --- apt_keyring from a URL ------------------------------------------------------------------

    def keyring(self, fingerprint):
        return run("apply", recipe("apt-keyring.yaml"), "--root", self.tree, "--yes",
                   "--var", f"key_url={self.server.url('/vendor.asc')}",
                   "--var", f"fingerprint={fingerprint}")

    def test_keyring_with_the_wrong_fingerprint_is_refused(self):
        wrong = "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567"
        r = self.keyring(wrong)
        self.assertRc(r, 1)
        out = r.stdout + r.stderr
        self.assertIn(wrong.replace(" ", ""), out)  # expected
        self.assertIn(self.key.fingerprint, out)    # found
        self.assertIn(self.server.url("/vendor.asc"), out)
        self.assertFalse(self.exists("/etc/apt/keyrings/vendor.gpg"))
        self.assertEqual(self.parts("var/cache/aiprov/keyrings"), [])
        self.assertEqual(glob.glob(os.path.join(self.tree, "etc/apt/keyrings/*")), [])

        # the listed fingerprint (spaced and lower-case, as vendors print it) is accepted
        spaced = " ".join(self.key.fingerprint[i:i + 4] for i in range(0, 40, 4)).lower()
        self.assertRc(self.keyring(spaced), 0)
        self.assertEqual(read_bytes(self.tree, "/etc/apt/keyrings/vendor.gpg"),
                         read_bytes("/", self.key.public_gpg))
        self.assertEqual(file_mode(self.tree, "/etc/apt/keyrings/vendor.gpg"), 0o644)
        self.server.clear_log()
        self.assertRc(self.keyring(spaced), 0)
        self.assertEqual(self.server.requests, [], "a converged keyring is not fetched again")


if __name__ == "__main__":
    unittest.main()
