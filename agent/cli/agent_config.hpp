#pragma once
/// The agent's configuration, /etc/aiprov/agent.yaml: which recipes to keep converged, how often, and
/// whether drift is only reported or also corrected.
///
///     recipes: [/usr/share/aiprov/recipes/workstation.yaml]   # relative paths: to this file
///     interval: 1h          # seconds ("90") or a duration: "90s", "15m", "1h", "1d", "1h30m"
///     mode: report          # report | correct
///     vars: {mirror: http://mirror.example/ubuntu/}           # optional, as --var for every recipe
///     root: /               # optional: the system tree (as --root); the command line's --root wins
///     lock_wait: 60s        # optional: how long a round waits for another run's lock, then skips
///
/// Mistakes are RecipeErrors at file:line:col, like the mistakes of a recipe.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aiprov/version.hpp"

namespace aiprov::cli::agent {

inline constexpr const char* kDefaultConfigFile = kDefaultAgentConfig;  // from the build (version.hpp)

enum class Mode { Report, Correct };
const char* mode_name(Mode m);  ///< "report", "correct"

struct Config {
  std::string file;                          ///< where it was read from
  std::vector<std::string> recipes;          ///< paths on the machine running aiprov, made absolute
  std::chrono::seconds interval{3600};
  Mode mode = Mode::Report;
  std::map<std::string, std::string> vars;   ///< recipe variable overrides
  std::optional<std::string> root;           ///< absent: "/" (or --root)
  std::chrono::seconds lock_wait{60};
};

/// "90", "90s", "15m", "1h", "1d", "1h30m" -> seconds. nullopt for anything else, for 0 and on
/// overflow (an interval of 0 would be a busy loop).
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

/// "1h30m", "15m", "45s": the shortest way to write a duration, for logs and status.
std::string format_duration(std::chrono::seconds d);

/// Parses `text`, the contents of `file`. Relative recipe paths are resolved against the directory
/// of `file`. Throws RecipeError at file:line:col on any mistake (unknown key with a suggestion,
/// wrong type, bad duration or mode, no recipes).
Config parse_config(const std::string& text, const std::string& file);

/// Reads and parses `file` (a path on the machine running aiprov). RecipeError when it is missing
/// or unreadable, naming it.
Config load_config(const std::string& file);

}  // namespace aiprov::cli::agent
