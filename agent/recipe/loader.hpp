#pragma once
/// The stages of load_recipe. Internal to the recipe layer.
///   1. read_recipe_files: YAML of the recipe and its includes, top-level keys, vars, raw steps;
///   2. Variables::resolve_all (with --var applied);
///   3. validate_step for every step and handler, in order;
///   4. cross references (notify, needs) in load_recipe.

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "aiprov/recipe.hpp"
#include "recipe/variables.hpp"

namespace aiprov::recipe {

/// A step or handler as written, before interpolation and validation.
struct RawStep {
  YAML::Node node;  ///< for the positions of its keys
  Value value;
};

/// Everything read from the recipe files.
struct RecipeFiles {
  std::string name;  ///< raw `name` of the top recipe (Null when absent)
  Value name_value;
  std::vector<RawStep> steps;     ///< included modules' first, in include order
  std::vector<RawStep> handlers;  ///< same order
  std::vector<std::string> files;
  std::map<std::string, std::vector<std::string>> lines;  ///< file -> its lines (for positions)
};

/// Reads `path` and, recursively, its includes; defines their vars in `vars` (a module's vars
/// first, so that the including file overrides them).
RecipeFiles read_recipe_files(const std::string& path, Variables& vars);

/// A validated step with its interpolated body (for cross-reference positions).
struct CheckedStep {
  StepDecl decl;
  Value body;
};

/// What validate_step needs besides the step.
struct ValidationContext {
  const Registry& registry;
  Variables& vars;
  const RecipeFiles& files;
  std::map<std::string, SourceLoc> ids;  ///< ids seen so far (steps, then handlers)
};

/// Validates one step against the registry and builds it with the type's factory.
CheckedStep validate_step(const RawStep& raw, ValidationContext& ctx);

/// The position where the text of scalar `v` starts: after an opening quote, or on the line after
/// a block scalar indicator ("|", ">"). `lines` are the lines of v.loc.file.
SourceLoc text_start(const Value& v, const std::vector<std::string>* lines);

}  // namespace aiprov::recipe
