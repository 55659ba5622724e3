#pragma once
/// Installed packages matched by name patterns, shared by the step types that act on "whatever of
/// nvidia-* is installed" (apt_hold, reboot, cuda_driver_check, nvidia_driver): fnmatch(3) globs over
/// the names in dpkg's status file, the earlier step that would install a matching package, and the
/// upstream part of a Debian version.

#include <string>
#include <string_view>
#include <vector>

#include "aiprov/step.hpp"
#include "steps/dpkg_status.hpp"

namespace aiprov::steps::packages {

/// True when `name` (an ":arch" suffix ignored) matches one of the fnmatch(3) `patterns`.
bool matches_any(std::string_view name, const std::vector<std::string>& patterns);

/// A package name or a glob over names: lower-case letters, digits, "+-." and the glob characters
/// "*?[]" (no spaces, no ":arch", no "=version").
bool valid_pattern(const std::string& pattern);

/// The installed packages (dpkg status "installed") whose names match `patterns`, one per name,
/// sorted by name.
std::vector<dpkg::PackageState> installed_matching(const dpkg::StatusMap& db, const std::vector<std::string>& patterns);

/// "name=version" of each package, joined by spaces: the text a reboot trigger is made of.
std::string name_versions(const std::vector<dpkg::PackageState>& packages);

/// The id of an earlier step with a pending change that would install a package matching `patterns`
/// (its change provides "package:NAME"), or "" when there is none.
std::string pending_package_step(const Context& ctx, const std::vector<std::string>& patterns);

/// The upstream version of a Debian version: epoch and revision removed
/// ("1:550.127.08-0ubuntu1" -> "550.127.08", "550.54.14" -> "550.54.14").
std::string upstream_version(std::string_view version);

/// The parsed status file of ctx's root; StepError naming the step when it cannot be read.
std::shared_ptr<const dpkg::StatusMap> status_of(const Context& ctx, const std::string& step_id);

}  // namespace aiprov::steps::packages
