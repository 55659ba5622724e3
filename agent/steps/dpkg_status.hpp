#pragma once
/// The installed-package database of a root tree: /var/lib/dpkg/status parsed in one pass, and a
/// process-wide cache so that several apt_packages steps (and the engine's re-plan after apply) read
/// and parse it only when it changed.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aiprov/host.hpp"

namespace aiprov::steps::dpkg {

/// What dpkg records of one package: the three words of its Status field ("install ok installed",
/// "hold ok installed", "deinstall ok config-files", ...), Version and Architecture.
struct PackageState {
  std::string name;
  std::string architecture;
  std::string version;
  std::string want;    ///< unknown | install | hold | deinstall | purge
  std::string flag;    ///< ok | reinstreq
  std::string status;  ///< not-installed | config-files | half-installed | unpacked | ... | installed
  /// Unpacked and configured: "installed" (config-files, half-installed, unpacked are not).
  bool installed() const { return status == "installed"; }
  /// Marked to be kept at its version (`apt-mark hold`, `dpkg --set-selections`).
  bool held() const { return want == "hold"; }
};

/// Packages by name. A Multi-Arch package installed for several architectures is found under
/// "name:arch" for each, and under the bare "name" as the installed one (the first listed when
/// several are installed, the first listed when none is).
using StatusMap = std::unordered_map<std::string, PackageState>;

/// Parses the text of a dpkg status file (stanzas of "Field: value" lines separated by blank lines;
/// continuation lines start with a space or tab). Stanzas without a Package field are skipped;
/// field names are matched case-insensitively, as dpkg does.
StatusMap parse_status(std::string_view text);

/// The logical path of the status file.
inline constexpr const char* kStatusPath = "/var/lib/dpkg/status";

/// The parsed status file of `fs`'s root: parsed again only when its size or mtime changed since the
/// last call for the same root (thread-safe). A root without a status file has no packages.
/// Throws HostError when the file cannot be read.
std::shared_ptr<const StatusMap> installed_packages(const FileSystem& fs);

/// Forgets every cached status file (for tests whose fake file system keeps mtimes at zero).
void forget_installed_packages();

}  // namespace aiprov::steps::dpkg
