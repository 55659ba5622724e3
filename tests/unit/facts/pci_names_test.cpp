// lookup_pci_names and add_pci_names over a pci.ids excerpt with real lines.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "facts/pci_names.hpp"

namespace aiprov::facts {
namespace {

const char* kIds =
    "#\tList of PCI ID's\n"
    "#\n"
    "1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
    "\t1e07  Not an NVIDIA device\n"
    "10de  NVIDIA Corporation\n"
    "\t1e07  TU102 [GeForce RTX 2080 Ti Rev. A]\n"
    "\t\t19da 2518  An RTX 2080 Ti subsystem\n"
    "\t2684  AD102 [GeForce RTX 4090]\n"
    "\t26b5  AD102GL [L40]\n"
    "8086  Intel Corporation\n"
    "\t3e92  CoffeeLake-S GT2 [UHD Graphics 630]\n"
    "C 03  Display controller\n"
    "\t00  VGA compatible controller\n";

using Names = std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>>;

struct Case {
  std::vector<std::pair<std::string, std::string>> wanted;
  Names expected;
};

TEST(PciNames, LooksUpOnlyTheWantedIds) {
  const Case cases[] = {
      {{{"10de", "1e07"}}, {{{"10de", "1e07"}, {"NVIDIA Corporation", "TU102 [GeForce RTX 2080 Ti Rev. A]"}}}},
      {{{"10de", "2684"}, {"10de", "26b5"}},
       {{{"10de", "2684"}, {"NVIDIA Corporation", "AD102 [GeForce RTX 4090]"}},
        {{"10de", "26b5"}, {"NVIDIA Corporation", "AD102GL [L40]"}}}},
      // Same device id under another vendor: only the wanted vendor's name.
      {{{"1002", "1e07"}}, {{{"1002", "1e07"}, {"Advanced Micro Devices, Inc. [AMD/ATI]", "Not an NVIDIA device"}}}},
      // A known vendor with an unknown device: vendor name only. The subsystem line is no device.
      {{{"10de", "19da"}}, {{{"10de", "19da"}, {"NVIDIA Corporation", ""}}}},
      // Unknown vendor: absent. Class section entries are not devices.
      {{{"c0de", "0000"}, {"8086", "3e92"}},
       {{{"8086", "3e92"}, {"Intel Corporation", "CoffeeLake-S GT2 [UHD Graphics 630]"}}}},
      // Two identical cards: one entry.
      {{{"10de", "26b5"}, {"10de", "26b5"}}, {{{"10de", "26b5"}, {"NVIDIA Corporation", "AD102GL [L40]"}}}},
  };
  for (const auto& c : cases) {
    std::istringstream in(kIds);
    EXPECT_EQ(lookup_pci_names(in, c.wanted), c.expected) << c.wanted.front().first << ":" << c.wanted.front().second;
  }
}

TEST(PciNames, StopsOnceAllAreNamed) {
  std::istringstream in(kIds);
  lookup_pci_names(in, {{"10de", "1e07"}});
  std::string rest;
  std::getline(in, rest);
  EXPECT_EQ(rest, "\t\t19da 2518  An RTX 2080 Ti subsystem");  // the scan read no further
}

TEST(PciNames, AddsNamesToDevicesFromTheFirstReadableFile) {
  char tmpl[] = "/tmp/aiprov-pciids-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::ofstream(dir + "/pci.ids") << kIds;
  nlohmann::json devices = {{{"vendor_id", "10de"}, {"device_id", "2684"}},
                            {{"vendor_id", "8086"}, {"device_id", "ffff"}},
                            {{"vendor_id", "abcd"}, {"device_id", "0001"}}};
  add_pci_names(devices, {dir + "/missing.ids", dir + "/pci.ids"});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(devices[0]["vendor_name"], "NVIDIA Corporation");
  EXPECT_EQ(devices[0]["device_name"], "AD102 [GeForce RTX 4090]");
  EXPECT_EQ(devices[1]["vendor_name"], "Intel Corporation");
  EXPECT_FALSE(devices[1].contains("device_name"));
  EXPECT_FALSE(devices[2].contains("vendor_name"));
}

}  // namespace
}  // namespace aiprov::facts
