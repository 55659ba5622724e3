#pragma once
/// Facts about the machine being provisioned, as a JSON tree: facts.os.id, facts.gpu.count, ...
/// OS facts come from the root's os-release (so `--root` trees report themselves); kernel, CPU and
/// memory from the running kernel; PCI devices from sysfs (`--sysfs DIR`). `--fact name=value`
/// overrides any of them; overridden names are listed under facts.overridden.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/host.hpp"

namespace aiprov {

struct FactOptions {
  std::string sysfs_root = "/sys";  ///< host path of sysfs
  std::string proc_root = "/proc";  ///< host path of procfs
  std::vector<std::pair<std::string, std::string>> overrides;  ///< --fact name=value, in order
};

/// Gathers facts. Read-only. Missing sources (no sysfs, no os-release) give empty/zero facts, never
/// an error.
nlohmann::json gather_facts(const FileSystem& fs, const FactOptions& options);

/// Parses os-release text into {id, version_id, codename, pretty_name, id_like}.
nlohmann::json parse_os_release(const std::string& text);

/// Applies one override: "gpu.count" = "2" sets facts["gpu"]["count"] (numbers stay numbers,
/// true/false become booleans) and records the name in facts["overridden"].
void apply_fact_override(nlohmann::json& facts, const std::string& name, const std::string& value);

}  // namespace aiprov
