// The apply run shared by `apply` and `resume`.
#include "cli/apply_run.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/reboot.hpp"
#include "host/real.hpp"
#include "steps/apt_run.hpp"

namespace aiprov::cli {
namespace {

/// Asks on a terminal; refuses without --yes when standard input is not one.
void confirm(const Options& o, std::ostream& human) {
  if (o.yes) return;
  if (!::isatty(STDIN_FILENO))
    throw UsageError("refusing to apply without --yes: standard input is not a terminal to ask on");
  human << "\nApply these changes? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "yes") throw UsageError("apply cancelled: the answer was not 'yes'");
}

bool live_root(const Options& o) { return detail::normalize_root(o.root) == "/"; }

/// Writes the checkpoint and reboots (live root) or says what to do. Returns kExitRebootRequired.
int stop_for_reboot(Session& session, const Options& o, const RunReport& report, std::ostream& human) {
  write_checkpoint(session.host().fs, make_checkpoint(o, report));
  const std::string where = session.host().fs.host_path(kCheckpointFile);
  spdlog::info("run {}: step '{}' needs a reboot ({}); checkpoint {}", report.run_id, report.reboot_step,
               report.reboot_reason, where);
  const std::string resume =
      live_root(o) ? "`aiprov resume`" : "`aiprov resume --root " + detail::normalize_root(o.root) + "`";
  if (!live_root(o) || o.no_reboot) {
    human << "reboot required: " << report.reboot_reason << "; run " << resume << " after rebooting (step '"
          << report.reboot_step << "', checkpoint " << where << ")\n";
    return static_cast<int>(kExitRebootRequired);
  }
  try {
    enable_resume_unit(session.host(), self_exe());
    human << "reboot required: " << report.reboot_reason << "; rebooting now: " << kResumeUnit
          << " runs `aiprov resume` at the next boot (journalctl -u aiprov-resume)\n"
          << std::flush;
    spdlog::info("rebooting: {} resumes the run at the next boot", kResumeUnit);
    reboot_host(session.host());
  } catch (const StepError& e) {
    human << "reboot required: " << report.reboot_reason << "; the host could not be rebooted by aiprov: "
          << e.what() << "\nReboot it and run " << resume << " (checkpoint " << where << ")\n";
    spdlog::error("cannot reboot: {}", e.what());
  }
  return static_cast<int>(kExitRebootRequired);
}

}  // namespace

Checkpoint make_checkpoint(const Options& o, const RunReport& report) {
  Checkpoint c;
  c.run_id = report.run_id;
  c.recipe_path = std::filesystem::absolute(o.recipe).lexically_normal().string();
  c.vars = o.vars;
  c.fact_overrides = o.fact_overrides;
  c.sysfs = o.sysfs;
  c.only = o.only;
  c.skip = o.skip;
  c.reboot_step = report.reboot_step;
  c.reason = report.reboot_reason;
  c.trigger = report.reboot_trigger;
  c.boot_id = current_boot_id();
  c.created_at = iso_now();
  return c;
}

std::vector<std::string> list_backups(const FileSystem& fs, const std::string& dir) {
  std::vector<std::string> out;
  if (!fs.stat(dir)) return out;
  fs.walk(dir, [&](const WalkEntry& e) {
    if (e.stat.is_regular()) out.push_back(e.path.substr(dir.size()));
    return true;
  });
  return out;
}

int run_apply(const Options& o, std::ostream& human, const ApplyRunHooks& hooks) {
  steps::apt::set_apt_lock_timeout(std::chrono::seconds(o.apt_lock_timeout));
  Session session(o);
  Recipe recipe = session.load_recipe();  // validation before anything on the host is touched
  FileSystem& fs = session.host().fs;
  RunLock lock(fs, "aiprov apply " + o.recipe, std::chrono::seconds(o.wait_lock));
  make_dirs(fs, "/var/log/aiprov", 0755);
  setup_logging(o, fs.host_path(kLogFile));
  if (hooks.on_locked) hooks.on_locked(session);
  const bool color = !o.json && use_color();

  Context ctx{session.host(), session.facts(), "", {}, {}};
  Plan plan = make_plan(recipe, ctx, session.selection());
  human << render_plan(plan, RenderOptions{color, o.verbose > 0});
  if (hooks.on_plan) hooks.on_plan(plan);

  RunReport report;
  report.run_id = new_run_id();
  report.recipe_path = o.recipe;
  report.root = o.root;
  report.started_at = iso_now();
  if (plan.has_changes()) {
    confirm(o, human);
    spdlog::info("run {}: applying {} ({} steps with changes)", report.run_id, o.recipe, plan.pending_count());
    write_journal(fs, report);  // marks the run as in progress until it ends
    ctx.backup_dir = std::string(kBackupsDir) + "/" + report.run_id;
    ApplyOptions ao;
    ao.run_id = report.run_id;
    ao.on_step_start = [&](const PlannedStep& ps) {
      human << "==> " << ps.decl->id << " (" << ps.decl->type << (ps.handler ? ", handler" : "") << ")\n"
            << std::flush;
    };
    // Progress of long operations: one line redrawn on a terminal, plain lines in logs and pipes.
    const bool live = !o.json && ::isatty(STDERR_FILENO);
    bool progress_shown = false;
    ctx.progress = [&](const std::string& line) {
      if (live) {
        std::cerr << "\r    " << line << "\033[K" << std::flush;
        progress_shown = true;
      } else {
        std::cerr << "    " << line << "\n";
      }
    };
    ao.on_step_end = [&](const StepOutcome& so) {
      if (progress_shown) {
        std::cerr << "\r\033[K" << std::flush;
        progress_shown = false;
      }
      if (so.status == StepOutcome::Status::Skipped || so.status == StepOutcome::Status::Unchanged) return;
      std::ostringstream line;
      line << "    " << so.id << ": " << status_name(so.status);
      if (so.status == StepOutcome::Status::Changed) line << " (" << so.changes.size() << " change(s), " << so.seconds << " s)";
      if (!so.message.empty()) line << ": " << so.message;
      human << line.str() << "\n" << std::flush;
      spdlog::info("step {} {}{}", so.id, status_name(so.status), so.message.empty() ? "" : ": " + so.message);
    };
    report = apply_plan(recipe, plan, ctx, ao);
    report.backups = list_backups(fs, ctx.backup_dir);
  } else {
    report.finished_at = iso_now();
  }
  write_journal(fs, report);

  nlohmann::json out{{"plan", plan_to_json(plan)}, {"run", report.to_json()}};
  int rc = static_cast<int>(kExitOk);
  if (report.failed()) {
    human << "Apply failed (run " << report.run_id << ").\n";
    spdlog::error("run {} failed", report.run_id);
    rc = static_cast<int>(kExitStepFailed);
  } else if (report.reboot_pending()) {
    human << "Apply stopped for a reboot after " << report.changed_count() << " changed step(s) (run "
          << report.run_id << ").\n";
    out["checkpoint"] = fs.host_path(kCheckpointFile);
    if (o.json) std::cout << out.dump(2) << "\n" << std::flush;  // before a reboot can end the process
    return stop_for_reboot(session, o, report, human);
  } else {
    human << "Apply complete: " << report.changed_count() << " step(s) changed (run " << report.run_id << ").\n";
    VerifyReport verify = verify_after_apply(session, recipe, o, human);
    out["verify"] = verify.to_json();
    if (!verify.passed()) {
      human << "Verification failed: " << verify.count(ProbeResult::Status::Fail) << " probe(s) failed.\n";
      spdlog::error("run {}: {} probe(s) failed after apply", report.run_id, verify.count(ProbeResult::Status::Fail));
      rc = static_cast<int>(kExitStepFailed);
    }
  }
  if (o.json) std::cout << out.dump(2) << "\n";
  return rc;
}

}  // namespace aiprov::cli
