#include <algorithm>

#include "recipe/expr_lexer.hpp"
#include "recipe/loader.hpp"
#include "recipe/scalars.hpp"
#include "recipe/yaml_value.hpp"

namespace aiprov::recipe {

namespace {

const FieldSpec* find_field(const StepType& type, const std::string& name) {
  for (const auto& f : Registry::common_fields())
    if (f.name == name) return &f;
  for (const auto& f : type.fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> field_names(const StepType& type) {
  std::vector<std::string> names;
  for (const auto& f : Registry::common_fields()) names.push_back(f.name);
  for (const auto& f : type.fields) names.push_back(f.name);
  return names;
}

/// Throws when `v` does not have the shape `type` asks for.
void check_type(const std::string& id, const std::string& key, FieldType type, const Value& v) {
  const char* what = field_type_name(type);
  auto fail = [&](const Value& at, bool show_text) {
    throw RecipeError(at.loc, expects_message(id, key, what, at, show_text));
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

std::vector<std::string> scalars_of(const Value* v) {
  std::vector<std::string> out;
  if (v)
    for (const Value& item : v->list) out.push_back(item.scalar);
  return out;
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

CheckedStep validate_step(const RawStep& raw, ValidationContext& ctx) {
  const Value& v = raw.value;
  if (!v.is_map())
    throw RecipeError(v.loc, std::string("a step must be a map with 'id' and 'type', found ") +
                                 v.kind_name());
  // id
  const Value* id = v.get("id");
  if (!id) throw RecipeError(v.loc, "step is missing required field 'id'");
  if (!id->is_scalar())
    throw RecipeError(id->loc, std::string("field 'id' expects a string, found ") + id->kind_name());
  if (id->scalar.empty()) throw RecipeError(id->loc, "field 'id' must not be empty");
  auto [first, inserted] = ctx.ids.emplace(id->scalar, id->loc);
  if (!inserted)
    throw RecipeError(id->loc, "duplicate step id '" + id->scalar + "' (first defined at " +
                                   first->second.str() + ")");
  const std::string& step_id = id->scalar;
  // type
  const Value* type_value = v.get("type");
  if (!type_value) throw RecipeError(v.loc, "step '" + step_id + "' is missing required field 'type'");
  if (!type_value->is_scalar())
    throw RecipeError(type_value->loc, expects_message(step_id, "type", "a string", *type_value, false));
  const StepType* type = ctx.registry.find(type_value->scalar);
  if (!type) {
    std::vector<std::string> names;
    for (const auto& t : ctx.registry.types()) names.push_back(t.name);
    throw RecipeError(type_value->loc, "unknown step type '" + type_value->scalar + "'" +
                                           did_you_mean(type_value->scalar, names));
  }
  // field names, then required fields
  std::vector<SourceLoc> keys = key_locs(raw.node, v.loc.file);
  for (std::size_t i = 0; i < v.map.size(); ++i) {
    const std::string& key = v.map[i].first;
    if (!find_field(*type, key))
      throw RecipeError(i < keys.size() ? keys[i] : v.loc,
                        "unknown field '" + key + "' for step type '" + type->name + "'" +
                            did_you_mean(key, field_names(*type)));
  }
  for (const auto& f : type->fields)
    if (f.required && !v.get(f.name))
      throw RecipeError(v.loc, "step '" + step_id + "' is missing required field '" + f.name + "'");
  // interpolation (id, type and when are taken as written), then field types
  Value body = v;
  for (auto& [key, item] : body.map)
    if (key != "id" && key != "type" && key != "when") item = ctx.vars.interpolate(item);
  for (const auto& [key, item] : body.map) check_type(step_id, key, find_field(*type, key)->type, item);

  CheckedStep out;
  StepDecl& decl = out.decl;
  decl.id = step_id;
  decl.type = type->name;
  decl.file = v.loc.file;
  decl.loc = v.loc;
  if (const Value* d = body.get("description")) decl.description = d->scalar;
  if (const Value* when = body.get("when")) decl.when = parse_when(*when, ctx);
  decl.notify = scalars_of(body.get("notify"));
  decl.needs = scalars_of(body.get("needs"));
  decl.tags = scalars_of(body.get("tags"));
  if (!type->factory) throw std::logic_error("step type '" + type->name + "' has no factory");
  decl.step = type->factory(StepSpec(step_id, type->name, body));
  out.body = std::move(body);
  return out;
}

}  // namespace aiprov::recipe
