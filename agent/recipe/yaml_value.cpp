#include "recipe/yaml_value.hpp"

#include <map>
#include <utility>

namespace aiprov::recipe {

SourceLoc mark_loc(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return SourceLoc{file, 0, 0};
  return SourceLoc{file, mark.line + 1, mark.column + 1};
}

namespace {

/// yaml-cpp 0.7 accepts a quoted scalar that runs to the end of the text without its closing
/// quote. A quoted scalar ends at the first unescaped closing quote, so look for one.
void check_quote_closed(const YAML::Mark& mark, const std::string& text, const std::string& file) {
  if (mark.is_null() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return;
  std::size_t i = static_cast<std::size_t>(mark.pos);
  const char quote = text[i];
  if (quote != '"' && quote != '\'') return;
  for (++i; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted scalar
        continue;
      }
      return;
    }
  }
  throw RecipeError(mark_loc(mark, file), "invalid YAML: end of quoted string not found");
}

Value convert(const YAML::Node& node, const std::string& file, const std::string* text);

}  // namespace

Value to_value(const YAML::Node& node, const std::string& file) { return convert(node, file, nullptr); }

namespace {

Value convert(const YAML::Node& node, const std::string& file, const std::string* text) {
  Value v;
  v.loc = mark_loc(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (text && node.Tag() == "!") check_quote_closed(node.Mark(), *text, file);
      v.kind = Value::Kind::Scalar;
      v.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::List;
      for (const auto& item : node) v.list.push_back(convert(item, file, text));
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
        if (text && entry.first.Tag() == "!") check_quote_closed(entry.first.Mark(), *text, file);
        Value item = convert(entry.second, file, text);
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

}  // namespace

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
  doc.value = convert(doc.node, file, &text);
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
