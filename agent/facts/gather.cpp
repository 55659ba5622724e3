// gather_facts: OS from the root tree, kernel/CPU/memory from the running kernel, GPUs from sysfs.

#include <sys/utsname.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "aiprov/error.hpp"
#include "aiprov/facts.hpp"
#include "facts/facts_internal.hpp"
#include "facts/host_state.hpp"
#include "facts/nvml.hpp"
#include "facts/pci_names.hpp"

namespace aiprov {
namespace facts {
namespace {

std::string read_host_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  std::size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// The root's os-release. Under a root other than "/", an absolute /etc/os-release link would
/// point out of the tree, so the standard target /usr/lib/os-release is read first there.
std::string read_os_release(const FileSystem& fs) {
  try {
    auto etc = fs.stat("/etc/os-release");
    bool etc_first = !(etc && etc->is_symlink() && fs.root() != "/");
    const char* paths[] = {"/etc/os-release", "/usr/lib/os-release"};
    if (!etc_first) std::swap(paths[0], paths[1]);
    for (const char* path : paths) {
      if (auto text = fs.read(path)) return *text;
    }
  } catch (const HostError&) {
  }
  return "";
}

}  // namespace

nlohmann::json parse_cpuinfo(const std::string& text) {
  std::string model;
  int logical = 0;
  std::set<std::pair<std::string, std::string>> cores;
  std::string physical_id;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (key == "processor") ++logical;
    if (key == "model name" && model.empty()) model = value;
    if (key == "physical id") physical_id = value;
    if (key == "core id") cores.emplace(physical_id, value);
  }
  nlohmann::json cpu = {{"model", model}, {"cores", logical}};
  if (!cores.empty()) cpu["physical_cores"] = cores.size();
  return cpu;
}

std::uint64_t parse_meminfo_total(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  std::uint64_t kib = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    if (fields >> key >> kib && key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

std::string dpkg_arch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine == "ppc64le") return "ppc64el";
  if (machine == "i686" || machine == "i586" || machine == "i386") return "i386";
  if (machine.rfind("armv7", 0) == 0) return "armhf";
  return machine;
}

std::string cuda_repo_arch(const std::string& dpkg_arch) {
  if (dpkg_arch == "amd64") return "x86_64";
  if (dpkg_arch == "arm64") return "sbsa";
  return "";
}

std::string distro_tag(const std::string& id, const std::string& version_id) {
  // NVIDIA names its repositories and installers after the release without dots: ubuntu2204, debian12.
  std::string tag = id;
  for (char c : version_id)
    if (c != '.') tag += c;
  return tag;
}

}  // namespace facts

nlohmann::json gather_facts(const FileSystem& fs, const FactOptions& options) {
  nlohmann::json out;
  out["os"] = parse_os_release(facts::read_os_release(fs));
  utsname uts{};
  if (::uname(&uts) == 0) {
    out["arch"] = facts::dpkg_arch(uts.machine);
    out["kernel"] = std::string(uts.release);
  } else {
    out["arch"] = "";
    out["kernel"] = "";
  }
  out["cpu"] = facts::parse_cpuinfo(facts::read_host_file(options.proc_root + "/cpuinfo"));
  out["memory"] = {{"total_bytes", facts::parse_meminfo_total(facts::read_host_file(options.proc_root + "/meminfo"))}};
  out["gpu"] = facts::gather_pci_gpus(options.sysfs_root);
  facts::add_pci_names(out["gpu"]["devices"], facts::default_pci_ids_paths());
  out["kernel_modules"] = facts::gather_kernel_modules(options.proc_root);
  out["secure_boot"] = facts::secure_boot_state(options.sysfs_root);
  out["nvidia"] = facts::gather_nvidia();
  out["overridden"] = nlohmann::json::array();
  facts::add_derived_facts(out);
  for (const auto& [name, value] : options.overrides) apply_fact_override(out, name, value);
  return out;
}

}  // namespace aiprov
