/// Step type `nvidia_driver`: an NVIDIA driver installed the Ubuntu way.
///   driver: auto (default)  `ubuntu-drivers install` (with gpgpu: `ubuntu-drivers install --gpgpu`,
///                           the headless server drivers), after installing ubuntu-drivers-common;
///                           converged when any nvidia-driver-NNN* or nvidia-headless-* is installed.
///   driver: PACKAGE         `apt-get install PACKAGE` (nvidia-driver-550, nvidia-headless-550-server);
///                           converged when that package is installed.
/// The plan names the driver `ubuntu-drivers devices` recommends when the tool is installed (a
/// read-only query), warns when Secure Boot is enabled (an unsigned module will not load), and its
/// changes provide "driver:nvidia" for the steps that depend on a driver (apt_hold, reboot,
/// cuda_driver_check). On the live root, a driver NVML sees loaded that no package owns (a .run install, a
/// container given the host's driver) is kept: auto is converged with a warning, a named driver fails.
/// Blacklisting nouveau, holds and the reboot are steps of their own.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "steps/apt_run.hpp"
#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/package_patterns.hpp"
#include "steps/steps.hpp"
#include "steps/ubuntu_drivers.hpp"

namespace aiprov::steps {
namespace {

constexpr const char* kTool = "ubuntu-drivers-common";
const std::vector<std::string> kAnyDriver = {"nvidia-driver-[0-9]*", "nvidia-headless-*"};

const char* const kSecureBootWarning =
    "Secure Boot is enabled: the kernel loads the NVIDIA module only when it is signed with a key the "
    "firmware trusts. Canonical's prebuilt linux-modules-nvidia-* packages (which `ubuntu-drivers install` "
    "picks when they exist for the running kernel) are signed; a module built by DKMS (nvidia-dkms-*) is "
    "signed with this machine's MOK key, which must be enrolled: `sudo mokutil --import "
    "/var/lib/shim-signed/mok/MOK.der`, then confirm the enrollment at the console (MOK Manager) during the "
    "next boot. Otherwise disable Secure Boot in the firmware settings.";

class NvidiaDriverStep : public Step {
 public:
  NvidiaDriverStep(std::string id, std::string driver, bool gpgpu)
      : m_id(std::move(id)), m_driver(std::move(driver)), m_gpgpu(gpgpu) {}

  StepPlan plan(Context& ctx) const override {
    auto db = packages::status_of(ctx, m_id);
    StepPlan plan;
    if (installed(*db)) return plan;
    if (std::string loaded = loaded_driver(ctx);
        !loaded.empty() && packages::installed_matching(*db, kAnyDriver).empty()) {
      // A driver no package owns: NVIDIA's .run installer, or a container given the host's driver.
      // Installing packages over it breaks both; leave it to the person who installed it.
      std::string what = "NVIDIA driver " + loaded + " is loaded (NVML) but no driver package is installed";
      if (!automatic())
        step_fail(m_id, what + ": installing " + m_driver + " over it (a .run install?) would break both; remove it "
                               "first (nvidia-uninstall) or use driver: auto to keep it");
      plan.warnings.push_back(what + " (a .run install, or a container using the host's driver): it is kept");
      return plan;
    }
    if (ctx.facts.is_object() && ctx.facts.value("secure_boot", "") == "enabled")
      plan.warnings.push_back(kSecureBootWarning);
    if (automatic())
      plan_auto(ctx, *db, plan);
    else
      plan_named(ctx, plan);
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    if (!automatic()) {
      apt::run_apt(ctx, m_id, install_command({m_driver}, false), "installing");
      return;
    }
    if (!tool_installed(*packages::status_of(ctx, m_id)))
      apt::run_apt(ctx, m_id, install_command({kTool}, false), "installing");
    ProcessResult r = apt::run_apt(ctx, m_id, ubuntu_drivers_install(), "installing");
    if (!installed(*packages::status_of(ctx, m_id)))
      step_fail(m_id, "`" + display_argv(ubuntu_drivers_install().argv) +
                          "` installed no NVIDIA driver package (nvidia-driver-*, nvidia-headless-*): is an NVIDIA "
                          "GPU visible to the kernel? `ubuntu-drivers devices` lists what it found:\n" +
                          r.tail());
  }

  bool uses_apt() const override { return true; }

 private:
  bool automatic() const { return m_driver == "auto"; }

  bool installed(const dpkg::StatusMap& db) const {
    if (automatic()) return !packages::installed_matching(db, kAnyDriver).empty();
    auto it = db.find(m_driver);
    return it != db.end() && it->second.installed();
  }

  /// The driver version NVML reports on the live root ("" under --root or when none is loaded).
  static std::string loaded_driver(const Context& ctx) {
    if (ctx.host.fs.root() != "/" || !ctx.facts.is_object()) return {};
    auto nvidia = ctx.facts.find("nvidia");
    if (nvidia == ctx.facts.end() || !nvidia->is_object() || !nvidia->value("present", false)) return {};
    return nvidia->value("driver_version", std::string());
  }

  static bool tool_installed(const dpkg::StatusMap& db) {
    auto it = db.find(kTool);
    return it != db.end() && it->second.installed();
  }

  Command ubuntu_drivers_install() const {
    Command cmd;
    cmd.argv = {"ubuntu-drivers", "install"};
    if (m_gpgpu) cmd.argv.push_back("--gpgpu");
    cmd.env = apt::apt_env();
    return cmd;
  }

  /// `apt-get install` of `names` (`simulate`: `apt-get -s`), with apt's own choice of recommends.
  static Command install_command(const std::vector<std::string>& names, bool simulate) {
    Command cmd;
    cmd.env = apt::apt_env();
    cmd.argv = {"apt-get"};
    if (simulate) cmd.argv.push_back("-s");
    cmd.argv.insert(cmd.argv.end(), {"install", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o",
                                     "Dpkg::Options::=--force-confold"});
    if (!simulate) cmd.argv.insert(cmd.argv.end(), {"-o", "APT::Status-Fd=1"});
    cmd.argv.insert(cmd.argv.end(), names.begin(), names.end());
    return cmd;
  }

  void plan_auto(Context& ctx, const dpkg::StatusMap& db, StepPlan& plan) const {
    const bool tool = tool_installed(db);
    const std::string tool_step = ctx.pending_by(std::string("package:") + kTool);
    if (!tool && tool_step.empty())
      plan.changes.push_back({Change::Action::Create, std::string("package ") + kTool,
                              "not installed: it provides ubuntu-drivers", "", {std::string("package:") + kTool}});
    Change c;
    c.action = Change::Action::Run;
    c.target = "run: " + display_argv(ubuntu_drivers_install().argv);
    c.reason = "no NVIDIA driver package is installed (nvidia-driver-NNN*, nvidia-headless-*)";
    c.detail = tool                ? recommendation(ctx, plan)
               : tool_step.empty() ? "ubuntu-drivers picks the driver once ubuntu-drivers-common is installed\n"
                                   : "ubuntu-drivers picks the driver once step '" + tool_step +
                                         "' has installed ubuntu-drivers-common\n";
    c.provides = {"driver:nvidia"};
    plan.changes.push_back(std::move(c));
  }

  /// What `ubuntu-drivers devices` recommends (read-only); a failure is a warning, not an error. Asked
  /// once per process (a few seconds on a real machine): apply plans the step again right before it
  /// runs it, and nothing in between changes what the tool would pick.
  std::string recommendation(Context& ctx, StepPlan& plan) const {
    if (!m_recommendation) m_recommendation = ask_recommendation(ctx);
    if (!m_recommendation->second.empty()) plan.warnings.push_back(m_recommendation->second);
    return m_recommendation->first;
  }

  /// The plan's detail line and a warning (one of them empty).
  std::pair<std::string, std::string> ask_recommendation(Context& ctx) const {
    Command cmd;
    cmd.argv = {"ubuntu-drivers", "devices"};
    cmd.env = apt::apt_env();
    ProcessResult r = ctx.host.proc.run(cmd);
    if (!r.ok())
      return {"", "`ubuntu-drivers devices` exited " + std::to_string(r.exit_code) +
                      " while planning: the driver it would pick is not known:\n" + r.tail(5)};
    std::string driver = ubuntu_drivers::recommended_nvidia_driver(ubuntu_drivers::parse_devices(r.output));
    if (driver.empty()) return {"ubuntu-drivers devices recommends no NVIDIA driver (no NVIDIA GPU found?)\n", ""};
    std::string detail = "ubuntu-drivers devices recommends " + driver + "\n";
    if (m_gpgpu)
      detail += "with --gpgpu, ubuntu-drivers picks among the server drivers (`ubuntu-drivers list --gpgpu`)\n";
    return {detail, ""};
  }

  void plan_named(Context& ctx, StepPlan& plan) const {
    Command sim = install_command({m_driver}, true);
    ProcessResult r = ctx.host.proc.run(sim);
    Change c{Change::Action::Create, "package " + m_driver, "not installed", "", {"driver:nvidia", "package:" + m_driver}};
    if (!r.ok()) {
      std::string repo_step = ctx.pending_by("apt:sources");
      if (!apt::unknown_packages(r.output).empty() && !repo_step.empty()) {
        plan.depends_on = m_driver + " comes from a repository added by step '" + repo_step + "'";
        plan.changes.push_back(std::move(c));
        return;
      }
      step_fail(m_id, "apt cannot install " + m_driver + ": `" + display_argv(sim.argv) + "` exited " +
                          std::to_string(r.exit_code) + ":\n" + r.tail());
    }
    c.detail = "apt would (" + display_argv(sim.argv) + "):\n";
    for (const auto& a : apt::parse_simulation(r.output)) {
      c.detail += "  " + apt::describe(a) + "\n";
      if (a.package == m_driver && !a.new_version.empty()) c.target = "package " + m_driver + " (" + a.new_version + ")";
    }
    plan.changes.push_back(std::move(c));
  }

  std::string m_id;
  std::string m_driver;
  bool m_gpgpu;
  mutable std::optional<std::pair<std::string, std::string>> m_recommendation;  ///< see recommendation()
};

std::unique_ptr<Step> make_nvidia_driver(const StepSpec& spec) {
  std::string driver = spec.opt_str("driver").value_or("auto");
  bool gpgpu = spec.boolean("gpgpu", false);
  const std::string where = "step '" + spec.id() + "': ";
  if (driver != "auto") {
    if (!packages::valid_pattern(driver) || driver.find_first_of("*?[]!") != std::string::npos)
      spec.fail("driver", where + "driver must be auto or a package name such as nvidia-driver-550, found '" + driver + "'");
    if (gpgpu)
      spec.fail("gpgpu", where + "gpgpu applies to driver: auto (`ubuntu-drivers install --gpgpu`); name a server "
                                 "driver package (nvidia-headless-550-server) instead");
  }
  return std::make_unique<NvidiaDriverStep>(spec.id(), std::move(driver), gpgpu);
}

}  // namespace

StepType nvidia_driver_type() {
  StepType t;
  t.name = "nvidia_driver";
  t.summary = "An NVIDIA driver: `ubuntu-drivers install [--gpgpu]` or a named driver package";
  t.fields = {
      {"driver", FieldType::String, false,
       "auto (default: `ubuntu-drivers install`, converged when any nvidia-driver-NNN* or nvidia-headless-* is "
       "installed) or a package such as nvidia-driver-550 (apt-get install of it)"},
      {"gpgpu", FieldType::Bool, false,
       "with driver auto: `ubuntu-drivers install --gpgpu`, the headless compute drivers for servers (default false)"},
  };
  t.example =
      "- id: nvidia-driver\n"
      "  type: nvidia_driver\n"
      "  driver: auto\n"
      "  gpgpu: true\n";
  t.factory = make_nvidia_driver;
  return t;
}

}  // namespace aiprov::steps
