#pragma once
/// Options shared by the subcommands, and the session every command that reads a host starts with.

#include <functional>
#include <ostream>
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
  bool no_reboot = false;  ///< apply: stop with exit 4 instead of rebooting
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
void add_verify(CLI::App& app, Options& o, Action& action);  // cmd_verify.cpp
void add_resume(CLI::App& app, Options& o, Action& action);  // cmd_resume.cpp
void add_agent(CLI::App& app, Options& o, Action& action);   // cmd_agent.cpp


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

/// Runs the recipe's probes after a successful apply, prints their report (text to `human`; under
/// --json the caller adds the returned JSON) and returns the VerifyReport (cmd_verify.cpp).
VerifyReport verify_after_apply(Session& session, const Recipe& recipe, const Options& o, std::ostream& human);

/// Goes on with the run a `reboot` step stopped (cmd_resume.cpp): reads the checkpoint under
/// o.root (only o.root, o.json, o.verbose/quiet, o.no_reboot and o.wait_lock are used from `o`), records the
/// reboot's trigger, applies the checkpoint's recipe with its options and --yes, runs the probes, removes
/// the checkpoint and disables aiprov-resume.service on a live root. Returns the exit code; kExitOk with
/// a message when there is no checkpoint, or when another process resumed it while this one waited for
/// the run lock. The agent calls it at start.
int resume_from_checkpoint(const Options& o, std::ostream& human);

/// Splits "name=value"; UsageError naming `option` when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option);

/// Colour on stdout: a terminal, NO_COLOR unset, TERM not "dumb".
bool use_color();
/// Sets up spdlog: stderr at warn (-v info, -vv debug, -q error); `log_file` (host path) at info when
/// not empty and writable.
void setup_logging(const Options& options, const std::string& log_file);

}  // namespace aiprov::cli
