// Package-name globs over dpkg's status file, pending installs, upstream versions.
#include "steps/package_patterns.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "steps/common_ownership.hpp"

namespace aiprov::steps::packages {

bool matches_any(std::string_view name, const std::vector<std::string>& patterns) {
  std::string bare(name.substr(0, name.find(':')));
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return ::fnmatch(p.c_str(), bare.c_str(), 0) == 0; });
}

bool valid_pattern(const std::string& pattern) {
  if (pattern.empty()) return false;
  return pattern.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+-.*?[]!") == std::string::npos;
}

std::vector<dpkg::PackageState> installed_matching(const dpkg::StatusMap& db, const std::vector<std::string>& patterns) {
  std::vector<dpkg::PackageState> out;
  for (const auto& [key, st] : db)
    if (key == st.name && st.installed() && matches_any(st.name, patterns)) out.push_back(st);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string name_versions(const std::vector<dpkg::PackageState>& packages) {
  std::string out;
  for (const auto& p : packages) out += (out.empty() ? "" : " ") + p.name + "=" + p.version;
  return out;
}

std::string pending_package_step(const Context& ctx, const std::vector<std::string>& patterns) {
  static const std::string kPrefix = "package:";
  for (auto it = ctx.pending.lower_bound(kPrefix); it != ctx.pending.end(); ++it) {
    if (it->first.compare(0, kPrefix.size(), kPrefix) != 0) break;
    if (matches_any(std::string_view(it->first).substr(kPrefix.size()), patterns)) return it->second;
  }
  return {};
}

std::string upstream_version(std::string_view version) {
  std::size_t colon = version.find(':');
  if (colon != std::string_view::npos) version.remove_prefix(colon + 1);
  std::size_t dash = version.rfind('-');
  if (dash != std::string_view::npos) version = version.substr(0, dash);
  return std::string(version);
}

std::shared_ptr<const dpkg::StatusMap> status_of(const Context& ctx, const std::string& step_id) {
  try {
    return dpkg::installed_packages(ctx.host.fs);
  } catch (const HostError& e) {
    step_fail(step_id, e.what());
  }
}

}  // namespace aiprov::steps::packages
