#pragma once
/// The output of `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv`:
///
///     name, driver_version, memory.total [MiB]
///     NVIDIA L40, 580.126.09, 46068 MiB
///
/// one row per GPU after the header (tests/fixtures/real/nvidia-smi-query-*.csv).

#include <optional>
#include <string>
#include <vector>

namespace aiprov::steps {

/// The argv that prints it, after the program: {"--query-gpu=...", "--format=csv"}.
const std::vector<std::string>& gpu_query_args();

struct GpuRow {
  std::string name;
  std::string driver_version;
  long memory_mib = -1;  ///< -1 when nvidia-smi printed "[N/A]" or something else than "N MiB"
};

/// The rows, or nullopt with `error` set ("no header line 'name, driver_version, ...'") when the
/// text is not such a table. The columns are found by their header names; an empty table (header
/// only) is an empty vector.
std::optional<std::vector<GpuRow>> parse_gpu_query_csv(const std::string& text, std::string* error);

}  // namespace aiprov::steps
