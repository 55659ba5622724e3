// os-release(5) parsing.

#include <map>
#include <sstream>
#include <string>

#include "aiprov/facts.hpp"
#include "facts/facts_internal.hpp"

namespace aiprov {
namespace {

/// Unquotes a shell-style os-release value: "a b", 'a b' or a bare word; \" \\ \$ \` in "".
std::string unquote(const std::string& raw) {
  if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') return raw.substr(1, raw.size() - 2);
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return raw;
  std::string out;
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 2 < raw.size()) ++i;
    out += raw[i];
  }
  return out;
}

}  // namespace

nlohmann::json parse_os_release(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::size_t eq = line.find('=', start);
    if (eq == std::string::npos) continue;
    kv[line.substr(start, eq - start)] = unquote(line.substr(eq + 1));
  }
  auto get = [&](const char* key) {
    auto it = kv.find(key);
    return it == kv.end() ? std::string() : it->second;
  };
  std::string version_id = get("VERSION_ID");
  std::string distro_tag = facts::distro_tag(get("ID"), version_id);
  std::string codename = get("VERSION_CODENAME");
  if (codename.empty()) codename = get("UBUNTU_CODENAME");
  return {{"id", get("ID")},
          {"version_id", version_id},
          {"distro_tag", distro_tag},
          {"codename", codename},
          {"pretty_name", get("PRETTY_NAME")},
          {"id_like", get("ID_LIKE")}};
}

}  // namespace aiprov
