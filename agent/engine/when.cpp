#include "aiprov/engine.hpp"

namespace aiprov {

namespace {
ExprValue from_json(const nlohmann::json& j) {
  ExprValue v;
  if (j.is_boolean()) {
    v.kind = ExprValue::Kind::Bool;
    v.boolean = j.get<bool>();
  } else if (j.is_string()) {
    v.kind = ExprValue::Kind::Scalar;
    v.scalar = j.get<std::string>();
  } else if (j.is_number()) {
    v.kind = ExprValue::Kind::Scalar;
    v.scalar = j.dump();
  } else if (j.is_array()) {
    v.kind = ExprValue::Kind::List;
    for (const auto& e : j) v.list.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  }
  return v;
}

ExprValue from_value(const Value& val) {
  ExprValue v;
  if (val.is_scalar()) {
    v.kind = ExprValue::Kind::Scalar;
    v.scalar = val.scalar;
  } else if (val.is_list()) {
    v.kind = ExprValue::Kind::List;
    for (const auto& e : val.list) v.list.push_back(e.scalar);
  }
  return v;
}

bool eval(const std::optional<Expr>& when, const Recipe& recipe, const nlohmann::json& facts) {
  if (!when) return true;
  return when->eval([&](const std::string& name) -> ExprValue {
    if (name.rfind("facts.", 0) == 0) {
      const nlohmann::json* j = lookup_fact(facts, name.substr(6));
      return j ? from_json(*j) : ExprValue{};
    }
    auto it = recipe.vars.find(name);
    return it == recipe.vars.end() ? ExprValue{} : from_value(it->second);
  });
}
}  // namespace

bool eval_when(const StepDecl& decl, const Recipe& recipe, const nlohmann::json& facts) {
  return eval(decl.when, recipe, facts);
}

bool eval_when(const ProbeDecl& decl, const Recipe& recipe, const nlohmann::json& facts) {
  return eval(decl.when, recipe, facts);
}

}  // namespace aiprov
