"""The Debian package: built by packaging/build-deb.sh, checked by lintian, installed into a fresh
Debian 12 tree with `apt-get install ./aiprov_*.deb` (dependencies from Debian's archive), used there,
purged; its systemd units checked by `systemd-analyze verify`; the bash completion checked against
the binary's --help.

The package build compiles the whole project without its tests (minutes): it runs once and the .deb is
kept in AIPROV_E2E_CACHE/deb/<digest of the source files>/, so a second run with the same source
reuses it. Needs root, the cached base tree, debhelper, lintian and Debian's archive.
"""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import aiprov
import rootfs

SOURCE_DIR = rootfs.SOURCE_DIR
BUILD_DEB = os.path.join(SOURCE_DIR, "packaging", "build-deb.sh")
BUILD_TIMEOUT_S = 1500
UNITS = ["aiprov-resume.service", "aiprov-agent.service"]


def source_files():
    """The files build-deb.sh stages: git's tracked and untracked-but-not-ignored files."""
    out = subprocess.run(["git", "-C", SOURCE_DIR, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, check=True, timeout=60).stdout
    return sorted(p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(SOURCE_DIR, p)))


def source_digest():
    h = hashlib.sha256()
    for p in source_files():
        h.update(p.encode() + b"\0")
        with open(os.path.join(SOURCE_DIR, p), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:16]


_deb = None
_deb_error = None


def built_deb():
    """The .deb of this source, built once (reused from the cache when the source is unchanged). A
    failed build fails every test that needs the package, without building again."""
    global _deb, _deb_error
    if _deb_error:
        raise AssertionError(_deb_error)
    if not _deb:
        try:
            _deb = _build_deb()
        except (AssertionError, OSError, subprocess.SubprocessError) as e:  # a timeout too
            _deb_error = f"{type(e).__name__}: {e}"
            raise
    return _deb


def _build_deb():
    base = os.path.join(rootfs.cache_dir(), "deb")
    out = os.path.join(base, source_digest())
    found = glob.glob(os.path.join(out, "aiprov_*.deb"))
    if not found:
        partial = out + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        # The package as released: not scripts/test.sh's AIPROV_CMAKE_ARGS (a sanitizer build), only a
        # compiler cache when there is one (STAGE keeps the paths it sees the same from run to run).
        env = dict(os.environ, STAGE=os.path.join(base, "stage"),
                   AIPROV_CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache" if shutil.which("ccache") else "")
        r = subprocess.run([BUILD_DEB, partial], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                           env=env, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise AssertionError(f"{BUILD_DEB} failed (rc {r.returncode}):\n{r.stdout[-6000:]}\n{r.stderr[-6000:]}")
        shutil.rmtree(out, ignore_errors=True)
        os.replace(partial, out)
        for old in os.listdir(base):  # the packages of earlier sources
            if old not in ("stage", os.path.basename(out)):
                shutil.rmtree(os.path.join(base, old), ignore_errors=True)
        found = glob.glob(os.path.join(out, "aiprov_*.deb"))
    if len(found) != 1:
        raise AssertionError(f"expected one aiprov_*.deb in {out}, found {found}")
    return found[0]


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def deb_contents(deb):
    """Paths in the package, without the leading '.', directories with a trailing '/'."""
    out = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True, timeout=60).stdout
    return [line.split(None, 5)[5].split(" -> ")[0][1:] for line in out.splitlines()]


def can_build():
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("dpkg-buildpackage", "dh", "lintian", "git"))


requires_build = unittest.skipUnless(can_build(), "needs root, dpkg-buildpackage, debhelper (dh), lintian, git "
                                     "(scripts/deps.sh test)")


@requires_build
class PackageBuildTest(unittest.TestCase):
    """What the .deb is, before anything installs it."""

    def test_name_version_and_contents(self):
        deb = built_deb()
        version = deb_field(deb, "Version")
        arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
        self.assertEqual(os.path.basename(deb), f"aiprov_{version}_{arch}.deb")
        with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
            project_version = re.search(r"project\(aiprov VERSION ([0-9.]+)", f.read()).group(1)
        self.assertEqual(version.split("-")[0], project_version,
                         "packaging/debian/changelog and CMakeLists.txt disagree on the version")
        paths = deb_contents(deb)
        for p in ["/usr/bin/aiprov", "/usr/share/aiprov/recipes/workstation.yaml", "/etc/aiprov/agent.yaml",
                  "/usr/lib/systemd/system/aiprov-resume.service", "/usr/lib/systemd/system/aiprov-agent.service",
                  "/usr/share/man/man1/aiprov.1.gz", "/usr/share/man/man5/aiprov-recipe.5.gz",
                  "/usr/share/bash-completion/completions/aiprov", "/usr/share/doc/aiprov/copyright"]:
            self.assertIn(p, paths)
        for name in os.listdir(os.path.join(SOURCE_DIR, "recipes", "modules")):
            self.assertIn("/usr/share/aiprov/recipes/modules/" + name, paths)
        self.assertFalse([p for p in paths if p.startswith("/lib/")], "units must not be left in /lib")
        self.assertFalse([p for p in paths if p.startswith("/var/lib/aiprov")],
                         "/var/lib/aiprov belongs to the runs, not to the package")

    def test_depends(self):
        deb = built_deb()
        depends = deb_field(deb, "Depends")
        names = {d.strip().split()[0] for alt in depends.split(",") for d in alt.split("|")}
        # ${shlibs:Depends}: the libraries the binary links (yaml-cpp, spdlog, fmt, curl, libcrypto).
        for lib in ("libyaml-cpp", "libspdlog", "libfmt", "libcurl4", "libssl3", "libstdc++6", "libc6"):
            self.assertTrue([n for n in names if n.startswith(lib)], f"no {lib}* in Depends: {depends}")
        for tool in ("apt", "gpgv", "passwd", "procps"):  # what aiprov and its units run
            self.assertIn(tool, names)
        self.assertEqual(deb_field(deb, "Recommends"), "systemd")

    def test_conffile_and_maintainer_scripts(self):
        deb = built_deb()
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-e", deb, tmp], check=True, timeout=60)
            with open(os.path.join(tmp, "conffiles")) as f:
                self.assertEqual(f.read().split(), ["/etc/aiprov/agent.yaml"])
            scripts = {}
            for name in ("preinst", "postinst", "prerm", "postrm"):
                path = os.path.join(tmp, name)
                if os.path.exists(path):
                    with open(path) as f:
                        scripts[name] = f.read()
                else:
                    scripts[name] = ""
        postinst = scripts["postinst"]
        # Installing neither enables nor starts a unit (dh_installsystemd --no-enable --no-start): the
        # enable snippet would say "new installations run enable", the start snippet "invoke start".
        self.assertNotIn("new installations run enable", postinst)
        self.assertNotRegex(postinst, r"deb-systemd-invoke (start|\$_dh_action)")
        # An upgrade restarts a running agent, and never touches a resume in progress.
        self.assertRegex(postinst, r"deb-systemd-invoke try-restart 'aiprov-agent.service'")
        self.assertNotRegex(postinst, r"deb-systemd-invoke .*aiprov-resume")
        self.assertNotIn("deb-systemd-invoke stop", scripts["preinst"])
        # Removing stops both (their binary goes away).
        self.assertRegex(scripts["prerm"], r'"\$1" = "remove".*\n.*\n\tdeb-systemd-invoke stop aiprov-agent.service '
                         r'aiprov-resume.service')
        # Both are remembered for purge (update-state), which removes their enablement.
        self.assertRegex(postinst, r"deb-systemd-helper update-state 'aiprov-agent.service'")
        self.assertRegex(postinst, r"deb-systemd-helper update-state 'aiprov-resume.service'")

    def test_lintian_reports_no_errors(self):
        deb = built_deb()
        r = subprocess.run(["lintian", "--tag-display-limit", "0", "--display-info", deb], capture_output=True,
                           text=True, timeout=900)
        print(f"\nlintian {os.path.basename(deb)} (rc {r.returncode}):\n{r.stdout}{r.stderr}")
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], "lintian errors")
        warnings = [line for line in r.stdout.splitlines() if line.startswith("W:")]
        self.assertEqual(warnings, [], "lintian warnings: fix them or override them with a reason in "
                         "packaging/debian/aiprov.lintian-overrides")
        self.assertNotIn("internal error", r.stderr.lower())


@requires_build
@aiprov.requires_tree
class PackageInstallTest(aiprov.TreeTestCase):
    """apt-get install ./aiprov_*.deb in a fresh Debian 12 tree, then purge."""

    def chroot(self, tree, *argv, ok=(0,), timeout=600, shell=None):
        argv = ["sh", "-c", shell] if shell else list(argv)
        r = rootfs.chroot_run(tree, argv, timeout=timeout)
        if r.returncode not in ok:
            self.fail(f"in the tree: $ {' '.join(argv)}\nrc={r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
        return r

    def install(self, tree):
        deb = built_deb()
        shutil.copy(deb, os.path.join(tree, "tmp"))
        self.chroot(tree, "apt-get", "-q", "update")
        # man-db for `man -w`, bash-completion for its loader; aiprov's own dependencies (and its
        # Recommends, systemd) come from Debian's archive.
        self.chroot(tree, shell="cd /tmp && apt-get install -q -y ./aiprov_*.deb man-db bash-completion")
        return deb

    def test_install_use_purge(self):
        tree = self.new_tree()
        with rootfs.chroot_mounts(tree):
            deb = self.install(tree)
            version = deb_field(deb, "Version")
            self.assertEqual(aiprov.dpkg_status(tree)["aiprov"][0], "install ok installed")

            r = self.chroot(tree, "aiprov", "--version")
            self.assertEqual(r.stdout.strip(), f"aiprov {version}")

            recipes = self.chroot(tree, "find", "/usr/share/aiprov/recipes", "-name", "*.yaml").stdout.split()
            self.assertIn("/usr/share/aiprov/recipes/workstation.yaml", recipes)
            self.assertGreater(len(recipes), 2)
            for path in recipes:
                self.chroot(tree, "aiprov", "validate", path)

            r = self.chroot(tree, "man", "-w", "aiprov")
            self.assertEqual(r.stdout.strip(), "/usr/share/man/man1/aiprov.1.gz")
            r = self.chroot(tree, "man", "-w", "5", "aiprov-recipe")
            self.assertEqual(r.stdout.strip(), "/usr/share/man/man5/aiprov-recipe.5.gz")
            r = self.chroot(tree, shell="MANWIDTH=100 man -P cat 5 aiprov-recipe 2>&1")
            self.assertIn("STEP TYPES", r.stdout)
            self.assertIn("apt_packages", r.stdout)

            # bash-completion's loader finds the completion by the command's name, and it completes.
            r = self.chroot(tree, "bash", "-c",
                            ". /usr/share/bash-completion/bash_completion; _completion_loader aiprov; "
                            "complete -p aiprov; COMP_WORDS=(aiprov ver); COMP_CWORD=1; "
                            "_aiprov aiprov ver aiprov; echo \"${COMPREPLY[*]}\"")
            self.assertIn("complete -F _aiprov aiprov", r.stdout)
            self.assertEqual(r.stdout.splitlines()[-1], "verify")

            # Installing enabled and started nothing.
            for unit in UNITS:
                r = self.chroot(tree, "systemctl", "is-enabled", unit, ok=(0, 1))
                self.assertEqual(r.stdout.strip(), "disabled", unit)
            r = self.chroot(tree, "systemd-analyze", "verify", *["/usr/lib/systemd/system/" + u for u in UNITS],
                            ok=(0, 1))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

            # The workstation recipe plans on an Ubuntu 22.04-like tree (changes nothing).
            rootfs.make_ubuntu_like(tree, "22.04")
            r = self.chroot(tree, "aiprov", "plan", "/usr/share/aiprov/recipes/workstation.yaml")
            self.assertIn("apt-mirror", r.stdout)

            # A run leaves its journal and backup in /var/lib/aiprov; an administrator enables the agent.
            with open(os.path.join(tree, "tmp/motd.yaml"), "w") as f:
                f.write("aiprov: 1\nname: motd\nsteps:\n  - id: motd\n    type: file\n    path: /etc/motd\n"
                        "    content: \"provisioned\\n\"\n")
            self.chroot(tree, "aiprov", "apply", "--yes", "/tmp/motd.yaml")
            journals = glob.glob(os.path.join(tree, "var/lib/aiprov/runs/*.json"))
            self.assertEqual(len(journals), 1)
            self.assertTrue(os.path.exists(os.path.join(tree, "var/log/aiprov/aiprov.log")))
            self.chroot(tree, "systemctl", "enable", "aiprov-agent.service")
            self.assertTrue(os.path.lexists(os.path.join(
                tree, "etc/systemd/system/multi-user.target.wants/aiprov-agent.service")))

            self.chroot(tree, "apt-get", "purge", "-q", "-y", "aiprov")
            self.assertNotIn("aiprov", aiprov.dpkg_status(tree))

        for gone in ["usr/bin/aiprov", "usr/share/aiprov", "etc/aiprov", "usr/share/man/man1/aiprov.1.gz",
                     "usr/share/man/man5/aiprov-recipe.5.gz", "usr/share/bash-completion/completions/aiprov",
                     "usr/lib/systemd/system/aiprov-agent.service", "usr/lib/systemd/system/aiprov-resume.service",
                     "usr/share/doc/aiprov", "var/log/aiprov",
                     "etc/systemd/system/multi-user.target.wants/aiprov-agent.service"]:
            self.assertFalse(os.path.lexists(os.path.join(tree, gone)), f"/{gone} is left after purge")
        # The journals and backups stay until the user removes them.
        for journal in journals:
            self.assertTrue(os.path.exists(journal), journal)
        self.assertTrue(glob.glob(os.path.join(tree, "var/lib/aiprov/backups/*/etc/motd")))


class UnitFilesTest(unittest.TestCase):
    """systemd-analyze verify on the units of the source tree. It checks that ExecStart's binary exists
    and is executable, so each unit is verified in a copy pointing at the built binary; --man=no, as
    aiprov(1) of Documentation= is not installed on the host (the installed units are verified inside
    the tree by PackageInstallTest, man page included)."""

    @aiprov.requires_binary
    @unittest.skipUnless(shutil.which("systemd-analyze"), "no systemd-analyze (package systemd)")
    def test_units_verify(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for unit in UNITS:
                with open(os.path.join(SOURCE_DIR, "packaging", "systemd", unit)) as f:
                    text = f.read()
                self.assertIn("ExecStart=/usr/bin/aiprov ", text)
                with open(os.path.join(tmp, unit), "w") as f:
                    f.write(text.replace("/usr/bin/aiprov", os.path.abspath(aiprov.binary())))
                paths.append(os.path.join(tmp, unit))
            r = subprocess.run(["systemd-analyze", "verify", "--man=no"] + paths, capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # Only what concerns our units (the host's own units may have complaints of their own).
            ours = [line for line in (r.stdout + r.stderr).splitlines() if "aiprov" in line]
            self.assertEqual(ours, [])


def parse_help(text):
    """(subcommands, options) of a CLI11 --help text (any CLI11 version's layout)."""
    subs, opts, section = set(), set(), ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            low = line.lower()
            section = "sub" if low.startswith("subcommands:") else "opt" if low.startswith("options:") else ""
        elif section == "sub" and re.match(r"^  [a-z]", line):
            subs.add(line.split()[0])
        elif section == "opt" and line.lstrip().startswith("-"):
            for word in line.split():
                if word.startswith("-"):
                    opts.update(w for w in word.split(",") if w)
                elif re.match(r"^([a-z(]|[A-Z][a-z])", word):
                    break
    return subs, opts


@aiprov.requires_binary
class CompletionTest(unittest.TestCase):
    """packaging/completion/aiprov completes what the binary's --help lists, with nothing listed by hand."""

    def complete(self, *words, cwd=None):
        script = (". \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); "
                  "_aiprov \"$1\" \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"; "
                  "printf '%s\\n' \"${COMPREPLY[@]}\"")
        r = subprocess.run(["bash", "-c", script, "bash", os.path.join(SOURCE_DIR, "packaging/completion/aiprov"),
                            os.path.abspath(aiprov.binary())] + list(words),
                           capture_output=True, text=True, timeout=60, cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        return set(line for line in r.stdout.splitlines() if line)

    def help(self, *args):
        return parse_help(aiprov.check_rc(aiprov.run(*args, "--help"), 0).stdout)

    def test_subcommands(self):
        subs, globals_ = self.help()
        self.assertTrue({"validate", "plan", "apply", "facts", "steps", "status", "fit"} <= subs)
        self.assertEqual(self.complete(""), subs)
        self.assertEqual(self.complete("--root", "/tmp", "pl"), {s for s in subs if s.startswith("pl")})
        self.assertEqual(self.complete("--"), {o for o in globals_ if o.startswith("--")})

    def test_options_of_each_subcommand(self):
        subs, globals_ = self.help()
        for sub in subs:
            _, own = self.help(sub)
            # The global options are accepted after the subcommand too.
            self.assertEqual(self.complete(sub, "-"), (own - {"-h", "--help"}) | globals_, sub)

    def test_step_types(self):
        names = set(aiprov.check_rc(aiprov.run("steps", "--names"), 0).stdout.split())
        self.assertIn("apt_packages", names)
        self.assertEqual(self.complete("steps", ""), names)
        self.assertEqual(self.complete("steps", "apt_p"), {n for n in names if n.startswith("apt_p")})

    def test_values(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "trees"))
            for name in ("a.yaml", "b.yml", "notes.txt"):
                open(os.path.join(tmp, name), "w").close()
            self.assertEqual(self.complete("--root", "", cwd=tmp), {"trees"})
            self.assertEqual(self.complete("plan", "", cwd=tmp), {"trees", "a.yaml", "b.yml"})
            self.assertEqual(self.complete("plan", "--var", "", cwd=tmp), set())


if __name__ == "__main__":
    unittest.main()
