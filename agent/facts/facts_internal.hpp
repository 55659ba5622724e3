#pragma once
/// Parsers behind gather_facts, exposed for unit tests. Private to the facts layer.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace aiprov::facts {

/// /proc/cpuinfo text -> {model, cores (logical CPUs), physical_cores when the text tells}.
nlohmann::json parse_cpuinfo(const std::string& text);
/// MemTotal of /proc/meminfo text, in bytes; 0 when absent.
std::uint64_t parse_meminfo_total(const std::string& text);
/// uname machine -> dpkg architecture name ("x86_64" -> "amd64"); unknown names pass through.
std::string dpkg_arch(const std::string& machine);
/// dpkg architecture -> the directory NVIDIA's CUDA repositories use for it: "x86_64" (amd64),
/// "sbsa" (arm64 servers and workstations: Grace, GB10); "" where NVIDIA publishes none.
std::string cuda_repo_arch(const std::string& dpkg_arch);
/// ID and VERSION_ID -> NVIDIA's name of the release: "ubuntu" + "22.04" -> "ubuntu2204".
std::string distro_tag(const std::string& id, const std::string& version_id);
/// Sets the facts derived from others (cuda_arch from arch, os.distro_tag from os.id and
/// os.version_id), each unless it is overridden itself: after gathering, and after every override, so
/// that `--fact arch=arm64` makes cuda_arch "sbsa".
void add_derived_facts(nlohmann::json& facts);
/// Display devices (PCI class 0x03xxxx) under SYSFS/bus/pci/devices ->
/// {count, nvidia_count, devices: [...]}. A missing tree gives count 0.
nlohmann::json gather_pci_gpus(const std::string& sysfs_root);

}  // namespace aiprov::facts
