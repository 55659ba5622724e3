// link_degraded and facts.gpu.warnings from a fake sysfs; the new host facts in gather_facts.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "aiprov/facts.hpp"
#include "facts/facts_internal.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

namespace stdfs = std::filesystem;

class PciLinkTest : public ::testing::Test {
 protected:
  PciLinkTest() {
    char tmpl[] = "/tmp/aiprov-pcilink-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
  }
  ~PciLinkTest() override { stdfs::remove_all(m_dir); }
  void add_gpu(const std::string& address, const std::map<std::string, std::string>& link) {
    stdfs::path dir = stdfs::path(m_dir) / "sys/bus/pci/devices" / address;
    stdfs::create_directories(dir);
    std::map<std::string, std::string> attrs = {{"vendor", "0x10de"}, {"device", "0x2684"}, {"class", "0x030000"}};
    attrs.insert(link.begin(), link.end());
    for (const auto& [name, value] : attrs) std::ofstream(dir / name) << value << "\n";
  }
  std::string m_dir;
};

TEST_F(PciLinkTest, DegradedLinks) {
  add_gpu("0000:01:00.0", {{"current_link_speed", "16.0 GT/s PCIe"}, {"max_link_speed", "16.0 GT/s PCIe"},
                           {"current_link_width", "8"}, {"max_link_width", "16"}});
  add_gpu("0000:02:00.0", {{"current_link_speed", "2.5 GT/s PCIe"}, {"max_link_speed", "16.0 GT/s PCIe"},
                           {"current_link_width", "16"}, {"max_link_width", "16"}});
  add_gpu("0000:03:00.0", {{"current_link_speed", "16.0 GT/s PCIe"}, {"max_link_speed", "16.0 GT/s PCIe"},
                           {"current_link_width", "16"}, {"max_link_width", "16"}});
  add_gpu("0000:04:00.0", {{"current_link_speed", "Unknown"}, {"current_link_width", "0"}});
  auto gpu = facts::gather_pci_gpus(m_dir + "/sys");
  ASSERT_EQ(gpu["devices"].size(), 4u);
  EXPECT_EQ(gpu["devices"][0]["link_degraded"], true);
  EXPECT_EQ(gpu["devices"][1]["link_degraded"], true);
  EXPECT_EQ(gpu["devices"][2]["link_degraded"], false);
  EXPECT_EQ(gpu["devices"][3]["link_degraded"], false);
  ASSERT_EQ(gpu["warnings"].size(), 2u);
  EXPECT_EQ(gpu["warnings"][0], "0000:01:00.0 runs at x8, below its maximum x16");
  EXPECT_EQ(gpu["warnings"][1].get<std::string>().rfind(
                "0000:02:00.0 runs at 2.5 GT/s PCIe, below its maximum 16.0 GT/s PCIe", 0),
            0u);
}

TEST_F(PciLinkTest, NoWarningsWhenLinksAreFull) {
  add_gpu("0000:03:00.0", {{"current_link_speed", "16.0 GT/s PCIe"}, {"max_link_speed", "16.0 GT/s PCIe"},
                           {"current_link_width", "16"}, {"max_link_width", "16"}});
  auto gpu = facts::gather_pci_gpus(m_dir + "/sys");
  EXPECT_FALSE(gpu.contains("warnings"));
}

TEST_F(PciLinkTest, GatherFactsHasHostState) {
  stdfs::create_directories(m_dir + "/root");
  stdfs::create_directories(m_dir + "/proc");
  std::ofstream(m_dir + "/proc/modules") << "nouveau 2355200 1 - Live 0x0\n";
  FactOptions options;
  options.sysfs_root = m_dir + "/sys";
  options.proc_root = m_dir + "/proc";
  auto fs = make_real_filesystem(m_dir + "/root");
  auto f = gather_facts(*fs, options);
  EXPECT_EQ(f["kernel_modules"]["nouveau"], true);
  EXPECT_EQ(f["kernel_modules"]["nvidia"], false);
  EXPECT_EQ(f["secure_boot"], "unknown");
  ASSERT_TRUE(f["nvidia"].contains("present"));
  if (f["nvidia"]["present"] == false) {
    EXPECT_FALSE(f["nvidia"]["reason"].get<std::string>().empty());
  } else {
    EXPECT_TRUE(f["nvidia"]["gpus"].is_array());
  }
}

}  // namespace
}  // namespace aiprov
