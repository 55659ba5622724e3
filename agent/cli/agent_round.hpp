#pragma once
/// One recipe in one agent round: load it, take the run lock (waiting a bounded time), plan it, log
/// every drifted step, and in correct mode apply the plan, stopping between steps once SIGTERM came.

#include <chrono>
#include <map>
#include <string>

#include "cli/agent_config.hpp"
#include "cli/agent_signals.hpp"
#include "cli/agent_state.hpp"
#include "cli/options.hpp"

namespace aiprov::cli::agent {

struct RoundSettings {
  Options base;  ///< the command line's options (--fact, --sysfs, --only, --skip, --var), root set
  Mode mode = Mode::Report;
  std::map<std::string, std::string> vars;  ///< the configuration's vars (--var wins)
  std::chrono::seconds lock_wait{60};
};

/// Never throws: a recipe that cannot be loaded, a lock held by another run, a step that cannot be
/// planned or a failed apply are results (logged, recorded, and the agent goes on).
RecipeRound run_recipe(const std::string& recipe, const RoundSettings& settings, SignalWatcher& signals);

/// new_run_id(), waiting (about a second at most) until no journal of that name exists under the
/// root: two applies in one second of one process (two recipes, or resume then a round) would
/// otherwise share a journal file.
std::string unique_run_id(const FileSystem& fs);

}  // namespace aiprov::cli::agent
