// Probe type `command`: exit status, the regular expression over the output, running as a user.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ProbeResult run_probe(FakeHost& host, const std::string& yaml) {
  return run_probe_on(host, steps::command_probe_type(), yaml);
}

TEST(CommandProbe, ExpectMatchesALine) {
  FakeHost host;
  host.proc.on_program("runuser", FakeProcessRunner::result(0, "2.3.0\nTrue\n"));
  ProbeResult r = run_probe(host, "argv: [python, -c, \"import torch; print(torch.cuda.is_available())\"]\n"
                                  "expect: \"^True$\"\nuser: alice\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary;
  EXPECT_EQ(r.summary, "`python -c 'import torch; print(torch.cuda.is_available())'` as alice printed 'True'");
  EXPECT_THAT(host.proc.command_lines(),
              ElementsAre("runuser -u alice -- python -c import torch; print(torch.cuda.is_available())"));
}

TEST(CommandProbe, NoMatchFails) {
  FakeHost host;
  host.proc.on_program("python3", FakeProcessRunner::result(0, "False\n"));
  ProbeResult r = run_probe(host, "argv: [python3, -V]\nexpect: \"^True\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`python3 -V`: output does not match /^True/");
  EXPECT_EQ(r.evidence, "$ python3 -V\nFalse\n");
}

TEST(CommandProbe, ExitStatusDecidesWithoutExpect) {
  FakeHost host;
  host.proc.on_program("test", FakeProcessRunner::result(1));
  ProbeResult r = run_probe(host, "argv: [test, -d, /opt/ai]\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`test -d /opt/ai` exited 1");
  EXPECT_EQ(r.data["exit_code"], 1);
  host.proc.on_program("test", FakeProcessRunner::result(0));
  EXPECT_EQ(run_probe(host, "argv: [test, -d, /opt/ai]\n").summary, "`test -d /opt/ai` exited 0");
}

TEST(CommandProbe, BadRegexIsARecipeError) {
  EXPECT_THAT(probe_build_error(steps::command_probe_type(), "argv: [x]\nexpect: \"(\"\n"),
              HasSubstr("probe 'p': 'expect' is not a valid regular expression"));
  EXPECT_EQ(probe_build_error(steps::command_probe_type(), "argv: []\n"), "probe 'p': 'argv' must not be empty");
}

}  // namespace
}  // namespace aiprov::testing
