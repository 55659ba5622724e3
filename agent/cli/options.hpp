#pragma once
/// Options shared by the subcommands, and the session every command that reads a host starts with.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "aiprov/engine.hpp"
#include "aiprov/host.hpp"
#include "aiprov/recipe.hpp"

namespace aiprov::cli {

struct Options {
  std::string root = "/";
  std::vector<std::string> vars;        ///< --var name=value
  std::vector<std::string> fact_overrides;  ///< --fact name=value
  std::string sysfs = "/sys";
  bool json = false;
  int verbose = 0;
  bool quiet = false;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  bool yes = false;
  bool detailed_exitcode = false;
  int wait_lock = 0;
  int apt_lock_timeout = 600;
  std::string recipe;
};

/// A subcommand's action, run after parsing; returns the exit code.
using Action = std::function<int()>;

/// Each file cmd_<name>.cpp adds one subcommand and sets `action` when it is chosen.
void add_validate(CLI::App& app, Options& o, Action& action);
void add_plan(CLI::App& app, Options& o, Action& action);
void add_apply(CLI::App& app, Options& o, Action& action);
void add_facts(CLI::App& app, Options& o, Action& action);
void add_steps(CLI::App& app, Options& o, Action& action);
void add_status(CLI::App& app, Options& o, Action& action);
void add_fit(CLI::App& app, Options& o, Action& action);

/// The real seams for --root, the facts, and the recipe.
class Session {
 public:
  explicit Session(const Options& options);
  ~Session();
  Host& host() { return *m_host; }
  const nlohmann::json& facts() const { return m_facts; }
  /// Loads and validates options.recipe (RecipeError on any mistake).
  Recipe load_recipe() const;
  Selection selection() const { return Selection{m_options.only, m_options.skip}; }

 private:
  const Options& m_options;
  std::unique_ptr<FileSystem> m_fs;
  std::unique_ptr<ProcessRunner> m_proc;
  std::unique_ptr<Fetcher> m_fetch;
  std::unique_ptr<Host> m_host;
  nlohmann::json m_facts;
};

/// Splits "name=value"; UsageError naming `option` when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option);

/// Colour on stdout: a terminal, NO_COLOR unset, TERM not "dumb".
bool use_color();
/// Sets up spdlog: stderr at warn (-v info, -vv debug, -q error); `log_file` (host path) at info when
/// not empty and writable.
void setup_logging(const Options& options, const std::string& log_file);

}  // namespace aiprov::cli
