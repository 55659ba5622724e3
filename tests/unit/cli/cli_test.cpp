#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "cli_harness.hpp"

namespace aiprov {
namespace {

namespace fs = std::filesystem;

using testing::run_cli;
using testing::run_cli_captured;

class CliTest : public testing::CliFixture {};

const char* kMotd = R"(aiprov: 1
name: t
steps:
  - id: motd
    type: file
    path: /etc/motd
    content: "built for ${facts.os.codename}\n"
)";

TEST_F(CliTest, VersionAndStepsList) {
  auto version = run_cli_captured({"--version"});
  EXPECT_EQ(version.rc, 0);
  EXPECT_NE(version.out.find("aiprov 0."), std::string::npos);
  auto steps = run_cli_captured({"steps"});
  EXPECT_EQ(steps.rc, 0);
  const std::string& out = steps.out;
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
  auto plan = run_cli_captured({"plan", write_recipe(kMotd), "--root", root(), "--detailed-exitcode"});
  EXPECT_EQ(plan.rc, kExitChangesPending);
  EXPECT_NE(plan.out.find("+built for jammy"), std::string::npos) << plan.out;
  EXPECT_FALSE(fs::exists(m_dir / "root/etc/motd"));
  EXPECT_FALSE(fs::exists(m_dir / "root/var/lib/aiprov"));
}

TEST_F(CliTest, OnlyAndSkipTakeCommaSeparatedLists) {
  std::string recipe = write_recipe(R"(aiprov: 1
name: t
steps:
  - {id: a, type: file, path: /etc/a, content: "a\n"}
  - {id: b, type: file, path: /etc/b, content: "b\n", tags: [bee]}
  - {id: c, type: file, path: /etc/c, content: "c\n"}
)");
  auto plan = run_cli_captured({"plan", recipe, "--root", root(), "--only", "a,bee"});
  EXPECT_EQ(plan.rc, kExitOk);
  EXPECT_NE(plan.out.find("/etc/a"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("/etc/b"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("/etc/c"), std::string::npos) << plan.out;
  auto skip = run_cli_captured({"plan", recipe, "--root", root(), "--skip", "a,c", "--skip", "nothing"});
  EXPECT_EQ(skip.rc, kExitOk);
  EXPECT_EQ(skip.out.find("/etc/a"), std::string::npos) << skip.out;
  EXPECT_NE(skip.out.find("/etc/b"), std::string::npos) << skip.out;
  EXPECT_EQ(skip.out.find("/etc/c"), std::string::npos) << skip.out;
}

TEST_F(CliTest, ApplyRefusesWithoutYesWhenStdinIsNoTerminal) {
  if (isatty(STDIN_FILENO)) GTEST_SKIP() << "stdin is a terminal";
  auto apply = run_cli_captured({"apply", write_recipe(kMotd), "--root", root()});
  EXPECT_EQ(apply.rc, kExitInvalid);
  EXPECT_NE(apply.err.find("--yes"), std::string::npos) << apply.err;
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
  EXPECT_EQ(testing::read_file(m_dir / "root/etc/motd"), "built for jammy\n");
  EXPECT_NE(out.find("\"result\": \"ok\""), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(m_dir / "root/var/log/aiprov/aiprov.log"));
}

TEST_F(CliTest, InvalidRecipeNamesFileLineColumn) {
  std::string recipe = write_recipe("aiprov: 1\nname: t\nsteps:\n  - id: a\n    type: fiel\n    path: /x\n");
  auto validate = run_cli_captured({"validate", recipe, "--root", root()});
  EXPECT_EQ(validate.rc, kExitInvalid);
  const std::string& err = validate.err;
  EXPECT_NE(err.find(recipe + ":5:"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown step type 'fiel'"), std::string::npos) << err;
}

}  // namespace
}  // namespace aiprov
