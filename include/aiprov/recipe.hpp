#pragma once
/// Loading a recipe: YAML with marks, includes, variables, interpolation, strict validation against
/// the step registry. Every mistake is a RecipeError "file:line:col: message" thrown before anything
/// on the host is touched.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/error.hpp"
#include "aiprov/expr.hpp"
#include "aiprov/step.hpp"
#include "aiprov/value.hpp"

namespace aiprov {

/// One step (or handler) of a loaded recipe.
struct StepDecl {
  std::string id;
  std::string type;
  std::string description;
  std::optional<Expr> when;
  std::vector<std::string> notify;  ///< handler ids to run when this step changed something
  std::vector<std::string> needs;   ///< handler ids that must have run (if notified) before this step
  std::vector<std::string> tags;
  std::string file;                 ///< the recipe file it was written in
  SourceLoc loc;
  std::unique_ptr<Step> step;       ///< built by the registry's factory
};

/// One probe of a loaded recipe (`probes:`).
struct ProbeDecl {
  std::string id;
  std::string type;
  std::string description;
  std::optional<Expr> when;
  std::vector<std::string> tags;
  std::string file;
  SourceLoc loc;
  std::unique_ptr<Probe> probe;     ///< built by the registry's probe factory
};

struct Recipe {
  std::string name;
  std::string path;                    ///< the top recipe file as given
  std::map<std::string, Value> vars;   ///< effective variables, after includes and --var
  std::vector<StepDecl> steps;         ///< included modules' steps first, in include order
  std::vector<StepDecl> handlers;
  std::vector<ProbeDecl> probes;       ///< included modules' probes first, in include order
  std::vector<std::string> files;      ///< every file read (top recipe and includes)
};

struct LoadOptions {
  std::map<std::string, std::string> var_overrides;  ///< --var name=value
  const nlohmann::json* facts = nullptr;              ///< for ${facts.x.y}; null: facts unavailable
  const Registry* registry = nullptr;                 ///< null: builtin_registry()
};

/// Loads and validates the recipe at `path` (a path on the machine running aiprov, not under --root).
Recipe load_recipe(const std::string& path, const LoadOptions& options);

/// Looks up a dotted name ("os.codename") in facts; nullptr when absent.
const nlohmann::json* lookup_fact(const nlohmann::json& facts, const std::string& dotted);

}  // namespace aiprov
