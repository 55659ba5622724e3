#pragma once
/// `aiprov agent`: the daemon of aiprov-agent.service. At start it finishes a run a reboot stopped
/// (the checkpoint) and reports a run that never ended; then it runs a round at once and one per
/// interval (see agent_round.hpp), records each (agent_state.hpp), tells systemd READY/STATUS/
/// RELOADING/STOPPING, reloads its configuration on SIGHUP and, on SIGTERM, lets the step in
/// progress finish, then exits 0.

#include <string>

#include "cli/options.hpp"

namespace aiprov::cli::agent {

struct AgentArgs {
  std::string config_file;  ///< --config (a path on the machine running aiprov, never under --root)
  bool once = false;        ///< --once: one round, then exit with Round::exit_code()
  bool root_given = false;  ///< --root was on the command line: it wins over the configuration's
};

/// Runs the agent until SIGTERM/SIGINT (or one round with --once). Returns the exit code; throws
/// RecipeError for a configuration mistake at start and UsageError for a root that is not a
/// directory (a mistake on reload is logged and the previous configuration kept).
int run_agent(const Options& options, const AgentArgs& args);

}  // namespace aiprov::cli::agent
