#include <algorithm>

#include "aiprov/engine.hpp"

namespace aiprov {

namespace {
bool matches(const StepDecl& decl, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (n == decl.id) return true;
    if (std::find(decl.tags.begin(), decl.tags.end(), n) != decl.tags.end()) return true;
  }
  return false;
}
}  // namespace

bool Selection::selected(const StepDecl& decl) const {
  if (!only.empty() && !matches(decl, only)) return false;
  if (matches(decl, skip)) return false;
  return true;
}

}  // namespace aiprov
