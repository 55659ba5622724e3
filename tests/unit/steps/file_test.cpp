// Step type `file` on the fake host.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

class FileStepTest : public ::testing::Test {
 protected:
  void SetUp() override { host.add_accounts({{"alice", 1000}}, {{"anaconda", 1001}}); }
  std::unique_ptr<Step> file(const std::string& fields) { return make_step(steps::file_type(), fields); }

  FakeHost host;
};

TEST_F(FileStepTest, ConvergedHostPlansNothing) {
  host.fs.add_file("/etc/motd", "hello\n", 0600, 1000, 1001);
  auto step = file("path: /etc/motd\ncontent: \"hello\\n\"\nmode: \"0600\"\nowner: alice\ngroup: anaconda\n");
  Context ctx = host.context();
  EXPECT_TRUE(step->plan(ctx).converged());
  // Unset mode/owner/group never count as differences.
  EXPECT_TRUE(file("path: /etc/motd\ncontent: \"hello\\n\"\n")->plan(ctx).converged());
}

TEST_F(FileStepTest, ContentDiffersPlansUpdateWithExactDiff) {
  host.fs.add_file("/etc/motd", "welcome\nold line\n");
  auto step = file("path: /etc/motd\ncontent: \"welcome\\nnew line\\n\"\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Update);
  EXPECT_EQ(c.target, "/etc/motd");
  EXPECT_EQ(c.reason, "content differs");
  EXPECT_EQ(c.detail, "--- /etc/motd\n+++ /etc/motd\n@@ -1,2 +1,2 @@\n welcome\n-old line\n+new line\n");
  EXPECT_THAT(c.provides, ElementsAre("path:/etc/motd"));
  EXPECT_TRUE(host.fs.log().empty()) << "plan must not write";
}

TEST_F(FileStepTest, MetadataDifferencesAreSeparateReasons) {
  host.fs.add_file("/etc/motd", "hi\n", 0644);
  auto step = file("path: /etc/motd\ncontent: \"hi\\n\"\nmode: \"0600\"\nowner: alice\ngroup: \"1001\"\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 3u);
  EXPECT_EQ(plan.changes[0].reason, "mode 0644 -> 0600");
  EXPECT_EQ(plan.changes[1].reason, "owner root -> alice");
  EXPECT_EQ(plan.changes[2].reason, "group root -> 1001");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("chown /etc/motd 1000:1001", "chmod /etc/motd 0600"));
}

TEST_F(FileStepTest, ApplyWritesAtomicallyWithBackupAndKeepsExistingMetadata) {
  host.fs.add_file("/etc/motd", "old\n", 0640, 1000, 1001);
  auto step = file("path: /etc/motd\ncontent: \"new\\n\"\n");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(),
              ElementsAre("backup /etc/motd -> /var/lib/aiprov/backups/run1/etc/motd", "write /etc/motd"));
  EXPECT_EQ(host.fs.read("/etc/motd"), "new\n");
  EXPECT_EQ(host.fs.read("/var/lib/aiprov/backups/run1/etc/motd"), "old\n");
  auto st = host.fs.stat("/etc/motd");
  EXPECT_EQ(st->mode, 0640u);
  EXPECT_EQ(st->uid, 1000u);
  EXPECT_EQ(st->gid, 1001u);
}

TEST_F(FileStepTest, NewFileInMissingParentsIsCreatedWithParents) {
  host.fs.add_dir("/opt");
  auto step = file("path: /opt/ai/conf/x.txt\ncontent: \"a\\n\"\nmode: \"0600\"\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Create);
  EXPECT_EQ(plan.changes[0].reason, "file is absent; missing parent /opt/ai will be created (0755); mode 0600");
  EXPECT_EQ(plan.changes[0].detail, "--- /dev/null\n+++ /opt/ai/conf/x.txt\n@@ -0,0 +1 @@\n+a\n");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("mkdir /opt/ai 0755", "mkdir /opt/ai/conf 0755", "write /opt/ai/conf/x.txt"));
  EXPECT_EQ(host.fs.stat("/opt/ai/conf/x.txt")->mode, 0600u);
}

TEST_F(FileStepTest, ParentCreatedByEarlierStepIsNamed) {
  auto step = file("path: /opt/ai/x.txt\ncontent: a\n");
  Context ctx = host.context();
  ctx.pending["path:/opt/ai"] = "ai-dir";
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "file is absent; parent /opt/ai is created by step 'ai-dir'");
  EXPECT_TRUE(plan.depends_on.empty());
}

TEST_F(FileStepTest, SourceIsReadBesideTheRecipe) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "aiprov-file-source";
  std::filesystem::create_directories(dir / "files");
  std::ofstream(dir / "files" / "motd") << "from source\n";
  auto step = make_step(steps::file_type(), "path: /etc/motd\nsource: files/motd\n", (dir / "recipe.yaml").string());
  apply_and_expect_converged(*step, host);
  EXPECT_EQ(host.fs.read("/etc/motd"), "from source\n");

  auto missing = make_step(steps::file_type(), "path: /etc/motd\nsource: files/nope\n", (dir / "recipe.yaml").string());
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { missing->plan(ctx); }),
            "step 'x': cannot read source " + (dir / "files" / "nope").string());
}

TEST_F(FileStepTest, AbsentRemovesWithBackup) {
  host.fs.add_file("/etc/old.conf", "x\n");
  auto step = file("path: /etc/old.conf\nstate: absent\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Remove);
  apply_and_expect_converged(*step, host);
  EXPECT_FALSE(host.fs.exists("/etc/old.conf"));
  EXPECT_EQ(host.fs.read("/var/lib/aiprov/backups/run1/etc/old.conf"), "x\n");
  EXPECT_EQ(host.fs.log().back(), "remove /etc/old.conf");
}

TEST_F(FileStepTest, GroupCreatedByEarlierStepSetsDependsOn) {
  auto step = file("path: /etc/motd\ncontent: a\ngroup: newgrp\n");
  Context ctx = host.context();
  ctx.pending["group:newgrp"] = "mkgroup";
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(plan.depends_on, "group 'newgrp' is created by step 'mkgroup'");
  EXPECT_EQ(plan.changes.size(), 1u);
}

TEST_F(FileStepTest, Errors) {
  const StepType type = steps::file_type();
  const std::string one_of = "step 'x': exactly one of 'content' or 'source' is required";
  EXPECT_EQ(build_error(type, "path: /etc/motd\n"), one_of);
  EXPECT_EQ(build_error(type, "path: /etc/motd\ncontent: a\nsource: b\n"), one_of);
  EXPECT_EQ(build_error(type, "path: /etc/motd\nstate: absent\n"), "");
  EXPECT_EQ(build_error(type, "path: /etc/motd\ncontent: a\nstate: gone\n"),
            "step 'x': state must be 'present' or 'absent', found 'gone'");
  EXPECT_EQ(build_error(type, "path: etc/motd\ncontent: a\n"), "step 'x': path must be absolute, found 'etc/motd'");

  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { file("path: /etc/motd\ncontent: a\nowner: bob\n")->plan(ctx); }),
            "step 'x': owner 'bob' does not exist");
  EXPECT_EQ(step_error([&] { file("path: /etc/motd\ncontent: a\ngroup: nogroup\n")->plan(ctx); }),
            "step 'x': group 'nogroup' does not exist");
  host.fs.add_dir("/etc/motd.d");
  EXPECT_EQ(step_error([&] { file("path: /etc/motd.d\ncontent: a\n")->plan(ctx); }),
            "step 'x': /etc/motd.d exists and is not a regular file");
}

}  // namespace
}  // namespace aiprov::testing
