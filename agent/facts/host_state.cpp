// Loaded kernel modules (/proc/modules) and the Secure Boot EFI variable.

#include "facts/host_state.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace aiprov::facts {
namespace {

namespace stdfs = std::filesystem;

constexpr const char* kSecureBootVar = "SecureBoot-8be4df61-93ca-11d2-aa0d-e0980e5da5ed";

}  // namespace

nlohmann::json gather_kernel_modules(const std::string& proc_root) {
  bool nouveau = false;
  bool nvidia = false;
  std::ifstream in(proc_root + "/modules");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("nouveau ", 0) == 0) nouveau = true;
    if (line.rfind("nvidia ", 0) == 0) nvidia = true;
  }
  return {{"nouveau", nouveau}, {"nvidia", nvidia}};
}

std::string secure_boot_state(const std::string& sysfs_root) {
  stdfs::path efi = stdfs::path(sysfs_root) / "firmware/efi";
  std::error_code ec;
  if (!stdfs::is_directory(efi, ec)) return "unknown";
  stdfs::path vars = efi / "efivars";
  // efivarfs not mounted shows an empty (or no) directory: nothing can be told then.
  if (!stdfs::is_directory(vars, ec) || stdfs::is_empty(vars, ec) || ec) return "unknown";
  stdfs::path var = vars / kSecureBootVar;
  if (!stdfs::exists(var, ec)) return ec ? "unknown" : "disabled";
  std::ifstream in(var, std::ios::binary);
  char bytes[5] = {};
  if (!in.read(bytes, sizeof bytes)) return "unknown";
  if (bytes[4] == 1) return "enabled";
  if (bytes[4] == 0) return "disabled";
  return "unknown";
}

}  // namespace aiprov::facts
