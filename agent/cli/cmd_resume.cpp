// `aiprov resume [--root DIR]`: goes on with the run a `reboot` step stopped, from the checkpoint.
#include <iostream>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/apply_run.hpp"
#include "cli/options.hpp"
#include "cli/reboot.hpp"
#include "host/real.hpp"

namespace aiprov::cli {
namespace {

/// The options of the run the checkpoint stopped, with --yes: nothing is asked after a reboot.
Options resumed_options(const Options& o, const Checkpoint& cp) {
  Options r;
  r.root = o.root;
  r.recipe = cp.recipe_path;
  r.vars = cp.vars;
  r.fact_overrides = cp.fact_overrides;
  r.sysfs = cp.sysfs.empty() ? r.sysfs : cp.sysfs;
  r.only = cp.only;
  r.skip = cp.skip;
  r.yes = true;
  r.json = o.json;
  r.verbose = o.verbose;
  r.quiet = o.quiet;
  r.no_reboot = o.no_reboot;  // the agent resumes without rebooting; `aiprov resume` reboots again if asked
  r.wait_lock = o.wait_lock;  // the agent waits its lock_wait; `aiprov resume` fails at once (exit 5)
  return r;
}

/// Records that the reboot answered the checkpoint's trigger: the `reboot` step is converged for it.
void record_reboot(FileSystem& fs, const Checkpoint& cp) {
  make_dirs(fs, kRebootsDir, 0755);
  WriteOptions opts;
  opts.mode = 0644;
  fs.write_atomic(std::string(kRebootsDir) + "/" + cp.reboot_step, cp.trigger + "\n", opts);
  spdlog::info("reboot for step '{}' recorded: {}", cp.reboot_step, cp.trigger);
}

/// `systemctl disable aiprov-resume.service` on the live root; a failure is a warning.
void disable_unit(FileSystem& fs, std::ostream& human) {
  try {
    auto proc = make_real_process_runner("/");
    auto fetch = make_curl_fetcher();
    Host host{fs, *proc, *fetch};
    disable_resume_unit(host);
  } catch (const StepError& e) {
    human << "warning: " << e.what() << "\n";
    spdlog::warn("{}", e.what());
  }
}

}  // namespace

int resume_from_checkpoint(const Options& o, std::ostream& human) {
  std::unique_ptr<FileSystem> fs = make_real_filesystem(o.root);
  const std::string where = fs->host_path(kCheckpointFile);
  std::optional<Checkpoint> cp = read_checkpoint(*fs);
  if (!cp) {
    human << "Nothing to resume: there is no checkpoint " << where << ".\n";
    if (o.json) std::cout << nlohmann::json{{"resumed", false}, {"checkpoint", nullptr}}.dump(2) << "\n";
    return static_cast<int>(kExitOk);
  }
  const bool live = detail::normalize_root(o.root) == "/";
  if (live && !cp->boot_id.empty() && cp->boot_id == current_boot_id()) {
    human << "reboot required: " << cp->reason << "; the host has not rebooted since run " << cp->run_id
          << " stopped at step '" << cp->reboot_step << "'. Reboot it: `aiprov resume` goes on after the reboot ("
          << where << ").\n";
    return static_cast<int>(kExitRebootRequired);
  }
  human << "Resuming run " << cp->run_id << " of " << cp->recipe_path << " after the reboot for step '"
        << cp->reboot_step << "' (" << cp->reason << ").\n";
  spdlog::info("resuming run {} of {} after the reboot for step '{}'", cp->run_id, cp->recipe_path, cp->reboot_step);

  Options ro = resumed_options(o, *cp);
  ApplyRunHooks hooks;
  struct AlreadyResumed {};
  hooks.on_locked = [&](Session& session) {
    // Read before the lock was taken: another process (the agent, a second `aiprov resume`) may have
    // resumed the run while this one waited.
    std::optional<Checkpoint> now = read_checkpoint(session.host().fs);
    if (!now || now->run_id != cp->run_id) throw AlreadyResumed{};
    record_reboot(session.host().fs, *cp);
  };
  hooks.on_plan = [&](const Plan& plan) {
    // The reboot step warns when its module is still not loaded (Secure Boot): say it loudly.
    for (const auto& ps : plan.steps)
      if (ps.decl && ps.decl->id == cp->reboot_step)
        for (const auto& w : ps.plan.warnings) {
          human << "\n*** WARNING: " << w << "\n\n";
          spdlog::warn("{}", w);
        }
  };
  int rc = 0;
  try {
    rc = run_apply(ro, human, hooks);
  } catch (const AlreadyResumed&) {
    human << "Nothing to resume: run " << cp->run_id << " was resumed by another process while this one waited.\n";
    spdlog::info("run {} was resumed by another process", cp->run_id);
    return static_cast<int>(kExitOk);
  } catch (const LockedError&) {
    human << "Another run holds the lock (it may be resuming this checkpoint already); the checkpoint " << where
          << " is kept.\n";
    throw;
  } catch (...) {
    human << "The checkpoint " << where << " is kept: fix the cause and run `aiprov resume` again.\n";
    if (live) disable_unit(*fs, human);
    throw;
  }
  if (rc == static_cast<int>(kExitRebootRequired)) return rc;  // another reboot: a new checkpoint was written
  if (rc == static_cast<int>(kExitOk)) {
    remove_checkpoint(*fs);
    human << "Resume complete: the checkpoint was removed.\n";
  } else {
    human << "The checkpoint " << where << " is kept: fix the cause and run `aiprov resume` again.\n";
  }
  if (live) disable_unit(*fs, human);
  return rc;
}

void add_resume(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand(
      "resume", "Go on with the run a reboot step stopped: the recipe, variables and facts come from the checkpoint");
  cmd->callback([&o, &action] {
    action = [&o] {
      if (!o.vars.empty() || !o.fact_overrides.empty() || !o.only.empty() || !o.skip.empty() || o.sysfs != "/sys")
        throw UsageError("resume takes only --root (and --json, -v, -q): the checkpoint holds the recipe, the "
                         "variables, the facts overrides and the --only/--skip of the run");
      return resume_from_checkpoint(o, o.json ? std::cerr : std::cout);
    };
  });
}

}  // namespace aiprov::cli
