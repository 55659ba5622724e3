/// Step type `group_members`: users that belong to a group (the member list in the root's
/// /etc/group). Not exclusive (default): only adds; exclusive: also removes members not listed.
/// Changed with `gpasswd -a USER GROUP` / `gpasswd -d USER GROUP` through the ProcessRunner.

#include <algorithm>

#include "host/accounts.hpp"
#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class GroupMembersStep : public Step {
 public:
  GroupMembersStep(std::string id, std::string group, std::vector<std::string> users, bool exclusive)
      : m_id(std::move(id)), m_group(std::move(group)), m_users(std::move(users)), m_exclusive(exclusive) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    const FileSystem& fs = ctx.host.fs;
    for (const auto& user : m_users) {
      if (find_user(fs, user)) continue;
      std::string by = ctx.pending_by("user:" + user);
      if (by.empty()) step_fail(m_id, "user '" + user + "' does not exist");
      if (plan.depends_on.empty()) plan.depends_on = "user '" + user + "' is created by step '" + by + "'";
    }
    std::optional<GroupEntry> group = find_group(fs, m_group);
    if (!group) {
      std::string by = ctx.pending_by("group:" + m_group);
      if (by.empty()) step_fail(m_id, "group '" + m_group + "' does not exist");
      plan.depends_on = "group '" + m_group + "' is created by step '" + by + "'";
    }
    for (auto& [argv, reason] : commands(group))
      plan.changes.push_back({Change::Action::Update, "group " + m_group, reason, display_argv(argv),
                              {"group-members:" + m_group}});
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    std::optional<GroupEntry> group = find_group(ctx.host.fs, m_group);
    if (!group) step_fail(m_id, "group '" + m_group + "' does not exist");
    for (auto& [argv, reason] : commands(group)) {
      Command cmd;
      cmd.argv = argv;
      run_checked(ctx, m_id, cmd);
    }
  }

 private:
  /// The gpasswd commands that converge the member list, each with its reason.
  std::vector<std::pair<std::vector<std::string>, std::string>> commands(const std::optional<GroupEntry>& group) const {
    std::vector<std::pair<std::vector<std::string>, std::string>> out;
    auto is_member = [&](const std::string& user) {
      return group && std::find(group->members.begin(), group->members.end(), user) != group->members.end();
    };
    for (const auto& user : m_users)
      if (!is_member(user)) out.push_back({{"gpasswd", "-a", user, m_group}, "add member " + user});
    if (m_exclusive && group)
      for (const auto& member : group->members)
        if (std::find(m_users.begin(), m_users.end(), member) == m_users.end())
          out.push_back({{"gpasswd", "-d", member, m_group}, "remove member " + member + " (exclusive)"});
    return out;
  }

  std::string m_id;
  std::string m_group;
  std::vector<std::string> m_users;
  bool m_exclusive;
};

std::unique_ptr<Step> make_group_members(const StepSpec& spec) {
  std::vector<std::string> users = spec.str_list("users");
  std::vector<std::string> unique;
  for (auto& user : users)
    if (std::find(unique.begin(), unique.end(), user) == unique.end()) unique.push_back(user);
  return std::make_unique<GroupMembersStep>(spec.id(), spec.str("group"), std::move(unique),
                                            spec.boolean("exclusive", false));
}

}  // namespace

StepType group_members_type() {
  StepType t;
  t.name = "group_members";
  t.summary = "Users that belong to a group (gpasswd -a / -d)";
  t.fields = {
      {"group", FieldType::String, true, "the group (it may be created by an earlier group step)"},
      {"users", FieldType::StringList, true, "user names that must be members; each must exist"},
      {"exclusive", FieldType::Bool, false, "also remove members not listed; default false (only add)"},
  };
  t.example =
      "- id: anaconda-members\n"
      "  type: group_members\n"
      "  group: anaconda\n"
      "  users: [alice, bob]\n";
  t.factory = make_group_members;
  return t;
}

}  // namespace aiprov::steps
