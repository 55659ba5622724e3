// Display devices from sysfs: /sys/bus/pci/devices/<address>/{class,vendor,device,...}.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "facts/facts_internal.hpp"

namespace aiprov::facts {
namespace {

namespace stdfs = std::filesystem;

/// First line of a sysfs attribute, trimmed; nullopt when absent, empty or "Unknown".
std::optional<std::string> attr(const stdfs::path& dir, const char* name) {
  std::ifstream in(dir / name);
  std::string value;
  if (!in || !std::getline(in, value)) return std::nullopt;
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  if (value.empty() || value.rfind("Unknown", 0) == 0) return std::nullopt;
  return value;
}

/// "0x10DE" -> "10de".
std::string hex_id(std::string value) {
  if (value.rfind("0x", 0) == 0 || value.rfind("0X", 0) == 0) value.erase(0, 2);
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value;
}

std::optional<long> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  try {
    std::size_t used = 0;
    long v = std::stol(*text, &used);
    if (used == text->size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string vendor_name(const std::string& id) {
  if (id == "10de") return "nvidia";
  if (id == "1002") return "amd";
  if (id == "8086") return "intel";
  return "";
}

/// Leading number of a link speed ("8.0 GT/s PCIe" -> 8.0); nullopt when there is none.
std::optional<double> gts(const nlohmann::json& dev, const char* key) {
  if (!dev.contains(key)) return std::nullopt;
  try {
    return std::stod(dev[key].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// link_degraded: the link runs narrower or slower than the device's maximum (where both are known).
void mark_link(nlohmann::json& dev) {
  bool narrow = dev.contains("current_link_width") && dev.contains("max_link_width") &&
                dev["current_link_width"].get<long>() > 0 &&
                dev["current_link_width"].get<long>() < dev["max_link_width"].get<long>();
  auto cur = gts(dev, "current_link_speed");
  auto max = gts(dev, "max_link_speed");
  bool slow = cur && max && *cur < *max;
  dev["link_degraded"] = narrow || slow;
}

/// The warnings for a degraded link, in words.
void link_warnings(const nlohmann::json& dev, nlohmann::json& warnings) {
  const std::string address = dev["address"];
  if (dev.contains("current_link_width") && dev.contains("max_link_width") &&
      dev["current_link_width"].get<long>() > 0 &&
      dev["current_link_width"].get<long>() < dev["max_link_width"].get<long>()) {
    warnings.push_back(address + " runs at x" + std::to_string(dev["current_link_width"].get<long>()) +
                       ", below its maximum x" + std::to_string(dev["max_link_width"].get<long>()));
  }
  auto cur = gts(dev, "current_link_speed");
  auto max = gts(dev, "max_link_speed");
  if (cur && max && *cur < *max) {
    warnings.push_back(address + " runs at " + dev["current_link_speed"].get<std::string>() +
                       ", below its maximum " + dev["max_link_speed"].get<std::string>() +
                       " (GPUs lower the link speed when idle: check again under load)");
  }
}

nlohmann::json describe(const stdfs::path& dir, const std::string& cls) {
  std::string vendor = hex_id(attr(dir, "vendor").value_or(""));
  nlohmann::json dev = {{"address", dir.filename().string()},
                        {"vendor_id", vendor},
                        {"vendor", vendor_name(vendor)},
                        {"device_id", hex_id(attr(dir, "device").value_or(""))},
                        {"class", hex_id(cls)}};
  if (auto v = attr(dir, "subsystem_vendor")) dev["subsystem_vendor_id"] = hex_id(*v);
  if (auto v = attr(dir, "subsystem_device")) dev["subsystem_device_id"] = hex_id(*v);
  if (auto v = number(attr(dir, "numa_node"))) dev["numa_node"] = *v;
  if (auto v = attr(dir, "current_link_speed")) dev["current_link_speed"] = *v;
  if (auto v = number(attr(dir, "current_link_width"))) dev["current_link_width"] = *v;
  if (auto v = attr(dir, "max_link_speed")) dev["max_link_speed"] = *v;
  if (auto v = number(attr(dir, "max_link_width"))) dev["max_link_width"] = *v;
  mark_link(dev);
  std::error_code ec;
  auto driver = stdfs::read_symlink(dir / "driver", ec);
  if (!ec) dev["driver"] = driver.filename().string();
  return dev;
}

}  // namespace

nlohmann::json gather_pci_gpus(const std::string& sysfs_root) {
  std::vector<stdfs::path> dirs;
  std::error_code ec;
  for (stdfs::directory_iterator it(stdfs::path(sysfs_root) / "bus/pci/devices", ec), end; !ec && it != end;
       it.increment(ec)) {
    dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end());
  nlohmann::json devices = nlohmann::json::array();
  int nvidia = 0;
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& dir : dirs) {
    auto cls = attr(dir, "class");
    if (!cls || hex_id(*cls).rfind("03", 0) != 0 || hex_id(*cls).size() != 6) continue;
    auto dev = describe(dir, *cls);
    if (dev["vendor_id"] == "10de") ++nvidia;
    link_warnings(dev, warnings);
    devices.push_back(std::move(dev));
  }
  nlohmann::json gpu = {{"count", devices.size()}, {"nvidia_count", nvidia}, {"devices", devices}};
  if (!warnings.empty()) gpu["warnings"] = std::move(warnings);
  return gpu;
}

}  // namespace aiprov::facts
