#include "steps/version_line.hpp"

#include <sstream>

namespace aiprov::steps {

std::optional<std::string> version_after(const std::string& text, const std::string& program) {
  std::istringstream in(text);
  const std::string prefix = program + " ";
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = line.substr(prefix.size());
    auto end = rest.find_first_of(" \t\r");
    std::string version = rest.substr(0, end);
    if (!version.empty() && version[0] >= '0' && version[0] <= '9') return version;
  }
  return std::nullopt;
}

}  // namespace aiprov::steps
