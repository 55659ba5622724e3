#include "steps/nvcc_version.hpp"

#include <regex>

namespace aiprov::steps {

std::optional<NvccVersion> parse_nvcc_version(const std::string& text) {
  static const std::regex line(R"(Cuda compilation tools, release ([0-9]+\.[0-9]+)(, V([0-9][0-9.]*))?)");
  std::smatch m;
  if (!std::regex_search(text, m, line)) return std::nullopt;
  return NvccVersion{m[1].str(), m[3].matched ? m[3].str() : ""};
}

}  // namespace aiprov::steps
