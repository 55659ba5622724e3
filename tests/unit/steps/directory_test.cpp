// Step type `directory` on the fake host.

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

class DirectoryStepTest : public ::testing::Test {
 protected:
  void SetUp() override { host.add_accounts({{"alice", 1000}}, {{"anaconda", 1001}}); }
  std::unique_ptr<Step> dir(const std::string& fields) { return make_step(steps::directory_type(), fields); }

  FakeHost host;
};

TEST_F(DirectoryStepTest, ConvergedHostPlansNothing) {
  host.fs.add_dir("/opt/anaconda3", 02775, 0, 1001);
  Context ctx = host.context();
  EXPECT_TRUE(dir("path: /opt/anaconda3\nmode: \"2775\"\ngroup: anaconda\nowner: root\n")->plan(ctx).converged());
  EXPECT_TRUE(dir("path: /opt/anaconda3/\n")->plan(ctx).converged());
}

TEST_F(DirectoryStepTest, MissingDirectoryWithSetgidAndParents) {
  auto step = dir("path: /opt/ai/shared\nmode: \"2770\"\ngroup: anaconda\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Create);
  EXPECT_EQ(plan.changes[0].reason,
            "directory is absent; mode 2770; group anaconda; missing parent /opt will be created (0755)");
  EXPECT_THAT(plan.changes[0].provides, ElementsAre("path:/opt/ai/shared"));
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("mkdir /opt 0755", "mkdir /opt/ai 0755", "mkdir /opt/ai/shared 2770",
                                         "chown /opt/ai/shared 0:1001"));
  auto st = host.fs.stat("/opt/ai/shared");
  EXPECT_EQ(st->mode, 02770u);
  EXPECT_EQ(st->gid, 1001u);
}

TEST_F(DirectoryStepTest, ExistingDirectoryWithOtherModeAndOwner) {
  host.fs.add_dir("/srv/data", 0755);
  auto step = dir("path: /srv/data\nmode: \"0750\"\nowner: alice\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].reason, "mode 0755 -> 0750");
  EXPECT_EQ(plan.changes[1].reason, "owner root -> alice");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("chown /srv/data 1000:0", "chmod /srv/data 0750"));
}

TEST_F(DirectoryStepTest, AbsentRemovesOnlyEmptyDirectories) {
  host.fs.add_dir("/srv/empty");
  auto step = dir("path: /srv/empty\nstate: absent\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Remove);
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("remove /srv/empty"));

  host.fs.add_file("/srv/full/keep.txt", "x");
  EXPECT_EQ(step_error([&] { dir("path: /srv/full\nstate: absent\n")->plan(ctx); }),
            "step 'x': directory /srv/full is not empty; refusing to remove it");
}

TEST_F(DirectoryStepTest, Errors) {
  host.fs.add_file("/srv/file", "x");
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { dir("path: /srv/file\n")->plan(ctx); }), "step 'x': /srv/file exists and is not a directory");
  EXPECT_EQ(step_error([&] { dir("path: /srv/new\nowner: bob\n")->plan(ctx); }), "step 'x': owner 'bob' does not exist");
  EXPECT_EQ(build_error(steps::directory_type(), "path: /x\nstate: maybe\n"),
            "step 'x': state must be 'present' or 'absent', found 'maybe'");
}

}  // namespace
}  // namespace aiprov::testing
