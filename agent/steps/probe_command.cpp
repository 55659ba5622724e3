/// Probe type `command`: a read-only command (argv, optionally as a user) exits 0 and, when `expect`
/// is given, its output matches that regular expression (ECMAScript, searched anywhere; ^ and $ match
/// at line boundaries).

#include <regex>

#include "steps/common_command.hpp"
#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{600};

class CommandProbe : public Probe {
 public:
  CommandProbe(std::vector<std::string> argv, std::string user, std::string expect)
      : m_argv(std::move(argv)), m_user(std::move(user)), m_expect(std::move(expect)), m_regex(compile(m_expect)) {}

  /// ECMAScript syntax; ^ and $ match at every line's start and end.
  static std::regex compile(const std::string& expect) {
    return std::regex(expect, std::regex::ECMAScript | std::regex::multiline);
  }

  ProbeResult run(Context& ctx) const override {
    Command cmd = probe::command(probe::as_user(m_user, m_argv), kTimeout);
    ProcessResult r = probe::run(ctx, cmd);
    std::string evidence = probe::evidence(cmd, r);
    nlohmann::json data = {{"exit_code", r.exit_code}};
    if (!r.ok()) return probe::fail(probe::failure(cmd, r), evidence, data);
    const std::string ran = "`" + display_argv(m_argv) + "`" + (m_user.empty() ? "" : " as " + m_user);
    if (m_expect.empty()) return probe::pass(ran + " exited 0", evidence, data);
    std::smatch m;
    if (!std::regex_search(r.output, m, m_regex))
      return probe::fail(ran + ": output does not match /" + m_expect + "/", evidence, data);
    data["match"] = m.str();
    return probe::pass(ran + " printed '" + m.str() + "'", evidence, data);
  }

 private:
  std::vector<std::string> m_argv;
  std::string m_user;
  std::string m_expect;
  std::regex m_regex;
};

std::unique_ptr<Probe> make_command_probe(const StepSpec& spec) {
  std::vector<std::string> argv = spec.str_list("argv");
  if (argv.empty() || argv[0].empty()) spec.fail("argv", "probe '" + spec.id() + "': 'argv' must not be empty");
  std::string expect = spec.opt_str("expect").value_or("");
  try {
    CommandProbe::compile(expect);
  } catch (const std::regex_error& e) {
    spec.fail("expect", "probe '" + spec.id() + "': 'expect' is not a valid regular expression: " + e.what());
  }
  return std::make_unique<CommandProbe>(argv, spec.opt_str("user").value_or(""), expect);
}

}  // namespace

ProbeType command_probe_type() {
  ProbeType t;
  t.name = "command";
  t.summary = "A read-only command exits 0 and its output matches a regular expression";
  t.fields = {
      {"argv", FieldType::StringList, true, "program and arguments (no shell; write [sh, -c, ...] for one)"},
      {"expect", FieldType::String, false, "regular expression (ECMAScript; ^ and $ match at line ends) searched in the output"},
      {"user", FieldType::String, false, "run as this user (runuser -u USER --)"},
  };
  t.example =
      "- id: torch-sees-gpu\n"
      "  type: command\n"
      "  argv: [/opt/anaconda3/bin/python, -c, \"import torch; print(torch.cuda.is_available())\"]\n"
      "  expect: \"^True\"\n"
      "  user: alice\n";
  t.factory = make_command_probe;
  return t;
}

}  // namespace aiprov::steps
