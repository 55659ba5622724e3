#include "recipe/variables.hpp"

#include <algorithm>
#include <cctype>

#include "aiprov/recipe.hpp"

namespace aiprov::recipe {

namespace {

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool valid_fact_path(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '.') {
      if (path[i + 1] == '.') return false;
    } else if (!word_char(path[i])) {
      return false;
    }
  }
  return true;
}

std::string render_fact(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  return j.dump();
}

}  // namespace

bool valid_var_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), word_char);
}

void Variables::define(const std::string& name, Value raw) {
  m_raw[name] = std::move(raw);
  m_literal.erase(name);
}

void Variables::override_with(const std::string& name, const std::string& text) {
  auto it = m_raw.find(name);
  Value v;
  v.loc = SourceLoc{"--var " + name, 0, 0};
  if (it != m_raw.end() && it->second.is_list()) {
    v.kind = Value::Kind::List;
    std::size_t start = 0;
    while (start <= text.size() && !text.empty()) {
      std::size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      v.list.push_back(Value::make_scalar(text.substr(start, comma - start), v.loc));
      start = comma + 1;
    }
  } else {
    v.kind = Value::Kind::Scalar;
    v.scalar = text;
  }
  m_raw[name] = std::move(v);
  m_literal.insert(name);
}

std::map<std::string, Value> Variables::resolve_all() {
  for (const auto& [name, raw] : m_raw) resolve(name, raw.loc);
  return m_resolved;
}

const Value& Variables::resolve(const std::string& name, const SourceLoc& used_at) {
  if (auto it = m_resolved.find(name); it != m_resolved.end()) return it->second;
  auto raw = m_raw.find(name);
  if (raw == m_raw.end()) throw RecipeError(used_at, "undefined variable '" + name + "'");
  if (auto pos = std::find(m_resolving.begin(), m_resolving.end(), name); pos != m_resolving.end()) {
    std::string chain;
    for (auto i = pos; i != m_resolving.end(); ++i) chain += *i + " -> ";
    throw RecipeError(used_at, "variable cycle: " + chain + name);
  }
  Value value;
  if (m_literal.count(name)) {
    value = raw->second;
  } else {
    m_resolving.push_back(name);
    value = interpolate(raw->second);
    m_resolving.pop_back();
    if (value.is_null()) value = Value::make_scalar("", raw->second.loc);
  }
  return m_resolved[name] = std::move(value);
}

Value Variables::lookup_reference(const std::string& ref, const SourceLoc& at) {
  if (ref.rfind("facts.", 0) == 0) {
    std::string path = ref.substr(6);
    if (!valid_fact_path(path)) throw RecipeError(at, "invalid reference '${" + ref + "}'");
    const nlohmann::json* j = m_facts ? lookup_fact(*m_facts, path) : nullptr;
    if (!j || j->is_null()) throw RecipeError(at, "undefined fact '" + ref + "'");
    if (j->is_object()) throw RecipeError(at, "fact '" + ref + "' is a map, not a value");
    if (j->is_array()) {
      Value list;
      list.kind = Value::Kind::List;
      list.loc = at;
      for (const auto& item : *j) {
        if (item.is_object() || item.is_array())
          throw RecipeError(at, "fact '" + ref + "' is not a list of values");
        list.list.push_back(Value::make_scalar(render_fact(item), at));
      }
      return list;
    }
    return Value::make_scalar(render_fact(*j), at);
  }
  if (!valid_var_name(ref)) throw RecipeError(at, "invalid reference '${" + ref + "}'");
  return resolve(ref, at);
}

Value Variables::interpolate_scalar(const Value& scalar) {
  const std::string& s = scalar.scalar;
  const SourceLoc& at = scalar.loc;
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (s.compare(i, 2, "${") != 0) {
      out += s[i++];
      continue;
    }
    std::size_t close = s.find('}', i + 2);
    if (close == std::string::npos) throw RecipeError(at, "unterminated '${' in '" + s + "'");
    std::string ref = s.substr(i + 2, close - i - 2);
    Value v = lookup_reference(ref, at);
    if (v.is_list()) {
      if (i == 0 && close + 1 == s.size()) {
        for (auto& item : v.list) item.loc = at;
        v.loc = at;
        return v;
      }
      throw RecipeError(at, "'${" + ref + "}' is a list and cannot be part of a longer string");
    }
    out += v.scalar;
    i = close + 1;
  }
  return Value::make_scalar(out, at);
}

Value Variables::interpolate(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Scalar:
      return interpolate_scalar(v);
    case Value::Kind::List: {
      Value out = v;
      out.list.clear();
      for (const auto& item : v.list) {
        Value iv = interpolate(item);
        // A whole-string list reference inside a list is spliced in: [a, "${more}"].
        if (item.is_scalar() && iv.is_list())
          out.list.insert(out.list.end(), iv.list.begin(), iv.list.end());
        else
          out.list.push_back(std::move(iv));
      }
      return out;
    }
    case Value::Kind::Map: {
      Value out = v;
      for (auto& [key, item] : out.map) item = interpolate(item);
      return out;
    }
    default:
      return v;
  }
}

}  // namespace aiprov::recipe
