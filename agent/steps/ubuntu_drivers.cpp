// Parsers of `ubuntu-drivers devices` and `ubuntu-drivers list`.
#include "steps/ubuntu_drivers.hpp"

#include <cctype>

namespace aiprov::steps::ubuntu_drivers {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// Calls on_line for each line of `text` (without its newline, '\r' removed).
template <typename Fn>
void for_each_line(std::string_view text, Fn&& on_line) {
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
  }
}

bool is_package_name(std::string_view s) {
  if (s.size() < 2 || !std::isalnum(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '+' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

/// "nvidia-driver-515 - distro non-free recommended"
std::optional<DriverOption> parse_driver(std::string_view value) {
  std::size_t sep = value.find(" - ");
  DriverOption d;
  d.package = std::string(trim(value.substr(0, sep)));
  if (!is_package_name(d.package)) return std::nullopt;
  std::string_view flags = sep == std::string_view::npos ? std::string_view() : value.substr(sep + 3);
  while (!(flags = trim(flags)).empty()) {
    std::size_t end = flags.find(' ');
    std::string_view word = flags.substr(0, end);
    flags.remove_prefix(end == std::string_view::npos ? flags.size() : end);
    if (word == "distro" || word == "third-party") d.origin = std::string(word);
    else if (word == "free") d.free = true;
    else if (word == "recommended") d.recommended = true;
    else if (word == "builtin") d.builtin = true;
  }
  return d;
}

}  // namespace

const DriverOption* Device::recommended() const {
  for (const auto& d : drivers)
    if (d.recommended) return &d;
  return nullptr;
}

std::vector<Device> parse_devices(std::string_view output) {
  std::vector<Device> devices;
  for_each_line(output, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    if (line.size() > 6 && line.substr(0, 3) == "== " && line.substr(line.size() - 3) == " ==") {
      devices.emplace_back();
      devices.back().sysfs_path = std::string(trim(line.substr(3, line.size() - 6)));
      return;
    }
    if (devices.empty()) return;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    Device& d = devices.back();
    if (key == "modalias") d.modalias = std::string(value);
    else if (key == "vendor") d.vendor = std::string(value);
    else if (key == "model") d.model = std::string(value);
    else if (key == "manual_install") d.manual_install = value == "True";
    else if (key == "driver") {
      if (auto driver = parse_driver(value)) d.drivers.push_back(std::move(*driver));
    }
  });
  return devices;
}

std::string recommended_nvidia_driver(const std::vector<Device>& devices) {
  for (const auto& d : devices) {
    // NVIDIA's PCI vendor id is 10de; the vendor name is absent when pci.ids does not know it.
    const bool nvidia = d.modalias.rfind("pci:v000010DE", 0) == 0 || d.vendor.find("NVIDIA") != std::string::npos;
    const DriverOption* r = d.recommended();
    if (nvidia && r) return r->package;
  }
  return {};
}

std::vector<ListedDriver> parse_list(std::string_view output) {
  static constexpr std::string_view kModules = "(kernel modules provided by ";
  std::vector<ListedDriver> out;
  for_each_line(output, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    std::size_t comma = line.find(',');
    ListedDriver d;
    d.package = std::string(trim(line.substr(0, comma)));
    if (!is_package_name(d.package)) return;
    if (comma != std::string_view::npos) {
      std::string_view rest = trim(line.substr(comma + 1));
      if (rest.substr(0, kModules.size()) != kModules || rest.back() != ')') return;
      d.modules_package = std::string(trim(rest.substr(kModules.size(), rest.size() - kModules.size() - 1)));
    }
    out.push_back(std::move(d));
  });
  return out;
}

}  // namespace aiprov::steps::ubuntu_drivers
