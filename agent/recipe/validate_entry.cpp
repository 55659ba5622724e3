// The schema checks shared by steps, handlers and probes (validate_entry), and the position helpers
// they need. validate_step.cpp and validate_probe.cpp add their kind's factory.

#include <algorithm>

#include "recipe/expr_lexer.hpp"
#include "recipe/loader.hpp"
#include "recipe/scalars.hpp"
#include "recipe/yaml_value.hpp"

namespace aiprov::recipe {

namespace {

const FieldSpec* find_field(const EntryKind& kind, const std::vector<FieldSpec>& fields, const std::string& name) {
  for (const auto& f : kind.common)
    if (f.name == name) return &f;
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> field_names(const EntryKind& kind, const std::vector<FieldSpec>& fields) {
  std::vector<std::string> names;
  for (const auto& f : kind.common) names.push_back(f.name);
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

/// Throws when `v` does not have the shape `type` asks for.
void check_type(const char* noun, const std::string& id, const std::string& key, FieldType type, const Value& v) {
  const char* what = field_type_name(type);
  auto fail = [&](const Value& at, bool show_text) {
    throw RecipeError(at.loc, expects_message(noun, id, key, what, at, show_text));
  };
  switch (type) {
    case FieldType::String:
      if (!v.is_scalar()) fail(v, false);
      break;
    case FieldType::Bool:
      if (!v.is_scalar() || !parse_bool(v.scalar)) fail(v, true);
      break;
    case FieldType::Int:
      if (!v.is_scalar() || !parse_int(v.scalar)) fail(v, true);
      break;
    case FieldType::StringList:
      if (!v.is_list()) fail(v, false);
      for (const Value& item : v.list)
        if (!item.is_scalar()) fail(item, false);
      break;
    case FieldType::StringMap:
      if (!v.is_map()) fail(v, false);
      for (const auto& [k, item] : v.map)
        if (!item.is_scalar()) fail(item, false);
      break;
    case FieldType::Any:
      break;
  }
}

/// Parses `when` and checks that every identifier is a variable or a fact.
Expr parse_when(const Value& when, ValidationContext& ctx) {
  auto it = ctx.files.lines.find(when.loc.file);
  SourceLoc start = text_start(when, it == ctx.files.lines.end() ? nullptr : &it->second);
  Expr expr = Expr::parse(when.scalar, start);
  for (const Token& t : tokenize(when.scalar, start)) {
    if (t.kind != Token::Kind::Identifier || t.text.rfind("facts.", 0) == 0) continue;
    if (!ctx.vars.defined(t.text))
      throw RecipeError(shift(start, t.offset), "undefined variable '" + t.text + "'");
  }
  return expr;
}

}  // namespace

SourceLoc text_start(const Value& v, const std::vector<std::string>* lines) {
  SourceLoc loc = v.loc;
  if (!lines || loc.line <= 0 || static_cast<std::size_t>(loc.line) > lines->size()) return loc;
  const std::string& line = (*lines)[loc.line - 1];
  if (loc.col <= 0 || static_cast<std::size_t>(loc.col) > line.size()) return loc;
  char c = line[loc.col - 1];
  if (c == '\'' || c == '"') {
    ++loc.col;
  } else if ((c == '|' || c == '>') && static_cast<std::size_t>(loc.line) < lines->size()) {
    const std::string& next = (*lines)[loc.line];
    ++loc.line;
    loc.col = static_cast<int>(std::min(next.find_first_not_of(' '), next.size())) + 1;
  }
  return loc;
}

std::vector<std::string> scalars_of(const Value* list) {
  std::vector<std::string> out;
  if (list)
    for (const Value& item : list->list) out.push_back(item.scalar);
  return out;
}

CheckedEntry validate_entry(const RawStep& raw, ValidationContext& ctx, const EntryKind& kind) {
  const std::string noun = kind.noun;
  const Value& v = raw.value;
  if (!v.is_map())
    throw RecipeError(v.loc, "a " + noun + " must be a map with 'id' and 'type', found " + v.kind_name());
  // id
  const Value* id = v.get("id");
  if (!id) throw RecipeError(v.loc, noun + " is missing required field 'id'");
  if (!id->is_scalar())
    throw RecipeError(id->loc, std::string("field 'id' expects a string, found ") + id->kind_name());
  if (id->scalar.empty()) throw RecipeError(id->loc, "field 'id' must not be empty");
  auto [first, inserted] = ctx.ids.emplace(id->scalar, id->loc);
  if (!inserted)
    throw RecipeError(id->loc, "duplicate " + noun + " id '" + id->scalar + "' (first defined at " +
                                   first->second.str() + ")");
  const std::string& entry_id = id->scalar;
  // type
  const Value* type_value = v.get("type");
  if (!type_value) throw RecipeError(v.loc, noun + " '" + entry_id + "' is missing required field 'type'");
  if (!type_value->is_scalar())
    throw RecipeError(type_value->loc, expects_message(kind.noun, entry_id, "type", "a string", *type_value, false));
  const std::vector<FieldSpec>* fields = kind.fields_of(type_value->scalar);
  if (!fields)
    throw RecipeError(type_value->loc, "unknown " + noun + " type '" + type_value->scalar + "'" +
                                           did_you_mean(type_value->scalar, kind.type_names));
  const std::string& type_name = type_value->scalar;
  // field names, then required fields
  std::vector<SourceLoc> keys = key_locs(raw.node, v.loc.file);
  for (std::size_t i = 0; i < v.map.size(); ++i) {
    const std::string& key = v.map[i].first;
    if (!find_field(kind, *fields, key))
      throw RecipeError(i < keys.size() ? keys[i] : v.loc,
                        "unknown field '" + key + "' for " + noun + " type '" + type_name + "'" +
                            did_you_mean(key, field_names(kind, *fields)));
  }
  for (const auto& f : *fields)
    if (f.required && !v.get(f.name))
      throw RecipeError(v.loc, noun + " '" + entry_id + "' is missing required field '" + f.name + "'");
  // interpolation (id, type and when are taken as written), then field types
  CheckedEntry out;
  out.body = v;
  for (auto& [key, item] : out.body.map)
    if (key != "id" && key != "type" && key != "when") item = ctx.vars.interpolate(item);
  for (const auto& [key, item] : out.body.map)
    check_type(kind.noun, entry_id, key, find_field(kind, *fields, key)->type, item);

  out.id = entry_id;
  out.type = type_name;
  if (const Value* d = out.body.get("description")) out.description = d->scalar;
  if (const Value* when = out.body.get("when")) out.when = parse_when(*when, ctx);
  out.tags = scalars_of(out.body.get("tags"));
  return out;
}

}  // namespace aiprov::recipe
