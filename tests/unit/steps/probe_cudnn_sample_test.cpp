// Probe type `cudnn_sample`: mktemp in the root, copy, make, run, and the temporary directory removed
// whatever happened.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kTmp = "/tmp/aiprov-cudnn-Ab12Cd";
const std::string kWork = kTmp + "/cudnn_samples_v9/mnistCUDNN";

/// The end of a passing mnistCUDNN run (the sample prints its results, then "Test passed!").
const std::string kRunOutput =
    "Result of classification: 1 3 5\n"
    "\n"
    "Test passed!\n";

struct CudnnHost : FakeHost {
  CudnnHost() {
    fs.add_dir("/usr/src/cudnn_samples_v9/mnistCUDNN");
    proc.on_program("mktemp", FakeProcessRunner::result(0, kTmp + "\n"));
    proc.on_program("make", FakeProcessRunner::result(0, "g++ -o mnistCUDNN ...\n"));
    proc.on_program("./mnistCUDNN", FakeProcessRunner::result(0, kRunOutput));
  }
  ProbeResult run(const std::string& yaml = "{}") { return run_probe_on(*this, steps::cudnn_sample_probe_type(), yaml); }
};

TEST(CudnnSampleProbe, CopiesBuildsRunsAndCleansUp) {
  CudnnHost host;
  ProbeResult r = host.run();
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary << "\n" << r.evidence;
  EXPECT_EQ(r.summary, "mnistCUDNN built and ran: 'Test passed!'");
  EXPECT_THAT(host.proc.command_lines(),
              ElementsAre("mktemp -d /tmp/aiprov-cudnn-XXXXXX", "cp -r -- /usr/src/cudnn_samples_v9 " + kTmp + "/",
                          "make", "./mnistCUDNN", "rm -rf -- " + kTmp));
  EXPECT_EQ(host.proc.commands()[2].cwd, kWork);
  EXPECT_EQ(host.proc.commands()[3].cwd, kWork);
  EXPECT_THAT(r.evidence, HasSubstr("$ make   (in " + kWork + ")\ng++ -o mnistCUDNN ...\n"));
  EXPECT_THAT(r.evidence, HasSubstr("Test passed!\n"));
}

TEST(CudnnSampleProbe, BuildFailureFailsAndStillCleansUp) {
  CudnnHost host;
  host.proc.on_program("make", FakeProcessRunner::result(2, "fatal error: cudnn.h: No such file or directory\n"));
  ProbeResult r = host.run();
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "the build of mnistCUDNN failed: `make` exited 2");
  EXPECT_THAT(r.evidence, HasSubstr("cudnn.h: No such file or directory"));
  EXPECT_EQ(host.proc.command_lines().back(), "rm -rf -- " + kTmp);
}

TEST(CudnnSampleProbe, MissingSuccessLineFails) {
  CudnnHost host;
  host.proc.on_program("./mnistCUDNN", FakeProcessRunner::result(0, "Test failed!\n"));
  ProbeResult r = host.run();
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected 'Test passed!' in the output of mnistCUDNN");
  EXPECT_EQ(host.proc.command_lines().back(), "rm -rf -- " + kTmp);
}

TEST(CudnnSampleProbe, SampleCrashFails) {
  CudnnHost host;
  host.proc.on_program("./mnistCUDNN", FakeProcessRunner::result(1, "CUDNN failure\nError: CUDNN_STATUS_NOT_INITIALIZED\n"));
  ProbeResult r = host.run();
  EXPECT_EQ(r.summary, "`./mnistCUDNN` exited 1");
  EXPECT_THAT(r.evidence, HasSubstr("CUDNN_STATUS_NOT_INITIALIZED"));
}

TEST(CudnnSampleProbe, NoSamplesRunsNothing) {
  FakeHost host;
  ProbeResult r = run_probe_on(host, steps::cudnn_sample_probe_type(), "{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary,
            "no sample directory /usr/src/cudnn_samples_v9/mnistCUDNN (is the cuDNN samples package installed?)");
  EXPECT_TRUE(host.proc.commands().empty());
}

TEST(CudnnSampleProbe, OtherSampleAndText) {
  CudnnHost host;
  host.fs.add_dir("/opt/samples/conv_sample");
  host.proc.on_program("./conv_sample", FakeProcessRunner::result(0, "Test PASSED\n"));
  ProbeResult r = host.run("samples: /opt/samples/\nsample: conv_sample\nexpect: Test PASSED\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary;
  EXPECT_EQ(host.proc.commands()[2].cwd, kTmp + "/samples/conv_sample");
}

TEST(CudnnSampleProbe, MktempOutputOutsideTmpIsRefused) {
  CudnnHost host;
  host.proc.on_program("mktemp", FakeProcessRunner::result(0, "/\n"));
  ProbeResult r = host.run();
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "cannot make a temporary directory: mktemp printed '/'");
  EXPECT_THAT(host.proc.command_lines(), ElementsAre("mktemp -d /tmp/aiprov-cudnn-XXXXXX"))
      << "nothing is copied or removed outside the probe's own directory";
}

TEST(CudnnSampleProbe, FieldRules) {
  EXPECT_EQ(probe_build_error(steps::cudnn_sample_probe_type(), "samples: usr/src\n"),
            "probe 'p': samples must be an absolute path, found 'usr/src'");
  EXPECT_EQ(probe_build_error(steps::cudnn_sample_probe_type(), "sample: ../x\n"),
            "probe 'p': sample must be a directory name, found '../x'");
}

}  // namespace
}  // namespace aiprov::testing
