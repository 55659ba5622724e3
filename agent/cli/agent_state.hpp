#pragma once
/// What the agent found and did, round by round, kept under the root for `aiprov status`:
///   /var/lib/aiprov/agent/last.json     the last round
///   /var/lib/aiprov/agent/history.json  {"rounds": [...]}: the last kHistoryRounds rounds, oldest first

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/engine.hpp"
#include "aiprov/host.hpp"

namespace aiprov::cli::agent {

inline constexpr const char* kAgentStateDir = "/var/lib/aiprov/agent";
inline constexpr const char* kLastRoundFile = "/var/lib/aiprov/agent/last.json";
inline constexpr const char* kHistoryFile = "/var/lib/aiprov/agent/history.json";
inline constexpr std::size_t kHistoryRounds = 20;

/// One step the plan found not converged: what changed behind the agent's back.
struct Drift {
  std::string id;
  std::string type;
  std::vector<std::pair<std::string, std::string>> changes;  ///< target, reason
  std::string depends_on;
  bool corrected = false;  ///< correct mode: the apply changed the step and it converged
  /// "/etc/motd content differs; /etc/x mode 0644 -> 0600" (or "depends on ...").
  std::string describe() const;
};

/// The steps of `plan` with changes (handlers left out: they follow the steps that notify them).
std::vector<Drift> drift_of(const Plan& plan);

/// One recipe in one round.
struct RecipeRound {
  /// converged: no drift; drift: drift reported (report mode); corrected: drift applied (correct
  /// mode); failed: the apply failed; stopped: SIGTERM stopped it; reboot pending: a `reboot` step
  /// stopped it; locked: another run held the lock (skipped); invalid: the recipe has a mistake;
  /// error: the host could not be observed.
  std::string result;
  std::string recipe;
  std::string message;
  std::string run_id;  ///< the run journal of the apply; empty when nothing was applied
  int changed = 0;
  std::vector<Drift> drift;
  nlohmann::json to_json() const;
};

struct Round {
  int number = 0;     ///< 1 for the first round of this agent process, then 2, 3...
  long agent_pid = 0; ///< the agent process that ran it
  std::string started_at;
  std::string finished_at;
  std::string mode;
  std::string config;
  std::vector<RecipeRound> recipes;
  nlohmann::json to_json() const;
  /// The process exit code of `agent --once` for this round: 3 invalid, 1 failed/error/stopped/
  /// reboot pending, 5 locked, 2 drift left uncorrected, else 0.
  int exit_code() const;
};

/// Writes last.json and appends to history.json (keeping the last kHistoryRounds), atomically.
void record_round(FileSystem& fs, const Round& round);
/// history.json's rounds, oldest first (empty when missing or unreadable).
std::vector<nlohmann::json> read_history(const FileSystem& fs);
/// last.json, or null.
nlohmann::json read_last_round(const FileSystem& fs);

/// The agent's part of `aiprov status`: the last `count` rounds, one line per recipe, then the drift
/// the last round found and whether it was corrected.
std::string render_agent_status(const std::vector<nlohmann::json>& history, std::size_t count);

}  // namespace aiprov::cli::agent
