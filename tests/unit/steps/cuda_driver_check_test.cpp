// The cuda_driver_check step: NVML first on a live root, else the driver packages' upstream version.
#include <gtest/gtest.h>

#include "driver_fixture.hpp"
#include "step_fixture.hpp"
#include "steps/package_patterns.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::DpkgHost;

std::unique_ptr<Step> step(const std::string& yaml = "min_driver: 550.54.14\ncuda: '12.4'") {
  return testing::make_step(steps::cuda_driver_check_type(), yaml);
}

TEST(CudaDriverCheck, SchemaErrors) {
  const auto& t = steps::cuda_driver_check_type();
  EXPECT_NE(testing::build_error(t, "min_driver: latest").find("driver version such as 550.54.14"), std::string::npos);
  EXPECT_NE(testing::build_error(t, "min_driver: '550'\ndriver_packages: []").find("at least one"), std::string::npos);
}

TEST(CudaDriverCheck, OldDriverPackageFailsNamingBothVersions) {
  DpkgHost h(testing::Packages{{"nvidia-driver-535", "535.183.01-0ubuntu0.22.04.1"},
              {"libnvidia-compute-535", "535.183.01-0ubuntu0.22.04.1"}});
  Context ctx = h.context();
  std::string err = testing::step_error([&] { step()->plan(ctx); });
  EXPECT_NE(err.find("CUDA 12.4 needs NVIDIA driver 550.54.14 or newer"), std::string::npos) << err;
  EXPECT_NE(err.find("the driver is 535.183.01 (package "), std::string::npos) << err;
}

TEST(CudaDriverCheck, NewDriverPackageConverged) {
  DpkgHost h(testing::Packages{{"nvidia-driver-550", "550.127.08-0ubuntu1"}});
  Context ctx = h.context();
  StepPlan p = step()->plan(ctx);
  EXPECT_TRUE(p.converged());
  EXPECT_TRUE(h.proc.commands().empty());
}

TEST(CudaDriverCheck, NvmlFirstOnLiveRoot) {
  DpkgHost h(testing::Packages{{"nvidia-driver-550", "550.127.08-0ubuntu1"}});
  h.facts["nvidia"] = {{"present", true}, {"driver_version", "535.183.01"}};
  Context ctx = h.context();
  EXPECT_TRUE(step()->plan(ctx).converged()) << "under --root the host's loaded driver does not count";
  h.fs.set_root("/");
  std::string err = testing::step_error([&] { step()->plan(ctx); });
  EXPECT_NE(err.find("the driver is 535.183.01 (loaded driver, NVML)"), std::string::npos) << err;
  h.facts["nvidia"] = {{"present", true}, {"driver_version", "550.127.08"}};
  EXPECT_TRUE(step()->plan(ctx).converged());
  // The exact minimum is enough.
  h.facts["nvidia"] = {{"present", true}, {"driver_version", "550.54.14"}};
  EXPECT_TRUE(step()->plan(ctx).converged());
}

TEST(CudaDriverCheck, NoDriverFailsOrWaitsForPendingDriver) {
  DpkgHost h;
  h.facts["nvidia"] = {{"present", false}, {"reason", "libnvidia-ml.so.1 not found"}};
  h.fs.set_root("/");
  Context ctx = h.context();
  std::string err = testing::step_error([&] { step()->plan(ctx); });
  EXPECT_NE(err.find("no NVIDIA driver found (NVML: libnvidia-ml.so.1 not found; no installed package matches "
                     "nvidia-driver-*, nvidia-headless-*, libnvidia-compute-*)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("CUDA 12.4 needs NVIDIA driver 550.54.14 or newer"), std::string::npos) << err;
  ctx.pending["driver:nvidia"] = "driver";
  StepPlan p = step()->plan(ctx);
  EXPECT_TRUE(p.changes.empty());
  EXPECT_EQ(p.depends_on, "the driver is installed by step 'driver'");
}

TEST(PackagePatterns, UpstreamVersion) {
  using steps::packages::upstream_version;
  EXPECT_EQ(upstream_version("550.127.08-0ubuntu1"), "550.127.08");
  EXPECT_EQ(upstream_version("1:550.54.14-1"), "550.54.14");
  EXPECT_EQ(upstream_version("550.54.14"), "550.54.14");
  EXPECT_EQ(upstream_version("535.183.01-0ubuntu0.22.04.1"), "535.183.01");
  EXPECT_TRUE(steps::packages::matches_any("libnvidia-compute-550:i386", {"libnvidia-*"}));
  EXPECT_FALSE(steps::packages::matches_any("cuda-keyring", {"nvidia-*", "libnvidia-*"}));
}

}  // namespace
}  // namespace aiprov
