// apt_run: the parsers of `apt-get -s`, apt-get's errors, `apt-cache policy` and APT::Status-Fd lines
// (outputs captured on Debian 12 with apt 2.6.2 unless marked), the line splitter, and the dpkg lock
// wait against a real fcntl lock held by a forked child.
#include "steps/apt_run.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace aiprov::steps::apt {
namespace {

using K = SimulatedAction::Kind;

TEST(AptSimulation, ParsesRealOutputs) {
  struct Case {
    const char* name;
    std::string output;
    std::vector<SimulatedAction> expected;
  };
  const std::vector<Case> cases = {
      {"new package with a dependency",
       "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
       "The following additional packages will be installed:\n  libpcap0.8\nSuggested packages:\n  apparmor\n"
       "The following NEW packages will be installed:\n  libpcap0.8 tcpdump\n"
       "0 upgraded, 2 newly installed, 0 to remove and 113 not upgraded.\n"
       "Inst libpcap0.8 (1.10.3-1 Debian:12.15/oldstable [amd64])\n"
       "Inst tcpdump (4.99.3-1 Debian:12.15/oldstable [amd64])\n"
       "Conf libpcap0.8 (1.10.3-1 Debian:12.15/oldstable [amd64])\n"
       "Conf tcpdump (4.99.3-1 Debian:12.15/oldstable [amd64])\n",
       {{K::Install, "libpcap0.8", "", "1.10.3-1"}, {K::Install, "tcpdump", "", "4.99.3-1"}}},
      {"upgrades, one with a tilde version",
       "The following packages will be upgraded:\n  bash ca-certificates\n"
       "2 upgraded, 0 newly installed, 0 to remove and 111 not upgraded.\n"
       "Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n"
       "Conf bash (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n"
       "Inst ca-certificates [20230311+deb12u1] (20250419~deb12u2 Debian-Security:12/oldstable-security [all])\n"
       "Conf ca-certificates (20250419~deb12u2 Debian-Security:12/oldstable-security [all])\n",
       {{K::Upgrade, "bash", "5.2.15-2+b8", "5.2.15-2+b13"},
        {K::Upgrade, "ca-certificates", "20230311+deb12u1", "20250419~deb12u2"}}},
      {"removal",
       "The following packages will be REMOVED:\n  build-essential g++\n"
       "0 upgraded, 0 newly installed, 2 to remove and 113 not upgraded.\nRemv build-essential [12.9]\nRemv g++ "
       "[4:12.2.0-3]\n",
       {{K::Remove, "build-essential", "12.9", ""}, {K::Remove, "g++", "4:12.2.0-3", ""}}},
      // Lines as apt prints them (format of apt-private/private-install.cc; not a capture): a driver
      // switch that removes the old driver, a downgrade, a purge, a foreign-architecture package.
      {"driver switch, downgrade, purge, multiarch",
       "Remv nvidia-driver-535 [535.183.01-0ubuntu0.22.04.1]\n"
       "Inst nvidia-driver-550 (550.127.05-0ubuntu0.22.04.1 Ubuntu:22.04/jammy-updates [amd64])\n"
       "Inst cuda-toolkit-12-4 [12.4.1-1] (12.4.0-1 cuda-ubuntu2204-x86_64:/ [amd64])\n"
       "Purg libfoo1 [1.0-1]\nInst libc6:i386 (2.35-0ubuntu3.8 Ubuntu:22.04/jammy-updates [i386]) []\n",
       {{K::Remove, "nvidia-driver-535", "535.183.01-0ubuntu0.22.04.1", ""},
        {K::Install, "nvidia-driver-550", "", "550.127.05-0ubuntu0.22.04.1"},
        {K::Downgrade, "cuda-toolkit-12-4", "12.4.1-1", "12.4.0-1"},
        {K::Purge, "libfoo1", "1.0-1", ""},
        {K::Install, "libc6:i386", "", "2.35-0ubuntu3.8"}}},
      {"nothing to do",
       "git is already the newest version (1:2.39.5-0+deb12u3).\n"
       "0 upgraded, 0 newly installed, 0 to remove and 113 not upgraded.\n",
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(parse_simulation(c.output), c.expected);
  }
  EXPECT_EQ(describe({K::Upgrade, "bash", "5.2.15-2+b8", "5.2.15-2+b13"}), "upgrade bash 5.2.15-2+b8 -> 5.2.15-2+b13");
  EXPECT_EQ(describe({K::Remove, "g++", "4:12.2.0-3", ""}), "remove g++ 4:12.2.0-3");
}

TEST(AptSimulation, UnknownPackagesFromErrors) {
  const std::string real =
      "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
      "Package hello is a virtual package provided by:\n  hello-traditional 2.10-6\n\n"
      "E: Unable to locate package nosuchpkg-xyz\nE: Version '9.9' for 'hello' was not found\n";
  EXPECT_EQ(unknown_packages(real), (std::vector<std::string>{"nosuchpkg-xyz", "hello"}));
  EXPECT_EQ(unknown_packages("E: Package 'cuda-toolkit-12-4' has no installation candidate\n"
                             "E: Couldn't find any package by glob 'cudnn9-cuda-12*'\n"),
            (std::vector<std::string>{"cuda-toolkit-12-4", "cudnn9-cuda-12*"}));
  EXPECT_TRUE(unknown_packages("E: Unmet dependencies. Try 'apt --fix-broken install'\n").empty());
}

TEST(AptPolicy, ParsesInstalledAndCandidate) {
  const std::string out =
      "libcurl4:\n  Installed: 7.88.1-10+deb12u15\n  Candidate: 7.88.1-10+deb12u15\n  Version table:\n"
      " *** 7.88.1-10+deb12u15 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n"
      "        100 /var/lib/dpkg/status\n     7.88.1-10+deb12u5 500\n"
      "        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages\n"
      "tcpdump:\n  Installed: (none)\n  Candidate: 4.99.3-1\n  Version table:\n     4.99.3-1 500\n"
      "        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n"
      "libc6:i386:\n  Installed: (none)\n  Candidate: (none)\n  Version table:\n";
  auto p = parse_policy(out);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p["libcurl4"].installed, "7.88.1-10+deb12u15");
  EXPECT_EQ(p["libcurl4"].candidate, "7.88.1-10+deb12u15");
  EXPECT_EQ(p["tcpdump"].installed, "");
  EXPECT_EQ(p["tcpdump"].candidate, "4.99.3-1");
  EXPECT_EQ(p["libc6:i386"].candidate, "");
}

TEST(AptProgress, StatusLines) {
  struct Case {
    std::string line;
    bool is_status;
    std::string text;  // progress_text(.., "installing")
  };
  const std::vector<Case> cases = {
      {"pmstatus:dpkg-exec:0:Running dpkg", true, "running dpkg 0%"},
      {"pmstatus:tcpdump:42.1053:Unpacking tcpdump (amd64)", true, "installing tcpdump 42%"},
      {"pmstatus:libpcap0.8:16.6667:Preparing to unpack libpcap0.8 (amd64)", true, "installing libpcap0.8 17%"},
      {"pmstatus:nvidia-driver-535:60:Removing nvidia-driver-535 (amd64)", true, "removing nvidia-driver-535 60%"},
      {"pmstatus:libc6:amd64:50:Configuring libc6:amd64", true, "installing libc6:amd64 50%"},
      {"dlstatus:2:33.3333:Retrieving file 2 of 3", true, "downloading 33% (Retrieving file 2 of 3)"},
      {"pmerror:/var/cache/apt/archives/foo.deb:80:trying to overwrite '/usr/bin/x'", true,
       "error in /var/cache/apt/archives/foo.deb: trying to overwrite '/usr/bin/x'"},
      {"Setting up tcpdump (4.99.3-1) ...", false, ""},
      {"pmstatus:broken", false, ""},
      {"pmstatus:foo:notanumber:x", false, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto s = parse_status_line(c.line);
    ASSERT_EQ(s.has_value(), c.is_status);
    if (s) {
      EXPECT_EQ(progress_text(*s, "installing"), c.text);
    }
  }
  EXPECT_EQ(without_status_lines("pmstatus:a:1:x\nSetting up a (1) ...\ndlstatus:1:0:y\nE: broken\n"),
            "Setting up a (1) ...\nE: broken\n");
}

TEST(AptProgress, LineSplitterJoinsChunks) {
  std::vector<std::string> lines;
  LineSplitter split([&](std::string_view l) { lines.emplace_back(l); });
  for (const char* chunk : {"pmsta", "tus:a:10:x\r\npmstatus:b:2", "0:y\n\nlast"}) split.feed(chunk);
  split.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"pmstatus:a:10:x", "pmstatus:b:20:y", "", "last"}));
}

TEST(AptRun, LockTimeoutSetting) {
  auto before = apt_lock_timeout();
  EXPECT_EQ(before, std::chrono::seconds(600));
  set_apt_lock_timeout(std::chrono::seconds(5));
  EXPECT_EQ(apt_lock_timeout(), std::chrono::seconds(5));
  set_apt_lock_timeout(before);
  EXPECT_EQ(apt_env().at("DEBIAN_FRONTEND"), "noninteractive");
}

/// A child process named "unattended-upgr" holding a write lock on `path` (as apt does) until told.
class LockHolderChild {
 public:
  explicit LockHolderChild(const std::string& path) {
    int ready[2], release[2];
    if (::pipe(ready) != 0 || ::pipe(release) != 0) std::abort();
    m_pid = ::fork();
    if (m_pid == 0) {
      ::prctl(PR_SET_NAME, "unattended-upgr", 0, 0, 0);
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0640);
      struct flock fl;
      std::memset(&fl, 0, sizeof fl);
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      char byte = fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
      if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
      if (::read(release[0], &byte, 1) < 0) ::_exit(3);
      ::_exit(0);  // the lock goes with the process
    }
    char byte = 0;
    m_locked = ::read(ready[0], &byte, 1) == 1 && byte == 'y';
    m_release = release[1];
    ::close(ready[0]);
    ::close(ready[1]);
    ::close(release[0]);
  }
  ~LockHolderChild() { release(); }
  void release() {
    if (m_release < 0) return;
    char byte = 'x';
    if (::write(m_release, &byte, 1) != 1) {
    }
    ::close(m_release);
    m_release = -1;
    ::waitpid(m_pid, nullptr, 0);
  }
  pid_t pid() const { return m_pid; }
  bool locked() const { return m_locked; }

 private:
  pid_t m_pid = -1;
  int m_release = -1;
  bool m_locked = false;
};

class DpkgLock : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aiprov-dpkg-lock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
    m_lock = m_dir + "/lock-frontend";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string m_dir, m_lock;
};

TEST_F(DpkgLock, FreeOrAbsentLockIsNotWaitedFor) {
  EXPECT_FALSE(lock_holder(m_lock).has_value()) << "absent";
  { LockHolderChild child(m_lock); }  // created, locked, released
  EXPECT_FALSE(lock_holder(m_lock).has_value()) << "exists, unlocked";
  std::vector<std::string> reports;
  wait_for_dpkg_lock(
      {m_lock}, "pkgs", [&](const std::string& r) { reports.push_back(r); }, std::chrono::seconds(0));
  EXPECT_TRUE(reports.empty());
}

TEST_F(DpkgLock, NamesTheHolderAndGivesUpAfterTheTimeout) {
  LockHolderChild child(m_lock);
  ASSERT_TRUE(child.locked());
  auto holder = lock_holder(m_lock);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, child.pid());
  EXPECT_EQ(holder->command, "unattended-upgr");
  const std::string who = "unattended-upgr (pid " + std::to_string(child.pid()) + ")";

  std::vector<std::string> reports;
  std::string error;
  try {
    wait_for_dpkg_lock(
        {m_dir + "/absent", m_lock}, "pkgs", [&](const std::string& r) { reports.push_back(r); },
        std::chrono::milliseconds(200), std::chrono::milliseconds(50));
  } catch (const StepError& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("step 'pkgs': the dpkg lock " + m_lock + " is held by " + who), std::string::npos) << error;
  EXPECT_NE(error.find("--apt-lock-timeout"), std::string::npos) << error;
  ASSERT_GE(reports.size(), 2u) << "reported at the first check and again after each poll";
  EXPECT_EQ(reports.front(), "waiting for the dpkg lock held by " + who);
}

TEST_F(DpkgLock, WaitsUntilTheHolderLetsGo) {
  LockHolderChild child(m_lock);
  ASSERT_TRUE(child.locked());
  int reports = 0;
  wait_for_dpkg_lock(
      {m_lock}, "pkgs",
      [&](const std::string&) {
        if (++reports == 2) child.release();  // the holder exits while we wait
      },
      std::chrono::seconds(60), std::chrono::milliseconds(20));
  EXPECT_EQ(reports, 2);
  EXPECT_FALSE(lock_holder(m_lock).has_value());
}

}  // namespace
}  // namespace aiprov::steps::apt
