/// Step type `directory`: a directory with mode (setgid and sticky bits included, e.g. 2770) and
/// ownership, its missing parents created 0755 root:root; or, with state absent, the removal of an
/// empty directory (a non-empty one is an error: aiprov never deletes a tree).

#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class DirectoryStep : public Step {
 public:
  DirectoryStep(std::string id, std::string path, Ownership own, bool present)
      : m_id(std::move(id)), m_path(std::move(path)), m_own(std::move(own)), m_present(present) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    const FileSystem& fs = ctx.host.fs;
    auto st = fs.stat(m_path);
    if (st && !st->is_dir()) step_fail(m_id, m_path + " exists and is not a directory");
    const std::string provides = "path:" + m_path;
    if (!m_present) {
      if (!st) return plan;
      if (!fs.list_dir(m_path).empty())
        step_fail(m_id, "directory " + m_path + " is not empty; refusing to remove it");
      plan.changes.push_back({Change::Action::Remove, m_path, "state: absent", "", {provides}});
      return plan;
    }
    ResolvedOwnership ids = resolve_ownership(ctx, m_id, m_own);
    plan.depends_on = ids.depends_on;
    if (!st) {
      std::string reason = "directory is absent; mode " + mode_text(m_own.mode.value_or(0755));
      if (m_own.owner) reason += "; owner " + *m_own.owner;
      if (m_own.group) reason += "; group " + *m_own.group;
      std::vector<std::string> missing = missing_parents(fs, m_path);
      if (!missing.empty()) reason += "; missing parent " + missing.front() + " will be created (0755)";
      plan.changes.push_back({Change::Action::Create, m_path, reason, "", {provides}});
      return plan;
    }
    for (auto& reason : metadata_reasons(fs, *st, m_own, ids))
      plan.changes.push_back({Change::Action::Update, m_path, std::move(reason), "", {provides}});
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    FileSystem& fs = ctx.host.fs;
    auto st = fs.stat(m_path);
    if (!m_present) {
      if (st) fs.remove(m_path);
      return;
    }
    ResolvedOwnership ids = resolve_for_apply(ctx, m_id, m_own);
    if (!st) {
      create_parents(fs, m_path);
      fs.mkdir(m_path, m_own.mode.value_or(0755));
      st = fs.stat(m_path);
    }
    apply_metadata(fs, m_path, *st, m_own, ids);
  }

 private:
  std::string m_id;
  std::string m_path;
  Ownership m_own;
  bool m_present;
};

std::unique_ptr<Step> make_directory(const StepSpec& spec) {
  const bool present = spec.state_present();
  std::string path = spec.absolute_path("path");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return std::make_unique<DirectoryStep>(spec.id(), path, Ownership::from_spec(spec), present);
}

}  // namespace

StepType directory_type() {
  StepType t;
  t.name = "directory";
  t.summary = "A directory with mode and owner, parents created (or an empty directory removed)";
  t.fields = {
      {"path", FieldType::String, true, "absolute logical path of the directory"},
      {"mode", FieldType::String, false, "octal mode, special bits allowed (2770); default: keep, or 0755"},
      {"owner", FieldType::String, false, "user name or uid in the root's /etc/passwd"},
      {"group", FieldType::String, false, "group name or gid in the root's /etc/group"},
      {"state", FieldType::String, false, "present (default) or absent (only an empty directory)"},
  };
  t.example =
      "- id: anaconda-dir\n"
      "  type: directory\n"
      "  path: /opt/anaconda3\n"
      "  owner: root\n"
      "  group: anaconda\n"
      "  mode: \"2775\"\n";
  t.factory = make_directory;
  return t;
}

}  // namespace aiprov::steps
