// Names for PCI ids from pci.ids: a targeted scan for the ids present, not a full map.

#include "facts/pci_names.hpp"

#include <fstream>
#include <set>

namespace aiprov::facts {
namespace {

bool is_hex4(const std::string& line, std::size_t at) {
  if (line.size() < at + 4) return false;
  for (std::size_t i = at; i < at + 4; ++i) {
    char c = line[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

/// The name after "ID  " at `at` (the id's first character).
std::string name_after(const std::string& line, std::size_t at) {
  std::size_t b = line.find_first_not_of(" \t", at + 4);
  std::size_t e = line.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : line.substr(b, e - b + 1);
}

}  // namespace

const std::vector<std::string>& default_pci_ids_paths() {
  static const std::vector<std::string> paths = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};
  return paths;
}

std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> lookup_pci_names(
    std::istream& ids, const std::vector<std::pair<std::string, std::string>>& wanted) {
  std::map<std::string, std::set<std::string>> devices_of;  // vendor -> devices still unnamed
  for (const auto& [vendor, device] : wanted) devices_of[vendor].insert(device);
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> out;
  std::size_t open = 0;  // distinct pairs still unnamed
  for (const auto& [vendor, devices] : devices_of) open += devices.size();
  std::string vendor;       // the vendor section we are in, when it is one we want
  std::string vendor_name;
  std::string line;
  while (open > 0 && std::getline(ids, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == 'C' && line.size() > 1 && line[1] == ' ') break;  // device classes follow
    if (line[0] != '\t') {
      vendor.clear();
      if (!is_hex4(line, 0)) continue;
      std::string id = line.substr(0, 4);
      auto it = devices_of.find(id);
      if (it == devices_of.end()) continue;
      vendor = id;
      vendor_name = name_after(line, 0);
      for (const auto& device : it->second) out[{vendor, device}] = {vendor_name, ""};
      continue;
    }
    if (vendor.empty() || line.size() < 2 || line[1] == '\t' || !is_hex4(line, 1)) continue;  // subsystems
    std::string id = line.substr(1, 4);
    auto& pending = devices_of[vendor];
    if (pending.erase(id) == 0) continue;
    out[{vendor, id}].second = name_after(line, 1);
    --open;
  }
  return out;
}

void add_pci_names(nlohmann::json& devices, const std::vector<std::string>& ids_paths) {
  if (!devices.is_array() || devices.empty()) return;
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& dev : devices)
    wanted.emplace_back(dev.value("vendor_id", std::string()), dev.value("device_id", std::string()));
  for (const auto& path : ids_paths) {
    std::ifstream in(path);
    if (!in) continue;
    auto names = lookup_pci_names(in, wanted);
    for (auto& dev : devices) {
      auto it = names.find({dev.value("vendor_id", std::string()), dev.value("device_id", std::string())});
      if (it == names.end()) continue;
      dev["vendor_name"] = it->second.first;
      if (!it->second.second.empty()) dev["device_name"] = it->second.second;
    }
    return;
  }
}

}  // namespace aiprov::facts
