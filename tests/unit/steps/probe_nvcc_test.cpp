// Probe type `nvcc`: the real 12.4 capture passes, Ubuntu's 11.5 and a 12.2 banner fail with
// "expected release 12.4, found X".

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ProbeResult run_probe(FakeHost& host, const std::string& yaml) {
  return run_probe_on(host, steps::nvcc_probe_type(), yaml);
}

/// The 12.4 capture with its release line changed to 12.2 (V12.2.140).
std::string banner_12_2() {
  std::string text = real_capture("nvcc-version-12.4.99.txt");
  text.replace(text.find("release 12.4, V12.4.99"), 22, "release 12.2, V12.2.140");
  return text;
}

TEST(NvccProbe, Release124Passes) {
  FakeHost host;
  host.proc.on_argv({"/usr/local/cuda/bin/nvcc", "--version"},
                    FakeProcessRunner::result(0, real_capture("nvcc-version-12.4.99.txt")));
  ProbeResult r = run_probe(host, "release: \"12.4\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass);
  EXPECT_EQ(r.summary, "release 12.4 (V12.4.99)");
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("/usr/local/cuda/bin/nvcc --version"));
  EXPECT_EQ(r.evidence, "$ /usr/local/cuda/bin/nvcc --version\n" + real_capture("nvcc-version-12.4.99.txt"));
  EXPECT_EQ(r.data["release"], "12.4");
  EXPECT_EQ(r.data["version"], "12.4.99");
}

TEST(NvccProbe, Release122Fails) {
  FakeHost host;
  host.proc.on_program("/usr/local/cuda/bin/nvcc", FakeProcessRunner::result(0, banner_12_2()));
  ProbeResult r = run_probe(host, "release: \"12.4\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected release 12.4, found 12.2");
  EXPECT_THAT(r.evidence, HasSubstr("Cuda compilation tools, release 12.2, V12.2.140"));
}

TEST(NvccProbe, UbuntuToolkitOnThePathFails) {
  FakeHost host;
  host.proc.on_argv({"nvcc", "--version"},
                    FakeProcessRunner::result(0, real_capture("nvcc-version-11.5.119-ubuntu-nvidia-cuda-toolkit.txt")));
  ProbeResult r = run_probe(host, "command: nvcc\nrelease: \"12.4\"\n");
  EXPECT_EQ(r.summary, "expected release 12.4, found 11.5");
}

TEST(NvccProbe, MissingNvccFails) {
  FakeHost host;
  host.proc.on_program("/usr/local/cuda/bin/nvcc",
                       FakeProcessRunner::result(127, "command not found: /usr/local/cuda/bin/nvcc\n"));
  ProbeResult r = run_probe(host, "release: \"12.4\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`/usr/local/cuda/bin/nvcc --version` exited 127");
  EXPECT_EQ(r.evidence,
            "$ /usr/local/cuda/bin/nvcc --version\ncommand not found: /usr/local/cuda/bin/nvcc\n(exit 127)\n");
}

TEST(NvccProbe, OutputWithoutARelease) {
  FakeHost host;
  host.proc.on_program("/usr/local/cuda/bin/nvcc", FakeProcessRunner::result(0, "nvcc fatal: something\n"));
  EXPECT_EQ(run_probe(host, "release: \"12.4\"\n").summary,
            "no 'Cuda compilation tools, release X.Y' line in its output");
}

}  // namespace
}  // namespace aiprov::testing
