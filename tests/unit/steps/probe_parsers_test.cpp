// The probes' parsers on the real captures of tests/fixtures/real/ (nvidia-smi's CSV query, nvcc
// --version of CUDA 12.4 and of Ubuntu's 11.5) and on pip's and conda's one-line formats.

#include "probe_fixture.hpp"
#include "steps/nvcc_version.hpp"
#include "steps/nvidia_smi_csv.hpp"
#include "steps/pip_config_list.hpp"
#include "steps/version_line.hpp"

namespace aiprov::testing {
namespace {

using steps::GpuRow;

TEST(GpuQueryCsv, TwoL40s) {
  std::string error;
  auto rows = steps::parse_gpu_query_csv(real_capture("nvidia-smi-query-name-driver-memory-2gpu-l40.csv"), &error);
  ASSERT_TRUE(rows) << error;
  ASSERT_EQ(rows->size(), 2u);
  for (const GpuRow& row : *rows) {
    EXPECT_EQ(row.name, "NVIDIA L40");
    EXPECT_EQ(row.driver_version, "580.126.09");
    EXPECT_EQ(row.memory_mib, 46068);
  }
}

TEST(GpuQueryCsv, LaptopGpuWithALongName) {
  std::string error;
  auto rows = steps::parse_gpu_query_csv(real_capture("nvidia-smi-query-name-driver-memory-linux.csv"), &error);
  ASSERT_TRUE(rows) << error;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].name, "NVIDIA GeForce RTX 5060 Laptop GPU");
  EXPECT_EQ((*rows)[0].driver_version, "595.84");
  EXPECT_EQ((*rows)[0].memory_mib, 8151);
}

TEST(GpuQueryCsv, HeaderOnlyIsNoGpu) {
  auto rows = steps::parse_gpu_query_csv("name, driver_version, memory.total [MiB]\n", nullptr);
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

TEST(GpuQueryCsv, NotATable) {
  std::string error;
  // What nvidia-smi prints without a driver (its first line), and its default table.
  EXPECT_FALSE(steps::parse_gpu_query_csv(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", &error));
  EXPECT_EQ(error, "no header line 'name, driver_version, memory.total [MiB]'");
  EXPECT_FALSE(steps::parse_gpu_query_csv(real_capture("nvidia-smi-550.127.08-tesla-t4-cuda12.4.txt"), &error));
  EXPECT_FALSE(steps::parse_gpu_query_csv("name, driver_version, memory.total [MiB]\nTesla T4, 550.127.08\n", &error));
  EXPECT_EQ(error, "a row without 3 columns: 'Tesla T4, 550.127.08'");
}

TEST(GpuQueryCsv, MemoryNotInMiB) {
  auto rows = steps::parse_gpu_query_csv("name, driver_version, memory.total [MiB]\nX, 1.2, [N/A]\n", nullptr);
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].memory_mib, -1);
}

TEST(NvccVersion, Cuda124) {
  auto v = steps::parse_nvcc_version(real_capture("nvcc-version-12.4.99.txt"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->release, "12.4");
  EXPECT_EQ(v->version, "12.4.99");
}

TEST(NvccVersion, UbuntuCuda115) {
  auto v = steps::parse_nvcc_version(real_capture("nvcc-version-11.5.119-ubuntu-nvidia-cuda-toolkit.txt"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->release, "11.5");
  EXPECT_EQ(v->version, "11.5.119");
}

TEST(NvccVersion, NoReleaseLine) {
  EXPECT_FALSE(steps::parse_nvcc_version("bash: nvcc: command not found\n"));
  EXPECT_FALSE(steps::parse_nvcc_version(""));
}

TEST(PipConfigList, KeysAndQuotedValues) {
  auto config = steps::parse_pip_config_list(
      "global.index-url='https://pypi.tuna.tsinghua.edu.cn/simple'\n"
      "global.trusted-host='pypi.tuna.tsinghua.edu.cn'\n"
      "WARNING: something=odd\n"
      "install.extra=\"it's\"\n");
  EXPECT_EQ(config.size(), 3u);
  EXPECT_EQ(config["global.index-url"], "https://pypi.tuna.tsinghua.edu.cn/simple");
  EXPECT_EQ(config["global.trusted-host"], "pypi.tuna.tsinghua.edu.cn");
  EXPECT_EQ(config["install.extra"], "it's");
}

TEST(PipConfigList, EmptyWhenNothingIsSet) { EXPECT_TRUE(steps::parse_pip_config_list("").empty()); }

TEST(VersionLine, CondaAndPython) {
  EXPECT_EQ(steps::version_after("conda 23.7.4\n", "conda"), "23.7.4");
  EXPECT_EQ(steps::version_after("Python 3.11.9\n", "Python"), "3.11.9");
  EXPECT_EQ(steps::version_after("warning: x\nPython 3.10.12\n", "Python"), "3.10.12");
  EXPECT_FALSE(steps::version_after("python: not found\n", "Python"));
  EXPECT_FALSE(steps::version_after("conda activate\n", "conda"));
}

}  // namespace
}  // namespace aiprov::testing
