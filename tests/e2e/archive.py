"""A signed apt repository built at run time, for apt and dpkg to use for real.

    key = SigningKey(tmpdir)                      # throwaway gpg key, no passphrase
    repo = Archive(os.path.join(tmpdir, "www"), "ubuntu", key)
    repo.add("jammy", "main", Package("aiprov-hello", "1.0", files={"/usr/share/x": b"hi\\n"}))
    repo.build(suites=["jammy", "jammy-updates"], components=["main", "universe"])
    # serve tmpdir/www over HTTP: mirror URL http://127.0.0.1:PORT/ubuntu/
    install_key(tree, key, "aiprov-e2e")          # usr/share/keyrings/aiprov-e2e.gpg

Layout (Ubuntu-shaped): <root>/<name>/pool/<component>/<l>/<package>/<package>_<version>_<arch>.deb,
<root>/<name>/dists/<suite>/{Release,InRelease,Release.gpg}, dists/<suite>/<component>/binary-<arch>/
Packages{,.gz}. Every (suite, component) named in build() gets an index, empty ones included.

FlatArchive: a flat repository (`deb URI /`) in one directory, like NVIDIA's CUDA repositories.
"""

import gzip
import os
import shutil
import subprocess
import tempfile

TIMEOUT_S = 120


class SigningKey:
    """An ed25519 signing key in its own GNUPGHOME; public key exported as .gpg and .asc."""

    def __init__(self, tmpdir, uid="aiprov e2e archive <e2e@aiprov.invalid>"):
        self.home = tempfile.mkdtemp(prefix="gpg-", dir=tmpdir)
        os.chmod(self.home, 0o700)
        self._gpg("--quick-gen-key", uid, "ed25519", "sign", "never")
        out = self._gpg("--with-colons", "--list-keys").stdout
        fprs = [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")]
        if not fprs:
            raise RuntimeError("gpg made no key:\n" + out)
        self.fingerprint = fprs[0]
        self.public_gpg = os.path.join(self.home, "archive-key.gpg")
        self.public_asc = os.path.join(self.home, "archive-key.asc")
        with open(self.public_gpg, "wb") as f:
            f.write(self._gpg("--export", self.fingerprint, text=False).stdout)
        with open(self.public_asc, "wb") as f:
            f.write(self._gpg("--armor", "--export", self.fingerprint, text=False).stdout)

    def _gpg(self, *args, text=True):
        env = dict(os.environ, GNUPGHOME=self.home)
        return subprocess.run(["gpg", "--batch", "--yes", "--pinentry-mode", "loopback",
                               "--passphrase", ""] + list(args),
                              env=env, capture_output=True, text=text, check=True,
                              timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)

    def sign_release(self, release_path):
        """Writes InRelease (clearsigned) and Release.gpg (armored detached) beside Release."""
        d = os.path.dirname(release_path)
        self._gpg("--local-user", self.fingerprint, "--digest-algo", "SHA512", "--clearsign",
                  "--output", os.path.join(d, "InRelease"), release_path)
        self._gpg("--local-user", self.fingerprint, "--digest-algo", "SHA512", "--armor",
                  "--detach-sign", "--output", os.path.join(d, "Release.gpg"), release_path)

    def close(self):
        """Stops the gpg-agent this key's GNUPGHOME started."""
        subprocess.run(["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=self.home),
                       capture_output=True, timeout=30)


class Package:
    """A generated binary package.

    files: logical path -> bytes/str, or -> (bytes/str, mode). scripts: maintainer script name
    (preinst, postinst, prerm, postrm) -> shell text (a "#!/bin/sh" line is added when missing).
    """

    def __init__(self, name, version, arch="all", depends=None, files=None, scripts=None,
                 description=None, section="misc", extra_control=None):
        self.name, self.version, self.arch = name, version, arch
        self.depends = depends or []
        self.files = files or {}
        self.scripts = scripts or {}
        self.description = description or f"aiprov e2e stand-in package {name}"
        self.section = section
        self.extra_control = extra_control or {}

    def filename(self):
        version = self.version.split(":", 1)[-1]
        return f"{self.name}_{version}_{self.arch}.deb"

    def build(self, out_dir):
        """Builds the .deb with dpkg-deb into out_dir and returns its path."""
        os.makedirs(out_dir, exist_ok=True)
        staging = tempfile.mkdtemp(prefix="pkg-", dir=out_dir)
        try:
            debian = os.path.join(staging, "DEBIAN")
            os.makedirs(debian)
            control = [f"Package: {self.name}", f"Version: {self.version}",
                       f"Architecture: {self.arch}",
                       "Maintainer: aiprov e2e <e2e@aiprov.invalid>",
                       f"Section: {self.section}", "Priority: optional"]
            if self.depends:
                control.append("Depends: " + ", ".join(self.depends))
            control += [f"{k}: {v}" for k, v in self.extra_control.items()]
            control.append(f"Description: {self.description}")
            _write(os.path.join(debian, "control"), "\n".join(control) + "\n", 0o644)
            for script, text in self.scripts.items():
                if not text.startswith("#!"):
                    text = "#!/bin/sh\nset -e\n" + text
                _write(os.path.join(debian, script), text, 0o755)
            for path, spec in self.files.items():
                data, mode = spec if isinstance(spec, tuple) else (spec, 0o644)
                _write(os.path.join(staging, path.lstrip("/")), data, mode)
            deb = os.path.join(out_dir, self.filename())
            subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", staging, deb],
                           check=True, capture_output=True, timeout=TIMEOUT_S)
            return deb
        finally:
            shutil.rmtree(staging)


class Archive:
    """An apt repository at <root>/<name>, signed with `key`."""

    def __init__(self, root, name, key, origin="Ubuntu", label="Ubuntu", archs=("amd64",)):
        self.root, self.name, self.key = root, name, key
        self.origin, self.label, self.archs = origin, label, list(archs)
        self.base = os.path.join(root, name)
        self._debs = {}  # (suite, component) -> [pool-relative .deb paths]

    def add(self, suite, component, package):
        """Builds `package` into the pool and lists it in suite/component."""
        pool_dir = os.path.join(self.base, "pool", component, package.name[0], package.name)
        deb = package.build(pool_dir)
        rel = os.path.relpath(deb, self.base)
        entries = self._debs.setdefault((suite, component), [])
        if rel not in entries:
            entries.append(rel)
        return rel

    def build(self, suites, components):
        """Writes the Packages indexes of every suite x component and each suite's signed Release."""
        for suite in suites:
            suite_dir = os.path.join(self.base, "dists", suite)
            for component in components:
                stanzas = [self._ftparchive("packages", rel)
                           for rel in self._debs.get((suite, component), [])]
                for arch in self.archs:
                    bdir = os.path.join(suite_dir, component, f"binary-{arch}")
                    os.makedirs(bdir, exist_ok=True)
                    text = "".join(s if s.endswith("\n\n") else s + "\n" for s in stanzas)
                    _write(os.path.join(bdir, "Packages"), text, 0o644)
                    _write(os.path.join(bdir, "Packages.gz"),
                           gzip.compress(text.encode(), mtime=0), 0o644)
            for stale in ("Release", "InRelease", "Release.gpg"):
                if os.path.exists(os.path.join(suite_dir, stale)):
                    os.unlink(os.path.join(suite_dir, stale))
            codename = suite.split("-")[0]
            release = self._ftparchive(
                "-o", f"APT::FTPArchive::Release::Origin={self.origin}",
                "-o", f"APT::FTPArchive::Release::Label={self.label}",
                "-o", f"APT::FTPArchive::Release::Suite={suite}",
                "-o", f"APT::FTPArchive::Release::Codename={codename}",
                "-o", f"APT::FTPArchive::Release::Architectures={' '.join(self.archs)}",
                "-o", f"APT::FTPArchive::Release::Components={' '.join(components)}",
                "release", os.path.join("dists", suite))
            release_path = os.path.join(suite_dir, "Release")
            _write(release_path, release, 0o644)
            self.key.sign_release(release_path)

    def _ftparchive(self, *args):
        return subprocess.run(["apt-ftparchive"] + list(args), cwd=self.base, check=True,
                              capture_output=True, text=True, timeout=TIMEOUT_S).stdout


class FlatArchive:
    """A flat apt repository (sources line `deb URI /`, deb822 `Suites: /`), the shape of NVIDIA's
    CUDA repositories and of their local-installer repositories: the .debs, Packages, Packages.gz
    and a Release (Origin/Label given) signed into InRelease and Release.gpg, all in `directory`.
    With key=None the Release stays unsigned (for `[trusted=yes]`)."""

    def __init__(self, directory, key=None, origin="NVIDIA", label="NVIDIA CUDA"):
        self.directory, self.key, self.origin, self.label = directory, key, origin, label
        os.makedirs(directory, exist_ok=True)

    def add(self, package):
        """Builds `package` into the directory; returns the .deb's path."""
        return package.build(self.directory)

    def build(self):
        """(Re)writes Packages, Packages.gz and the (signed) Release of the directory's .debs."""
        for stale in ("Release", "InRelease", "Release.gpg"):
            if os.path.exists(os.path.join(self.directory, stale)):
                os.unlink(os.path.join(self.directory, stale))
        text = _run_ftparchive(self.directory, "packages", ".")
        _write(os.path.join(self.directory, "Packages"), text, 0o644)
        _write(os.path.join(self.directory, "Packages.gz"), gzip.compress(text.encode(), mtime=0),
               0o644)
        release = _run_ftparchive(self.directory,
                                  "-o", f"APT::FTPArchive::Release::Origin={self.origin}",
                                  "-o", f"APT::FTPArchive::Release::Label={self.label}",
                                  "release", ".")
        release_path = os.path.join(self.directory, "Release")
        _write(release_path, release, 0o644)
        if self.key:
            self.key.sign_release(release_path)


def local_repo_files(built_dir, key, repo_dir, keyring, list_path):
    """The files of a local-repository installer .deb (cuda-repo-*-local, cudnn-local-repo-*), as a
    Package's files: every file of the flat repository built in built_dir, under repo_dir; key's
    public part as repo_dir/keyring (the user copies it to /usr/share/keyrings); and list_path, a
    sources list naming file://repo_dir signed-by /usr/share/keyrings/keyring."""
    files = {}
    for entry in sorted(os.listdir(built_dir)):
        with open(os.path.join(built_dir, entry), "rb") as f:
            files[f"{repo_dir}/{entry}"] = f.read()
    with open(key.public_gpg, "rb") as f:
        files[f"{repo_dir}/{keyring}"] = f.read()
    files[list_path] = f"deb [signed-by=/usr/share/keyrings/{keyring}] file://{repo_dir} /\n"
    return files


def _run_ftparchive(cwd, *args):
    return subprocess.run(["apt-ftparchive"] + list(args), cwd=cwd, check=True, capture_output=True,
                          text=True, timeout=TIMEOUT_S).stdout


def install_key(tree, key, name, trusted_d=False, armored=False):
    """Installs key's public part into tree: usr/share/keyrings/<name>.gpg (or .asc), or with
    trusted_d into etc/apt/trusted.gpg.d/<name>.gpg (or .asc). Returns the logical path."""
    ext = ".asc" if armored else ".gpg"
    rel = ("etc/apt/trusted.gpg.d/" if trusted_d else "usr/share/keyrings/") + name + ext
    dest = os.path.join(tree, rel)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(key.public_asc if armored else key.public_gpg, dest)
    os.chmod(dest, 0o644)
    return "/" + rel


def _write(path, data, mode):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
