/// Step type `reboot`: the run cannot go on before the host reboots (a new kernel module).
/// The trigger is what makes the reboot necessary: the installed packages matching `trigger_packages`,
/// as "name=version" pairs ("once" without trigger_packages). Converged when
///   - trigger_packages are given and none is installed, or
///   - `unless_module` is loaded (facts.kernel_modules.<module>), or
///   - /var/lib/aiprov/reboots/<id> holds the current trigger (written by `aiprov resume`).
/// While an earlier step would install a trigger package (pending "driver:nvidia", or "package:NAME"
/// matching), the step is planned again right before it is applied. Apply throws RebootRequired: the
/// engine stops the run there and `apply` writes the checkpoint `aiprov resume` goes on from.
/// After a reboot that did not load `unless_module` on a live root, the plan warns and says what to do
/// (Secure Boot with an unsigned module is the usual reason).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/engine.hpp"
#include "steps/common_ownership.hpp"
#include "steps/package_patterns.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

constexpr const char* kNoTrigger = "once";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

class RebootStep : public Step {
 public:
  RebootStep(std::string id, std::string reason, std::string module, std::vector<std::string> patterns)
      : m_id(std::move(id)), m_reason(std::move(reason)), m_module(std::move(module)), m_patterns(std::move(patterns)) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    std::string trigger = kNoTrigger;
    if (!m_patterns.empty()) {
      std::string by = ctx.pending_by("driver:nvidia");
      if (by.empty()) by = packages::pending_package_step(ctx, m_patterns);
      trigger = packages::name_versions(packages::installed_matching(*packages::status_of(ctx, m_id), m_patterns));
      if (!by.empty()) {
        plan.depends_on = "step '" + by + "' installs packages that may need the reboot";
        plan.changes.push_back(change("if step '" + by + "' installs packages matching the trigger"));
        return plan;
      }
      if (trigger.empty()) return plan;  // nothing that needs a reboot is installed
    }
    if (module_loaded(ctx)) return plan;
    std::optional<std::string> recorded = ctx.host.fs.read(marker());
    if (recorded && trim(*recorded) == trigger) {
      // A reboot (or `aiprov resume`) already answered this trigger. On a live root a module that is
      // still not loaded after the reboot will not load by rebooting again: say why, go on.
      if (!m_module.empty() && ctx.host.fs.root() == "/") plan.warnings.push_back(not_loaded_warning(ctx));
      return plan;
    }
    plan.changes.push_back(change(trigger == kNoTrigger ? "this step has not rebooted the host yet" : "installed: " + trigger));
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    // The trigger as it is now (the plan may have been made before the packages were installed).
    std::string trigger = m_patterns.empty()
                              ? std::string(kNoTrigger)
                              : packages::name_versions(packages::installed_matching(*packages::status_of(ctx, m_id),
                                                                                     m_patterns));
    throw RebootRequired(m_id, m_reason, trigger);
  }

 private:
  std::string marker() const { return std::string(kRebootsDir) + "/" + m_id; }

  bool module_loaded(const Context& ctx) const {
    if (m_module.empty() || !ctx.facts.is_object()) return false;
    auto modules = ctx.facts.find("kernel_modules");
    if (modules == ctx.facts.end() || !modules->is_object()) return false;
    auto it = modules->find(m_module);
    return it != modules->end() && it->is_boolean() && it->get<bool>();
  }

  Change change(const std::string& why) const {
    Change c;
    c.action = Change::Action::Run;
    c.target = "reboot: " + m_reason;
    c.reason = why;
    if (!m_module.empty()) c.reason += "; module " + m_module + " is not loaded";
    c.detail = "the run stops here: `aiprov apply` writes " + std::string(kCheckpointFile) +
               " and reboots (exit 4 with --no-reboot or --root); `aiprov resume` goes on with the next step\n";
    return c;
  }

  std::string not_loaded_warning(const Context& ctx) const {
    std::string sb = ctx.facts.is_object() ? ctx.facts.value("secure_boot", "unknown") : "unknown";
    std::string text = "kernel module " + m_module + " is still not loaded after the reboot for step '" + m_id + "'";
    if (sb == "enabled")
      text += ": Secure Boot is enabled and the module is probably not signed with a key the firmware trusts. ";
    else
      text += " (Secure Boot: " + sb + "). `sudo modprobe " + m_module + "` and `dmesg` tell why. ";
    text +=
        "With Secure Boot, enroll the MOK key DKMS signs modules with: `sudo mokutil --import "
        "/var/lib/shim-signed/mok/MOK.der`, reboot and confirm the enrollment at the console (MOK Manager); or "
        "sign the module with an enrolled key; or disable Secure Boot in the firmware settings.";
    return text;
  }

  std::string m_id;
  std::string m_reason;
  std::string m_module;
  std::vector<std::string> m_patterns;
};

std::unique_ptr<Step> make_reboot(const StepSpec& spec) {
  const std::string where = "step '" + spec.id() + "': ";
  std::string reason = spec.str("reason");
  if (reason.empty() || reason.find('\n') != std::string::npos)
    spec.fail("reason", where + "reason must be one non-empty line");
  std::string module = spec.opt_str("unless_module").value_or("");
  if (!module.empty() && module.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                             std::string::npos)
    spec.fail("unless_module", where + "unless_module must be a kernel module name such as nvidia, found '" + module + "'");
  std::vector<std::string> patterns = spec.str_list("trigger_packages");
  if (spec.has("trigger_packages") && patterns.empty())
    spec.fail("trigger_packages", where + "trigger_packages must name at least one package or glob");
  for (const auto& p : patterns)
    if (!packages::valid_pattern(p))
      spec.fail("trigger_packages", where + "'" + p + "' is not a package name or glob");
  return std::make_unique<RebootStep>(spec.id(), std::move(reason), std::move(module), std::move(patterns));
}

}  // namespace

StepType reboot_type() {
  StepType t;
  t.name = "reboot";
  t.summary = "Stop the run and reboot when trigger packages changed and a module is not loaded; resume after";
  t.fields = {
      {"reason", FieldType::String, true, "why the host must reboot (shown in the plan and the checkpoint)"},
      {"unless_module", FieldType::String, false,
       "a kernel module: no reboot while it is loaded (facts.kernel_modules.<name>)"},
      {"trigger_packages", FieldType::StringList, false,
       "package names or globs: their installed name=version pairs are the trigger; no reboot while none is "
       "installed (without it: one reboot, once)"},
  };
  t.example =
      "- id: reboot-for-driver\n"
      "  type: reboot\n"
      "  reason: the NVIDIA kernel module loads at the next boot\n"
      "  unless_module: nvidia\n"
      "  trigger_packages: [\"nvidia-driver-*\", \"nvidia-headless-*\"]\n";
  t.factory = make_reboot;
  return t;
}

}  // namespace aiprov::steps
