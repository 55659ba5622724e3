// Step type `group` on the fake host, with fake groupadd/groupmod/groupdel editing /etc/group.

#include "fakes/fake_accounts.hpp"
#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

class GroupStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_accounts({{"alice", 1000}}, {{"anaconda", 1001}});
    install_fake_account_tools(host);
  }
  std::unique_ptr<Step> group(const std::string& fields) { return make_step(steps::group_type(), fields); }

  FakeHost host;
};

TEST_F(GroupStepTest, ConvergedHostPlansNothingAndRunsNothing) {
  Context ctx = host.context();
  EXPECT_TRUE(group("name: anaconda\n")->plan(ctx).converged());
  EXPECT_TRUE(group("name: anaconda\ngid: 1001\nsystem: true\n")->plan(ctx).converged());
  EXPECT_TRUE(group("name: ghosts\nstate: absent\n")->plan(ctx).converged());
  EXPECT_TRUE(host.proc.commands().empty());
}

TEST_F(GroupStepTest, MissingGroupIsCreated) {
  auto step = group("name: cuda\ngid: 1500\nsystem: true\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Create);
  EXPECT_EQ(c.target, "group cuda");
  EXPECT_EQ(c.reason, "group is absent; gid 1500");
  EXPECT_EQ(c.detail, "groupadd --gid 1500 --system cuda");
  EXPECT_THAT(c.provides, ElementsAre("group:cuda"));
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("groupadd --gid 1500 --system cuda"));
}

TEST_F(GroupStepTest, PlainGroupadd) {
  auto step = group("name: lab\n");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("groupadd lab"));
}

TEST_F(GroupStepTest, GidMismatchIsGroupmod) {
  auto step = group("name: anaconda\ngid: 2000\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Update);
  EXPECT_EQ(plan.changes[0].reason, "gid 1001 -> 2000");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("groupmod --gid 2000 anaconda"));
}

TEST_F(GroupStepTest, AbsentIsGroupdel) {
  auto step = group("name: anaconda\nstate: absent\n");
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("groupdel anaconda"));
}

TEST_F(GroupStepTest, FailedCommandNamesItAndItsOutput) {
  host.proc.on_program("groupadd", FakeProcessRunner::result(4, "groupadd: GID '1000' already exists\n"));
  auto step = group("name: dup\ngid: 1000\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(step_error([&] { step->apply(ctx, plan); }),
            "step 'x': command `groupadd --gid 1000 dup` exited 4:\ngroupadd: GID '1000' already exists\n");
}

TEST_F(GroupStepTest, SchemaErrors) {
  EXPECT_EQ(build_error(steps::group_type(), "name: \"bad name\"\n"), "step 'x': invalid group name 'bad name'");
  EXPECT_EQ(build_error(steps::group_type(), "name: g\ngid: -4\n"), "step 'x': gid must be between 0 and 4294967294");
  EXPECT_EQ(build_error(steps::group_type(), "name: g\nstate: off\n"),
            "step 'x': state must be 'present' or 'absent', found 'off'");
}

}  // namespace
}  // namespace aiprov::testing
