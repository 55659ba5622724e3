#include <unistd.h>

#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/options.hpp"
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

std::vector<std::string> list_backups(const FileSystem& fs, const std::string& dir) {
  std::vector<std::string> out;
  if (!fs.stat(dir)) return out;
  fs.walk(dir, [&](const WalkEntry& e) {
    if (e.stat.is_regular()) out.push_back(e.path.substr(dir.size()));
    return true;
  });
  return out;
}

}  // namespace

void add_apply(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("apply", "Show the plan, ask, converge the host step by step, check each step");
  cmd->add_option("recipe", o.recipe, "Recipe file")->required();
  cmd->add_flag("-y,--yes", o.yes, "Do not ask for confirmation");
  cmd->add_option("--wait-lock", o.wait_lock, "Wait up to SECONDS for another run's lock")->type_name("SECONDS");
  cmd->add_option("--apt-lock-timeout", o.apt_lock_timeout, "Wait up to SECONDS for dpkg's lock (default 600)")
      ->type_name("SECONDS");
  cmd->callback([&o, &action] {
    action = [&o] {
      steps::apt::set_apt_lock_timeout(std::chrono::seconds(o.apt_lock_timeout));
      Session session(o);
      Recipe recipe = session.load_recipe();  // validation before anything on the host is touched
      FileSystem& fs = session.host().fs;
      RunLock lock(fs, "aiprov apply " + o.recipe, std::chrono::seconds(o.wait_lock));
      make_dirs(fs, "/var/log/aiprov", 0755);
      setup_logging(o, fs.host_path(kLogFile));
      std::ostream& human = o.json ? std::cerr : std::cout;
      const bool color = !o.json && use_color();

      Context ctx{session.host(), session.facts(), "", {}, {}};
      Plan plan = make_plan(recipe, ctx, session.selection());
      human << render_plan(plan, RenderOptions{color, o.verbose > 0});

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
      if (o.json) std::cout << nlohmann::json{{"plan", plan_to_json(plan)}, {"run", report.to_json()}}.dump(2) << "\n";
      if (report.failed()) {
        human << "Apply failed (run " << report.run_id << ").\n";
        spdlog::error("run {} failed", report.run_id);
        return static_cast<int>(kExitStepFailed);
      }
      human << "Apply complete: " << report.changed_count() << " step(s) changed (run " << report.run_id << ").\n";
      return static_cast<int>(kExitOk);
    };
  });
}

}  // namespace aiprov::cli
