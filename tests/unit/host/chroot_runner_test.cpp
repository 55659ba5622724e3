// A chrooted run into a small root tree built from the host's own binaries and their libraries.

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "host/real.hpp"

namespace aiprov {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;

/// Copies `host_file` (following links) to the same path under `root`.
void copy_in(const std::string& root, const std::string& host_file, const std::string& as = "") {
  stdfs::path dest = root + (as.empty() ? host_file : as);
  stdfs::create_directories(dest.parent_path());
  stdfs::copy_file(host_file, dest, stdfs::copy_options::overwrite_existing);
}

/// Copies a program and the shared libraries ldd lists for it.
void copy_program(const std::string& root, const std::string& program, const std::string& as = "") {
  copy_in(root, program, as);
  Command ldd;
  ldd.argv = {"ldd", program};
  auto r = make_real_process_runner("/")->run(ldd);
  ASSERT_TRUE(r.ok()) << r.output;
  std::istringstream in(r.output);
  std::string token;
  while (in >> token) {
    if (token.front() == '/' && stdfs::exists(token)) copy_in(root, token);
  }
}

class ChrootRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "chroot and mount need root";
    char tmpl[] = "/tmp/aiprov-chroot-XXXXXX";
    m_root = ::mkdtemp(tmpl);
    copy_program(m_root, "/bin/sh", "/bin/sh");
    copy_program(m_root, "/usr/bin/env");
    copy_program(m_root, "/bin/cat", "/bin/cat");
    copy_in(m_root, "/bin/sh", "/opt/tools/sh");
    stdfs::create_directories(m_root + "/usr/local/bin");
    stdfs::create_directories(m_root + "/etc");
    // An absolute link that only resolves inside the root.
    stdfs::create_symlink("/opt/tools/sh", m_root + "/usr/local/bin/inroot-sh");
  }

  void TearDown() override {
    if (m_root.empty()) return;
    for (const char* sub : {"/dev/pts", "/dev", "/sys", "/proc"}) {
      if (detail::is_mount_point(m_root + sub)) {
        ADD_FAILURE() << m_root << sub << " is still mounted; tree left in place";
        return;
      }
    }
    stdfs::remove_all(m_root);
  }

  std::string m_root;
};

TEST_F(ChrootRunnerTest, RunsInsideTheRootWithKernelFileSystems) {
  auto runner = make_real_process_runner(m_root);
  Command cmd;
  cmd.argv = {"sh", "-c",
              "test -r /proc/self/status && test -d /sys/bus && test -c /dev/null && test -d /dev/pts "
              "&& echo ok; pwd; test -e /opt/tools/sh && echo in-root"};
  cmd.cwd = "/etc";
  auto r = runner->run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "ok\n/etc\nin-root\n");
  for (const char* sub : {"/proc", "/sys", "/dev", "/dev/pts"}) {
    EXPECT_TRUE(detail::is_mount_point(m_root + sub)) << sub;
  }

  Command env;
  env.argv = {"env"};
  env.env = {{"X", "1"}};
  auto e = runner->run(env);
  EXPECT_TRUE(e.ok()) << e.output;
  EXPECT_THAT(e.output, HasSubstr("X=1\n"));
  EXPECT_THAT(e.output, HasSubstr("LANG=C.UTF-8\n"));

  Command linked;
  linked.argv = {"inroot-sh", "-c", "echo via link"};
  EXPECT_EQ(runner->run(linked).output, "via link\n");

  runner.reset();
  for (const char* sub : {"/proc", "/sys", "/dev", "/dev/pts"}) {
    EXPECT_FALSE(detail::is_mount_point(m_root + sub)) << sub;
  }
}

TEST_F(ChrootRunnerTest, ProgramsAreLookedUpInTheRootNotOnTheHost) {
  ASSERT_TRUE(stdfs::exists("/usr/bin/ldd"));  // on the host, not in the tree
  auto runner = make_real_process_runner(m_root);
  Command cmd;
  cmd.argv = {"ldd", "--version"};
  auto r = runner->run(cmd);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.output, "command not found: ldd\n");
  cmd.argv = {"/bin/cat", "/etc/hostname-absent"};
  EXPECT_EQ(runner->run(cmd).exit_code, 1);
}

TEST_F(ChrootRunnerTest, FindProgramResolvesLinksInsideTheRoot) {
  const std::vector<std::string> dirs = {"/usr/local/bin", "/usr/bin", "/bin"};
  EXPECT_EQ(detail::find_program(m_root, "inroot-sh", dirs), "/usr/local/bin/inroot-sh");
  EXPECT_EQ(detail::find_program(m_root, "env", dirs), "/usr/bin/env");
  EXPECT_EQ(detail::find_program(m_root, "ldd", dirs), std::nullopt);
  stdfs::create_symlink("/nowhere/sh", m_root + "/bin/dangling");
  EXPECT_EQ(detail::find_program(m_root, "dangling", dirs), std::nullopt);
  stdfs::create_symlink("loop2", m_root + "/bin/loop1");
  stdfs::create_symlink("loop1", m_root + "/bin/loop2");
  EXPECT_EQ(detail::find_program(m_root, "loop1", dirs), std::nullopt);
}

}  // namespace
}  // namespace aiprov
