#pragma once
/// Unified diffs for plans.

#include <string>

namespace aiprov {

/// A unified diff (3 lines of context) from `before` to `after`, with "--- path" / "+++ path"
/// headers. Empty when equal. A file that does not exist is diffed as empty ("--- /dev/null").
std::string unified_diff(const std::string& before, const std::string& after, const std::string& path,
                         bool before_exists = true);

}  // namespace aiprov
