// The parsers of `ubuntu-drivers devices` and `ubuntu-drivers list` on real captures.
#include <gtest/gtest.h>

#include "driver_fixture.hpp"
#include "steps/ubuntu_drivers.hpp"

namespace aiprov {
namespace {

using namespace steps::ubuntu_drivers;

TEST(UbuntuDrivers, DevicesRtx2080Ti) {
  auto devices = parse_devices(testing::read_real("ubuntu-drivers-devices-rtx2080ti-515.txt"));
  ASSERT_EQ(devices.size(), 1u);
  const Device& d = devices[0];
  EXPECT_EQ(d.sysfs_path, "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
  EXPECT_EQ(d.modalias, "pci:v000010DEd00001E07sv000019DAsd00002518bc03sc00i00");
  EXPECT_EQ(d.vendor, "NVIDIA Corporation");
  EXPECT_EQ(d.model, "TU102 [GeForce RTX 2080 Ti Rev. A]");
  ASSERT_EQ(d.drivers.size(), 9u);
  EXPECT_EQ(d.drivers[0].package, "nvidia-driver-510");
  EXPECT_EQ(d.drivers[0].origin, "distro");
  EXPECT_FALSE(d.drivers[0].free);
  EXPECT_FALSE(d.drivers[0].recommended);
  EXPECT_EQ(d.drivers[1].package, "nvidia-driver-515-server");
  EXPECT_EQ(d.drivers[8].package, "xserver-xorg-video-nouveau");
  EXPECT_TRUE(d.drivers[8].free);
  EXPECT_TRUE(d.drivers[8].builtin);
  ASSERT_NE(d.recommended(), nullptr);
  EXPECT_EQ(d.recommended()->package, "nvidia-driver-515");
  EXPECT_EQ(recommended_nvidia_driver(devices), "nvidia-driver-515");
}

TEST(UbuntuDrivers, DevicesIgnoresNoiseAndSkipsNonNvidia) {
  std::string out =
      "udevadm hwdb is deprecated. Use systemd-hwdb instead.\n"
      "== /sys/devices/pci0000:00/0000:00:02.0 ==\n"
      "modalias : pci:v00008086d00003E92sv00001043sd00008694bc03sc00i00\n"
      "vendor   : Intel Corporation\n"
      "driver   : intel-something - third-party free recommended\n"
      "\n" +
      testing::read_real("ubuntu-drivers-devices-rtx2080ti-515.txt") +
      "== /sys/devices/pci0000:00/0000:00:1c.0 ==\n"
      "modalias : pci:v000010DEd00002204sv00001458sd0000403Bbc03sc00i00\n"
      "vendor   : NVIDIA Corporation\n"
      "manual_install: True\n"
      "driver   : nvidia-driver-535 - third-party non-free recommended\n";
  auto devices = parse_devices(out);
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(devices[0].recommended()->origin, "third-party");
  EXPECT_TRUE(devices[2].manual_install);
  EXPECT_EQ(recommended_nvidia_driver(devices), "nvidia-driver-515") << "the first NVIDIA device, not Intel's";
  EXPECT_TRUE(parse_devices("").empty());
  EXPECT_EQ(recommended_nvidia_driver(parse_devices("ERROR:root:aplay command not found\n")), "");
}

TEST(UbuntuDrivers, ListHwe2204) {
  auto list = parse_list(testing::read_real("ubuntu-drivers-list-22.04-hwe.txt"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].package, "nvidia-driver-550");
  EXPECT_EQ(list[0].modules_package, "linux-modules-nvidia-550-generic-hwe-22.04");
  EXPECT_EQ(list[1].package, "nvidia-driver-545");
  EXPECT_EQ(list[1].modules_package, "nvidia-dkms-545");
  EXPECT_EQ(list[2].package, "nvidia-driver-418-server");
  EXPECT_EQ(list[2].modules_package, "nvidia-dkms-418-server");
}

TEST(UbuntuDrivers, ListWithoutModulesAndNoise) {
  auto list = parse_list("udevadm hwdb is deprecated. Use systemd-hwdb instead.\nnvidia-driver-535-server\n");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].package, "nvidia-driver-535-server");
  EXPECT_EQ(list[0].modules_package, "");
}

}  // namespace
}  // namespace aiprov
