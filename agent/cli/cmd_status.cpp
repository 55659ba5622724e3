#include <iostream>

#include "aiprov/error.hpp"
#include "cli/options.hpp"
#include "host/real.hpp"

namespace aiprov::cli {

namespace {
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
}  // namespace

void add_status(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("status", "Show the last run: its steps and outcomes");
  cmd->callback([&o, &action] {
    action = [&o] {
      auto fs = make_real_filesystem(o.root);
      auto last = read_last_journal(*fs);
      if (!last) {
        if (o.json) std::cout << "{\"last_run\": null}\n";
        else std::cout << "No run recorded under " << o.root << kRunsDir << "\n";
        return 0;
      }
      (*last)["result"] = run_state(*fs, *last);
      if (o.json) {
        std::cout << nlohmann::json{{"last_run", *last}}.dump(2) << "\n";
        return 0;
      }
      const auto& j = *last;
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
      return 0;
    };
  });
}

}  // namespace aiprov::cli
