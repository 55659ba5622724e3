#pragma once
/// Recipe variables and `${...}` interpolation. Internal to the recipe layer.
///   ${name}        a variable (vars: of the recipe and its modules, or --var)
///   ${facts.a.b}   a fact; numbers and booleans are rendered as text
///   $${            a literal "${"
/// A string that is exactly "${name}" where the variable (or fact) is a list becomes that list.
/// Variables may reference other variables and facts; they are resolved on first use, and a cycle is
/// an error. Anything undefined is an error at the string that names it, never an empty string.

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/value.hpp"

namespace aiprov::recipe {

class Variables {
 public:
  /// `facts` may be null (facts unavailable: every ${facts.*} is undefined).
  explicit Variables(const nlohmann::json* facts) : m_facts(facts) {}

  /// Defines or redefines `name` with a raw (not yet interpolated) scalar or list value.
  void define(const std::string& name, Value raw);
  /// A --var override: literal text, never interpolated. When `name` was defined as a list, the
  /// text is split at commas into a list.
  void override_with(const std::string& name, const std::string& text);
  bool defined(const std::string& name) const { return m_raw.count(name) != 0; }

  /// Resolves every variable (so that mistakes in unused ones are found too) and returns them.
  std::map<std::string, Value> resolve_all();

  /// Interpolates every scalar of `v` (recursively through lists and maps).
  Value interpolate(const Value& v);
  /// Interpolates one scalar; returns a scalar, or a list for a whole-string list reference.
  Value interpolate_scalar(const Value& scalar);

 private:
  const Value& resolve(const std::string& name, const SourceLoc& used_at);
  Value lookup_reference(const std::string& ref, const SourceLoc& at);

  const nlohmann::json* m_facts;
  std::map<std::string, Value> m_raw;
  std::set<std::string> m_literal;  ///< names set by --var: not interpolated
  std::map<std::string, Value> m_resolved;
  std::vector<std::string> m_resolving;  ///< the stack, for cycle messages
};

/// True for a valid variable name: [A-Za-z_][A-Za-z0-9_]*.
bool valid_var_name(const std::string& name);

}  // namespace aiprov::recipe
