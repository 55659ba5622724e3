// Kernel modules and Secure Boot from fake procfs/sysfs trees.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "facts/host_state.hpp"

namespace aiprov::facts {
namespace {

namespace stdfs = std::filesystem;

class HostStateTest : public ::testing::Test {
 protected:
  HostStateTest() {
    char tmpl[] = "/tmp/aiprov-hoststate-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
  }
  ~HostStateTest() override { stdfs::remove_all(m_dir); }
  void put(const std::string& rel, const std::string& bytes) {
    stdfs::path p = stdfs::path(m_dir) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }
  std::string m_dir;
};

TEST_F(HostStateTest, KernelModules) {
  struct Case {
    const char* modules;
    bool nouveau;
    bool nvidia;
  };
  const Case cases[] = {
      {"nouveau 2355200 1 - Live 0x0000000000000000\ndrm_ttm_helper 16384 1 nouveau, Live 0x0\n", true, false},
      {"nvidia_uvm 1532928 0 - Live 0x0\nnvidia_drm 77824 2 - Live 0x0\n"
       "nvidia 56463360 9 nvidia_uvm,nvidia_modeset, Live 0x0 (POE)\n",
       false, true},
      {"nvidia_uvm 1532928 0 - Live 0x0\n", false, false},  // a prefix is not the module
      {"", false, false},
  };
  for (const auto& c : cases) {
    put("proc/modules", c.modules);
    auto m = gather_kernel_modules(m_dir + "/proc");
    EXPECT_EQ(m["nouveau"], c.nouveau) << c.modules;
    EXPECT_EQ(m["nvidia"], c.nvidia) << c.modules;
  }
  auto none = gather_kernel_modules(m_dir + "/nowhere");
  EXPECT_EQ(none["nouveau"], false);
}

TEST_F(HostStateTest, SecureBoot) {
  const std::string var = "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0980e5da5ed";
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "unknown");  // no EFI directory
  stdfs::create_directories(m_dir + "/sys/firmware/efi/efivars");
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "unknown");  // efivarfs not mounted
  put("sys/firmware/efi/efivars/BootCurrent-8be4df61-93ca-11d2-aa0d-e0980e5da5ed", std::string("\x06\0\0\0\x01\0", 6));
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "disabled");  // EFI without the variable
  put(var, std::string("\x06\0\0\0\x01", 5));
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "enabled");
  put(var, std::string("\x06\0\0\0\0", 5));
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "disabled");
  put(var, std::string("\x06\0\0", 3));
  EXPECT_EQ(secure_boot_state(m_dir + "/sys"), "unknown");  // truncated
}

}  // namespace
}  // namespace aiprov::facts
