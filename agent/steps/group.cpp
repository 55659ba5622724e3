/// Step type `group`: a group in the root's /etc/group, with an optional fixed gid; or its absence.
/// Observed through agent/host/accounts.hpp (the tree's files, never the host's NSS); changed with
/// groupadd / groupmod / groupdel run through the ProcessRunner, which chroots under --root.

#include <cctype>

#include "host/accounts.hpp"
#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class GroupStep : public Step {
 public:
  GroupStep(std::string id, std::string name, std::optional<gid_t> gid, bool system, bool present)
      : m_id(std::move(id)), m_name(std::move(name)), m_gid(gid), m_system(system), m_present(present) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    std::optional<GroupEntry> group = find_group(ctx.host.fs, m_name);
    const std::string target = "group " + m_name;
    const std::string provides = "group:" + m_name;
    if (!m_present) {
      if (group) plan.changes.push_back({Change::Action::Remove, target, "state: absent",
                                         display_argv(command(*group)), {provides}});
      return plan;
    }
    if (!group) {
      std::string reason = "group is absent";
      if (m_gid) reason += "; gid " + std::to_string(*m_gid);
      plan.changes.push_back({Change::Action::Create, target, reason, display_argv(command(group)), {provides}});
    } else if (m_gid && group->gid != *m_gid) {
      plan.changes.push_back({Change::Action::Update, target,
                              "gid " + std::to_string(group->gid) + " -> " + std::to_string(*m_gid),
                              display_argv(command(group)), {provides}});
    }
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    std::optional<GroupEntry> group = find_group(ctx.host.fs, m_name);
    if (m_present && group && (!m_gid || group->gid == *m_gid)) return;
    if (!m_present && !group) return;
    Command cmd;
    cmd.argv = command(group);
    run_checked(ctx, m_id, cmd);
  }

 private:
  /// The command that converges the group from its current entry.
  std::vector<std::string> command(const std::optional<GroupEntry>& group) const {
    if (!m_present) return {"groupdel", m_name};
    if (group) return {"groupmod", "--gid", std::to_string(*m_gid), m_name};
    std::vector<std::string> argv = {"groupadd"};
    if (m_gid) argv.insert(argv.end(), {"--gid", std::to_string(*m_gid)});
    if (m_system) argv.push_back("--system");
    argv.push_back(m_name);
    return argv;
  }

  std::string m_id;
  std::string m_name;
  std::optional<gid_t> m_gid;
  bool m_system;
  bool m_present;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32 || name[0] == '-') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

std::unique_ptr<Step> make_group(const StepSpec& spec) {
  const bool present = spec.state_present();
  std::string name = spec.str("name");
  if (!valid_name(name)) spec.fail("name", "step '" + spec.id() + "': invalid group name '" + name + "'");
  std::optional<gid_t> gid;
  if (const Value* v = spec.field("gid"); v && !v->is_null()) {
    long value = spec.integer("gid", -1);
    if (value < 0 || value > 4294967294L)
      spec.fail("gid", "step '" + spec.id() + "': gid must be between 0 and 4294967294");
    gid = static_cast<gid_t>(value);
  }
  return std::make_unique<GroupStep>(spec.id(), name, gid, spec.boolean("system", false), present);
}

}  // namespace

StepType group_type() {
  StepType t;
  t.name = "group";
  t.summary = "A group in the root's /etc/group (groupadd/groupmod/groupdel)";
  t.fields = {
      {"name", FieldType::String, true, "group name"},
      {"gid", FieldType::Int, false, "fixed gid; an existing group with another gid is changed (groupmod)"},
      {"system", FieldType::Bool, false, "create a system group (groupadd --system); default false"},
      {"state", FieldType::String, false, "present (default) or absent"},
  };
  t.example =
      "- id: anaconda-group\n"
      "  type: group\n"
      "  name: anaconda\n"
      "  system: true\n";
  t.factory = make_group;
  return t;
}

}  // namespace aiprov::steps
