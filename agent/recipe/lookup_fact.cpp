#include <algorithm>
#include <cctype>
#include <string>

#include "aiprov/recipe.hpp"

namespace aiprov {

const nlohmann::json* lookup_fact(const nlohmann::json& facts, const std::string& dotted) {
  const nlohmann::json* cur = &facts;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    const std::string seg = dotted.substr(start, dot - start);
    if (cur->is_object()) {
      auto it = cur->find(seg);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      // Array elements by index: "gpu.devices.0.name".
      bool index = !seg.empty() && seg.size() < 9 &&
                   std::all_of(seg.begin(), seg.end(),
                               [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      if (!index || std::stoul(seg) >= cur->size()) return nullptr;
      cur = &(*cur)[std::stoul(seg)];
    } else {
      return nullptr;
    }
    start = dot + 1;
  }
  return cur;
}

}  // namespace aiprov
