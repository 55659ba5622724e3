/// Probe type `conda`: `conda --version` works for `user` (run through runuser, so a member of the
/// group proves that the shared installation is usable by the group), and with `env` (or `python`)
/// `conda run -n ENV python --version` reports the expected Python.

#include "steps/probe_common.hpp"
#include "steps/probes.hpp"
#include "steps/version_line.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{300};  // `conda run` starts slowly on a cold cache

class CondaProbe : public Probe {
 public:
  CondaProbe(std::string conda, std::string user, std::string env, std::string python)
      : m_conda(std::move(conda)), m_user(std::move(user)), m_env(std::move(env)), m_python(std::move(python)) {}

  ProbeResult run(Context& ctx) const override {
    const std::string as = m_user.empty() ? "" : " as " + m_user;
    Command version = probe::command(probe::as_user(m_user, {m_conda, "--version"}), kTimeout);
    ProcessResult r = probe::run(ctx, version);
    std::string evidence = probe::evidence(version, r);
    if (!r.ok()) return probe::fail(probe::failure(version, r), evidence);
    auto conda_version = version_after(r.output, "conda");
    if (!conda_version) return probe::fail("no 'conda X.Y.Z' line in the output of conda --version", evidence);
    nlohmann::json data = {{"conda_version", *conda_version}};
    if (!m_user.empty()) data["user"] = m_user;
    std::string summary = "conda " + *conda_version + as;
    if (m_env.empty()) return probe::pass(summary, evidence, data);

    Command python = probe::command(probe::as_user(m_user, {m_conda, "run", "-n", m_env, "python", "--version"}), kTimeout);
    ProcessResult p = probe::run(ctx, python);
    evidence += probe::evidence(python, p);
    if (!p.ok()) return probe::fail("environment " + m_env + ": " + probe::failure(python, p), evidence, data);
    auto python_version = version_after(p.output, "Python");
    if (!python_version)
      return probe::fail("environment " + m_env + ": no 'Python X.Y.Z' line in the output of python --version",
                         evidence, data);
    data["env"] = m_env;
    data["python_version"] = *python_version;
    if (!probe::version_has_prefix(*python_version, m_python))
      return probe::fail("environment " + m_env + ": expected Python " + m_python + ", found " + *python_version,
                         evidence, data);
    return probe::pass(summary + ", environment " + m_env + " has Python " + *python_version, evidence, data);
  }

 private:
  std::string m_conda;
  std::string m_user;
  std::string m_env;
  std::string m_python;
};

std::unique_ptr<Probe> make_conda(const StepSpec& spec) {
  std::string conda = spec.str("conda");
  if (conda.empty() || conda[0] != '/')
    spec.fail("conda", "probe '" + spec.id() + "': conda must be an absolute path, found '" + conda + "'");
  std::string python = spec.opt_str("python").value_or("");
  // Without an env, `python` is checked in the base environment.
  std::string env = spec.opt_str("env").value_or(python.empty() ? "" : "base");
  return std::make_unique<CondaProbe>(conda, spec.opt_str("user").value_or(""), env, python);
}

}  // namespace

ProbeType conda_probe_type() {
  ProbeType t;
  t.name = "conda";
  t.summary = "conda --version works (as a user, through runuser), and an environment has the expected Python";
  t.fields = {
      {"conda", FieldType::String, true, "path of the conda program, such as /opt/anaconda3/bin/conda"},
      {"user", FieldType::String, false, "run as this user (runuser -u USER --); default the user running aiprov"},
      {"env", FieldType::String, false, "an environment: `conda run -n ENV python --version` must work"},
      {"python", FieldType::String, false, "expected version prefix of that environment's Python (base when no env)"},
  };
  t.example =
      "- id: conda-for-alice\n"
      "  type: conda\n"
      "  conda: /opt/anaconda3/bin/conda\n"
      "  user: alice\n"
      "  env: py311\n"
      "  python: \"3.11\"\n";
  t.factory = make_conda;
  return t;
}

}  // namespace aiprov::steps
