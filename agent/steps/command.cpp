/// Step type `command`: runs a program (argv) or, when the recipe asks for one, a shell snippet
/// (["/bin/sh", "-c", shell]), guarded by:
///   creates: a logical path; the command is skipped when it exists;
///   unless:  an argv; the command is skipped when it exits 0;
///   onlyif:  an argv; the command runs only when it exits 0.
/// The `unless` and `onlyif` guards are run while planning: by contract they are read-only checks
/// (test -d, dpkg -s, grep -q), so a plan may run them. The plan's reason names the guard that decided.
///
/// A command without guards plans a change every time. So that the engine's re-plan after apply does
/// not count it as unconverged, a guard-less command that ran in this run (m_ran_this_run, set by
/// apply) plans as converged afterwards; guarded commands are always re-checked honestly.

#include <filesystem>

#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

class CommandStep : public Step {
 public:
  CommandStep(std::string id, Command cmd, std::optional<std::string> creates, std::vector<std::string> unless,
              std::vector<std::string> onlyif)
      : m_id(std::move(id)), m_cmd(std::move(cmd)), m_creates(std::move(creates)), m_unless(std::move(unless)),
        m_onlyif(std::move(onlyif)) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    const bool guarded = m_creates || !m_unless.empty() || !m_onlyif.empty();
    if (!guarded && m_ran_this_run) return plan;
    std::vector<std::string> reasons;
    if (m_creates) {
      if (ctx.host.fs.stat(*m_creates)) return plan;
      reasons.push_back("creates: " + *m_creates + " is absent");
      std::string by = ctx.pending_by("path:" + *m_creates);
      if (!by.empty()) plan.depends_on = "path '" + *m_creates + "' is created by step '" + by + "'";
    }
    // Guards run in the command's working directory; when an earlier step creates it, they cannot run
    // yet, so the outcome depends on that step.
    const bool guards_can_run = m_cmd.cwd.empty() || ctx.host.fs.stat(m_cmd.cwd).has_value();
    if (!guards_can_run && (!m_unless.empty() || !m_onlyif.empty())) {
      std::string by = creator_of(ctx, m_cmd.cwd);
      if (by.empty()) throw StepError("step '" + m_id + "': working directory " + m_cmd.cwd + " does not exist");
      plan.depends_on = "working directory " + m_cmd.cwd + " is created by step '" + by + "'";
      reasons.push_back("guards run once " + m_cmd.cwd + " exists");
    } else if (!m_unless.empty()) {
      ProcessResult r = ctx.host.proc.run(guard(m_unless));
      if (r.ok()) return {};
      reasons.push_back("unless: `" + display_argv(m_unless) + "` " + outcome(r));
    }
    if (!m_onlyif.empty() && guards_can_run) {
      ProcessResult r = ctx.host.proc.run(guard(m_onlyif));
      if (!r.ok()) return {};
      reasons.push_back("onlyif: `" + display_argv(m_onlyif) + "` " + outcome(r));
    }
    if (!guarded) reasons.push_back("no guard: runs every time");

    Change c;
    c.action = Change::Action::Run;
    c.target = "run: " + display_argv(m_cmd.argv);
    for (const auto& r : reasons) c.reason += (c.reason.empty() ? "" : "; ") + r;
    if (!m_cmd.cwd.empty()) c.detail += "cwd: " + m_cmd.cwd + "\n";
    for (const auto& [k, v] : m_cmd.env) c.detail += "env: " + k + "=" + v + "\n";
    if (m_cmd.timeout.count() > 0) c.detail += "timeout: " + std::to_string(m_cmd.timeout.count()) + "s\n";
    if (m_creates) c.provides = {"path:" + *m_creates};
    plan.changes.push_back(std::move(c));
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    run_checked(ctx, m_id, m_cmd);
    m_ran_this_run = true;
  }

  bool uses_apt() const override {
    if (m_shell) return false;
    std::string program = std::filesystem::path(m_cmd.argv.front()).filename().string();
    return program == "apt-get" || program == "apt" || program == "aptitude";
  }

  void set_shell(bool shell) { m_shell = shell; }

 private:
  /// A guard runs with the command's environment, working directory and timeout.
  Command guard(const std::vector<std::string>& argv) const {
    Command g = m_cmd;
    g.argv = argv;
    return g;
  }
  /// The earlier step that creates `dir` or something below it (and so its parents), or "".
  static std::string creator_of(const Context& ctx, const std::string& dir) {
    std::string by = ctx.pending_by("path:" + dir);
    if (!by.empty()) return by;
    const std::string prefix = "path:" + (dir.back() == '/' ? dir : dir + "/");
    auto it = ctx.pending.lower_bound(prefix);
    if (it != ctx.pending.end() && it->first.compare(0, prefix.size(), prefix) == 0) return it->second;
    return {};
  }
  static std::string outcome(const ProcessResult& r) {
    return r.timed_out ? "timed out" : "exited " + std::to_string(r.exit_code);
  }

  std::string m_id;
  Command m_cmd;
  std::optional<std::string> m_creates;
  std::vector<std::string> m_unless;
  std::vector<std::string> m_onlyif;
  bool m_shell = false;
  bool m_ran_this_run = false;  ///< a guard-less command ran in this run: its re-plan is converged
};

std::unique_ptr<Step> make_command(const StepSpec& spec) {
  const std::string& id = spec.id();
  auto given = [&](const char* key) { return spec.field(key) && !spec.field(key)->is_null(); };
  if (given("argv") == given("shell"))
    spec.fail(given("argv") ? "shell" : "argv", "step '" + id + "': exactly one of 'argv' or 'shell' is required");
  Command cmd;
  if (given("argv")) {
    cmd.argv = spec.str_list("argv");
    if (cmd.argv.empty() || cmd.argv[0].empty()) spec.fail("argv", "step '" + id + "': 'argv' must not be empty");
  } else {
    cmd.argv = {"/bin/sh", "-c", spec.str("shell")};
  }
  for (auto& [k, v] : spec.str_map("env")) cmd.env[k] = v;
  cmd.cwd = spec.opt_str("cwd").value_or("");
  if (!cmd.cwd.empty() && cmd.cwd[0] != '/')
    spec.fail("cwd", "step '" + id + "': cwd must be absolute, found '" + cmd.cwd + "'");
  long timeout = spec.integer("timeout", 0);
  if (timeout < 0) spec.fail("timeout", "step '" + id + "': timeout must not be negative");
  cmd.timeout = std::chrono::seconds(timeout);
  std::optional<std::string> creates = spec.opt_str("creates");
  if (creates && (creates->empty() || (*creates)[0] != '/'))
    spec.fail("creates", "step '" + id + "': creates must be an absolute path, found '" + *creates + "'");
  std::vector<std::string> unless = spec.str_list("unless");
  std::vector<std::string> onlyif = spec.str_list("onlyif");
  if (given("unless") && unless.empty()) spec.fail("unless", "step '" + id + "': 'unless' must not be empty");
  if (given("onlyif") && onlyif.empty()) spec.fail("onlyif", "step '" + id + "': 'onlyif' must not be empty");
  auto step = std::make_unique<CommandStep>(id, std::move(cmd), std::move(creates), std::move(unless),
                                            std::move(onlyif));
  step->set_shell(given("shell"));
  return step;
}

}  // namespace

StepType command_type() {
  StepType t;
  t.name = "command";
  t.summary = "A command (argv, or a shell snippet) guarded by creates/unless/onlyif";
  t.fields = {
      {"argv", FieldType::StringList, false, "program and arguments (exactly one of argv or shell)"},
      {"shell", FieldType::String, false, "a snippet run as /bin/sh -c (exactly one of argv or shell)"},
      {"creates", FieldType::String, false, "logical path; skip the command when it exists"},
      {"unless", FieldType::StringList, false, "argv of a read-only check; skip when it exits 0"},
      {"onlyif", FieldType::StringList, false, "argv of a read-only check; run only when it exits 0"},
      {"env", FieldType::StringMap, false, "environment variables added to a clean environment"},
      {"cwd", FieldType::String, false, "logical working directory; default /"},
      {"timeout", FieldType::Int, false, "seconds before the command is killed; default none"},
  };
  t.example =
      "- id: conda-init\n"
      "  type: command\n"
      "  argv: [/opt/anaconda3/bin/conda, config, --system, --set, auto_activate_base, \"false\"]\n"
      "  unless: [grep, -q, auto_activate_base, /opt/anaconda3/.condarc]\n";
  t.factory = make_command;
  return t;
}

}  // namespace aiprov::steps
