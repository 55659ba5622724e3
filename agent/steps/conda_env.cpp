/// Step type `conda_env`: a named conda environment with a given Python and packages.
///
/// The installation's prefix is the parent of the directory holding `conda` (/opt/anaconda3 for
/// /opt/anaconda3/bin/conda or /opt/anaconda3/condabin/conda); the environment is PREFIX/envs/NAME.
/// Converged when PREFIX/envs/NAME/bin/python reports the wanted version (`python --version`, "3.11"
/// matches 3.11.x, never 3.1x) and every package is installed, which conda records as
/// PREFIX/envs/NAME/conda-meta/<name>-<version>-<build>.json (a package's version constraint is not
/// checked against the installed version: presence is). Apply, as root:
///   no environment:    conda create -n NAME python=X PACKAGES... -y
///   another Python:    conda install -n NAME python=X -y
///   packages missing:  conda install -n NAME MISSING... -y
/// While conda itself is missing and an earlier step installs it (a `command` with
/// `creates: /opt/anaconda3/bin/conda`), the plan says so and the step is planned again before it runs.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

/// The package name of a conda spec: "numpy=1.26" -> numpy, "conda-forge::pytorch>=2" -> pytorch.
std::string spec_name(const std::string& spec) {
  std::string s = spec;
  if (auto colons = s.rfind("::"); colons != std::string::npos) s = s.substr(colons + 2);
  return s.substr(0, s.find_first_of("=<>!~ ["));
}

/// The package names recorded in a conda-meta directory ("numpy-1.26.4-py311h64a7726_0.json" ->
/// numpy: the last two '-' fields are the version and the build).
std::vector<std::string> installed_names(const FileSystem& fs, const std::string& meta_dir) {
  std::vector<std::string> names;
  for (const auto& file : fs.list_dir(meta_dir)) {
    if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0) continue;
    std::string stem = file.substr(0, file.size() - 5);
    auto build = stem.rfind('-');
    if (build == std::string::npos || build == 0) continue;
    auto version = stem.rfind('-', build - 1);
    if (version == std::string::npos || version == 0) continue;
    names.push_back(stem.substr(0, version));
  }
  return names;
}

/// True when `version` ("3.11.9") starts with the dotted components of `wanted` ("3.11").
bool version_matches(const std::string& version, const std::string& wanted) {
  if (version.compare(0, wanted.size(), wanted) != 0) return false;
  return version.size() == wanted.size() || version[wanted.size()] == '.';
}

/// "3.11.9" from "Python 3.11.9" (the first line of `python --version`), or "".
std::string python_version(const std::string& output) {
  const std::string marker = "Python ";
  auto at = output.find(marker);
  if (at == std::string::npos) return "";
  std::string rest = output.substr(at + marker.size());
  return rest.substr(0, rest.find_first_of(" \r\n"));
}

class CondaEnvStep : public Step {
 public:
  CondaEnvStep(std::string id, std::string conda, std::string name, std::string python,
               std::vector<std::string> packages)
      : m_id(std::move(id)), m_conda(std::move(conda)), m_name(std::move(name)), m_python(std::move(python)),
        m_packages(std::move(packages)) {
    m_env = parent_path(parent_path(m_conda)) + "/envs/" + m_name;
  }

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    Change c;
    c.target = "conda env " + m_name + " (" + m_env + ")";
    c.provides = {"path:" + m_env};
    if (!ctx.host.fs.stat(m_conda)) {
      std::string by = ctx.pending_by("path:" + m_conda);
      if (by.empty()) step_fail(m_id, "conda not found at " + m_conda + " (no earlier step installs it)");
      plan.depends_on = "conda " + m_conda + " is installed by step '" + by + "'";
      c.action = Change::Action::Create;
      c.reason = "conda is not installed yet";
      c.detail = display_argv(create_argv()) + "\n";
      plan.changes.push_back(std::move(c));
      return plan;
    }
    if (!ctx.host.fs.stat(m_env + "/bin/python")) {
      c.action = Change::Action::Create;
      c.reason = m_env + "/bin/python does not exist";
      c.detail = display_argv(create_argv()) + "\n";
      plan.changes.push_back(std::move(c));
      return plan;
    }
    std::string found = installed_python(ctx);
    std::vector<std::string> reasons;
    if (!version_matches(found, m_python))
      reasons.push_back("python " + (found.empty() ? std::string("unknown") : found) + " -> " + m_python);
    std::vector<std::string> missing = missing_packages(ctx.host.fs);
    if (!missing.empty()) {
      std::string list;
      for (const auto& p : missing) list += (list.empty() ? "" : ", ") + p;
      reasons.push_back("packages missing: " + list);
    }
    if (reasons.empty()) return plan;
    c.action = Change::Action::Update;
    for (const auto& r : reasons) c.reason += (c.reason.empty() ? "" : "; ") + r;
    for (const auto& argv : update_argvs(found, missing)) c.detail += display_argv(argv) + "\n";
    plan.changes.push_back(std::move(c));
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    if (!ctx.host.fs.stat(m_env + "/bin/python")) {
      run(ctx, create_argv());
      return;
    }
    for (const auto& argv : update_argvs(installed_python(ctx), missing_packages(ctx.host.fs))) run(ctx, argv);
  }

 private:
  std::vector<std::string> create_argv() const {
    std::vector<std::string> argv = {m_conda, "create", "-n", m_name, "python=" + m_python};
    argv.insert(argv.end(), m_packages.begin(), m_packages.end());
    argv.push_back("-y");
    return argv;
  }

  std::vector<std::vector<std::string>> update_argvs(const std::string& found,
                                                     const std::vector<std::string>& missing) const {
    std::vector<std::vector<std::string>> out;
    if (!version_matches(found, m_python)) out.push_back({m_conda, "install", "-n", m_name, "python=" + m_python, "-y"});
    if (!missing.empty()) {
      std::vector<std::string> argv = {m_conda, "install", "-n", m_name};
      for (const auto& spec : m_packages)
        for (const auto& name : missing)
          if (spec_name(spec) == name) argv.push_back(spec);
      argv.push_back("-y");
      out.push_back(std::move(argv));
    }
    return out;
  }

  /// The version the environment's python reports, or "" when it does not run or says nothing.
  std::string installed_python(Context& ctx) const {
    Command cmd;
    cmd.argv = {m_env + "/bin/python", "--version"};
    ProcessResult r = ctx.host.proc.run(cmd);
    return r.ok() ? python_version(r.output) : "";
  }

  std::vector<std::string> missing_packages(const FileSystem& fs) const {
    std::vector<std::string> have = installed_names(fs, m_env + "/conda-meta");
    std::vector<std::string> missing;
    for (const auto& spec : m_packages) {
      std::string name = spec_name(spec);
      bool found = false;
      for (const auto& h : have) found = found || h == name;
      if (!found) missing.push_back(name);
    }
    return missing;
  }

  void run(Context& ctx, std::vector<std::string> argv) const {
    Command cmd;
    cmd.argv = std::move(argv);
    cmd.env = {{"HOME", "/root"}};
    if (ctx.progress) cmd.on_output = [&ctx](std::string_view) { ctx.progress("conda: working"); };
    run_checked(ctx, m_id, cmd);
  }

  std::string m_id;
  std::string m_conda;
  std::string m_name;
  std::string m_python;
  std::vector<std::string> m_packages;
  std::string m_env;  ///< PREFIX/envs/NAME
};

bool valid_env_name(const std::string& name) {
  if (name.empty() || name == "base" || name == "." || name == "..") return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
         std::string::npos;
}

std::unique_ptr<Step> make_conda_env(const StepSpec& spec) {
  const std::string prefix = "step '" + spec.id() + "': ";
  std::string conda = spec.str("conda");
  std::string dir = conda.empty() || conda[0] != '/' ? "" : parent_path(conda);
  if (dir.empty() || conda.back() == '/' || parent_path(dir) == "/")
    spec.fail("conda", prefix + "conda must be an absolute path such as /opt/anaconda3/bin/conda, found '" + conda + "'");
  std::string name = spec.str("name");
  if (!valid_env_name(name))
    spec.fail("name", prefix + "name must be letters, digits, '_', '.', '-' (and not 'base'), found '" + name + "'");
  std::string python = spec.str("python");
  if (python.empty() || python.find_first_not_of("0123456789.") != std::string::npos || python.front() == '.' ||
      python.back() == '.')
    spec.fail("python", prefix + "python must be a version such as 3.11, found '" + python + "'");
  std::vector<std::string> packages = spec.str_list("packages");
  for (const auto& p : packages)
    if (spec_name(p).empty()) spec.fail("packages", prefix + "'" + p + "' names no package");
  return std::make_unique<CondaEnvStep>(spec.id(), conda, name, python, std::move(packages));
}

}  // namespace

StepType conda_env_type() {
  StepType t;
  t.name = "conda_env";
  t.summary = "A conda environment with a given Python and packages (conda create / install -n NAME)";
  t.fields = {
      {"conda", FieldType::String, true, "absolute path of conda, e.g. /opt/anaconda3/bin/conda (the env is PREFIX/envs/NAME)"},
      {"name", FieldType::String, true, "the environment's name"},
      {"python", FieldType::String, true, "the Python version, e.g. 3.11 (matches 3.11.x)"},
      {"packages", FieldType::StringList, false,
       "conda package specs installed too (numpy, numpy=1.26); present is converged, versions are not compared"},
  };
  t.example =
      "- id: py311\n"
      "  type: conda_env\n"
      "  conda: /opt/anaconda3/bin/conda\n"
      "  name: py311\n"
      "  python: \"3.11\"\n"
      "  packages: [numpy, pandas]\n";
  t.factory = make_conda_env;
  return t;
}

}  // namespace aiprov::steps
