#pragma once
/// YAML text -> Value, with every node's position. Internal to the recipe layer.

#include <string>

#include <yaml-cpp/yaml.h>

#include "aiprov/error.hpp"
#include "aiprov/value.hpp"

namespace aiprov::recipe {

/// A 0-based yaml-cpp mark as a 1-based SourceLoc in `file`.
SourceLoc mark_loc(const YAML::Mark& mark, const std::string& file);

/// One parsed recipe file: the YAML tree (for the positions of map keys) and its Value.
struct YamlDoc {
  YAML::Node node;
  Value value;
};

/// Parses `text` (the contents of `file`). Throws RecipeError at the offending position on a YAML
/// syntax error, a duplicate map key, a non-scalar map key or more than one document.
/// A null map value is placed at its key (yaml-cpp marks it at the next token).
YamlDoc parse_yaml(const std::string& text, const std::string& file);

/// Converts one YAML node (same rules as parse_yaml).
Value to_value(const YAML::Node& node, const std::string& file);

/// The positions of the keys of a YAML map, in order (empty for other nodes).
std::vector<SourceLoc> key_locs(const YAML::Node& map, const std::string& file);

}  // namespace aiprov::recipe
