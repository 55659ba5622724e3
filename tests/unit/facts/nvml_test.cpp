// query_nvml with a fake NVML: two GPUs, CUDA 12040, NVLink on the second.

#include <cstdint>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "facts/nvml.hpp"

namespace aiprov::facts {
namespace {

int g_init_rc = 0;
int g_shutdowns = 0;
NvmlApi::Device fake_device(unsigned i) { return reinterpret_cast<NvmlApi::Device>(static_cast<std::uintptr_t>(0x100 + i)); }
unsigned index_of(NvmlApi::Device d) { return static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(d) - 0x100); }

int fake_init() { return g_init_rc; }
int fake_shutdown() { return ++g_shutdowns, 0; }
int fake_driver(char* buf, unsigned len) { return std::snprintf(buf, len, "550.54.15"), 0; }
int fake_cuda(int* v) { return *v = 12040, 0; }
int fake_count(unsigned* n) { return *n = 2, 0; }
int fake_handle(unsigned i, NvmlApi::Device* d) { return *d = fake_device(i), 0; }
int fake_name(NvmlApi::Device d, char* buf, unsigned len) {
  std::snprintf(buf, len, "%s", index_of(d) == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA L40");
  return 0;
}
int fake_memory(NvmlApi::Device d, NvmlApi::Memory* m) {
  m->total = index_of(d) == 0 ? 85520809984ull : 48305799168ull;
  return 0;
}
// GPU 0: every other one of links 0..17 enabled; GPU 1: no NVLink (NVML_ERROR_NOT_SUPPORTED = 3).
int fake_nvlink(NvmlApi::Device d, unsigned link, int* state) {
  if (index_of(d) == 1) return 3;
  *state = link % 2 == 0 ? 1 : 0;  // every other link up: 9 of 18
  return 0;
}

NvmlApi fake_api() {
  NvmlApi api;
  api.init = fake_init;
  api.shutdown = fake_shutdown;
  api.driver_version = fake_driver;
  api.cuda_driver_version = fake_cuda;
  api.device_count = fake_count;
  api.device_by_index = fake_handle;
  api.device_name = fake_name;
  api.device_memory = fake_memory;
  api.nvlink_state = fake_nvlink;
  return api;
}

TEST(Nvml, CudaVersionString) {
  EXPECT_EQ(cuda_version_string(12040), "12.4");
  EXPECT_EQ(cuda_version_string(11080), "11.8");
  EXPECT_EQ(cuda_version_string(12000), "12.0");
}

TEST(Nvml, QueriesTwoGpus) {
  g_init_rc = 0;
  g_shutdowns = 0;
  auto n = query_nvml(fake_api());
  EXPECT_EQ(n["present"], true);
  EXPECT_EQ(n["driver_version"], "550.54.15");
  EXPECT_EQ(n["cuda_version"], "12.4");
  ASSERT_EQ(n["gpus"].size(), 2u);
  EXPECT_EQ(n["gpus"][0]["index"], 0);
  EXPECT_EQ(n["gpus"][0]["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(n["gpus"][0]["memory_total_bytes"], 85520809984ull);
  EXPECT_EQ(n["gpus"][0]["nvlink_links"], 9);
  EXPECT_EQ(n["gpus"][1]["index"], 1);
  EXPECT_EQ(n["gpus"][1]["name"], "NVIDIA L40");
  EXPECT_EQ(n["gpus"][1]["memory_total_bytes"], 48305799168ull);
  EXPECT_EQ(n["gpus"][1]["nvlink_links"], 0);
  EXPECT_EQ(g_shutdowns, 1);
}

TEST(Nvml, WithoutNvLinkEntryPoint) {
  g_init_rc = 0;
  auto api = fake_api();
  api.nvlink_state = nullptr;
  EXPECT_EQ(query_nvml(api)["gpus"][0]["nvlink_links"], 0);
}

TEST(Nvml, InitFailure) {
  g_init_rc = 9;  // NVML_ERROR_DRIVER_NOT_LOADED
  g_shutdowns = 0;
  auto n = query_nvml(fake_api());
  EXPECT_EQ(n["present"], false);
  EXPECT_NE(n["reason"].get<std::string>().find("9"), std::string::npos);
  EXPECT_EQ(g_shutdowns, 0);
}

TEST(Nvml, MissingLibrary) {
  NvmlLibrary lib("libaiprov-no-such-nvml.so.1");
  EXPECT_FALSE(lib.ok());
  EXPECT_NE(lib.reason().find("libaiprov-no-such-nvml.so.1"), std::string::npos);
}

}  // namespace
}  // namespace aiprov::facts
