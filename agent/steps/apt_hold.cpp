/// Step type `apt_hold`: installed packages kept at their version (`apt-mark hold`), or released
/// (`apt-mark unhold`, held: false). `packages` are names or fnmatch(3) globs matched against the
/// INSTALLED packages (dpkg's status file), so "nvidia-*" holds whatever driver packages a driver step
/// installed. While an earlier step would still install packages (a pending "driver:nvidia" change, or a
/// "package:NAME" change matching a pattern), the outcome depends on that step: it is planned again
/// right before it is applied. unattended-upgrades and `apt-get upgrade` leave held packages alone.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steps/apt_run.hpp"
#include "steps/common_ownership.hpp"
#include "steps/package_patterns.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

constexpr const char* kHoldKey = "hold:";

class AptHoldStep : public Step {
 public:
  AptHoldStep(std::string id, std::vector<std::string> patterns, bool held)
      : m_id(std::move(id)), m_patterns(std::move(patterns)), m_held(held) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    auto matched = packages::installed_matching(*packages::status_of(ctx, m_id), m_patterns);
    for (const auto& p : matched) {
      if (p.held() == m_held) continue;
      plan.changes.push_back({Change::Action::Update,
                              std::string(m_held ? "hold " : "unhold ") + p.name + " (" + p.version + ")",
                              m_held ? "installed, not on hold" : "on hold", "", {kHoldKey + p.name}});
    }
    std::string by = ctx.pending_by("driver:nvidia");
    if (by.empty()) by = packages::pending_package_step(ctx, m_patterns);
    if (!by.empty())
      plan.depends_on = "step '" + by + "' installs packages that may match " + patterns_text();
    else if (matched.empty())
      plan.warnings.push_back("no installed package matches " + patterns_text() + ": nothing to " +
                              (m_held ? "hold" : "unhold"));
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    std::vector<std::string> names;
    for (const auto& c : plan.changes)
      for (const auto& key : c.provides)
        if (key.rfind(kHoldKey, 0) == 0) names.push_back(key.substr(std::string(kHoldKey).size()));
    if (names.empty()) return;
    Command cmd;
    cmd.argv = {"apt-mark", m_held ? "hold" : "unhold"};
    cmd.argv.insert(cmd.argv.end(), names.begin(), names.end());
    cmd.env = apt::apt_env();
    apt::run_apt(ctx, m_id, cmd, m_held ? "holding" : "releasing");
  }

 private:
  std::string patterns_text() const {
    std::string out;
    for (const auto& p : m_patterns) out += (out.empty() ? "" : ", ") + p;
    return out;
  }

  std::string m_id;
  std::vector<std::string> m_patterns;
  bool m_held;
};

std::unique_ptr<Step> make_apt_hold(const StepSpec& spec) {
  std::vector<std::string> patterns = spec.str_list("packages");
  if (patterns.empty()) spec.fail("packages", "step '" + spec.id() + "': packages must name at least one package");
  for (const auto& p : patterns)
    if (!packages::valid_pattern(p))
      spec.fail("packages", "step '" + spec.id() + "': '" + p +
                                "' is not a package name or glob (lower-case letters, digits, + - . and * ? [ ])");
  return std::make_unique<AptHoldStep>(spec.id(), std::move(patterns), spec.boolean("held", true));
}

}  // namespace

StepType apt_hold_type() {
  StepType t;
  t.name = "apt_hold";
  t.summary = "Installed packages held at their version (apt-mark hold), matched by name or glob";
  t.fields = {
      {"packages", FieldType::StringList, true,
       "package names or globs (nvidia-*, libnvidia-*), matched against the installed packages"},
      {"held", FieldType::Bool, false, "true (default): apt-mark hold; false: apt-mark unhold"},
  };
  t.example =
      "- id: hold-driver\n"
      "  type: apt_hold\n"
      "  packages: [\"nvidia-*\", \"libnvidia-*\"]\n";
  t.factory = make_apt_hold;
  return t;
}

}  // namespace aiprov::steps
