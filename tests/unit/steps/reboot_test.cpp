// The reboot step: its trigger, what makes it converged (nothing installed, module loaded, recorded
// trigger), RebootRequired from apply, and the warning after a reboot that did not load the module.
#include <gtest/gtest.h>

#include "aiprov/engine.hpp"
#include "driver_fixture.hpp"
#include "step_fixture.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::DpkgHost;

std::unique_ptr<Step> step(const std::string& yaml) { return testing::make_step(steps::reboot_type(), yaml); }

const char* const kYaml =
    "id: reboot-driver\n"
    "reason: the NVIDIA module loads at the next boot\n"
    "unless_module: nvidia\n"
    "trigger_packages: ['nvidia-driver-*', 'linux-modules-nvidia-*']\n";

const std::vector<std::pair<std::string, std::string>> kDriver = {
    {"nvidia-driver-550", "550.127.05-0ubuntu0.22.04.1"},
    {"linux-modules-nvidia-550-generic", "5.15.0-126.136"}};
const std::string kTrigger =
    "linux-modules-nvidia-550-generic=5.15.0-126.136 nvidia-driver-550=550.127.05-0ubuntu0.22.04.1";

TEST(Reboot, SchemaErrors) {
  const auto& t = steps::reboot_type();
  EXPECT_NE(testing::build_error(t, "reason: ''").find("reason must be one non-empty line"), std::string::npos);
  EXPECT_NE(testing::build_error(t, "reason: r\nunless_module: 'nv idia'").find("kernel module name"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "reason: r\ntrigger_packages: []").find("at least one"), std::string::npos);
}

TEST(Reboot, PlansRebootAndApplyThrowsRebootRequired) {
  DpkgHost h(kDriver);
  h.facts["kernel_modules"] = {{"nvidia", false}, {"nouveau", true}};
  auto s = step(kYaml);
  Context ctx = h.context("/b");
  StepPlan p = s->plan(ctx);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Change::Action::Run);
  EXPECT_EQ(p.changes[0].target, "reboot: the NVIDIA module loads at the next boot");
  EXPECT_EQ(p.changes[0].reason, "installed: " + kTrigger + "; module nvidia is not loaded");
  try {
    s->apply(ctx, p);
    FAIL() << "apply must throw RebootRequired";
  } catch (const RebootRequired& e) {
    EXPECT_EQ(e.step_id(), "reboot-driver");
    EXPECT_EQ(std::string(e.what()), "the NVIDIA module loads at the next boot");
    EXPECT_EQ(e.trigger(), kTrigger);
  }
  EXPECT_TRUE(h.fs.log().empty()) << "the step writes nothing: resume records the trigger";
}

TEST(Reboot, ConvergedWhenNothingTriggersOrModuleLoaded) {
  DpkgHost none;
  Context ctx = none.context();
  EXPECT_TRUE(step(kYaml)->plan(ctx).converged()) << "no trigger package installed";

  DpkgHost loaded(kDriver);
  loaded.facts["kernel_modules"] = {{"nvidia", true}};
  Context ctx2 = loaded.context();
  EXPECT_TRUE(step(kYaml)->plan(ctx2).converged()) << "the module is loaded";
}

TEST(Reboot, ConvergedByRecordedTriggerOnlyForThatTrigger) {
  DpkgHost h(kDriver);
  h.fs.add_file("/var/lib/aiprov/reboots/reboot-driver", kTrigger + "\n");
  Context ctx = h.context();
  StepPlan tree = step(kYaml)->plan(ctx);
  EXPECT_TRUE(tree.converged());
  EXPECT_TRUE(tree.warnings.empty()) << "under --root the host's modules say nothing about the tree";
  h.fs.set_root("/");
  StepPlan p = step(kYaml)->plan(ctx);
  EXPECT_TRUE(p.converged());
  ASSERT_EQ(p.warnings.size(), 1u) << "live root, module still not loaded after the reboot";
  EXPECT_NE(p.warnings[0].find("kernel module nvidia is still not loaded after the reboot"), std::string::npos);
  EXPECT_NE(p.warnings[0].find("mokutil --import"), std::string::npos);
  EXPECT_NE(p.warnings[0].find("disable Secure Boot"), std::string::npos);
  h.facts["secure_boot"] = "enabled";
  EXPECT_NE(step(kYaml)->plan(ctx).warnings.at(0).find("Secure Boot is enabled and the module is probably not signed"),
            std::string::npos);

  h.install("nvidia-utils-550", "1");  // not a trigger package: same trigger
  EXPECT_TRUE(step(kYaml)->plan(ctx).converged());
  h.fs.put("/var/lib/aiprov/reboots/reboot-driver", "nvidia-driver-535=535.183.01-0ubuntu0.22.04.1\n");
  EXPECT_FALSE(step(kYaml)->plan(ctx).converged()) << "a new driver is a new trigger";
}

TEST(Reboot, WithoutTriggerPackagesRebootsOnce) {
  DpkgHost h;
  auto s = step("id: once\nreason: firmware settings");
  Context ctx = h.context();
  StepPlan p = s->plan(ctx);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].reason, "this step has not rebooted the host yet");
  try {
    s->apply(ctx, p);
    FAIL();
  } catch (const RebootRequired& e) {
    EXPECT_EQ(e.trigger(), "once");
  }
  h.fs.add_file("/var/lib/aiprov/reboots/once", "once\n");
  EXPECT_TRUE(s->plan(ctx).converged());
}

TEST(Reboot, DependsOnPendingDriver) {
  DpkgHost h;
  auto s = step(kYaml);
  Context ctx = h.context();
  ctx.pending["driver:nvidia"] = "driver";
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(p.depends_on, "step 'driver' installs packages that may need the reboot");
  ctx.pending.clear();
  ctx.pending["package:linux-modules-nvidia-550-generic"] = "modules";
  EXPECT_EQ(s->plan(ctx).depends_on, "step 'modules' installs packages that may need the reboot");
}

}  // namespace
}  // namespace aiprov
