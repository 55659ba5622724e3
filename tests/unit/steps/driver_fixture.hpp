#pragma once
/// Shared helpers of the NVIDIA driver step tests (nvidia_driver, apt_hold, reboot, cuda_driver_check):
/// a fake dpkg status file, real captures, the Context with a pending change of an earlier step.

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_host.hpp"
#include "steps/dpkg_status.hpp"

namespace aiprov::testing {

/// A capture from tests/fixtures/real/.
inline std::string read_real(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// One dpkg status stanza.
inline std::string dpkg_stanza(const std::string& name, const std::string& version,
                               const std::string& status = "install ok installed") {
  return "Package: " + name + "\nStatus: " + status + "\nArchitecture: amd64\nVersion: " + version +
         "\nDescription: " + name + "\n\n";
}

/// A FakeHost whose dpkg status file holds `packages` (name, version) installed; the status cache
/// is forgotten on construction and destruction (the fake file system's mtimes are all zero).
using Packages = std::vector<std::pair<std::string, std::string>>;

struct DpkgHost : FakeHost {
  explicit DpkgHost(const std::vector<std::pair<std::string, std::string>>& packages = {}) {
    steps::dpkg::forget_installed_packages();
    std::string text = dpkg_stanza("bash", "5.1-6ubuntu1");
    for (const auto& [name, version] : packages) text += dpkg_stanza(name, version);
    fs.add_file("/var/lib/dpkg/status", text);
  }
  ~DpkgHost() { steps::dpkg::forget_installed_packages(); }
  /// Appends an installed package (as dpkg would).
  void install(const std::string& name, const std::string& version, const std::string& status = "install ok installed") {
    fs.put("/var/lib/dpkg/status", fs.read("/var/lib/dpkg/status").value() + dpkg_stanza(name, version, status));
    steps::dpkg::forget_installed_packages();
  }
  /// Rewrites the status of `name` in place ("hold ok installed").
  void set_status(const std::string& name, const std::string& status) {
    std::string text = fs.read("/var/lib/dpkg/status").value();
    std::string head = "Package: " + name + "\nStatus: ";
    auto at = text.find(head);
    ASSERT_NE(at, std::string::npos) << name;
    auto eol = text.find('\n', at + head.size());
    text.replace(at + head.size(), eol - at - head.size(), status);
    fs.put("/var/lib/dpkg/status", text);
    steps::dpkg::forget_installed_packages();
  }
};

}  // namespace aiprov::testing
