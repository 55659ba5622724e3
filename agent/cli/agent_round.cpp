#include "cli/agent_round.hpp"

#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/apply_run.hpp"
#include "cli/reboot.hpp"

namespace aiprov::cli::agent {

namespace {

/// Takes the run lock, retrying until `wait` has passed or a stop was asked for. nullopt: not taken
/// (`why` says who holds it).
std::optional<std::string> take_lock(std::optional<RunLock>& lock, const FileSystem& fs, const std::string& what,
                                     std::chrono::seconds wait, SignalWatcher& signals) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool told = false;
  for (;;) {
    try {
      lock.emplace(fs, what, std::chrono::seconds(0));
      return std::nullopt;
    } catch (const LockedError& e) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline || signals.stop_requested()) return std::string(e.what());
      if (!told) spdlog::info("another run holds the lock: waiting up to {} s", wait.count());
      told = true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      signals.wait(std::min(left, std::chrono::milliseconds(500)), false);
    }
  }
}

/// Applies `plan` (correct mode) and fills `rr` from the run's report.
void correct(const Options& o, const Recipe& recipe, const Plan& plan, Context& ctx, FileSystem& fs,
             SignalWatcher& signals, RecipeRound& rr) {
  RunReport report;
  report.run_id = unique_run_id(fs);
  report.recipe_path = rr.recipe;
  report.root = plan.root;
  report.started_at = iso_now();
  rr.run_id = report.run_id;
  spdlog::info("run {}: correcting {} ({} step(s) with changes)", report.run_id, rr.recipe, plan.pending_count());
  write_journal(fs, report);  // "running" until it ends
  ctx.backup_dir = std::string(kBackupsDir) + "/" + report.run_id;
  ctx.progress = [](const std::string& line) { spdlog::debug("    {}", line); };
  ApplyOptions ao;
  ao.run_id = report.run_id;
  ao.on_step_start = [](const PlannedStep& ps) {
    spdlog::info("==> {} ({}{})", ps.decl->id, ps.decl->type, ps.handler ? ", handler" : "");
  };
  ao.on_step_end = [](const StepOutcome& so) {
    if (so.status == StepOutcome::Status::Unchanged || so.status == StepOutcome::Status::Skipped) return;
    spdlog::info("step {} {}{}", so.id, status_name(so.status), so.message.empty() ? "" : ": " + so.message);
  };
  ao.should_stop = [&signals] { return signals.poll(); };
  RunReport done = apply_plan(recipe, plan, ctx, ao);
  done.run_id = report.run_id;
  done.recipe_path = report.recipe_path;
  done.root = report.root;
  done.started_at = report.started_at;
  done.backups = list_backups(fs, ctx.backup_dir);
  write_journal(fs, done);

  rr.changed = done.changed_count();
  for (auto& d : rr.drift)
    for (const auto& so : done.steps)
      if (so.id == d.id && !so.handler && so.status == StepOutcome::Status::Changed) d.corrected = true;
  if (done.reboot_pending()) {
    write_checkpoint(fs, make_checkpoint(o, done));  // as `apply` writes it: read after the reboot
    rr.result = "reboot pending";
    rr.message = "step '" + done.reboot_step + "' needs a reboot: " + done.reboot_reason +
                 "; the agent never reboots the host: after a reboot it goes on from the checkpoint " +
                 fs.host_path(kCheckpointFile);
    spdlog::warn("run {}: {}", done.run_id, rr.message);
  } else if (done.failed()) {
    rr.result = "failed";
    for (const auto& so : done.steps)
      if (so.status == StepOutcome::Status::Failed) {
        rr.message = "step '" + so.id + "' failed: " + so.message;
        break;
      }
    spdlog::error("run {} failed: {}", done.run_id, rr.message);
  } else if (done.stopped) {
    rr.result = "stopped";
    rr.message = std::string("stopped by ") + signals.stop_signal() + " between steps; " +
                 std::to_string(rr.changed) + " step(s) changed before";
    spdlog::info("run {}: {}", done.run_id, rr.message);
  } else {
    rr.result = "corrected";
    spdlog::info("run {}: drift corrected: {} step(s) changed", done.run_id, rr.changed);
  }
}

}  // namespace

std::string unique_run_id(const FileSystem& fs) {
  static std::string last;
  std::string id = new_run_id();
  for (int i = 0; i < 30 && (id == last || fs.stat(std::string(kRunsDir) + "/" + id + ".json")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    id = new_run_id();
  }
  last = id;
  return id;
}

RecipeRound run_recipe(const std::string& recipe_path, const RoundSettings& settings, SignalWatcher& signals) {
  RecipeRound rr;
  rr.recipe = recipe_path;
  Options o = settings.base;
  o.recipe = recipe_path;
  std::vector<std::string> vars;
  for (const auto& [name, value] : settings.vars) vars.push_back(name + "=" + value);
  vars.insert(vars.end(), settings.base.vars.begin(), settings.base.vars.end());  // --var wins
  o.vars = vars;
  try {
    Session session(o);
    Recipe recipe = session.load_recipe();
    FileSystem& fs = session.host().fs;
    std::optional<RunLock> lock;
    const std::string what = std::string("aiprov agent (") + mode_name(settings.mode) + ") " + recipe_path;
    if (auto held = take_lock(lock, fs, what, settings.lock_wait, signals)) {
      rr.result = "locked";
      rr.message = *held;
      spdlog::warn("{}: skipped this round: {}", recipe_path, *held);
      return rr;
    }
    Context ctx{session.host(), session.facts(), "", {}, {}};
    Plan plan = make_plan(recipe, ctx, session.selection());
    rr.drift = drift_of(plan);
    if (!plan.has_changes()) {
      rr.result = "converged";
      spdlog::info("{}: converged", recipe_path);
      return rr;
    }
    spdlog::warn("{}: {} step(s) drifted", recipe_path, rr.drift.size());
    for (const auto& d : rr.drift) spdlog::warn("drift: step '{}' ({}): {}", d.id, d.type, d.describe());
    if (settings.mode == Mode::Report) {
      rr.result = "drift";
      rr.message = "not corrected (report mode)";
      return rr;
    }
    if (signals.poll()) {
      rr.result = "stopped";
      rr.message = std::string("not corrected: ") + signals.stop_signal() + " arrived before the apply";
      return rr;
    }
    if (auto cp = read_checkpoint(fs)) {
      // Applying again would only stop at the reboot step again: the host has to reboot first.
      rr.result = "reboot pending";
      rr.message = "not corrected: run " + cp->run_id + " waits for a reboot (step '" + cp->reboot_step + "': " +
                   cp->reason + "); the agent goes on from its checkpoint when it starts after the reboot";
      spdlog::warn("{}: {}", recipe_path, rr.message);
      return rr;
    }
    correct(o, recipe, plan, ctx, fs, signals, rr);
  } catch (const RecipeError& e) {
    rr.result = "invalid";
    rr.message = e.what();
    spdlog::error("{}", rr.message);
  } catch (const std::exception& e) {
    rr.result = "error";
    rr.message = e.what();
    spdlog::error("{}: {}", recipe_path, rr.message);
  }
  return rr;
}

}  // namespace aiprov::cli::agent
