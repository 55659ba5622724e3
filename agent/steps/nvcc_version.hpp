#pragma once
/// The output of `nvcc --version` (tests/fixtures/real/nvcc-version-*.txt):
///
///     Cuda compilation tools, release 12.4, V12.4.99

#include <optional>
#include <string>

namespace aiprov::steps {

struct NvccVersion {
  std::string release;  ///< "12.4"
  std::string version;  ///< "12.4.99" (without the 'V'); "" when the line has none
};

/// From the line "Cuda compilation tools, release X.Y, VX.Y.Z"; nullopt when there is none.
std::optional<NvccVersion> parse_nvcc_version(const std::string& text);

}  // namespace aiprov::steps
