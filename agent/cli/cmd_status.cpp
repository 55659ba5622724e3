#include <iostream>

#include "aiprov/error.hpp"
#include "cli/agent_state.hpp"
#include "cli/options.hpp"
#include "host/real.hpp"

namespace aiprov::cli {

namespace {
/// How many of the agent's rounds the text shows (--json has all that are kept).
constexpr std::size_t kRoundsShown = 5;

/// "running" when another process holds the lock, "interrupted" when a run never finished.
std::string run_state(const FileSystem& fs, const nlohmann::json& j) {
  std::string result = j.value("result", "");
  if (result != "running") return result;
  try {
    RunLock probe(fs, "aiprov status", std::chrono::seconds(0));
    return "interrupted";
  } catch (const LockedError&) {
    return "running";
  }
}

void print_last_run(const nlohmann::json& j) {
  std::cout << "Last run " << j.value("run_id", "?") << ": " << j.value("result", "?") << "\n"
            << "  recipe   " << j.value("recipe", "?") << "\n"
            << "  started  " << j.value("started_at", "?") << "\n"
            << "  finished " << j.value("finished_at", "") << "\n"
            << "  changed  " << j.value("changed", 0) << " step(s)\n";
  for (const auto& s : j["steps"]) {
    std::string st = s.value("status", "");
    if (st == "unchanged" || st == "skipped") continue;
    std::cout << "  " << s.value("id", "") << ": " << st;
    if (!s.value("message", "").empty()) std::cout << ": " << s.value("message", "");
    std::cout << "\n";
  }
  if (!j["backups"].empty())
    std::cout << "  backups under " << kBackupsDir << "/" << j.value("run_id", "") << ": " << j["backups"].size()
              << " file(s)\n";
}

/// The agent's state for --json: its last round, the rounds kept, and the drift the last round found.
nlohmann::json agent_json(const std::vector<nlohmann::json>& history) {
  if (history.empty()) return nullptr;
  nlohmann::json drift = nlohmann::json::array();
  for (const auto& r : history.back().value("recipes", nlohmann::json::array()))
    for (const auto& d : r.value("drift", nlohmann::json::array())) {
      nlohmann::json item = d;
      item["recipe"] = r.value("recipe", "");
      drift.push_back(item);
    }
  return {{"last_round", history.back()}, {"rounds", history}, {"drift", drift}};
}
}  // namespace

void add_status(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("status", "Show the last run (its steps and outcomes) and the agent's last rounds and drift");
  cmd->callback([&o, &action] {
    action = [&o] {
      auto fs = make_real_filesystem(o.root);
      auto last = read_last_journal(*fs);
      if (last) (*last)["result"] = run_state(*fs, *last);
      std::vector<nlohmann::json> history = agent::read_history(*fs);
      if (o.json) {
        std::cout << nlohmann::json{{"last_run", last ? *last : nlohmann::json(nullptr)},
                                    {"agent", agent_json(history)}}.dump(2)
                  << "\n";
        return 0;
      }
      if (last) print_last_run(*last);
      else std::cout << "No run recorded under " << o.root << kRunsDir << "\n";
      if (!history.empty()) std::cout << "\n" << agent::render_agent_status(history, kRoundsShown);
      return 0;
    };
  });
}

}  // namespace aiprov::cli
