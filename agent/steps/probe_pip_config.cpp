/// Probe type `pip_config`: `pip config list` shows the expected global.index-url (the mirror).

#include "steps/pip_config_list.hpp"
#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{120};
constexpr const char* kKey = "global.index-url";

class PipConfigProbe : public Probe {
 public:
  PipConfigProbe(std::string pip, std::string index_url) : m_pip(std::move(pip)), m_index_url(std::move(index_url)) {}

  ProbeResult run(Context& ctx) const override {
    Command cmd = probe::command({m_pip, "config", "list"}, kTimeout);
    ProcessResult r = probe::run(ctx, cmd);
    std::string evidence = probe::evidence(cmd, r);
    if (!r.ok()) return probe::fail(probe::failure(cmd, r), evidence);
    auto config = parse_pip_config_list(r.output);
    nlohmann::json data = nlohmann::json::object();
    for (const auto& [k, v] : config) data[k] = v;
    auto it = config.find(kKey);
    const std::string expected = std::string(kKey) + "='" + m_index_url + "'";
    if (it == config.end()) return probe::fail("expected " + expected + ", " + kKey + " is not set", evidence, data);
    if (it->second != m_index_url)
      return probe::fail("expected " + expected + ", found '" + it->second + "'", evidence, data);
    return probe::pass(expected, evidence, data);
  }

 private:
  std::string m_pip;
  std::string m_index_url;
};

std::unique_ptr<Probe> make_pip_config(const StepSpec& spec) {
  std::string pip = spec.opt_str("pip").value_or("pip3");
  if (pip.empty()) spec.fail("pip", "probe '" + spec.id() + "': 'pip' must not be empty");
  std::string url = spec.str("index_url");
  if (url.empty()) spec.fail("index_url", "probe '" + spec.id() + "': 'index_url' must not be empty");
  return std::make_unique<PipConfigProbe>(pip, url);
}

}  // namespace

ProbeType pip_config_probe_type() {
  ProbeType t;
  t.name = "pip_config";
  t.summary = "pip config list shows the expected global.index-url";
  t.fields = {
      {"pip", FieldType::String, false, "the pip program; default pip3"},
      {"index_url", FieldType::String, true, "expected value of global.index-url"},
  };
  t.example =
      "- id: pip-mirror\n"
      "  type: pip_config\n"
      "  pip: /opt/anaconda3/bin/pip\n"
      "  index_url: https://pypi.tuna.tsinghua.edu.cn/simple\n";
  t.factory = make_pip_config;
  return t;
}

}  // namespace aiprov::steps
