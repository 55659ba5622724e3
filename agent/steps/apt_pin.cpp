/// Step type `apt_pin`: an apt preferences file /etc/apt/preferences.d/<name> (apt_preferences(5)),
/// either one record from `package`, `pin` and `priority` or a whole file as `content` (such as
/// NVIDIA's cuda-repository-pin-600). Pins change candidate versions, so a change provides
/// "apt:sources" like a sources change does.

#include <cctype>
#include <memory>
#include <string>
#include <utility>

#include "steps/apt_sources.hpp"
#include "steps/common_file.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

constexpr const char* kPreferencesDir = "/etc/apt/preferences.d";

class AptPinStep : public Step {
 public:
  AptPinStep(std::string id, std::string path, std::string content)
      : m_id(std::move(id)), m_path(std::move(path)), m_content(std::move(content)) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan = plan_file_content(ctx, m_id, m_path, read_regular(ctx, m_id, m_path), m_content, own());
    for (auto& c : plan.changes) c.provides.push_back("apt:sources");
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    try {
      apply_file_content(ctx, m_id, m_path, m_content, own());
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
  }

 private:
  static Ownership own() {
    Ownership o;
    o.mode = 0644;
    return o;
  }

  std::string m_id;
  std::string m_path;
  std::string m_content;
};

/// apt reads preferences.d files named only with [A-Za-z0-9_-], optionally ending in ".pref".
bool valid_name(const std::string& name) {
  std::string stem = name.size() > 5 && name.compare(name.size() - 5, 5, ".pref") == 0 ? name.substr(0, name.size() - 5) : name;
  if (stem.empty()) return false;
  for (char c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

bool is_integer(const std::string& s) {
  std::size_t i = s.size() > 1 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

/// Every record must have Package, Pin and an integer Pin-Priority, or apt refuses the whole file.
void check_records(const StepSpec& spec, const std::string& content) {
  int records = 0;
  for (const auto& block : apt::parse_deb822(content).blocks) {
    if (!block.is_stanza()) continue;
    ++records;
    for (const char* field : {"Package", "Pin", "Pin-Priority"})
      if (!block.get(field))
        spec.fail("content", "step '" + spec.id() + "': record " + std::to_string(records) + " has no " + field +
                                 " field (apt refuses the whole file)");
    std::string priority = *block.get("Pin-Priority");
    if (!is_integer(priority))
      spec.fail("content", "step '" + spec.id() + "': record " + std::to_string(records) +
                               ": Pin-Priority must be an integer, found '" + priority + "'");
  }
  if (records == 0) spec.fail("content", "step '" + spec.id() + "': content holds no preferences record");
}

std::unique_ptr<Step> make_apt_pin(const StepSpec& spec) {
  const std::string& id = spec.id();
  std::string name = spec.str("name");
  if (!valid_name(name))
    spec.fail("name", "step '" + id + "': name '" + name +
                          "' must hold only letters, digits, '_' and '-', optionally ending in .pref (apt ignores "
                          "other files in preferences.d)");
  std::optional<std::string> content = spec.opt_str("content");
  bool record = spec.has("package") || spec.has("pin") || spec.has("priority");
  if (content.has_value() == record)
    spec.fail(content ? "content" : "name",
              "step '" + id + "': give either content or all of package, pin and priority");
  if (!content) {
    if (!spec.has("package") || !spec.has("pin") || !spec.has("priority"))
      spec.fail("package", "step '" + id + "': package, pin and priority are required together");
    std::string package = spec.str("package");
    std::string pin = spec.str("pin");
    for (const auto& [key, value] : {std::pair{"package", package}, std::pair{"pin", pin}})
      if (value.empty() || value.find('\n') != std::string::npos)
        spec.fail(key, "step '" + id + "': " + key + " must be one non-empty line");
    content = "Package: " + package + "\nPin: " + pin + "\nPin-Priority: " + std::to_string(spec.integer("priority", 0)) + "\n";
  }
  check_records(spec, *content);
  return std::make_unique<AptPinStep>(id, std::string(kPreferencesDir) + "/" + name, *content);
}

}  // namespace

StepType apt_pin_type() {
  StepType t;
  t.name = "apt_pin";
  t.summary = "An apt preferences file (pin) in /etc/apt/preferences.d/<name>";
  t.fields = {
      {"name", FieldType::String, true, "file name: letters, digits, '_', '-', optionally ending in .pref"},
      {"package", FieldType::String, false, "Package: the packages pinned (with pin and priority)"},
      {"pin", FieldType::String, false, "Pin: e.g. 'release l=NVIDIA CUDA' or 'version 550.*'"},
      {"priority", FieldType::Int, false, "Pin-Priority, e.g. 600 or -1"},
      {"content", FieldType::String, false, "the whole preferences file instead of package/pin/priority"},
  };
  t.example =
      "- id: cuda-pin\n"
      "  type: apt_pin\n"
      "  name: cuda-repository-pin-600\n"
      "  package: \"*\"\n"
      "  pin: release l=NVIDIA CUDA\n"
      "  priority: 600\n";
  t.factory = make_apt_pin;
  return t;
}

}  // namespace aiprov::steps
