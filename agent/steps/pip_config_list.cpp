#include "steps/pip_config_list.hpp"

#include <sstream>

namespace aiprov::steps {

std::map<std::string, std::string> parse_pip_config_list(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0 || line.find(' ') < eq) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() < 2 || (value.front() != '\'' && value.front() != '"') || value.back() != value.front())
      continue;
    std::string unquoted;
    for (std::size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;  // repr() escapes: \\ \' \"
      unquoted += value[i];
    }
    out[line.substr(0, eq)] = unquoted;
  }
  return out;
}

}  // namespace aiprov::steps
