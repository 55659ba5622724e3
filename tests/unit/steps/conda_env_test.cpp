// Step type `conda_env` on the fake host: create, converged, another Python, missing packages, conda
// installed by an earlier step, and the fields' checks.

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

constexpr const char* kConda = "/opt/anaconda3/bin/conda";
constexpr const char* kEnv = "/opt/anaconda3/envs/py311";
const std::string kFields =
    "id: py311\nconda: /opt/anaconda3/bin/conda\nname: py311\npython: \"3.11\"\npackages: [numpy=1.26, \"conda-forge::pandas>=2\"]\n";

std::unique_ptr<Step> conda_env(const std::string& fields = kFields) {
  return make_step(steps::conda_env_type(), fields);
}

/// What `conda create` leaves: bin/python and the conda-meta records.
void lay_out_env(FakeHost& host, const std::vector<std::string>& meta) {
  host.fs.add_dir(kEnv + std::string("/conda-meta"));
  host.fs.add_file(kEnv + std::string("/bin/python"), "", 0755);
  for (const auto& m : meta) host.fs.add_file(kEnv + std::string("/conda-meta/") + m, "{}");
}

/// The environment's bin/python answers `--version` with `output` and exit status `rc`.
void env_python_says(FakeHost& host, int rc, const std::string& output) {
  host.proc.on_argv({std::string(kEnv) + "/bin/python", "--version"}, FakeProcessRunner::result(rc, output));
}

TEST(CondaEnvStepTest, CreatesTheEnvironmentThenConverges) {
  FakeHost host;
  host.fs.add_file(kConda, "", 0755);
  auto step = conda_env();
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Create);
  EXPECT_EQ(plan.changes[0].target, "conda env py311 (/opt/anaconda3/envs/py311)");
  EXPECT_EQ(plan.changes[0].reason, "/opt/anaconda3/envs/py311/bin/python does not exist");
  EXPECT_EQ(plan.changes[0].detail,
            "/opt/anaconda3/bin/conda create -n py311 python=3.11 numpy=1.26 'conda-forge::pandas>=2' -y\n");
  EXPECT_TRUE(host.proc.commands().empty()) << "no python to ask yet";

  host.proc.on_program(kConda, FakeProcessRunner::result(0), [&](const Command&) {
    lay_out_env(host, {"python-3.11.9-h955ad1f_0.json", "numpy-1.26.4-py311h08b1b3b_0.json",
                       "pandas-2.2.2-py311hea32bd1_0.json"});
  });
  env_python_says(host, 0, "Python 3.11.9\n");
  apply_and_expect_converged(*step, host);
  ASSERT_FALSE(host.proc.commands().empty());
  EXPECT_EQ(FakeProcessRunner::join(host.proc.commands()[0].argv),
            "/opt/anaconda3/bin/conda create -n py311 python=3.11 numpy=1.26 conda-forge::pandas>=2 -y");
}

TEST(CondaEnvStepTest, ThreePointOneIsNotThreePointEleven) {
  FakeHost host;
  host.fs.add_file(kConda, "", 0755);
  lay_out_env(host, {});
  auto step = conda_env("conda: /opt/anaconda3/bin/conda\nname: py311\npython: \"3.1\"\n");
  env_python_says(host, 0, "Python 3.11.9\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Update);
  EXPECT_EQ(plan.changes[0].reason, "python 3.11.9 -> 3.1");
  EXPECT_EQ(plan.changes[0].detail, "/opt/anaconda3/bin/conda install -n py311 python=3.1 -y\n");
}

TEST(CondaEnvStepTest, MissingPackagesAreInstalledByTheirSpecs) {
  FakeHost host;
  host.fs.add_file(kConda, "", 0755);
  // numpy-base is another package: it must not count as numpy.
  lay_out_env(host, {"python-3.11.9-h955ad1f_0.json", "numpy-base-1.26.4-py311hf175353_0.json",
                     "pandas-2.2.2-py311hea32bd1_0.json"});
  env_python_says(host, 0, "Python 3.11.9\n");
  auto step = conda_env();
  Context ctx = host.context("/var/lib/aiprov/backups/run1");
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "packages missing: numpy");
  host.proc.clear_commands();
  host.proc.on_argv({kConda, "install", "-n", "py311", "numpy=1.26", "-y"}, FakeProcessRunner::result(0),
                    [&](const Command&) { host.fs.add_file(std::string(kEnv) + "/conda-meta/numpy-1.26.4-py311_0.json", "{}"); });
  step->apply(ctx, plan);
  EXPECT_THAT(host.proc.command_lines(),
              ElementsAre(std::string(kEnv) + "/bin/python --version",
                          "/opt/anaconda3/bin/conda install -n py311 numpy=1.26 -y"));
  EXPECT_TRUE(step->plan(ctx).converged());
}

TEST(CondaEnvStepTest, APythonThatDoesNotRunIsReplaced) {
  FakeHost host;
  host.fs.add_file(kConda, "", 0755);
  lay_out_env(host, {});
  env_python_says(host, 127, "not found\n");
  auto step = conda_env("conda: /opt/anaconda3/bin/conda\nname: py311\npython: \"3.11\"\n");
  Context ctx = host.context();
  StepPlan plan = step->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "python unknown -> 3.11");
}

TEST(CondaEnvStepTest, CondaFromAnEarlierStep) {
  FakeHost host;
  auto step = conda_env();
  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { step->plan(ctx); }),
            "step 'py311': conda not found at /opt/anaconda3/bin/conda (no earlier step installs it)");
  ctx.pending["path:/opt/anaconda3/bin/conda"] = "anaconda-install";
  StepPlan plan = step->plan(ctx);
  EXPECT_EQ(plan.depends_on, "conda /opt/anaconda3/bin/conda is installed by step 'anaconda-install'");
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_THAT(plan.changes[0].provides, ElementsAre("path:/opt/anaconda3/envs/py311"));
}

TEST(CondaEnvStepTest, FieldChecks) {
  const auto& t = steps::conda_env_type();
  EXPECT_EQ(build_error(t, "conda: conda\nname: a\npython: \"3.11\"\n"),
            "step 'x': conda must be an absolute path such as /opt/anaconda3/bin/conda, found 'conda'");
  EXPECT_EQ(build_error(t, "conda: /opt/conda\nname: a\npython: \"3.11\"\n"),
            "step 'x': conda must be an absolute path such as /opt/anaconda3/bin/conda, found '/opt/conda'");
  EXPECT_EQ(build_error(t, "conda: /opt/a/bin/conda\nname: base\npython: \"3.11\"\n"),
            "step 'x': name must be letters, digits, '_', '.', '-' (and not 'base'), found 'base'");
  EXPECT_EQ(build_error(t, "conda: /opt/a/bin/conda\nname: a/b\npython: \"3.11\"\n"),
            "step 'x': name must be letters, digits, '_', '.', '-' (and not 'base'), found 'a/b'");
  EXPECT_EQ(build_error(t, "conda: /opt/a/bin/conda\nname: a\npython: latest\n"),
            "step 'x': python must be a version such as 3.11, found 'latest'");
  EXPECT_EQ(build_error(t, "conda: /opt/a/bin/conda\nname: a\npython: \"3.11\"\npackages: [\"=1\"]\n"),
            "step 'x': '=1' names no package");
  EXPECT_EQ(build_error(t, "conda: /opt/a/condabin/conda\nname: a\npython: \"3.11\"\n"), "");
}

}  // namespace
}  // namespace aiprov::testing
