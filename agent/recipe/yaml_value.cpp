#include "recipe/yaml_value.hpp"

#include <map>
#include <utility>

namespace aiprov::recipe {

SourceLoc mark_loc(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return SourceLoc{file, 0, 0};
  return SourceLoc{file, mark.line + 1, mark.column + 1};
}

Value to_value(const YAML::Node& node, const std::string& file) {
  Value v;
  v.loc = mark_loc(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      v.kind = Value::Kind::Scalar;
      v.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::List;
      for (const auto& item : node) v.list.push_back(to_value(item, file));
      break;
    case YAML::NodeType::Map: {
      v.kind = Value::Kind::Map;
      std::map<std::string, SourceLoc> seen;
      for (const auto& entry : node) {
        SourceLoc key_loc = mark_loc(entry.first.Mark(), file);
        if (!entry.first.IsScalar())
          throw RecipeError(key_loc, "map keys must be strings");
        const std::string key = entry.first.Scalar();
        auto [it, inserted] = seen.emplace(key, key_loc);
        if (!inserted)
          throw RecipeError(key_loc,
                            "duplicate key '" + key + "' (first defined at " + it->second.str() + ")");
        Value item = to_value(entry.second, file);
        if (item.is_null()) item.loc = key_loc;
        v.map.emplace_back(key, std::move(item));
      }
      break;
    }
    default:
      v.kind = Value::Kind::Null;
      break;
  }
  return v;
}

YamlDoc parse_yaml(const std::string& text, const std::string& file) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    throw RecipeError(mark_loc(e.mark, file), "invalid YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw RecipeError(mark_loc(e.mark, file), "invalid YAML: " + e.msg);
  }
  if (docs.size() > 1)
    throw RecipeError(mark_loc(docs[1].Mark(), file),
                      "a recipe file holds one YAML document, found " + std::to_string(docs.size()));
  YamlDoc doc;
  if (docs.empty()) {
    doc.value.loc = SourceLoc{file, 1, 1};
    return doc;
  }
  doc.node = docs[0];
  doc.value = to_value(doc.node, file);
  if (doc.value.is_null()) doc.value.loc = SourceLoc{file, 1, 1};
  return doc;
}

std::vector<SourceLoc> key_locs(const YAML::Node& map, const std::string& file) {
  std::vector<SourceLoc> locs;
  if (!map.IsMap()) return locs;
  for (const auto& entry : map) locs.push_back(mark_loc(entry.first.Mark(), file));
  return locs;
}

}  // namespace aiprov::recipe
