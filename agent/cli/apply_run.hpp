#pragma once
/// One apply run, shared by `aiprov apply` and `aiprov resume`: load, lock, plan, ask, apply, journal,
/// then either the reboot a `reboot` step asked for (checkpoint, exit 4) or the recipe's probes.

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/options.hpp"

namespace aiprov::cli {

struct ApplyRunHooks {
  /// Called once the run lock is held, before planning: `resume` records the reboot's trigger here.
  std::function<void(Session&)> on_locked;
  /// Called with the plan before it is applied: `resume` repeats the reboot step's warnings.
  std::function<void(const Plan&)> on_plan;
};

/// The checkpoint of a run a `reboot` step stopped (report.reboot_pending()): run id, o.recipe as an
/// absolute normal path, o's --var/--fact/--sysfs/--only/--skip, the reboot step, reason and trigger,
/// this boot's id and the time now. Shared by `apply`/`resume` and the agent's correct mode.
Checkpoint make_checkpoint(const Options& o, const RunReport& report);

/// The files under the backup directory `dir` (paths relative to it, as in RunReport::backups); empty
/// when `dir` does not exist.
std::vector<std::string> list_backups(const FileSystem& fs, const std::string& dir);

/// Loads o.recipe, takes the run lock, plans, asks (unless o.yes), applies and writes the journal.
/// When a `reboot` step stopped the run: writes the checkpoint (recipe as an absolute path, o's
/// --var/--fact/--sysfs/--only/--skip, the boot id); under --root or with o.no_reboot says what to run
/// after rebooting; on a live root enables aiprov-resume.service and runs `systemctl reboot`; returns
/// kExitRebootRequired. Otherwise, when no step failed, runs the recipe's probes (verify_after_apply).
/// Text goes to `human`; with o.json one JSON document {plan, run, verify?, checkpoint?} to stdout.
/// Returns the exit code; throws what loading, locking and planning throw.
int run_apply(const Options& o, std::ostream& human, const ApplyRunHooks& hooks = {});

}  // namespace aiprov::cli
