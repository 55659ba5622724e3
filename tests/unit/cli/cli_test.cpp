#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/cli.hpp"
#include "aiprov/error.hpp"

namespace aiprov {
namespace {

namespace fs = std::filesystem;

int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "aiprov");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cli::main(static_cast<int>(args.size()), argv.data());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aiprov-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
    fs::create_directories(m_dir / "root/etc");
    std::ofstream(m_dir / "root/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(m_dir / "root/etc/group") << "root:x:0:\n";
    std::ofstream(m_dir / "root/etc/os-release") << "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n";
  }
  void TearDown() override { fs::remove_all(m_dir); }
  std::string write_recipe(const std::string& text) {
    auto p = m_dir / "r.yaml";
    std::ofstream(p) << text;
    return p.string();
  }
  std::string root() const { return (m_dir / "root").string(); }
  fs::path m_dir;
};

const char* kMotd = R"(aiprov: 1
name: t
steps:
  - id: motd
    type: file
    path: /etc/motd
    content: "built for ${facts.os.codename}\n"
)";

TEST_F(CliTest, VersionAndStepsList) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"--version"}), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("aiprov 0."), std::string::npos);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"steps"}), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  for (const char* t : {"file:", "directory:", "ini:", "group:", "group_members:", "command:", "apt_mirror:"})
    EXPECT_NE(out.find(std::string("\n") + t), std::string::npos) << t << " missing from:\n" << out;
}

TEST_F(CliTest, UsageErrorsExitThree) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"frobnicate"}), kExitInvalid);
  EXPECT_EQ(run_cli({"plan"}), kExitInvalid);  // recipe missing
  EXPECT_EQ(run_cli({"plan", write_recipe(kMotd), "--root", "/nonexistent-root"}), kExitInvalid);
  EXPECT_EQ(run_cli({"plan", write_recipe(kMotd), "--var", "novalue"}), kExitInvalid);
  ::testing::internal::GetCapturedStderr();
}

TEST_F(CliTest, PlanIsReadOnlyAndDetailedExitcodeSaysChangesPending) {
  std::string recipe = write_recipe(kMotd);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_cli({"plan", recipe, "--root", root(), "--detailed-exitcode"}), kExitChangesPending);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("+built for jammy"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(m_dir / "root/etc/motd"));
  EXPECT_FALSE(fs::exists(m_dir / "root/var/lib/aiprov"));
}

TEST_F(CliTest, ApplyRefusesWithoutYesWhenStdinIsNoTerminal) {
  if (isatty(STDIN_FILENO)) GTEST_SKIP() << "stdin is a terminal";
  std::string recipe = write_recipe(kMotd);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"apply", recipe, "--root", root()}), kExitInvalid);
  ::testing::internal::GetCapturedStdout();
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("--yes"), std::string::npos);
  EXPECT_FALSE(fs::exists(m_dir / "root/etc/motd"));
}

TEST_F(CliTest, ApplyThenPlanHasNoChangesAndStatusReadsTheJournal) {
  std::string recipe = write_recipe(kMotd);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"apply", recipe, "--root", root(), "--yes"}), 0);
  EXPECT_EQ(run_cli({"plan", recipe, "--root", root(), "--detailed-exitcode"}), 0);
  EXPECT_EQ(run_cli({"status", "--root", root(), "--json"}), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  ::testing::internal::GetCapturedStderr();
  std::ifstream in(m_dir / "root/etc/motd");
  std::string motd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(motd, "built for jammy\n");
  EXPECT_NE(out.find("\"result\": \"ok\""), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(m_dir / "root/var/log/aiprov/aiprov.log"));
}

TEST_F(CliTest, InvalidRecipeNamesFileLineColumn) {
  std::string recipe = write_recipe("aiprov: 1\nname: t\nsteps:\n  - id: a\n    type: fiel\n    path: /x\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"validate", recipe, "--root", root()}), kExitInvalid);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find(recipe + ":5:"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown step type 'fiel'"), std::string::npos) << err;
}

}  // namespace
}  // namespace aiprov
