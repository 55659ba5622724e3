#include <algorithm>

#include <gtest/gtest.h>

#include "unit/engine/engine_test_util.hpp"

namespace aiprov::testing {
namespace {

int index_of(const std::vector<std::string>& v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() ? -1 : static_cast<int>(it - v.begin());
}

TEST(Planner, ConvergedChangedAndFilteredSteps) {
  Script script;
  script.done["b"] = true;
  RecipeBuilder rb(script);
  rb.step("a", {"base"});
  rb.step("b");
  rb.step("c", {"gpu"});
  FakeHost fh;
  Context ctx = fh.context();
  Plan plan = make_plan(rb.recipe, ctx, Selection{{}, {"gpu"}});
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[0].status, PlannedStep::Status::Changes);
  EXPECT_EQ(plan.steps[1].status, PlannedStep::Status::Converged);
  EXPECT_EQ(plan.steps[2].status, PlannedStep::Status::Filtered);
  EXPECT_EQ(plan.pending_count(), 1);
  EXPECT_TRUE(fh.fs.log().empty()) << "planning must not touch the host";

  Plan only = make_plan(rb.recipe, ctx, Selection{{"gpu"}, {}});
  EXPECT_EQ(only.steps[0].status, PlannedStep::Status::Filtered);
  EXPECT_EQ(only.steps[2].status, PlannedStep::Status::Changes);
}

TEST(Planner, RecordsPendingEffectsForLaterSteps) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("make-group").provides("group:g");
  rb.step("members").depends_on_pending("group:g");
  FakeHost fh;
  Context ctx = fh.context();
  Plan plan = make_plan(rb.recipe, ctx, {});
  EXPECT_EQ(ctx.pending_by("group:g"), "make-group");
  EXPECT_EQ(plan.steps[1].plan.depends_on, "needs group:g from step 'make-group'");
  std::string text = render_plan(plan, {});
  EXPECT_NE(text.find("? depends on an earlier change: needs group:g"), std::string::npos) << text;
}

TEST(Executor, AppliesChecksAndStopsAtFirstFailure) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.step("broken").never_converges();
  rb.step("c");
  FakeHost fh;
  Context ctx = fh.context("/var/lib/aiprov/backups/r1");
  Plan plan = make_plan(rb.recipe, ctx, {});
  RunReport report = apply_plan(rb.recipe, plan, ctx, {});
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[0].status, StepOutcome::Status::Changed);
  EXPECT_EQ(report.steps[1].status, StepOutcome::Status::Failed);
  EXPECT_NE(report.steps[1].message.find("not converged after apply"), std::string::npos);
  EXPECT_EQ(report.steps[2].status, StepOutcome::Status::NotRun);
  EXPECT_TRUE(report.failed());
  EXPECT_EQ(index_of(script.events, "apply c"), -1);
}

TEST(Executor, AptUpdateOnceBeforeFirstAptStepAfterSourcesChange) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("mirror").provides("apt:sources");
  rb.step("pkgs1").apt();
  rb.step("pkgs2").apt();
  FakeHost fh;
  Context ctx = fh.context("/b");
  Plan plan = make_plan(rb.recipe, ctx, {});
  RunReport report = apply_plan(rb.recipe, plan, ctx, {});
  EXPECT_FALSE(report.failed());
  auto lines = fh.proc.command_lines();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "apt-get update"), 1);
}

TEST(Executor, AptStepThatDependsOnANewRepositorySeesTheRefreshedIndex) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("repo").provides("apt:sources");
  rb.step("pkgs").apt().depends_on_pending("apt:sources");
  FakeHost fh;
  fh.proc.on_argv({"apt-get", "update"}, FakeProcessRunner::result(0),
                  [&](const Command&) { script.events.push_back("apt-get update"); });
  Context ctx = fh.context("/b");
  Plan plan = make_plan(rb.recipe, ctx, {});
  ASSERT_FALSE(plan.steps[1].plan.depends_on.empty());
  script.events.clear();
  RunReport report = apply_plan(rb.recipe, plan, ctx, {});
  EXPECT_FALSE(report.failed());
  std::vector<std::string> want{"apply repo", "plan repo", "apt-get update", "plan pkgs", "apply pkgs", "plan pkgs"};
  EXPECT_EQ(script.events, want) << "the index must be refreshed before the dependent step is planned again";
}

TEST(Executor, NoAptUpdateWhenSourcesConverged) {
  Script script;
  script.done["mirror"] = true;
  RecipeBuilder rb(script);
  rb.step("mirror").provides("apt:sources");
  rb.step("pkgs").apt();
  FakeHost fh;
  Context ctx = fh.context("/b");
  RunReport report = apply_plan(rb.recipe, make_plan(rb.recipe, ctx, {}), ctx, {});
  EXPECT_TRUE(fh.proc.command_lines().empty());
}

TEST(Executor, FailedAptUpdateFailsTheStepWithItsOutput) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("mirror").provides("apt:sources");
  rb.step("pkgs").apt();
  FakeHost fh;
  fh.proc.on_argv({"apt-get", "update"}, ProcessResult{100, false, "E: The repository is not signed.\n", });
  Context ctx = fh.context("/b");
  RunReport report = apply_plan(rb.recipe, make_plan(rb.recipe, ctx, {}), ctx, {});
  ASSERT_EQ(report.steps[1].status, StepOutcome::Status::Failed);
  EXPECT_NE(report.steps[1].message.find("apt-get update"), std::string::npos);
  EXPECT_NE(report.steps[1].message.find("not signed"), std::string::npos);
  EXPECT_EQ(index_of(script.events, "apply pkgs"), -1);
}

TEST(Executor, HandlersRunOnceWhenNotifiedAtTheEndOrWhenNeeded) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.last().notify = {"h1", "h2"};
  rb.step("b");
  rb.last().notify = {"h1"};
  rb.step("c");
  rb.last().needs = {"h2"};
  rb.step("h1", {}, true);
  rb.step("h2", {}, true);
  rb.step("h3", {}, true);  // never notified
  FakeHost fh;
  Context ctx = fh.context("/b");
  Plan plan = make_plan(rb.recipe, ctx, {});
  RunReport report = apply_plan(rb.recipe, plan, ctx, {});
  EXPECT_FALSE(report.failed());
  auto& ev = script.events;
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "apply h1"), 1);
  EXPECT_EQ(std::count(ev.begin(), ev.end(), "apply h2"), 1);
  EXPECT_EQ(index_of(ev, "apply h3"), -1);
  EXPECT_LT(index_of(ev, "apply h2"), index_of(ev, "apply c")) << "h2 is needed by c";
  EXPECT_GT(index_of(ev, "apply h1"), index_of(ev, "apply c")) << "h1 runs at the end";
}

TEST(Executor, HandlerNotNotifiedWhenStepConverged) {
  Script script;
  script.done["a"] = true;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.last().notify = {"h"};
  rb.step("h", {}, true);
  FakeHost fh;
  Context ctx = fh.context("/b");
  Plan plan = make_plan(rb.recipe, ctx, {});
  EXPECT_EQ(plan.pending_count(), 0);
  apply_plan(rb.recipe, plan, ctx, {});
  EXPECT_EQ(index_of(script.events, "apply h"), -1);
}

TEST(Executor, DependentStepIsPlannedAgainAtApply) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("make-group").provides("group:g");
  rb.step("members").depends_on_pending("group:g");
  FakeHost fh;
  Context ctx = fh.context("/b");
  Plan plan = make_plan(rb.recipe, ctx, {});
  script.events.clear();
  apply_plan(rb.recipe, plan, ctx, {});
  // make-group: apply + verify plan; members: fresh plan, apply, verify plan.
  std::vector<std::string> want{"apply make-group", "plan make-group", "plan members", "apply members",
                                "plan members"};
  EXPECT_EQ(script.events, want);
}

TEST(Render, TerraformStyleWithoutColour) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  FakeHost fh;
  Context ctx = fh.context();
  std::string text = render_plan(make_plan(rb.recipe, ctx, {}), RenderOptions{false, false});
  EXPECT_NE(text.find("    + /a  (absent)"), std::string::npos) << text;
  EXPECT_NE(text.find("Plan: 1 to create, 0 to change, 0 to remove, 0 to run"), std::string::npos) << text;
  EXPECT_EQ(text.find('\033'), std::string::npos);
  std::string colored = render_plan(make_plan(rb.recipe, ctx, {}), RenderOptions{true, false});
  EXPECT_NE(colored.find("\033[32m+"), std::string::npos);
  script.done["a"] = true;
  EXPECT_NE(render_plan(make_plan(rb.recipe, ctx, {}), {}).find("No changes."), std::string::npos);
}

TEST(Render, PlanAsJson) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  FakeHost fh;
  Context ctx = fh.context();
  auto j = plan_to_json(make_plan(rb.recipe, ctx, {}));
  EXPECT_EQ(j["pending"], 1);
  EXPECT_EQ(j["steps"][0]["changes"][0]["action"], "create");
  EXPECT_EQ(j["steps"][0]["changes"][0]["target"], "/a");
}

TEST(Journal, WritesAndReadsTheNewestRun) {
  FakeHost fh;
  RunReport r1;
  r1.run_id = "20260101T000000Z-1";
  r1.finished_at = "x";
  RunReport r2;
  r2.run_id = "20260102T000000Z-1";  // unfinished: "running"
  write_journal(fh.fs, r1);
  write_journal(fh.fs, r2);
  auto last = read_last_journal(fh.fs);
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["run_id"], "20260102T000000Z-1");
  EXPECT_EQ((*last)["result"], "running");
  EXPECT_TRUE(fh.fs.exists("/var/lib/aiprov/runs/20260101T000000Z-1.json"));
}

}  // namespace
}  // namespace aiprov::testing
