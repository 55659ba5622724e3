#pragma once
/// The stages of load_recipe. Internal to the recipe layer.
///   1. read_recipe_files: YAML of the recipe and its includes, top-level keys, vars, raw steps;
///   2. Variables::resolve_all (with --var applied);
///   3. validate_step for every step and handler, then validate_probe for every probe, in order
///      (both are validate_entry with their kind's schema; ids are unique across all three lists);
///   4. cross references (notify, needs) in load_recipe.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
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
  std::vector<RawStep> probes;    ///< same order
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

/// The schema of one kind of entry (steps and handlers, or probes), for validate_entry.
struct EntryKind {
  const char* noun;                        ///< "step", "probe": used in every message
  const std::vector<FieldSpec>& common;    ///< the fields every entry of this kind has
  std::vector<std::string> type_names;     ///< for "did you mean"
  /// The type-specific fields of type `name`, or nullptr when there is no such type.
  std::function<const std::vector<FieldSpec>*(const std::string& name)> fields_of;
};

/// What validate_entry checked: the common fields, and the body ready for the type's factory.
struct CheckedEntry {
  std::string id;
  std::string type;
  Value body;  ///< interpolated (except id, type, when); every field has its declared shape
  std::string description;
  std::optional<Expr> when;
  std::vector<std::string> tags;
};

/// Checks one entry against its kind's schema: a map, a unique id (recorded in ctx.ids), a known
/// type, known field names, required fields, interpolation, field shapes, a valid `when`.
CheckedEntry validate_entry(const RawStep& raw, ValidationContext& ctx, const EntryKind& kind);

/// validate_entry with the schema of `types` (the registry's StepType or ProbeType list: name, fields,
/// factory), `common` fields, named `noun` in messages. Fills `entry` and returns the entry's type;
/// throws std::logic_error when that type has no factory.
template <class Type>
const Type& validate_typed_entry(const RawStep& raw, ValidationContext& ctx, const char* noun,
                                 const std::vector<FieldSpec>& common, const std::vector<Type>& types,
                                 CheckedEntry& entry) {
  auto find = [&types](const std::string& name) -> const Type* {
    for (const auto& t : types)
      if (t.name == name) return &t;
    return nullptr;
  };
  std::vector<std::string> names;
  for (const auto& t : types) names.push_back(t.name);
  EntryKind kind{noun, common, std::move(names), [&](const std::string& name) {
                   const Type* t = find(name);
                   return t ? &t->fields : nullptr;
                 }};
  entry = validate_entry(raw, ctx, kind);
  const Type* type = find(entry.type);
  if (!type->factory) throw std::logic_error(std::string(noun) + " type '" + type->name + "' has no factory");
  return *type;
}

/// Sets the fields a StepDecl and a ProbeDecl share (id, type, file, loc, description, when, tags)
/// from a checked entry of type `type` written at raw; moves them out of `entry`.
template <class Decl>
void set_common_fields(Decl& decl, const std::string& type, const RawStep& raw, CheckedEntry& entry) {
  decl.id = entry.id;
  decl.type = type;
  decl.file = raw.value.loc.file;
  decl.loc = raw.value.loc;
  decl.description = std::move(entry.description);
  decl.when = std::move(entry.when);
  decl.tags = std::move(entry.tags);
}

/// The values of a list-of-strings field of `body` (empty when absent).
std::vector<std::string> scalars_of(const Value* list);

/// Validates one step against the registry and builds it with the type's factory.
CheckedStep validate_step(const RawStep& raw, ValidationContext& ctx);

/// Validates one probe against the registry's probe types and builds it with the probe factory.
ProbeDecl validate_probe(const RawStep& raw, ValidationContext& ctx);

/// The position where the text of scalar `v` starts: after an opening quote, or on the line after
/// a block scalar indicator ("|", ">"). `lines` are the lines of v.loc.file.
SourceLoc text_start(const Value& v, const std::vector<std::string>* lines);

}  // namespace aiprov::recipe
