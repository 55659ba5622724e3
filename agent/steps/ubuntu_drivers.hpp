#pragma once
/// What Ubuntu's `ubuntu-drivers` prints (package ubuntu-drivers-common):
///   `ubuntu-drivers devices`: one block per device that needs a driver,
///       == /sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0 ==
///       modalias : pci:v000010DEd00001E07sv000019DAsd00002518bc03sc00i00
///       vendor   : NVIDIA Corporation
///       model    : TU102 [GeForce RTX 2080 Ti Rev. A]
///       driver   : nvidia-driver-515 - distro non-free recommended
///       driver   : xserver-xorg-video-nouveau - distro free builtin
///   `ubuntu-drivers list`: one driver a line, with the package that holds its kernel modules,
///       nvidia-driver-550, (kernel modules provided by linux-modules-nvidia-550-generic-hwe-22.04)
/// Captures: tests/fixtures/real/ubuntu-drivers-{devices-rtx2080ti-515,list-22.04-hwe}.txt.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiprov::steps::ubuntu_drivers {

/// One "driver : PACKAGE - FLAGS" line of a device.
struct DriverOption {
  std::string package;      ///< "nvidia-driver-515"
  std::string origin;       ///< "distro" or "third-party"
  bool free = false;        ///< "free" (false for "non-free")
  bool recommended = false;
  bool builtin = false;     ///< the driver is part of the kernel/X (nouveau)
};

struct Device {
  std::string sysfs_path;  ///< the path between "== " and " =="
  std::string modalias;
  std::string vendor;
  std::string model;
  bool manual_install = false;  ///< "manual_install: True"
  std::vector<DriverOption> drivers;
  /// The driver marked "recommended", or nullptr.
  const DriverOption* recommended() const;
};

/// The devices of `ubuntu-drivers devices`, in order. Lines outside a block and lines that are not
/// "key : value" (warnings the tool prints, such as "udevadm hwdb is deprecated") are ignored.
std::vector<Device> parse_devices(std::string_view output);

/// The recommended driver package of the first NVIDIA device that has one ("" when none).
std::string recommended_nvidia_driver(const std::vector<Device>& devices);

/// One line of `ubuntu-drivers list`.
struct ListedDriver {
  std::string package;          ///< "nvidia-driver-550"
  std::string modules_package;  ///< "linux-modules-nvidia-550-generic-hwe-22.04", "nvidia-dkms-545", or ""
};

/// The drivers of `ubuntu-drivers list` (also `list --gpgpu`), in order; other lines are ignored.
std::vector<ListedDriver> parse_list(std::string_view output);

}  // namespace aiprov::steps::ubuntu_drivers
