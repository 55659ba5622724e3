// Probe type `conda`: conda --version as a member of the group (runuser), and the environment's Python.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kConda = "/opt/anaconda3/bin/conda";

ProbeResult run_probe(FakeHost& host, const std::string& yaml) {
  return run_probe_on(host, steps::conda_probe_type(), yaml);
}

TEST(CondaProbe, VersionAsAUserAndTheEnvironmentsPython) {
  FakeHost host;
  host.proc.on_argv({"runuser", "-u", "alice", "--", kConda, "--version"}, FakeProcessRunner::result(0, "conda 23.7.4\n"));
  host.proc.on_argv({"runuser", "-u", "alice", "--", kConda, "run", "-n", "py311", "python", "--version"},
                    FakeProcessRunner::result(0, "Python 3.11.9\n"));
  ProbeResult r = run_probe(host, "conda: " + kConda + "\nuser: alice\nenv: py311\npython: \"3.11\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary;
  EXPECT_EQ(r.summary, "conda 23.7.4 as alice, environment py311 has Python 3.11.9");
  EXPECT_THAT(host.proc.command_lines(),
              ElementsAre("runuser -u alice -- /opt/anaconda3/bin/conda --version",
                          "runuser -u alice -- /opt/anaconda3/bin/conda run -n py311 python --version"));
  EXPECT_EQ(r.data["python_version"], "3.11.9");
}

TEST(CondaProbe, WithoutUserRunsDirectly) {
  FakeHost host;
  host.proc.on_argv({kConda, "--version"}, FakeProcessRunner::result(0, "conda 23.7.4\n"));
  ProbeResult r = run_probe(host, "conda: " + kConda + "\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass);
  EXPECT_EQ(r.summary, "conda 23.7.4");
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("/opt/anaconda3/bin/conda --version"));
}

TEST(CondaProbe, PermissionDeniedForTheUserFails) {
  FakeHost host;
  host.proc.on_program("runuser", FakeProcessRunner::result(126, "runuser: failed to execute /opt/anaconda3/bin/conda: "
                                                                 "Permission denied\n"));
  ProbeResult r = run_probe(host, "conda: " + kConda + "\nuser: bob\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`runuser -u bob -- /opt/anaconda3/bin/conda --version` exited 126");
  EXPECT_THAT(r.evidence, HasSubstr("Permission denied"));
}

TEST(CondaProbe, WrongPythonFails) {
  FakeHost host;
  host.proc.on_argv({kConda, "--version"}, FakeProcessRunner::result(0, "conda 23.7.4\n"));
  host.proc.on_argv({kConda, "run", "-n", "base", "python", "--version"}, FakeProcessRunner::result(0, "Python 3.10.12\n"));
  ProbeResult r = run_probe(host, "conda: " + kConda + "\npython: \"3.11\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "environment base: expected Python 3.11, found 3.10.12");
}

TEST(CondaProbe, MissingEnvironmentFails) {
  FakeHost host;
  host.proc.on_argv({kConda, "--version"}, FakeProcessRunner::result(0, "conda 23.7.4\n"));
  host.proc.on_argv({kConda, "run", "-n", "nope", "python", "--version"},
                    FakeProcessRunner::result(1, "EnvironmentLocationNotFound: Not a conda environment: /opt/anaconda3/envs/nope\n"));
  ProbeResult r = run_probe(host, "conda: " + kConda + "\nenv: nope\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "environment nope: `/opt/anaconda3/bin/conda run -n nope python --version` exited 1");
  EXPECT_THAT(r.evidence, HasSubstr("EnvironmentLocationNotFound"));
}

TEST(CondaProbe, CondaMustBeAnAbsolutePath) {
  EXPECT_EQ(probe_build_error(steps::conda_probe_type(), "conda: conda\n"),
            "probe 'p': conda must be an absolute path, found 'conda'");
}

}  // namespace
}  // namespace aiprov::testing
