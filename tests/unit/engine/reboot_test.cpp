// The executor and a `reboot` step: RebootRequired stops the run (RebootPending, the rest NotRun, no
// handlers after), should_stop ends a run between steps, the checkpoint round trip and its errors.
#include <gtest/gtest.h>

#include "unit/engine/engine_test_util.hpp"

namespace aiprov::testing {
namespace {

/// A step that asks for a reboot when applied.
class RebootingStep : public Step {
 public:
  StepPlan plan(Context&) const override {
    StepPlan p;
    p.changes.push_back({Change::Action::Run, "reboot: new module", "installed: drv=1", "", {}});
    return p;
  }
  void apply(Context&, const StepPlan&) override { throw RebootRequired("boot", "new module", "drv=1"); }
};

void add_rebooting_step(Recipe& recipe, const std::string& id) {
  StepDecl d;
  d.id = id;
  d.type = "reboot";
  d.step = std::make_unique<RebootingStep>();
  recipe.steps.push_back(std::move(d));
}

/// Plans `recipe` on a fresh fake host and applies the plan with `options`.
RunReport plan_and_apply(const Recipe& recipe, const ApplyOptions& options = {}) {
  FakeHost fh;
  Context ctx = fh.context("/b");
  Plan plan = make_plan(recipe, ctx, {});
  return apply_plan(recipe, plan, ctx, options);
}

TEST(ExecutorReboot, RebootRequiredStopsTheRun) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.last().notify = {"h"};
  add_rebooting_step(rb.recipe, "boot");
  rb.step("after");
  rb.step("h", {}, true);
  RunReport report = plan_and_apply(rb.recipe);
  ASSERT_EQ(report.steps.size(), 4u);
  EXPECT_EQ(report.steps[0].status, StepOutcome::Status::Changed);
  EXPECT_EQ(report.steps[1].status, StepOutcome::Status::RebootPending);
  EXPECT_EQ(report.steps[1].message, "new module");
  EXPECT_EQ(report.steps[2].status, StepOutcome::Status::NotRun);
  EXPECT_EQ(report.steps[3].id, "h");
  EXPECT_EQ(report.steps[3].status, StepOutcome::Status::NotRun) << "no handlers after a reboot request";
  EXPECT_NE(report.steps[3].message.find("needs: [h]"), std::string::npos) << report.steps[3].message;
  EXPECT_EQ(std::find(script.events.begin(), script.events.end(), "apply after"), script.events.end());
  EXPECT_EQ(std::find(script.events.begin(), script.events.end(), "apply h"), script.events.end());
  EXPECT_FALSE(report.failed());
  EXPECT_TRUE(report.reboot_pending());
  EXPECT_EQ(report.reboot_step, "boot");
  EXPECT_EQ(report.reboot_reason, "new module");
  EXPECT_EQ(report.reboot_trigger, "drv=1");
  EXPECT_EQ(std::string(status_name(StepOutcome::Status::RebootPending)), "reboot pending");
  nlohmann::json j = report.to_json();
  EXPECT_EQ(j["result"], "reboot pending");
  EXPECT_EQ(j["reboot"], (nlohmann::json{{"step", "boot"}, {"reason", "new module"}, {"trigger", "drv=1"}}));
  EXPECT_EQ(j["steps"][1]["status"], "reboot pending");
}

TEST(ExecutorReboot, HandlerNeededByTheRebootStepRunsBeforeIt) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.last().notify = {"initramfs"};
  add_rebooting_step(rb.recipe, "boot");
  rb.recipe.steps.back().needs = {"initramfs"};
  rb.step("initramfs", {}, true);
  RunReport report = plan_and_apply(rb.recipe);
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[1].id, "initramfs");
  EXPECT_EQ(report.steps[1].status, StepOutcome::Status::Changed);
  EXPECT_EQ(report.steps[2].status, StepOutcome::Status::RebootPending);
}

TEST(ExecutorStop, ShouldStopEndsTheRunBetweenSteps) {
  Script script;
  RecipeBuilder rb(script);
  rb.step("a");
  rb.step("b");
  rb.step("c");
  ApplyOptions ao;
  int asked = 0;
  ao.should_stop = [&] { return ++asked > 1; };  // let "a" run, then stop
  RunReport report = plan_and_apply(rb.recipe, ao);
  ASSERT_EQ(report.steps.size(), 3u);
  EXPECT_EQ(report.steps[0].status, StepOutcome::Status::Changed);
  EXPECT_EQ(report.steps[1].status, StepOutcome::Status::NotRun);
  EXPECT_EQ(report.steps[2].status, StepOutcome::Status::NotRun);
  EXPECT_TRUE(report.stopped);
  EXPECT_FALSE(report.failed());
  EXPECT_EQ(report.to_json()["result"], "stopped");
  EXPECT_EQ(asked, 2) << "not asked again once stopped";

  Script s2;
  RecipeBuilder rb2(s2);
  rb2.step("a");
  ApplyOptions never;
  never.should_stop = [] { return false; };
  RunReport r2 = plan_and_apply(rb2.recipe, never);
  EXPECT_FALSE(r2.stopped);
  EXPECT_EQ(r2.steps[0].status, StepOutcome::Status::Changed);
  EXPECT_EQ(r2.to_json()["reboot"], nullptr);
}

Checkpoint sample() {
  Checkpoint c;
  c.run_id = "20260101T000000Z-1";
  c.recipe_path = "/srv/recipes/workstation.yaml";
  c.vars = {"cuda=12.4", "user=ada"};
  c.fact_overrides = {"gpu.count=2"};
  c.sysfs = "/sys";
  c.only = {"gpu"};
  c.skip = {"conda"};
  c.reboot_step = "reboot-driver";
  c.reason = "the NVIDIA module loads at the next boot";
  c.trigger = "nvidia-driver-550=550.127.05-0ubuntu0.22.04.1";
  c.boot_id = "0f6d0a47-7b0b-4e8e-9f57-2a3c1c0e8e11";
  c.created_at = "2026-01-01T00:00:00Z";
  return c;
}

TEST(Checkpoint, RoundTripThroughTheFileSystem) {
  FakeHost fh;
  EXPECT_FALSE(read_checkpoint(fh.fs).has_value());
  write_checkpoint(fh.fs, sample());
  ASSERT_TRUE(fh.fs.stat(kCheckpointFile).has_value());
  EXPECT_EQ(fh.fs.stat(kCheckpointFile)->mode & 07777, 0600u);
  auto back = read_checkpoint(fh.fs);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->to_json(), sample().to_json());
  EXPECT_EQ(back->vars, sample().vars);
  EXPECT_EQ(back->only, std::vector<std::string>{"gpu"});
  remove_checkpoint(fh.fs);
  EXPECT_FALSE(read_checkpoint(fh.fs).has_value());
  remove_checkpoint(fh.fs);  // nothing to remove: no error
}

std::string read_error(FakeHost& fh, const std::string& text) {
  fh.fs.put(kCheckpointFile, text);
  try {
    read_checkpoint(fh.fs);
  } catch (const StepError& e) {
    return e.what();
  }
  return "";
}

TEST(Checkpoint, MalformedFilesAreErrorsNamingTheFile) {
  FakeHost fh;
  make_dirs(fh.fs, kStateDir);
  std::string e = read_error(fh, "{not json");
  EXPECT_NE(e.find("checkpoint.json: not valid JSON"), std::string::npos) << e;
  nlohmann::json j = sample().to_json();
  j.erase("recipe");
  e = read_error(fh, j.dump());
  EXPECT_NE(e.find("checkpoint.json: checkpoint: missing field 'recipe'"), std::string::npos) << e;
  j = sample().to_json();
  j["vars"] = "cuda=12.4";
  e = read_error(fh, j.dump());
  EXPECT_NE(e.find("field 'vars' has the wrong type"), std::string::npos) << e;
  j = sample().to_json();
  j["version"] = 2;
  EXPECT_NE(read_error(fh, j.dump()).find("version 2 is not supported"), std::string::npos);
  j = sample().to_json();
  j["reboot_step"] = "../etc";
  EXPECT_NE(read_error(fh, j.dump()).find("is not a step id"), std::string::npos);
  j = sample().to_json();
  j["recipe"] = "relative.yaml";
  EXPECT_NE(read_error(fh, j.dump()).find("must be an absolute path"), std::string::npos);
  EXPECT_EQ(read_error(fh, sample().to_json().dump()), "");
}

}  // namespace
}  // namespace aiprov::testing
