// NVML through dlopen: driver and CUDA versions, GPU names, memory and NVLink links.

#include "facts/nvml.hpp"

#include <dlfcn.h>

namespace aiprov::facts {
namespace {

constexpr unsigned kMaxNvLinks = 18;  // NVML_NVLINK_MAX_LINKS
constexpr int kSuccess = 0;           // NVML_SUCCESS
constexpr int kFeatureEnabled = 1;    // NVML_FEATURE_ENABLED

template <typename F>
bool resolve(void* handle, const char* name, F& fn) {
  void* sym = ::dlsym(handle, name);
  fn = reinterpret_cast<F>(sym);
  return sym != nullptr;
}

}  // namespace

NvmlLibrary::NvmlLibrary(const char* soname) {
  m_handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (m_handle == nullptr) {
    const char* err = ::dlerror();
    m_reason = std::string("cannot load ") + soname + (err ? std::string(": ") + err : "");
    return;
  }
  const char* missing = nullptr;
  auto need = [&](const char* name, auto& fn) {
    if (!resolve(m_handle, name, fn) && missing == nullptr) missing = name;
  };
  need("nvmlInit_v2", m_api.init);
  need("nvmlShutdown", m_api.shutdown);
  need("nvmlSystemGetDriverVersion", m_api.driver_version);
  need("nvmlSystemGetCudaDriverVersion_v2", m_api.cuda_driver_version);
  need("nvmlDeviceGetCount_v2", m_api.device_count);
  need("nvmlDeviceGetHandleByIndex_v2", m_api.device_by_index);
  need("nvmlDeviceGetName", m_api.device_name);
  need("nvmlDeviceGetMemoryInfo", m_api.device_memory);
  resolve(m_handle, "nvmlDeviceGetNvLinkState", m_api.nvlink_state);  // optional
  if (missing != nullptr) {
    m_reason = std::string(soname) + " lacks " + missing;
    return;
  }
  m_ok = true;
}

NvmlLibrary::~NvmlLibrary() {
  if (m_handle != nullptr) ::dlclose(m_handle);
}

std::string cuda_version_string(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

nlohmann::json query_nvml(const NvmlApi& api) {
  int rc = api.init();
  if (rc != kSuccess) return {{"present", false}, {"reason", "nvmlInit failed with NVML error " + std::to_string(rc)}};
  nlohmann::json out = {{"present", true}};
  char text[96] = {};
  out["driver_version"] = api.driver_version(text, sizeof text) == kSuccess ? std::string(text) : "";
  int cuda = 0;
  out["cuda_version"] = api.cuda_driver_version(&cuda) == kSuccess ? cuda_version_string(cuda) : "";
  unsigned count = 0;
  if (api.device_count(&count) != kSuccess) count = 0;
  nlohmann::json gpus = nlohmann::json::array();
  for (unsigned i = 0; i < count; ++i) {
    NvmlApi::Device device = nullptr;
    if (api.device_by_index(i, &device) != kSuccess) continue;
    nlohmann::json gpu = {{"index", i}};
    char name[96] = {};
    gpu["name"] = api.device_name(device, name, sizeof name) == kSuccess ? std::string(name) : "";
    NvmlApi::Memory memory{};
    gpu["memory_total_bytes"] = api.device_memory(device, &memory) == kSuccess ? memory.total : 0ull;
    int links = 0;
    for (unsigned link = 0; api.nvlink_state != nullptr && link < kMaxNvLinks; ++link) {
      int state = 0;
      if (api.nvlink_state(device, link, &state) == kSuccess && state == kFeatureEnabled) ++links;
    }
    gpu["nvlink_links"] = links;
    gpus.push_back(std::move(gpu));
  }
  out["gpus"] = std::move(gpus);
  api.shutdown();
  return out;
}

nlohmann::json gather_nvidia() {
  NvmlLibrary library;
  if (!library.ok()) return {{"present", false}, {"reason", library.reason()}};
  return query_nvml(library.api());
}

}  // namespace aiprov::facts
