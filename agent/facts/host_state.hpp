#pragma once
/// Kernel modules and Secure Boot state: what decides whether the NVIDIA driver can load.
/// Private to the facts layer.

#include <string>

#include <nlohmann/json.hpp>

namespace aiprov::facts {

/// {nouveau, nvidia}: whether PROC/modules lists each module as loaded ("nouveau ..." lines).
/// An unreadable file gives false for both.
nlohmann::json gather_kernel_modules(const std::string& proc_root);

/// "enabled" / "disabled" from the SecureBoot EFI variable under SYSFS/firmware/efi/efivars (4
/// bytes of attributes, then the value byte 1 or 0). EFI variables readable but no SecureBoot one:
/// "disabled"; no EFI directory (legacy BIOS, or a sysfs not showing firmware), efivarfs not
/// mounted (empty efivars), or an unreadable value: "unknown".
std::string secure_boot_state(const std::string& sysfs_root);

}  // namespace aiprov::facts
