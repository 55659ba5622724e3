// Probe type `pip_config`: `pip config list` must show the mirror as global.index-url.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kMirror = "https://pypi.tuna.tsinghua.edu.cn/simple";

ProbeResult run_probe(FakeHost& host, const std::string& yaml) {
  return run_probe_on(host, steps::pip_config_probe_type(), yaml);
}

TEST(PipConfigProbe, MirrorPasses) {
  FakeHost host;
  host.proc.on_argv({"pip3", "config", "list"},
                    FakeProcessRunner::result(0, "global.index-url='" + kMirror + "'\nglobal.trusted-host='pypi.tuna.tsinghua.edu.cn'\n"));
  ProbeResult r = run_probe(host, "index_url: " + kMirror + "\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass);
  EXPECT_EQ(r.summary, "global.index-url='" + kMirror + "'");
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("pip3 config list"));
  EXPECT_EQ(r.data["global.trusted-host"], "pypi.tuna.tsinghua.edu.cn");
}

TEST(PipConfigProbe, OtherIndexFails) {
  FakeHost host;
  host.proc.on_program("/opt/anaconda3/bin/pip",
                       FakeProcessRunner::result(0, "global.index-url='https://pypi.org/simple'\n"));
  ProbeResult r = run_probe(host, "pip: /opt/anaconda3/bin/pip\nindex_url: " + kMirror + "\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected global.index-url='" + kMirror + "', found 'https://pypi.org/simple'");
  EXPECT_THAT(r.evidence, HasSubstr("$ /opt/anaconda3/bin/pip config list\nglobal.index-url='https://pypi.org/simple'\n"));
}

TEST(PipConfigProbe, NothingConfiguredFails) {
  FakeHost host;
  host.proc.on_program("pip3", FakeProcessRunner::result(0, ""));
  ProbeResult r = run_probe(host, "index_url: " + kMirror + "\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected global.index-url='" + kMirror + "', global.index-url is not set");
}

TEST(PipConfigProbe, NoPipFails) {
  FakeHost host;
  host.proc.on_program("pip3", FakeProcessRunner::result(127, "command not found: pip3\n"));
  ProbeResult r = run_probe(host, "index_url: " + kMirror + "\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`pip3 config list` exited 127");
}

}  // namespace
}  // namespace aiprov::testing
