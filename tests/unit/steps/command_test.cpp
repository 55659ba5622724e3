// Step type `command` on the fake host: guards, the reason that names them, the exact commands run.

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<Step> command(const std::string& fields) { return make_step(steps::command_type(), fields); }

TEST(CommandStepTest, CreatesGuard) {
  FakeHost host;
  auto step = command("argv: [touch, /opt/ai/.marker]\ncreates: /opt/ai/.marker\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Run);
  EXPECT_EQ(c.target, "run: touch /opt/ai/.marker");
  EXPECT_EQ(c.reason, "creates: /opt/ai/.marker is absent");
  EXPECT_THAT(c.provides, ElementsAre("path:/opt/ai/.marker"));
  EXPECT_TRUE(host.proc.commands().empty()) << "a creates guard runs nothing while planning";

  // The fake touch creates the marker, so the re-plan is converged through the guard.
  host.proc.on_program("touch", FakeProcessRunner::result(0),
                       [&](const Command& cmd) { host.fs.add_file(cmd.argv[1], ""); });
  apply_and_expect_converged(*step, host);
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("touch /opt/ai/.marker"));
}

TEST(CommandStepTest, CreatesPendingSetsDependsOn) {
  FakeHost host;
  auto step = command("argv: [make-marker]\ncreates: /opt/ai/.marker\n");
  Context ctx = host.context();
  ctx.pending["path:/opt/ai/.marker"] = "marker-file";
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(plan.depends_on, "path '/opt/ai/.marker' is created by step 'marker-file'");
}

TEST(CommandStepTest, GuardsWaitForAWorkingDirectoryAnEarlierStepCreates) {
  FakeHost host;
  auto step = command("argv: [make]\ncwd: /srv/work\nunless: [test, -f, built]\n");
  Context ctx = host.context();
  ctx.pending["path:/srv/work/build"] = "work-dirs";  // a directory below cwd: its parents come too
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(plan.depends_on, "working directory /srv/work is created by step 'work-dirs'");
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "guards run once /srv/work exists");
  EXPECT_TRUE(host.proc.commands().empty()) << "guards cannot run in a directory that does not exist";

  ctx.pending.clear();
  try {
    step->plan(ctx);
    FAIL() << "a missing working directory nobody creates must be an error";
  } catch (const StepError& e) {
    EXPECT_STREQ(e.what(), "step 'x': working directory /srv/work does not exist");
  }
}

TEST(CommandStepTest, UnlessGuardRunsDuringPlan) {
  FakeHost host;
  auto step = command("argv: [mkdir, /x]\nunless: [test, -d, /x]\n");
  Context ctx = host.context();
  host.proc.on_argv({"test", "-d", "/x"}, FakeProcessRunner::result(1));
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "unless: `test -d /x` exited 1");

  host.proc.on_argv({"test", "-d", "/x"}, FakeProcessRunner::result(0));
  EXPECT_TRUE(step->plan(ctx).converged());
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("test -d /x", "test -d /x"));
}

TEST(CommandStepTest, OnlyifGuard) {
  FakeHost host;
  auto step = command("argv: [nvidia-smi, -pm, \"1\"]\nonlyif: [test, -e, /dev/nvidia0]\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);  // default answer: exit 0
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "onlyif: `test -e /dev/nvidia0` exited 0");
  host.proc.on_argv({"test", "-e", "/dev/nvidia0"}, FakeProcessRunner::result(1));
  EXPECT_TRUE(step->plan(ctx).converged());
}

TEST(CommandStepTest, NoGuardRunsOnceThenCountsAsConverged) {
  FakeHost host;
  auto step = command("shell: \"echo hi > /tmp/x\"\nenv:\n  LANG: C\ncwd: /srv\ntimeout: 30\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].target, "run: /bin/sh -c 'echo hi > /tmp/x'");
  EXPECT_EQ(plan.changes[0].reason, "no guard: runs every time");
  EXPECT_EQ(plan.changes[0].detail, "cwd: /srv\nenv: LANG=C\ntimeout: 30s\n");
  EXPECT_FALSE(step->uses_apt());
  apply_and_expect_converged(*step, host);
  ASSERT_EQ(host.proc.commands().size(), 1u);
  const Command& ran = host.proc.commands()[0];
  EXPECT_THAT(ran.argv, ElementsAre("/bin/sh", "-c", "echo hi > /tmp/x"));
  EXPECT_EQ(ran.env.at("LANG"), "C");
  EXPECT_EQ(ran.cwd, "/srv");
  EXPECT_EQ(ran.timeout.count(), 30);
}

TEST(CommandStepTest, UsesApt) {
  EXPECT_TRUE(command("argv: [apt-get, install, -y, git]\n")->uses_apt());
  EXPECT_TRUE(command("argv: [/usr/bin/apt, install, git]\n")->uses_apt());
  EXPECT_TRUE(command("argv: [aptitude, install, git]\n")->uses_apt());
  EXPECT_FALSE(command("argv: [apt-cache, policy]\n")->uses_apt());
  EXPECT_FALSE(command("shell: apt-get update\n")->uses_apt());
}

TEST(CommandStepTest, FailureNamesCommandAndTail) {
  FakeHost host;
  host.proc.on_program("false", FakeProcessRunner::result(2, "one\ntwo\n"));
  auto step = command("argv: [\"false\", --now]\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(step_error([&] { step->apply(ctx, plan); }), "step 'x': command `false --now` exited 2:\none\ntwo\n");
  // A failed command did not run: the re-plan still wants to run it.
  EXPECT_FALSE(step->plan(ctx).converged());

  host.proc.on_program("sleep", [] {
    ProcessResult r;
    r.exit_code = 137;
    r.timed_out = true;
    return r;
  }());
  auto slow = command("argv: [sleep, \"100\"]\ntimeout: 5\n");
  EXPECT_EQ(step_error([&] { slow->apply(ctx, slow->plan(ctx)); }), "step 'x': command `sleep 100` timed out after 5s:\n");
}

TEST(CommandStepTest, SchemaErrors) {
  const StepType type = steps::command_type();
  const std::string one_of = "step 'x': exactly one of 'argv' or 'shell' is required";
  EXPECT_EQ(build_error(type, "creates: /x\n"), one_of);
  EXPECT_EQ(build_error(type, "argv: [a]\nshell: b\n"), one_of);
  EXPECT_EQ(build_error(type, "argv: []\n"), "step 'x': 'argv' must not be empty");
  EXPECT_EQ(build_error(type, "argv: [a]\ncreates: rel/path\n"),
            "step 'x': creates must be an absolute path, found 'rel/path'");
  EXPECT_EQ(build_error(type, "argv: [a]\ntimeout: -1\n"), "step 'x': timeout must not be negative");
}

}  // namespace
}  // namespace aiprov::testing
