// gather_facts over a fake root tree, a fake procfs and a fake sysfs built from the values in
// tests/fixtures/real/sysfs-pci-nvidia.md.

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "aiprov/facts.hpp"
#include "facts/facts_internal.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

namespace stdfs = std::filesystem;

void put(const stdfs::path& path, const std::string& text) {
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

/// One PCI function the way sysfs shows it: the real directory under devices/pci0000:00/ and a
/// link to it in bus/pci/devices/.
stdfs::path add_device(const stdfs::path& sysfs, const std::string& address,
                       const std::map<std::string, std::string>& attrs) {
  stdfs::path dir = sysfs / "devices/pci0000:00" / address;
  for (const auto& [name, value] : attrs) put(dir / name, value + "\n");
  stdfs::create_directories(sysfs / "bus/pci/devices");
  stdfs::create_symlink("../../../devices/pci0000:00/" + address, sysfs / "bus/pci/devices" / address);
  return dir;
}

class GatherFactsTest : public ::testing::Test {
 protected:
  GatherFactsTest() {
    char tmpl[] = "/tmp/aiprov-facts-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
    m_options.sysfs_root = m_dir + "/sys";
    m_options.proc_root = m_dir + "/proc";
    stdfs::create_directories(m_dir + "/root");
  }
  ~GatherFactsTest() override { stdfs::remove_all(m_dir); }

  void build_sysfs() {
    stdfs::path sys = m_options.sysfs_root;
    // RTX 2080 Ti at 01:00.0 (section C values; link values of section A's forum capture).
    auto gpu = add_device(sys, "0000:01:00.0",
                          {{"vendor", "0x10de"}, {"device", "0x1e07"}, {"class", "0x030000"},
                           {"revision", "0xa1"}, {"subsystem_vendor", "0x19da"}, {"subsystem_device", "0x2518"},
                           {"numa_node", "-1"}, {"current_link_speed", "2.5 GT/s PCIe"},
                           {"current_link_width", "1"}, {"max_link_speed", "2.5 GT/s PCIe"},
                           {"max_link_width", "1"}});
    stdfs::create_directories(sys / "bus/pci/drivers/nvidia");
    stdfs::create_symlink("../../../bus/pci/drivers/nvidia", gpu / "driver");
    // Its HDMI audio function: same vendor, not a display device.
    add_device(sys, "0000:01:00.1", {{"vendor", "0x10de"}, {"device", "0x10f7"}, {"class", "0x040300"}});
    // A 3D controller (class 0x0302, as data-centre cards) on a VM, link speed unknown.
    add_device(sys, "0000:00:03.0",
               {{"vendor", "0x10de"}, {"device", "0x1eb8"}, {"class", "0x030200"}, {"numa_node", "0"},
                {"current_link_speed", "Unknown"}, {"current_link_width", "0"}});
    // Integrated Intel VGA and a host bridge.
    add_device(sys, "0000:00:02.0", {{"vendor", "0x8086"}, {"device", "0x3e92"}, {"class", "0x030000"}});
    add_device(sys, "0000:00:00.0", {{"vendor", "0x8086"}, {"device", "0x3ec2"}, {"class", "0x060000"}});
  }

  std::string m_dir;
  FactOptions m_options;
};

TEST_F(GatherFactsTest, PciDisplayDevices) {
  build_sysfs();
  auto gpu = facts::gather_pci_gpus(m_options.sysfs_root);
  EXPECT_EQ(gpu["count"], 3);
  EXPECT_EQ(gpu["nvidia_count"], 2);
  ASSERT_EQ(gpu["devices"].size(), 3u);
  const auto& dev0 = gpu["devices"][0];
  EXPECT_EQ(dev0["address"], "0000:00:02.0");
  EXPECT_EQ(dev0["vendor"], "intel");
  const auto& t4 = gpu["devices"][1];
  EXPECT_EQ(t4["address"], "0000:00:03.0");
  EXPECT_EQ(t4["class"], "030200");
  EXPECT_EQ(t4["numa_node"], 0);
  EXPECT_FALSE(t4.contains("current_link_speed"));  // "Unknown"
  EXPECT_FALSE(t4.contains("driver"));
  const auto& rtx = gpu["devices"][2];
  EXPECT_EQ(rtx["address"], "0000:01:00.0");
  EXPECT_EQ(rtx["vendor_id"], "10de");
  EXPECT_EQ(rtx["vendor"], "nvidia");
  EXPECT_EQ(rtx["device_id"], "1e07");
  EXPECT_EQ(rtx["class"], "030000");
  EXPECT_EQ(rtx["subsystem_vendor_id"], "19da");
  EXPECT_EQ(rtx["subsystem_device_id"], "2518");
  EXPECT_EQ(rtx["numa_node"], -1);
  EXPECT_EQ(rtx["current_link_speed"], "2.5 GT/s PCIe");
  EXPECT_EQ(rtx["current_link_width"], 1);
  EXPECT_EQ(rtx["max_link_speed"], "2.5 GT/s PCIe");
  EXPECT_EQ(rtx["max_link_width"], 1);
  EXPECT_EQ(rtx["driver"], "nvidia");
}

TEST_F(GatherFactsTest, AllSources) {
  build_sysfs();
  put(m_options.proc_root + "/cpuinfo", "processor\t: 0\nmodel name\t: AMD Ryzen 9 7950X\nprocessor\t: 1\n");
  put(m_options.proc_root + "/meminfo", "MemTotal:       131072 kB\n");
  put(m_dir + "/root/usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\n");
  // The usual absolute-free link; and an absolute one must not escape the root (tested below).
  stdfs::create_directories(m_dir + "/root/etc");
  stdfs::create_symlink("../usr/lib/os-release", m_dir + "/root/etc/os-release");
  auto fs = make_real_filesystem(m_dir + "/root");
  auto f = gather_facts(*fs, m_options);
  EXPECT_EQ(f["os"]["id"], "ubuntu");
  EXPECT_EQ(f["os"]["version_id"], "24.04");
  EXPECT_EQ(f["os"]["distro_tag"], "ubuntu2404");
  EXPECT_EQ(f["os"]["codename"], "noble");
  EXPECT_EQ(f["cpu"]["model"], "AMD Ryzen 9 7950X");
  EXPECT_EQ(f["cpu"]["cores"], 2);
  EXPECT_EQ(f["memory"]["total_bytes"], 131072ull * 1024);
  EXPECT_EQ(f["gpu"]["count"], 3);
  EXPECT_EQ(f["gpu"]["nvidia_count"], 2);
  EXPECT_EQ(f["overridden"], nlohmann::json::array());
  utsname uts{};
  ASSERT_EQ(::uname(&uts), 0);
  EXPECT_EQ(f["kernel"], uts.release);
  EXPECT_EQ(f["arch"], facts::dpkg_arch(uts.machine));
  EXPECT_EQ(f["cuda_arch"], facts::cuda_repo_arch(facts::dpkg_arch(uts.machine)));
}

TEST_F(GatherFactsTest, AbsoluteOsReleaseLinkStaysInTheRoot) {
  put(m_dir + "/root/usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
  stdfs::create_directories(m_dir + "/root/etc");
  stdfs::create_symlink("/usr/lib/os-release", m_dir + "/root/etc/os-release");
  auto f = gather_facts(*make_real_filesystem(m_dir + "/root"), m_options);
  EXPECT_EQ(f["os"]["version_id"], "22.04");
  EXPECT_EQ(f["os"]["distro_tag"], "ubuntu2204");
}

TEST_F(GatherFactsTest, MissingSourcesGiveEmptyFacts) {
  auto f = gather_facts(*make_real_filesystem(m_dir + "/root"), m_options);
  EXPECT_EQ(f["os"]["id"], "");
  EXPECT_EQ(f["cpu"]["cores"], 0);
  EXPECT_EQ(f["memory"]["total_bytes"], 0);
  EXPECT_EQ(f["gpu"]["count"], 0);
  EXPECT_EQ(f["gpu"]["nvidia_count"], 0);
  EXPECT_EQ(f["gpu"]["devices"], nlohmann::json::array());
}

TEST_F(GatherFactsTest, OverridesAreAppliedInOrderAndListed) {
  m_options.overrides = {{"gpu.count", "2"}, {"os.version_id", "22.04"}, {"gpu.count", "4"}};
  auto f = gather_facts(*make_real_filesystem(m_dir + "/root"), m_options);
  EXPECT_EQ(f["gpu"]["count"], 4);
  EXPECT_EQ(f["os"]["version_id"], "22.04");
  EXPECT_EQ(f["overridden"], (nlohmann::json{"gpu.count", "os.version_id"}));
}

TEST(FactOverrideTest, Types) {
  nlohmann::json facts = {{"os", {{"id", "ubuntu"}, {"version_id", "24.04"}}},
                          {"gpu", {{"count", 0}}},
                          {"memory", {{"total_bytes", 0}}}};
  struct Case {
    const char* name;
    const char* value;
    nlohmann::json want;
  };
  const Case cases[] = {
      {"gpu.count", "2", 2},
      {"gpu.count", "-1", -1},
      {"os.version_id", "22.04", "22.04"},  // strings stay strings
      {"os.id", "123", "123"},
      {"memory.total_bytes", "1.5", 1.5},  // numbers stay numbers
      {"custom.flag", "true", true},
      {"custom.off", "false", false},
      {"custom.n", "8", 8},
      {"custom.deep.name", "abc", "abc"},
      {"custom.version", "22.04", "22.04"},  // a new fact: not an integer, so a string
      {"top", "x", "x"},
  };
  for (const auto& c : cases) {
    apply_fact_override(facts, c.name, c.value);
    std::string p = "/" + std::string(c.name);
    for (auto& ch : p) ch = ch == '.' ? '/' : ch;
    EXPECT_EQ(facts.at(nlohmann::json::json_pointer(p)), c.want) << c.name << "=" << c.value;
  }
  EXPECT_EQ(facts["overridden"].size(), 10u);  // gpu.count once
  EXPECT_EQ(facts["overridden"][0], "gpu.count");
}

TEST(FactOverrideTest, DerivedFactsFollowTheirSourceUnlessOverriddenThemselves) {
  nlohmann::json facts = {{"os", {{"id", "ubuntu"}, {"version_id", "22.04"}, {"distro_tag", "ubuntu2204"}}},
                          {"arch", "amd64"},
                          {"cuda_arch", "x86_64"}};
  apply_fact_override(facts, "arch", "arm64");
  EXPECT_EQ(facts["cuda_arch"], "sbsa");
  apply_fact_override(facts, "os.version_id", "24.04");
  EXPECT_EQ(facts["os"]["distro_tag"], "ubuntu2404");
  EXPECT_EQ(facts["overridden"], (nlohmann::json{"arch", "os.version_id"}));
  apply_fact_override(facts, "cuda_arch", "x86_64");
  apply_fact_override(facts, "arch", "ppc64el");
  EXPECT_EQ(facts["cuda_arch"], "x86_64") << "an overridden fact is not derived again";
}

TEST(FactOverrideTest, BadNames) {
  nlohmann::json facts = {{"os", {{"id", "ubuntu"}}}};
  EXPECT_THROW(apply_fact_override(facts, "gpu..count", "1"), UsageError);
  EXPECT_THROW(apply_fact_override(facts, "", "1"), UsageError);
  EXPECT_THROW(apply_fact_override(facts, "os.id.x", "1"), UsageError);
  EXPECT_FALSE(facts.contains("overridden"));
}

}  // namespace
}  // namespace aiprov
