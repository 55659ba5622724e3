#include <string>

#include <gtest/gtest.h>

#include "facts/facts_internal.hpp"

namespace aiprov::facts {
namespace {

TEST(CpuinfoTest, ModelAndCores) {
  const std::string x86 =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\n"
      "physical id\t: 0\ncore id\t\t: 0\n\n"
      "processor\t: 1\nmodel name\t: Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\nphysical id\t: 0\ncore id\t\t: 1\n\n"
      "processor\t: 2\nmodel name\t: Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\nphysical id\t: 0\ncore id\t\t: 0\n\n"
      "processor\t: 3\nmodel name\t: Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\nphysical id\t: 0\ncore id\t\t: 1\n";
  auto cpu = parse_cpuinfo(x86);
  EXPECT_EQ(cpu["model"], "Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz");
  EXPECT_EQ(cpu["cores"], 4);
  EXPECT_EQ(cpu["physical_cores"], 2);

  auto arm = parse_cpuinfo("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\nprocessor\t: 1\n");
  EXPECT_EQ(arm["model"], "");
  EXPECT_EQ(arm["cores"], 2);
  EXPECT_FALSE(arm.contains("physical_cores"));

  EXPECT_EQ(parse_cpuinfo("")["cores"], 0);
}

TEST(MeminfoTest, TotalInBytes) {
  struct Case {
    std::string text;
    std::uint64_t want;
  };
  const Case cases[] = {
      {"MemTotal:       65755332 kB\nMemFree:        60111084 kB\n", 65755332ull * 1024},
      {"MemFree:  1 kB\nMemTotal: 2048 kB\n", 2048ull * 1024},
      {"", 0},
      {"MemTotal: lots\n", 0},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_meminfo_total(c.text), c.want) << c.text;
}

TEST(ArchTest, DpkgNames) {
  const std::pair<const char*, const char*> cases[] = {
      {"x86_64", "amd64"}, {"aarch64", "arm64"}, {"ppc64le", "ppc64el"},
      {"i686", "i386"},    {"armv7l", "armhf"},  {"riscv64", "riscv64"},
  };
  for (const auto& [machine, want] : cases) EXPECT_EQ(dpkg_arch(machine), want) << machine;
}

TEST(ArchTest, NvidiaRepositoryNames) {
  // https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/{x86_64,sbsa}/
  const std::pair<const char*, const char*> cases[] = {
      {"amd64", "x86_64"}, {"arm64", "sbsa"}, {"ppc64el", ""}, {"armhf", ""}, {"", ""},
  };
  for (const auto& [arch, want] : cases) EXPECT_EQ(cuda_repo_arch(arch), want) << arch;
  EXPECT_EQ(distro_tag("ubuntu", "22.04"), "ubuntu2204");
  EXPECT_EQ(distro_tag("debian", "12"), "debian12");
}

}  // namespace
}  // namespace aiprov::facts
