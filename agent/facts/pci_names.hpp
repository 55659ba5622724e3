#pragma once
/// Vendor and device names for PCI ids, from the pci.ids database. Private to the facts layer.
///
/// The names come from reading pci.ids directly rather than through libpci: the file is the one
/// libpci reads, so the names are the same, and the agent keeps no build dependency on pciutils.

#include <istream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace aiprov::facts {

/// Where pci.ids lives on Debian/Ubuntu (package pci.ids) and on hwdata-based systems.
const std::vector<std::string>& default_pci_ids_paths();

/// Names of the given (vendor id, device id) pairs (lowercase hex, "10de", "1e07") from pci.ids
/// text. One pass that stops once every pair is named or the class section ("C ...") begins.
/// A pair whose vendor is known but device is not gets only the vendor name; unknown vendors are
/// absent from the result. Key: the pair; value: {vendor name, device name (may be empty)}.
std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> lookup_pci_names(
    std::istream& ids, const std::vector<std::pair<std::string, std::string>>& wanted);

/// Adds vendor_name and device_name (when found) to each entry of `devices` (facts.gpu.devices)
/// from the first readable file of `ids_paths`. No file: the devices are left as they are.
void add_pci_names(nlohmann::json& devices, const std::vector<std::string>& ids_paths);

}  // namespace aiprov::facts
