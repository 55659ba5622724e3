#pragma once
/// NVIDIA driver facts through NVML, loaded at run time with dlopen("libnvidia-ml.so.1"): the agent
/// never links against CUDA or the driver. Private to the facts layer.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace aiprov::facts {

/// The few NVML entry points used, with NVML's C signatures (nvmlReturn_t is an int, 0 = success;
/// nvmlDevice_t an opaque pointer). A fake is a struct filled with the test's own functions.
struct NvmlApi {
  using Device = struct NvmlDeviceOpaque*;
  struct Memory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
  };
  int (*init)() = nullptr;                                      ///< nvmlInit_v2
  int (*shutdown)() = nullptr;                                  ///< nvmlShutdown
  int (*driver_version)(char*, unsigned) = nullptr;             ///< nvmlSystemGetDriverVersion
  int (*cuda_driver_version)(int*) = nullptr;                   ///< nvmlSystemGetCudaDriverVersion_v2
  int (*device_count)(unsigned*) = nullptr;                     ///< nvmlDeviceGetCount_v2
  int (*device_by_index)(unsigned, Device*) = nullptr;          ///< nvmlDeviceGetHandleByIndex_v2
  int (*device_name)(Device, char*, unsigned) = nullptr;        ///< nvmlDeviceGetName
  int (*device_memory)(Device, Memory*) = nullptr;              ///< nvmlDeviceGetMemoryInfo
  int (*nvlink_state)(Device, unsigned, int*) = nullptr;        ///< nvmlDeviceGetNvLinkState (optional)
};

/// libnvidia-ml.so.1 opened with dlopen; closed on destruction.
class NvmlLibrary {
 public:
  /// Opens the library and resolves the entry points; on failure ok() is false and reason() says why.
  explicit NvmlLibrary(const char* soname = "libnvidia-ml.so.1");
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;
  bool ok() const { return m_ok; }
  const std::string& reason() const { return m_reason; }
  const NvmlApi& api() const { return m_api; }

 private:
  void* m_handle = nullptr;
  bool m_ok = false;
  std::string m_reason;
  NvmlApi m_api;
};

/// NVML's CUDA driver version number as "major.minor": 12040 -> "12.4".
std::string cuda_version_string(int version);

/// facts.nvidia from a loaded API: {present: true, driver_version, cuda_version, gpus: [{index,
/// name, memory_total_bytes, nvlink_links}]}, or {present: false, reason} when init fails. Calls
/// shutdown after a successful init.
nlohmann::json query_nvml(const NvmlApi& api);

/// facts.nvidia of this machine: loads the library and queries it; {present: false, reason} when
/// the library is absent.
nlohmann::json gather_nvidia();

}  // namespace aiprov::facts
