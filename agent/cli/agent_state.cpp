#include "cli/agent_state.hpp"

#include <sstream>

namespace aiprov::cli::agent {

std::string Drift::describe() const {
  std::string out;
  for (const auto& [target, reason] : changes) {
    if (!out.empty()) out += "; ";
    out += target + (reason.empty() ? "" : " " + reason);
  }
  if (!depends_on.empty()) out += (out.empty() ? "" : "; ") + std::string("depends on ") + depends_on;
  return out;
}

std::vector<Drift> drift_of(const Plan& plan) {
  std::vector<Drift> out;
  for (const auto& ps : plan.steps) {
    if (ps.handler || ps.status != PlannedStep::Status::Changes) continue;
    Drift d{ps.decl->id, ps.decl->type, {}, ps.plan.depends_on, false};
    for (const auto& c : ps.plan.changes) d.changes.emplace_back(c.target, c.reason);
    out.push_back(std::move(d));
  }
  return out;
}

nlohmann::json RecipeRound::to_json() const {
  nlohmann::json j{{"recipe", recipe}, {"result", result}, {"message", message}, {"changed", changed}};
  j["run_id"] = run_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(run_id);
  j["drift"] = nlohmann::json::array();
  for (const auto& d : drift) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& [target, reason] : d.changes) changes.push_back({{"target", target}, {"reason", reason}});
    j["drift"].push_back({{"id", d.id}, {"type", d.type}, {"changes", changes}, {"depends_on", d.depends_on},
                          {"summary", d.describe()}, {"corrected", d.corrected}});
  }
  return j;
}

nlohmann::json Round::to_json() const {
  nlohmann::json j{{"number", number},         {"agent_pid", agent_pid}, {"started_at", started_at},
                   {"finished_at", finished_at}, {"mode", mode},           {"config", config}};
  j["recipes"] = nlohmann::json::array();
  for (const auto& r : recipes) j["recipes"].push_back(r.to_json());
  return j;
}

int Round::exit_code() const {
  auto any = [&](std::initializer_list<const char*> results) {
    for (const auto& r : recipes)
      for (const char* want : results)
        if (r.result == want) return true;
    return false;
  };
  if (any({"invalid"})) return kExitInvalid;
  if (any({"failed", "error", "stopped", "reboot pending"})) return kExitStepFailed;
  if (any({"locked"})) return kExitLocked;
  if (any({"drift"})) return kExitChangesPending;
  return kExitOk;
}

std::vector<nlohmann::json> read_history(const FileSystem& fs) {
  std::vector<nlohmann::json> out;
  auto text = fs.read(kHistoryFile);
  if (!text) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("rounds") || !j["rounds"].is_array()) return out;
  for (const auto& r : j["rounds"])
    if (r.is_object()) out.push_back(r);
  return out;
}

nlohmann::json read_last_round(const FileSystem& fs) {
  auto text = fs.read(kLastRoundFile);
  if (!text) return nullptr;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

void record_round(FileSystem& fs, const Round& round) {
  make_dirs(fs, kAgentStateDir, 0755);
  nlohmann::json j = round.to_json();
  std::vector<nlohmann::json> history = read_history(fs);
  history.push_back(j);
  if (history.size() > kHistoryRounds) history.erase(history.begin(), history.end() - kHistoryRounds);
  WriteOptions opts;
  opts.mode = 0644;
  fs.write_atomic(kHistoryFile, nlohmann::json{{"rounds", history}}.dump(2) + "\n", opts);
  fs.write_atomic(kLastRoundFile, j.dump(2) + "\n", opts);
}

std::string render_agent_status(const std::vector<nlohmann::json>& history, std::size_t count) {
  std::ostringstream out;
  if (history.empty()) return "The agent has not run a round yet.\n";
  std::size_t first = history.size() > count ? history.size() - count : 0;
  out << "Agent: last " << history.size() - first << " of " << history.size() << " recorded round(s)\n";
  for (std::size_t i = first; i < history.size(); ++i) {
    const auto& round = history[i];
    for (const auto& r : round.value("recipes", nlohmann::json::array())) {
      out << "  " << round.value("started_at", "?") << "  " << round.value("mode", "?") << "  "
          << r.value("recipe", "?") << ": " << r.value("result", "?");
      std::size_t drift = r.value("drift", nlohmann::json::array()).size();
      if (drift > 0) out << ", " << drift << " step(s) drifted";
      if (r.value("changed", 0) > 0) out << ", " << r.value("changed", 0) << " changed";
      if (r.contains("run_id") && r["run_id"].is_string()) out << " (run " << r["run_id"].get<std::string>() << ")";
      if (!r.value("message", "").empty()) out << ": " << r.value("message", "");
      out << "\n";
    }
  }
  const auto& last = history.back();
  bool any = false;
  for (const auto& r : last.value("recipes", nlohmann::json::array())) {
    for (const auto& d : r.value("drift", nlohmann::json::array())) {
      if (!any) out << "Drift found by the last round (" << last.value("started_at", "?") << "):\n";
      any = true;
      out << "  " << r.value("recipe", "?") << ": step '" << d.value("id", "?") << "' (" << d.value("type", "?")
          << "): " << d.value("summary", "") << (d.value("corrected", false) ? "  [corrected]" : "  [not corrected]")
          << "\n";
    }
  }
  if (!any) out << "No drift at the last round (" << last.value("started_at", "?") << ").\n";
  return out.str();
}

}  // namespace aiprov::cli::agent
