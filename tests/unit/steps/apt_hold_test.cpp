// The apt_hold step: globs over the installed packages, exact apt-mark argv, the wait for a pending driver.
#include <gtest/gtest.h>

#include "driver_fixture.hpp"
#include "step_fixture.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::DpkgHost;
using testing::FakeProcessRunner;

std::unique_ptr<Step> step(const std::string& yaml) { return testing::make_step(steps::apt_hold_type(), yaml); }

std::vector<std::string> targets(const StepPlan& p) {
  std::vector<std::string> out;
  for (const auto& c : p.changes) out.push_back(c.target);
  return out;
}

const std::vector<std::pair<std::string, std::string>> kDriver = {
    {"nvidia-driver-550", "550.127.05-0ubuntu0.22.04.1"},
    {"libnvidia-compute-550", "550.127.05-0ubuntu0.22.04.1"},
    {"nvidia-utils-550", "550.127.05-0ubuntu0.22.04.1"},
    {"cuda-keyring", "1.1-1"}};

TEST(AptHold, SchemaErrors) {
  const auto& t = steps::apt_hold_type();
  EXPECT_NE(testing::build_error(t, "packages: []").find("at least one"), std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: ['nvidia driver']").find("not a package name or glob"), std::string::npos);
  EXPECT_EQ(testing::build_error(t, "packages: ['nvidia-*', 'libnvidia-[a-z]*']\nheld: false"), "");
}

TEST(AptHold, HoldsMatchingInstalledPackagesWithExactArgv) {
  DpkgHost h(kDriver);
  h.proc.on_program("apt-mark", FakeProcessRunner::result(0), [&](const Command& c) {
    for (std::size_t i = 2; i < c.argv.size(); ++i) h.set_status(c.argv[i], "hold ok installed");
  });
  auto s = step("packages: ['nvidia-*', 'libnvidia-*']");
  Context ctx = h.context();
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"hold libnvidia-compute-550 (550.127.05-0ubuntu0.22.04.1)",
                                                  "hold nvidia-driver-550 (550.127.05-0ubuntu0.22.04.1)",
                                                  "hold nvidia-utils-550 (550.127.05-0ubuntu0.22.04.1)"}));
  EXPECT_TRUE(p.depends_on.empty());
  testing::apply_and_expect_converged(*s, h);
  ASSERT_EQ(h.proc.commands().size(), 1u);
  EXPECT_EQ(h.proc.command_lines()[0], "apt-mark hold libnvidia-compute-550 nvidia-driver-550 nvidia-utils-550");
  EXPECT_EQ(h.proc.commands()[0].env.at("DEBIAN_FRONTEND"), "noninteractive");
}

TEST(AptHold, UnholdOnlyHeldOnes) {
  DpkgHost h(kDriver);
  h.set_status("nvidia-driver-550", "hold ok installed");
  auto s = step("packages: ['nvidia-*']\nheld: false");
  Context ctx = h.context("/b");
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(targets(p), std::vector<std::string>{"unhold nvidia-driver-550 (550.127.05-0ubuntu0.22.04.1)"});
  s->apply(ctx, p);
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"apt-mark unhold nvidia-driver-550"});
}

TEST(AptHold, DependsOnPendingDriverOrPackage) {
  DpkgHost h;
  auto s = step("packages: ['nvidia-*']");
  Context ctx = h.context();
  StepPlan none = s->plan(ctx);
  EXPECT_TRUE(none.converged());
  ASSERT_EQ(none.warnings.size(), 1u);
  EXPECT_EQ(none.warnings[0], "no installed package matches nvidia-*: nothing to hold");

  ctx.pending["driver:nvidia"] = "driver";
  EXPECT_EQ(s->plan(ctx).depends_on, "step 'driver' installs packages that may match nvidia-*");
  ctx.pending.clear();
  ctx.pending["package:cuda-toolkit-12-4"] = "cuda";
  EXPECT_TRUE(s->plan(ctx).depends_on.empty()) << "cuda-* does not match nvidia-*";
  ctx.pending["package:nvidia-driver-550"] = "named";
  EXPECT_EQ(s->plan(ctx).depends_on, "step 'named' installs packages that may match nvidia-*");
}

}  // namespace
}  // namespace aiprov
