// The nvidia_driver step on the recording fakes: `ubuntu-drivers devices` answers with a real capture,
// fake installs rewrite the dpkg status file so that the re-plan after apply is honest.
#include <gtest/gtest.h>

#include "driver_fixture.hpp"
#include "step_fixture.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::DpkgHost;
using testing::FakeProcessRunner;

std::unique_ptr<Step> step(const std::string& yaml) { return testing::make_step(steps::nvidia_driver_type(), yaml); }

const std::vector<std::string> kInstallTool = {
    "apt-get", "install", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
    "-o", "APT::Status-Fd=1", "ubuntu-drivers-common"};

TEST(NvidiaDriver, SchemaErrors) {
  const auto& t = steps::nvidia_driver_type();
  EXPECT_NE(testing::build_error(t, "driver: 'nvidia-driver-*'").find("driver must be auto or a package name"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "driver: nvidia-driver-550\ngpgpu: true").find("gpgpu applies to driver: auto"),
            std::string::npos);
  EXPECT_EQ(testing::build_error(t, "gpgpu: true"), "");
}

TEST(NvidiaDriver, AFailingUbuntuDriversDevicesIsAWarningAskedOnce) {
  DpkgHost h(testing::Packages{{"ubuntu-drivers-common", "1:0.9.6.2~0.22.04.6"}});
  h.proc.on_argv({"ubuntu-drivers", "devices"}, FakeProcessRunner::result(1, "ERROR:root:aplay command not found\n"));
  Context ctx = h.context();
  auto s = step("{}");
  for (int i = 0; i < 2; ++i) {
    StepPlan p = s->plan(ctx);
    ASSERT_EQ(p.changes.size(), 1u);
    EXPECT_EQ(p.changes[0].detail, "");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_EQ(p.warnings[0],
              "`ubuntu-drivers devices` exited 1 while planning: the driver it would pick is not known:\n"
              "ERROR:root:aplay command not found\n");
  }
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"ubuntu-drivers devices"});
}

TEST(NvidiaDriver, AutoConvergedWhenAnyDriverInstalled) {
  for (const char* pkg : {"nvidia-driver-535", "nvidia-driver-550-server", "nvidia-headless-no-dkms-535-server"}) {
    DpkgHost h(testing::Packages{{pkg, "535.183.01-0ubuntu0.22.04.1"}});
    Context ctx = h.context();
    EXPECT_TRUE(step("{}")->plan(ctx).converged()) << pkg;
    EXPECT_TRUE(h.proc.commands().empty()) << "a converged plan runs nothing";
  }
  DpkgHost other(testing::Packages{{"nvidia-utils-535", "535.183.01-0ubuntu0.22.04.1"}, {"nvidia-driver-assistant", "1.0"}});
  Context ctx = other.context();
  other.proc.on_program("apt-get", FakeProcessRunner::result(0));
  EXPECT_FALSE(step("{}")->plan(ctx).converged()) << "utilities alone are no driver";
}

TEST(NvidiaDriver, AutoPlanShowsRecommendationAndInstallsTool) {
  DpkgHost h(testing::Packages{{"ubuntu-drivers-common", "1:0.9.6.2~0.22.04.6"}});
  h.proc.on_argv({"ubuntu-drivers", "devices"},
                 FakeProcessRunner::result(0, testing::read_real("ubuntu-drivers-devices-rtx2080ti-515.txt")));
  Context ctx = h.context();
  StepPlan p = step("{}")->plan(ctx);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].target, "run: ubuntu-drivers install");
  EXPECT_EQ(p.changes[0].detail, "ubuntu-drivers devices recommends nvidia-driver-515\n");
  EXPECT_EQ(p.changes[0].provides, std::vector<std::string>{"driver:nvidia"});
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"ubuntu-drivers devices"});
  // apply plans the step again right before it runs it: the tool is asked once per process.
  auto s = step("{}");
  h.proc.clear_commands();
  EXPECT_EQ(s->plan(ctx).changes[0].detail, "ubuntu-drivers devices recommends nvidia-driver-515\n");
  EXPECT_EQ(s->plan(ctx).changes[0].detail, "ubuntu-drivers devices recommends nvidia-driver-515\n");
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"ubuntu-drivers devices"});

  // Without the tool: it is installed first, and nothing is asked of a tool that is not there.
  DpkgHost bare;
  Context ctx2 = bare.context();
  StepPlan p2 = step("gpgpu: true")->plan(ctx2);
  ASSERT_EQ(p2.changes.size(), 2u);
  EXPECT_EQ(p2.changes[0].target, "package ubuntu-drivers-common");
  EXPECT_EQ(p2.changes[1].target, "run: ubuntu-drivers install --gpgpu");
  EXPECT_TRUE(bare.proc.commands().empty());

  // An earlier step installs the tool: no second install in the plan.
  ctx2.pending["package:ubuntu-drivers-common"] = "tools";
  StepPlan p3 = step("{}")->plan(ctx2);
  ASSERT_EQ(p3.changes.size(), 1u);
  EXPECT_EQ(p3.changes[0].detail, "ubuntu-drivers picks the driver once step 'tools' has installed ubuntu-drivers-common\n");
}

TEST(NvidiaDriver, AutoApplyExactArgvAndConverges) {
  DpkgHost h;
  h.proc.on_argv(kInstallTool, FakeProcessRunner::result(0),
                 [&](const Command&) { h.install("ubuntu-drivers-common", "1:0.9.6.2~0.22.04.6"); });
  h.proc.on_argv({"ubuntu-drivers", "install", "--gpgpu"}, FakeProcessRunner::result(0), [&](const Command& c) {
    EXPECT_EQ(c.env.at("DEBIAN_FRONTEND"), "noninteractive");
    h.install("nvidia-headless-no-dkms-535-server", "535.183.01-0ubuntu0.22.04.1");
  });
  auto s = step("gpgpu: true");
  testing::apply_and_expect_converged(*s, h);
  EXPECT_EQ(h.proc.command_lines(),
            (std::vector<std::string>{FakeProcessRunner::join(kInstallTool), "ubuntu-drivers install --gpgpu"}));
}

TEST(NvidiaDriver, AutoApplyFailsWhenNothingWasInstalled) {
  DpkgHost h(testing::Packages{{"ubuntu-drivers-common", "1:0.9.6.2~0.22.04.6"}});
  h.proc.on_argv({"ubuntu-drivers", "install"}, FakeProcessRunner::result(0, "No drivers found for installation.\n"));
  auto s = step("{}");
  Context ctx = h.context("/b");
  StepPlan p = s->plan(ctx);
  std::string err = testing::step_error([&] { s->apply(ctx, p); });
  EXPECT_NE(err.find("step 'x': `ubuntu-drivers install` installed no NVIDIA driver package"), std::string::npos) << err;
  EXPECT_NE(err.find("No drivers found for installation."), std::string::npos) << err;
}

TEST(NvidiaDriver, SecureBootWarning) {
  DpkgHost h(testing::Packages{{"ubuntu-drivers-common", "1:0.9.6.2~0.22.04.6"}});
  h.facts["secure_boot"] = "enabled";
  Context ctx = h.context();
  StepPlan p = step("{}")->plan(ctx);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("Secure Boot is enabled"), std::string::npos);
  EXPECT_NE(p.warnings[0].find("mokutil --import /var/lib/shim-signed/mok/MOK.der"), std::string::npos);
  h.facts["secure_boot"] = "disabled";
  EXPECT_TRUE(step("{}")->plan(ctx).warnings.empty());
}

TEST(NvidiaDriver, NamedPackageSimulatesAndInstalls) {
  DpkgHost h;
  const std::string sim =
      "Inst nvidia-kernel-common-550 (550.127.05-0ubuntu0.22.04.1 Ubuntu:22.04/jammy-updates [amd64])\n"
      "Inst nvidia-driver-550 (550.127.05-0ubuntu0.22.04.1 Ubuntu:22.04/jammy-updates [amd64])\n";
  h.proc.on([](const Command& c) { return c.argv.size() > 1 && c.argv[1] == "-s"; },
            [&](const Command&) { return FakeProcessRunner::result(0, sim); });
  const std::vector<std::string> install = {"apt-get", "install", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef",
                                            "-o", "Dpkg::Options::=--force-confold", "-o", "APT::Status-Fd=1",
                                            "nvidia-driver-550"};
  h.proc.on_argv(install, FakeProcessRunner::result(0),
                 [&](const Command&) { h.install("nvidia-driver-550", "550.127.05-0ubuntu0.22.04.1"); });
  auto s = step("driver: nvidia-driver-550");
  Context ctx = h.context();
  StepPlan p = s->plan(ctx);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].target, "package nvidia-driver-550 (550.127.05-0ubuntu0.22.04.1)");
  EXPECT_EQ(p.changes[0].provides, (std::vector<std::string>{"driver:nvidia", "package:nvidia-driver-550"}));
  EXPECT_NE(p.changes[0].detail.find("install nvidia-kernel-common-550"), std::string::npos) << p.changes[0].detail;
  EXPECT_EQ(h.proc.command_lines().front(),
            "apt-get -s install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "
            "nvidia-driver-550");
  h.proc.clear_commands();
  testing::apply_and_expect_converged(*s, h);
  EXPECT_EQ(h.proc.command_lines()[1], FakeProcessRunner::join(install));
}

TEST(NvidiaDriver, NamedPackageFromPendingRepositoryDependsOnIt) {
  DpkgHost h;
  h.proc.on_program("apt-get", FakeProcessRunner::result(100, "E: Unable to locate package nvidia-driver-550\n"));
  auto s = step("driver: nvidia-driver-550");
  Context ctx = h.context();
  std::string err = testing::step_error([&] { s->plan(ctx); });
  EXPECT_NE(err.find("apt cannot install nvidia-driver-550"), std::string::npos) << err;
  ctx.pending["apt:sources"] = "cuda-repo";
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(p.depends_on, "nvidia-driver-550 comes from a repository added by step 'cuda-repo'");
}

}  // namespace
}  // namespace aiprov

namespace aiprov {
namespace {

TEST(NvidiaDriver, LoadedDriverWithoutPackageIsKept) {
  DpkgHost h;
  h.facts["nvidia"] = {{"present", true}, {"driver_version", "550.127.08"}};
  Context ctx = h.context();
  EXPECT_FALSE(step("{}")->plan(ctx).changes.empty()) << "under --root the host's loaded driver does not count";
  h.fs.set_root("/");
  StepPlan p = step("{}")->plan(ctx);
  EXPECT_TRUE(p.converged());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("NVIDIA driver 550.127.08 is loaded (NVML) but no driver package is installed"),
            std::string::npos);
  std::string err = testing::step_error([&] { step("driver: nvidia-driver-550")->plan(ctx); });
  EXPECT_NE(err.find("would break both"), std::string::npos) << err;

  // A packaged driver being replaced by a named one is an ordinary install.
  h.install("nvidia-driver-535", "535.183.01-0ubuntu0.22.04.1");
  EXPECT_EQ(step("driver: nvidia-driver-550")->plan(ctx).changes.size(), 1u);
}

}  // namespace
}  // namespace aiprov
