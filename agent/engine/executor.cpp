#include <chrono>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "aiprov/engine.hpp"
#include "steps/apt_run.hpp"

namespace aiprov {

const char* status_name(StepOutcome::Status s) {
  switch (s) {
    case StepOutcome::Status::Unchanged: return "unchanged";
    case StepOutcome::Status::Changed: return "changed";
    case StepOutcome::Status::Failed: return "failed";
    case StepOutcome::Status::Skipped: return "skipped";
    case StepOutcome::Status::NotRun: return "not run";
    case StepOutcome::Status::RebootPending: return "reboot pending";
  }
  return "?";
}

namespace {

const char* action_symbol(Change::Action a) {
  switch (a) {
    case Change::Action::Create: return "+";
    case Change::Action::Update: return "~";
    case Change::Action::Remove: return "-";
    case Change::Action::Run: return "!";
  }
  return "?";
}

bool provides(const StepPlan& plan, const std::string& key) {
  for (const auto& c : plan.changes)
    for (const auto& p : c.provides)
      if (p == key) return true;
  return false;
}

/// Runs the apply phase of one run; keeps the state that spans steps (apt index, handlers).
class Executor {
 public:
  Executor(const Recipe& recipe, Context& ctx, const ApplyOptions& options)
      : m_recipe(recipe), m_ctx(ctx), m_options(options) {}

  RunReport run(const Plan& plan) {
    RunReport report;
    report.run_id = m_options.run_id;
    report.recipe_path = plan.recipe_path;
    report.root = plan.root;
    report.started_at = iso_now();
    m_ctx.pending.clear();
    for (const auto& ps : plan.steps) {
      if (ps.handler) continue;  // handlers run when notified, below
      if (!m_stop_reason) check_stop(report);
      if (m_stop_reason) {
        report.steps.push_back(not_run(ps));
        continue;
      }
      if (ps.status == PlannedStep::Status::Filtered || ps.status == PlannedStep::Status::Skipped) {
        StepOutcome o{ps.decl->id, ps.decl->type, StepOutcome::Status::Skipped, ps.why, {}, 0, false};
        report.steps.push_back(o);
        if (m_options.on_step_end) m_options.on_step_end(o);
        continue;
      }
      for (const auto& h : ps.decl->needs) flush_handler(h, report);
      if (m_stop_reason) {
        report.steps.push_back(not_run(ps));
        continue;
      }
      report.steps.push_back(apply_step(ps, *ps.decl, false, report));
    }
    for (const auto& h : m_recipe.handlers) flush_handler(h.id, report);
    report.finished_at = iso_now();
    return report;
  }

 private:
  /// Asks ApplyOptions::should_stop (once the run has not already stopped).
  void check_stop(RunReport& report) {
    if (m_options.should_stop && m_options.should_stop()) {
      report.stopped = true;
      m_stop_reason = "the run was stopped before this step";
    }
  }

  StepOutcome not_run(const PlannedStep& ps) {
    std::string why = m_stop_reason ? m_stop_reason : "";
    if (ps.handler && m_stop_reason == kRebootReason)  // its notifying step will be converged after the reboot
      why = "notified, but the run stopped for a reboot and `aiprov resume` will not run it: give the reboot step "
            "`needs: [" + ps.decl->id + "]` to run it before the reboot";
    StepOutcome o{ps.decl->id, ps.decl->type, StepOutcome::Status::NotRun, why, {}, 0, ps.handler};
    if (m_options.on_step_end) m_options.on_step_end(o);
    return o;
  }

  void flush_handler(const std::string& id, RunReport& report) {
    if (!m_notified.count(id) || m_handlers_run.count(id)) return;
    m_handlers_run.insert(id);
    for (const auto& h : m_recipe.handlers) {
      if (h.id != id) continue;
      PlannedStep ps;
      ps.decl = &h;
      ps.handler = true;
      if (!m_stop_reason) check_stop(report);
      if (m_stop_reason) {
        report.steps.push_back(not_run(ps));
        return;
      }
      ps.plan.depends_on = "notified";  // a handler is always planned when it runs
      report.steps.push_back(apply_step(ps, h, true, report));
      return;
    }
  }

  /// `apt-get update` once after a sources change, before the first step that uses apt; waits for
  /// apt's lists lock (apt-daily holds it at boot) as long as for dpkg's. Throws StepError.
  void refresh_apt_index(const std::string& step_id) {
    spdlog::info("apt sources changed: running apt-get update before step '{}'", step_id);
    steps::apt::wait_for_dpkg_lock(
        {m_ctx.host.fs.host_path("/var/lib/apt/lists/lock")}, step_id, m_ctx.progress,
        std::chrono::duration_cast<std::chrono::milliseconds>(steps::apt::apt_lock_timeout()));
    Command cmd;
    cmd.argv = {"apt-get", "update"};
    cmd.env = {{"DEBIAN_FRONTEND", "noninteractive"}};
    ProcessResult r = m_ctx.host.proc.run(cmd);
    if (!r.ok())
      throw StepError("apt-get update (after the sources changed) exited " + std::to_string(r.exit_code) + ":\n" +
                      r.tail());
    m_apt_dirty = false;
  }

  StepOutcome apply_step(const PlannedStep& ps, const StepDecl& decl, bool handler, RunReport& report) {
    if (m_options.on_step_start) m_options.on_step_start(ps);
    auto t0 = std::chrono::steady_clock::now();
    StepOutcome outcome{decl.id, decl.type, StepOutcome::Status::Unchanged, "", {}, 0, handler};
    try {
      // The index is refreshed before the step is planned again or applied: a step whose plan
      // depended on an earlier change (a repository just added) must see that change.
      if (!ps.plan.converged() && m_apt_dirty && decl.step->uses_apt()) refresh_apt_index(decl.id);
      StepPlan plan = ps.plan.depends_on.empty() ? ps.plan : decl.step->plan(m_ctx);
      if (!plan.changes.empty()) {
        for (const auto& c : plan.changes)
          outcome.changes.push_back(std::string(action_symbol(c.action)) + " " + c.target);
        decl.step->apply(m_ctx, plan);
        outcome.status = StepOutcome::Status::Changed;
        StepPlan again = decl.step->plan(m_ctx);
        if (!again.changes.empty()) {
          outcome.status = StepOutcome::Status::Failed;
          outcome.message = "not converged after apply: still " + again.changes.front().target + " (" +
                            again.changes.front().reason + ")";
          m_stop_reason = kFailedReason;
        } else {
          if (provides(plan, "apt:sources")) m_apt_dirty = true;
          for (const auto& h : decl.notify) m_notified.insert(h);
        }
      }
    } catch (const RebootRequired& e) {
      // The run cannot go on before the host reboots: stop here; the CLI writes the checkpoint.
      outcome.status = StepOutcome::Status::RebootPending;
      outcome.message = e.what();
      report.reboot_step = e.step_id().empty() ? decl.id : e.step_id();
      report.reboot_reason = e.what();
      report.reboot_trigger = e.trigger();
      m_stop_reason = kRebootReason;
    } catch (const std::exception& e) {
      outcome.status = StepOutcome::Status::Failed;
      outcome.message = e.what();
      m_stop_reason = kFailedReason;
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (m_options.on_step_end) m_options.on_step_end(outcome);
    return outcome;
  }

  const Recipe& m_recipe;
  Context& m_ctx;
  const ApplyOptions& m_options;
  static constexpr const char* kFailedReason = "an earlier step failed";
  static constexpr const char* kRebootReason = "waits for the reboot: `aiprov resume` runs it";
  /// Why the remaining steps do not run (a failure, a reboot, should_stop); nullptr while they do.
  const char* m_stop_reason = nullptr;
  bool m_apt_dirty = false;
  std::set<std::string> m_notified;
  std::set<std::string> m_handlers_run;
};

}  // namespace

RunReport apply_plan(const Recipe& recipe, const Plan& plan, Context& ctx, const ApplyOptions& options) {
  return Executor(recipe, ctx, options).run(plan);
}

namespace {

/// "failed", "reboot pending", "stopped", "running" (not finished) or "ok".
std::string result_text(const RunReport& r) {
  if (r.failed()) return "failed";
  if (r.reboot_pending()) return "reboot pending";
  if (r.stopped) return "stopped";
  return r.finished_at.empty() ? "running" : "ok";
}

}  // namespace

bool RunReport::failed() const {
  for (const auto& s : steps)
    if (s.status == StepOutcome::Status::Failed) return true;
  return false;
}

int RunReport::changed_count() const {
  int n = 0;
  for (const auto& s : steps)
    if (s.status == StepOutcome::Status::Changed) ++n;
  return n;
}

nlohmann::json RunReport::to_json() const {
  nlohmann::json j;
  j["run_id"] = run_id;
  j["recipe"] = recipe_path;
  j["root"] = root;
  j["started_at"] = started_at;
  j["finished_at"] = finished_at;
  j["result"] = result_text(*this);
  j["stopped"] = stopped;
  j["reboot"] = reboot_pending() ? nlohmann::json{{"step", reboot_step}, {"reason", reboot_reason},
                                                  {"trigger", reboot_trigger}}
                                 : nlohmann::json(nullptr);
  j["changed"] = changed_count();
  j["backups"] = backups;
  j["steps"] = nlohmann::json::array();
  for (const auto& s : steps) {
    j["steps"].push_back({{"id", s.id},
                          {"type", s.type},
                          {"status", status_name(s.status)},
                          {"handler", s.handler},
                          {"message", s.message},
                          {"changes", s.changes},
                          {"seconds", s.seconds}});
  }
  return j;
}

}  // namespace aiprov
