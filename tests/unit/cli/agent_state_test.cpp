// The agent's records: drift taken from a plan, last.json and a bounded history.json, the exit code
// of --once, and the text `aiprov status` shows.

#include <string>

#include <gtest/gtest.h>

#include "cli/agent_state.hpp"
#include "fakes/virtual_file_system.hpp"

namespace aiprov::cli::agent {
namespace {

RecipeRound recipe_round(const std::string& result, std::vector<Drift> drift = {}) {
  RecipeRound r;
  r.recipe = "/r.yaml";
  r.result = result;
  r.drift = std::move(drift);
  return r;
}

TEST(AgentState, DriftOfAPlanLeavesConvergedStepsAndHandlersOut) {
  StepDecl motd, dir, handler;
  motd.id = "motd";
  motd.type = "file";
  dir.id = "dir";
  dir.type = "directory";
  handler.id = "restart";
  handler.type = "command";
  Plan plan;
  PlannedStep a;
  a.decl = &motd;
  a.status = PlannedStep::Status::Changes;
  Change c;
  c.target = "/etc/motd";
  c.reason = "content differs";
  a.plan.changes = {c, c};
  a.plan.changes[1].target = "/etc/motd";
  a.plan.changes[1].reason = "mode 0600 -> 0644";
  PlannedStep b;
  b.decl = &dir;
  b.status = PlannedStep::Status::Converged;
  PlannedStep h;
  h.decl = &handler;
  h.status = PlannedStep::Status::Changes;
  h.handler = true;
  plan.steps = {a, b, h};
  auto drift = drift_of(plan);
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_EQ(drift[0].id, "motd");
  EXPECT_EQ(drift[0].type, "file");
  EXPECT_EQ(drift[0].describe(), "/etc/motd content differs; /etc/motd mode 0600 -> 0644");
  Drift only_depends{"repo", "apt_packages", {}, "apt:sources changed by step 'repo'", false};
  EXPECT_EQ(only_depends.describe(), "depends on apt:sources changed by step 'repo'");
}

TEST(AgentState, LastAndABoundedHistory) {
  testing::VirtualFileSystem fs;
  EXPECT_TRUE(read_history(fs).empty());
  EXPECT_TRUE(read_last_round(fs).is_null());
  for (std::size_t i = 0; i < kHistoryRounds + 5; ++i) {
    Round r;
    r.started_at = "round-" + std::to_string(i);
    r.mode = "report";
    r.recipes = {recipe_round("converged")};
    record_round(fs, r);
  }
  auto history = read_history(fs);
  ASSERT_EQ(history.size(), kHistoryRounds);
  EXPECT_EQ(history.front()["started_at"], "round-5");  // the oldest rounds were dropped
  EXPECT_EQ(history.back()["started_at"], "round-24");
  EXPECT_EQ(read_last_round(fs)["started_at"], "round-24");
  EXPECT_TRUE(read_last_round(fs)["recipes"][0]["run_id"].is_null());
}

TEST(AgentState, AnUnreadableHistoryStartsAgain) {
  testing::VirtualFileSystem fs;
  fs.add_file(kHistoryFile, "{not json");
  Round r;
  r.started_at = "now";
  record_round(fs, r);
  ASSERT_EQ(read_history(fs).size(), 1u);
}

TEST(AgentState, ExitCodeOfOnce) {
  auto code = [](std::vector<std::string> results) {
    Round r;
    for (const auto& res : results) r.recipes.push_back(recipe_round(res));
    return r.exit_code();
  };
  EXPECT_EQ(code({}), kExitOk);
  EXPECT_EQ(code({"converged", "corrected"}), kExitOk);
  EXPECT_EQ(code({"converged", "drift"}), kExitChangesPending);
  EXPECT_EQ(code({"drift", "locked"}), kExitLocked);
  EXPECT_EQ(code({"locked", "failed"}), kExitStepFailed);
  EXPECT_EQ(code({"stopped"}), kExitStepFailed);
  EXPECT_EQ(code({"reboot pending"}), kExitStepFailed);
  EXPECT_EQ(code({"error", "invalid"}), kExitInvalid);
}

TEST(AgentState, StatusTextShowsRoundsAndTheLastDrift) {
  testing::VirtualFileSystem fs;
  Drift d{"motd", "file", {{"/etc/motd", "content differs"}}, "", false};
  Round first;
  first.started_at = "T1";
  first.mode = "report";
  first.recipes = {recipe_round("drift", {d})};
  first.recipes[0].message = "not corrected (report mode)";
  record_round(fs, first);
  std::string text = render_agent_status(read_history(fs), 5);
  EXPECT_NE(text.find("T1  report  /r.yaml: drift, 1 step(s) drifted: not corrected (report mode)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/r.yaml: step 'motd' (file): /etc/motd content differs  [not corrected]"), std::string::npos)
      << text;

  Round second;
  second.started_at = "T2";
  second.mode = "correct";
  d.corrected = true;
  second.recipes = {recipe_round("corrected", {d})};
  second.recipes[0].run_id = "RUN2";
  second.recipes[0].changed = 1;
  record_round(fs, second);
  Round third;
  third.started_at = "T3";
  third.mode = "correct";
  third.recipes = {recipe_round("converged")};
  record_round(fs, third);
  text = render_agent_status(read_history(fs), 2);
  EXPECT_EQ(text.find("T1"), std::string::npos) << "only the last 2 rounds:\n" << text;
  EXPECT_NE(text.find("T2  correct  /r.yaml: corrected, 1 step(s) drifted, 1 changed (run RUN2)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("No drift at the last round (T3)."), std::string::npos) << text;
  EXPECT_EQ(render_agent_status({}, 5), "The agent has not run a round yet.\n");
}

}  // namespace
}  // namespace aiprov::cli::agent
