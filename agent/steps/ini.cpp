/// Step type `ini`: sets keys of an INI file (pip.conf, ...) given as "section.key": value, keeping
/// every other key, comment, blank line and the order (see ini_text.hpp). A missing file is created.

#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/ini_text.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class IniStep : public Step {
 public:
  IniStep(std::string id, std::string path, std::vector<IniSetting> settings, Ownership own)
      : m_id(std::move(id)), m_path(std::move(path)), m_settings(std::move(settings)), m_own(std::move(own)) {}

  StepPlan plan(Context& ctx) const override {
    std::optional<std::string> current = read_regular(ctx, m_id, m_path);
    return plan_file_content(ctx, m_id, m_path, current, ini_set(current.value_or(""), m_settings), m_own);
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    std::optional<std::string> current = read_regular(ctx, m_id, m_path);
    apply_file_content(ctx, m_id, m_path, ini_set(current.value_or(""), m_settings), m_own);
  }

 private:
  std::string m_id;
  std::string m_path;
  std::vector<IniSetting> m_settings;
  Ownership m_own;
};

std::unique_ptr<Step> make_ini(const StepSpec& spec) {
  std::string path = spec.absolute_path("path");
  std::vector<IniSetting> settings;
  for (const auto& [dotted, value] : spec.str_map("settings")) {
    auto setting = parse_ini_setting(dotted, value);
    if (!setting)
      spec.fail("settings", "step '" + spec.id() + "': setting '" + dotted + "' must be written 'section.key'");
    settings.push_back(std::move(*setting));
  }
  if (settings.empty()) spec.fail("settings", "step '" + spec.id() + "': 'settings' must not be empty");
  return std::make_unique<IniStep>(spec.id(), path, std::move(settings), Ownership::from_spec(spec));
}

}  // namespace

StepType ini_type() {
  StepType t;
  t.name = "ini";
  t.summary = "Keys of an INI file (pip.conf) set in place, everything else kept";
  t.fields = {
      {"path", FieldType::String, true, "absolute logical path of the INI file (created when absent)"},
      {"settings", FieldType::StringMap, true, "\"section.key\": value, e.g. global.index-url"},
      {"mode", FieldType::String, false, "octal mode; default: keep, or 0644 for a new file"},
      {"owner", FieldType::String, false, "user name or uid in the root's /etc/passwd"},
      {"group", FieldType::String, false, "group name or gid in the root's /etc/group"},
  };
  t.example =
      "- id: pip-mirror\n"
      "  type: ini\n"
      "  path: /etc/pip.conf\n"
      "  settings:\n"
      "    global.index-url: https://pypi.tuna.tsinghua.edu.cn/simple\n"
      "    install.trusted-host: pypi.tuna.tsinghua.edu.cn\n";
  t.factory = make_ini;
  return t;
}

}  // namespace aiprov::steps
