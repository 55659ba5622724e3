// Step type `group_members` on the fake host, with a fake gpasswd editing /etc/group.

#include "fakes/fake_accounts.hpp"
#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

class GroupMembersStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_accounts({{"alice", 1000}, {"bob", 1001}, {"carol", 1002}});
    host.fs.put("/etc/group", host.fs.read("/etc/group").value() + "anaconda:x:1500:carol\n");
    install_fake_account_tools(host);
  }
  std::unique_ptr<Step> members(const std::string& fields) {
    return make_step(steps::group_members_type(), fields);
  }

  FakeHost host;
};

TEST_F(GroupMembersStepTest, ConvergedHostPlansNothing) {
  Context ctx = host.context();
  EXPECT_TRUE(members("group: anaconda\nusers: [carol]\n")->plan(ctx).converged());
  EXPECT_TRUE(members("group: anaconda\nusers: [carol]\nexclusive: true\n")->plan(ctx).converged());
}

TEST_F(GroupMembersStepTest, AddsMissingMembersOnly) {
  auto step = members("group: anaconda\nusers: [alice, bob, carol]\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].target, "group anaconda");
  EXPECT_EQ(plan.changes[0].reason, "add member alice");
  EXPECT_EQ(plan.changes[0].detail, "gpasswd -a alice anaconda");
  EXPECT_EQ(plan.changes[1].reason, "add member bob");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("gpasswd -a alice anaconda", "gpasswd -a bob anaconda"));
  EXPECT_NE(host.fs.read("/etc/group")->find("anaconda:x:1500:carol,alice,bob\n"), std::string::npos);
}

TEST_F(GroupMembersStepTest, ExclusiveRemovesOthers) {
  auto step = members("group: anaconda\nusers: [alice]\nexclusive: true\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[1].reason, "remove member carol (exclusive)");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("gpasswd -a alice anaconda", "gpasswd -d carol anaconda"));
}

TEST_F(GroupMembersStepTest, GroupCreatedByEarlierStep) {
  auto step = members("group: cuda\nusers: [alice, bob]\n");
  Context ctx = host.context();
  ctx.pending["group:cuda"] = "cuda-group";
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(plan.depends_on, "group 'cuda' is created by step 'cuda-group'");
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[1].reason, "add member bob");
  EXPECT_TRUE(host.proc.commands().empty());
}

TEST_F(GroupMembersStepTest, Errors) {
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { members("group: anaconda\nusers: [alice, dave]\n")->plan(ctx); }),
            "step 'x': user 'dave' does not exist");
  EXPECT_EQ(step_error([&] { members("group: nope\nusers: [alice]\n")->plan(ctx); }),
            "step 'x': group 'nope' does not exist");

  host.proc.on_program("gpasswd", FakeProcessRunner::result(1, "gpasswd: cannot lock /etc/group; try again later.\n"));
  auto step = members("group: anaconda\nusers: [alice]\n");
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(step_error([&] { step->apply(ctx, plan); }),
            "step 'x': command `gpasswd -a alice anaconda` exited 1:\n"
            "gpasswd: cannot lock /etc/group; try again later.\n");
}

}  // namespace
}  // namespace aiprov::testing
