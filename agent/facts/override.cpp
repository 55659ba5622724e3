// --fact name=value: dotted names into the facts tree, typed values.

#include <charconv>
#include <string>
#include <vector>

#include "aiprov/error.hpp"
#include "aiprov/facts.hpp"
#include "facts/facts_internal.hpp"

namespace aiprov {
namespace {

std::vector<std::string> split_name(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = name.find('.', start);
    std::string part = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw UsageError("invalid fact name '" + name + "'");
    parts.push_back(part);
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

/// The value as JSON: the existing fact's type wins (a string stays a string, so "22.04" is not
/// turned into a number); a new fact becomes an integer, a boolean or a string.
nlohmann::json typed(const std::string& value, const nlohmann::json* existing) {
  if (existing != nullptr && existing->is_string()) return value;
  if (value == "true") return true;
  if (value == "false") return false;
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), i);
  if (!value.empty() && ec == std::errc() && end == value.data() + value.size()) return i;
  if (existing != nullptr && existing->is_number()) {
    try {
      std::size_t used = 0;
      double d = std::stod(value, &used);
      if (used == value.size()) return d;
    } catch (const std::exception&) {
    }
  }
  return value;
}

bool is_overridden(const nlohmann::json& facts, const std::string& name) {
  auto it = facts.find("overridden");
  if (it == facts.end() || !it->is_array()) return false;
  for (const auto& n : *it)
    if (n == name) return true;
  return false;
}

std::string string_at(const nlohmann::json& facts, const char* group, const char* key) {
  auto g = facts.find(group);
  if (g == facts.end() || !g->is_object()) return "";
  auto v = g->find(key);
  return v != g->end() && v->is_string() ? v->get<std::string>() : "";
}

}  // namespace

void apply_fact_override(nlohmann::json& facts, const std::string& name, const std::string& value) {
  auto parts = split_name(name);
  if (facts.is_null()) facts = nlohmann::json::object();
  nlohmann::json* node = &facts;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    prefix += (i == 0 ? "" : ".") + parts[i];
    nlohmann::json& child = (*node)[parts[i]];
    if (child.is_null()) child = nlohmann::json::object();
    if (!child.is_object()) throw UsageError("fact '" + name + "': '" + prefix + "' is not a group");
    node = &child;
  }
  auto it = node->find(parts.back());
  (*node)[parts.back()] = typed(value, it == node->end() ? nullptr : &*it);

  auto& overridden = facts["overridden"];
  if (!overridden.is_array()) overridden = nlohmann::json::array();
  bool listed = false;
  for (const auto& n : overridden) listed = listed || n == name;
  if (!listed) overridden.push_back(name);
  facts::add_derived_facts(facts);
}

namespace facts {

void add_derived_facts(nlohmann::json& facts) {
  auto arch = facts.find("arch");
  if (arch != facts.end() && arch->is_string() && !is_overridden(facts, "cuda_arch")) {
    std::string repo_arch = cuda_repo_arch(arch->get<std::string>());
    facts["cuda_arch"] = repo_arch;
  }
  auto os = facts.find("os");
  if (os != facts.end() && os->is_object() && !is_overridden(facts, "os.distro_tag")) {
    std::string tag = distro_tag(string_at(facts, "os", "id"), string_at(facts, "os", "version_id"));
    facts["os"]["distro_tag"] = tag;
  }
}

}  // namespace facts

}  // namespace aiprov
