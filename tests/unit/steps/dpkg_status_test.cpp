// The dpkg status parser: a realistic multi-stanza status file (stanzas as dpkg writes them on Debian 12,
// with a held package, a removed-but-not-purged one and a Multi-Arch pair), table-driven edge cases,
// and the per-root cache.
#include "steps/dpkg_status.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/fake_host.hpp"

namespace aiprov::steps::dpkg {
namespace {

// bash, zlib1g, libc6 copied from this build machine's /var/lib/dpkg/status (Debian 12, dpkg 1.21);
// tcpdump set on hold, nvidia-driver-535 left as config files, libc6:i386 added as a foreign arch.
const char* const kStatus = R"(Package: bash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Installed-Size: 7164
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: bash (5.2.15-2)
Version: 5.2.15-2+b8
Replaces: bash-completion (<< 20060301-0), bash-doc (<= 2.05-1)
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Conffiles:
 /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d
 /etc/skel/.bashrc ee35a240758f374832e809ae0ea4883a
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter that executes
 commands read from the standard input or from a file.
 .
 Package: not-a-package
 Version: 0-not-a-version
Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html

Package: tcpdump
Status: hold ok installed
Priority: optional
Section: net
Installed-Size: 1303
Maintainer: Romain Francoise <rfrancoise@debian.org>
Architecture: amd64
Version: 4.99.3-1
Depends: libc6 (>= 2.34), libpcap0.8 (>= 1.9.1), libssl3 (>= 3.0.0)
Description: command-line network traffic analyzer
 This program allows you to dump the traffic on a network.

Package: nvidia-driver-535
Status: deinstall ok config-files
Priority: optional
Section: restricted/libs
Installed-Size: 518
Maintainer: Ubuntu Core Developers <ubuntu-devel-discuss@lists.ubuntu.com>
Architecture: amd64
Source: nvidia-graphics-drivers-535
Version: 535.183.01-0ubuntu0.22.04.1
Conffiles:
 /etc/modprobe.d/nvidia-graphics-drivers-kms.conf 8a4e0bd4e2d4b2f1cbba4e5d5c5fd2a2
Description: NVIDIA driver metapackage

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 13001
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u14
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u13
Description: GNU C Library: Shared libraries

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Description: compression library - runtime
Homepage: http://zlib.net/
)";

struct Expect {
  std::string key;
  std::string version;
  std::string arch;
  bool installed;
  bool held;
};

TEST(DpkgStatus, ParsesARealisticStatusFile) {
  StatusMap map = parse_status(kStatus);
  const std::vector<Expect> expected = {
      {"bash", "5.2.15-2+b8", "amd64", true, false},
      {"bash:amd64", "5.2.15-2+b8", "amd64", true, false},
      {"tcpdump", "4.99.3-1", "amd64", true, true},
      {"nvidia-driver-535", "535.183.01-0ubuntu0.22.04.1", "amd64", false, false},
      {"libc6", "2.36-9+deb12u14", "amd64", true, false},
      {"libc6:amd64", "2.36-9+deb12u14", "amd64", true, false},
      {"libc6:i386", "2.36-9+deb12u13", "i386", true, false},
      {"zlib1g", "1:1.2.13.dfsg-1", "amd64", true, false},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.key);
    auto it = map.find(e.key);
    ASSERT_NE(it, map.end());
    EXPECT_EQ(it->second.version, e.version);
    EXPECT_EQ(it->second.architecture, e.arch);
    EXPECT_EQ(it->second.installed(), e.installed);
    EXPECT_EQ(it->second.held(), e.held);
  }
  EXPECT_EQ(map.count("not-a-package"), 0u) << "continuation lines are not fields";
  const PackageState& removed = map.at("nvidia-driver-535");
  EXPECT_EQ(removed.want, "deinstall");
  EXPECT_EQ(removed.flag, "ok");
  EXPECT_EQ(removed.status, "config-files");
  EXPECT_EQ(map.size(), 11u);  // 6 stanzas: 6 name:arch keys + 5 bare names
}

struct Case {
  const char* name;
  std::string text;
  std::string key;  // "" : expect no entry at all
  std::string version;
  std::string status;
  bool installed;
};

TEST(DpkgStatus, EdgeCases) {
  const std::vector<Case> cases = {
      {"no trailing newline", "Package: a\nStatus: install ok installed\nVersion: 1.0", "a", "1.0", "installed", true},
      {"CRLF line ends", "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0\r\n", "a", "1.0", "installed",
       true},
      {"field names in any case", "package: a\nSTATUS: install ok unpacked\nversion: 2\n", "a", "2", "unpacked", false},
      {"extra spaces", "Package:   a  \nStatus:  install  ok   half-configured \nVersion:\t3\n", "a", "3",
       "half-configured", false},
      {"several blank lines between stanzas",
       "\n\nPackage: a\nStatus: install ok installed\nVersion: 1\n\n\n\nPackage: b\n"
       "Status: purge ok not-installed\n",
       "b", "", "not-installed", false},
      {"stanza without Package is skipped", "Status: install ok installed\nVersion: 9\n", "", "", "", false},
      {"half-installed is not installed", "Package: a\nStatus: install reinstreq half-installed\nVersion: 1\n", "a",
       "1", "half-installed", false},
      {"empty text", "", "", "", "", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    StatusMap map = parse_status(c.text);
    if (c.key.empty()) {
      EXPECT_TRUE(map.empty());
      continue;
    }
    auto it = map.find(c.key);
    ASSERT_NE(it, map.end());
    EXPECT_EQ(it->second.version, c.version);
    EXPECT_EQ(it->second.status, c.status);
    EXPECT_EQ(it->second.installed(), c.installed);
  }
}

TEST(DpkgStatus, BareNamePrefersTheInstalledArchitecture) {
  StatusMap map = parse_status(
      "Package: libfoo\nStatus: deinstall ok config-files\nArchitecture: i386\nVersion: 1\n\n"
      "Package: libfoo\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2\n");
  EXPECT_EQ(map.at("libfoo").architecture, "amd64");
  EXPECT_EQ(map.at("libfoo:i386").version, "1");
}

TEST(DpkgStatus, CacheRereadsOnlyWhenTheFileChanged) {
  forget_installed_packages();
  testing::FakeHost host;
  auto none = installed_packages(host.fs);
  EXPECT_TRUE(none->empty()) << "a root without a status file has no packages";

  host.fs.add_file(kStatusPath, "Package: a\nStatus: install ok installed\nVersion: 1\n");
  auto first = installed_packages(host.fs);
  EXPECT_EQ(first->at("a").version, "1");
  EXPECT_EQ(installed_packages(host.fs).get(), first.get()) << "unchanged file: the same parsed map";

  host.fs.put(kStatusPath, "Package: a\nStatus: install ok installed\nVersion: 1.1\n");  // size differs
  auto second = installed_packages(host.fs);
  EXPECT_NE(second.get(), first.get());
  EXPECT_EQ(second->at("a").version, "1.1");
  EXPECT_EQ(first->at("a").version, "1") << "a map handed out earlier stays valid";
  forget_installed_packages();
}

}  // namespace
}  // namespace aiprov::steps::dpkg
