/// Step type `file`: a regular file with given content (inline or from a file beside the recipe),
/// mode and ownership; or its absence.
///
/// A missing parent directory is not an error: when an earlier step creates it ("path:<parent>" is
/// pending) the plan says so; otherwise the plan notes it and apply creates the missing parents as
/// 0755 root:root directories.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class FileStep : public Step {
 public:
  FileStep(std::string id, std::string path, std::optional<std::string> content, std::string source,
           Ownership own, bool present)
      : m_id(std::move(id)), m_path(std::move(path)), m_content(std::move(content)), m_source(std::move(source)),
        m_own(std::move(own)), m_present(present) {}

  StepPlan plan(Context& ctx) const override {
    if (!m_present) return plan_absent(ctx);
    return plan_file_content(ctx, m_id, m_path, read_regular(ctx, m_id, m_path), desired(), m_own);
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    if (m_present) return apply_file_content(ctx, m_id, m_path, desired(), m_own);
    FileSystem& fs = ctx.host.fs;
    auto st = fs.stat(m_path);
    if (!st) return;
    if (st->is_regular()) {
      if (auto backup = ctx.backup_path(m_path); backup) {
        create_parents(fs, *backup);
        fs.write_atomic(*backup, fs.read(m_path).value_or(""), WriteOptions{st->mode, st->uid, st->gid, {}});
      }
    }
    fs.remove(m_path);
  }

 private:
  StepPlan plan_absent(const Context& ctx) const {
    StepPlan plan;
    auto st = ctx.host.fs.stat(m_path);
    if (!st) return plan;
    if (st->is_dir()) step_fail(m_id, m_path + " is a directory, not a file");
    Change c;
    c.action = Change::Action::Remove;
    c.target = m_path;
    c.reason = "state: absent";
    if (st->is_regular()) c.detail = ctx.host.fs.read(m_path).value_or("");
    c.provides = {"path:" + m_path};
    plan.changes.push_back(std::move(c));
    return plan;
  }

  /// The wanted content: inline, or read from the source file on the control machine.
  std::string desired() const {
    if (m_content) return *m_content;
    std::ifstream in(m_source, std::ios::binary);
    if (!in) step_fail(m_id, "cannot read source " + m_source);
    std::ostringstream data;
    data << in.rdbuf();
    if (in.bad()) step_fail(m_id, "cannot read source " + m_source);
    return data.str();
  }

  std::string m_id;
  std::string m_path;
  std::optional<std::string> m_content;
  std::string m_source;  ///< a path on the control machine, already resolved
  Ownership m_own;
  bool m_present;
};

std::unique_ptr<Step> make_file(const StepSpec& spec) {
  const bool present = spec.state_present();
  std::string path = spec.absolute_path("path");
  std::optional<std::string> content = spec.opt_str("content");
  std::optional<std::string> source = spec.opt_str("source");
  if (present && content.has_value() == source.has_value())
    spec.fail("content", "step '" + spec.id() + "': exactly one of 'content' or 'source' is required");
  std::string resolved;
  if (present && source) {
    std::filesystem::path src(*source);
    if (src.is_relative()) src = std::filesystem::path(spec.loc().file).parent_path() / src;
    resolved = src.lexically_normal().string();
  }
  return std::make_unique<FileStep>(spec.id(), path, present ? content : std::nullopt, resolved,
                                    Ownership::from_spec(spec), present);
}

}  // namespace

StepType file_type() {
  StepType t;
  t.name = "file";
  t.summary = "A regular file with given content, mode and owner (or its absence)";
  t.fields = {
      {"path", FieldType::String, true, "absolute logical path of the file"},
      {"content", FieldType::String, false, "the whole content (exactly one of content or source)"},
      {"source", FieldType::String, false, "a file beside the recipe (relative to the recipe's directory)"},
      {"mode", FieldType::String, false, "octal mode such as 0644; default: keep, or 0644 for a new file"},
      {"owner", FieldType::String, false, "user name or uid in the root's /etc/passwd; default: keep / root"},
      {"group", FieldType::String, false, "group name or gid in the root's /etc/group; default: keep / root"},
      {"state", FieldType::String, false, "present (default) or absent"},
  };
  t.example =
      "- id: motd\n"
      "  type: file\n"
      "  path: /etc/motd\n"
      "  content: |\n"
      "    Managed by aiprov.\n"
      "  mode: \"0644\"\n";
  t.factory = make_file;
  return t;
}

}  // namespace aiprov::steps
