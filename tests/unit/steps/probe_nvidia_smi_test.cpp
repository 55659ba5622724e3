// Probe type `nvidia_smi` on the fake host: the exact query it runs, the real CSV captures, and the
// failures (too few GPUs, another driver, no driver, no program) with their evidence.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<std::string> kQuery = {"nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                                         "--format=csv"};

ProbeResult run_probe(FakeHost& host, const std::string& yaml) {
  return run_probe_on(host, steps::nvidia_smi_probe_type(), yaml);
}

/// A host where the query prints the real capture `capture` (tests/fixtures/real/) and exits 0.
void answer_query(FakeHost& host, const std::string& capture) {
  host.proc.on_argv(kQuery, FakeProcessRunner::result(0, real_capture(capture)));
}

const char* kLaptop = "nvidia-smi-query-name-driver-memory-linux.csv";  // one RTX 5060 Laptop, 595.84

TEST(NvidiaSmiProbe, TwoL40sPass) {
  FakeHost host;
  answer_query(host, "nvidia-smi-query-name-driver-memory-2gpu-l40.csv");
  ProbeResult r = run_probe(host, "driver: \"580\"\nmin_gpus: 2\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary;
  EXPECT_EQ(r.summary, "2 GPUs: NVIDIA L40 (46068 MiB) x2, driver 580.126.09");
  EXPECT_THAT(host.proc.command_lines(),
              ElementsAre("nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv"));
  EXPECT_THAT(r.evidence, HasSubstr("$ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv\n"
                                    "name, driver_version, memory.total [MiB]\n"));
  EXPECT_EQ(r.data["count"], 2);
  EXPECT_EQ(r.data["gpus"][1]["memory_total_mib"], 46068);
}

TEST(NvidiaSmiProbe, AnotherDriverFails) {
  FakeHost host;
  answer_query(host, kLaptop);
  ProbeResult r = run_probe(host, "driver: \"550\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected driver 550, found 595.84 on NVIDIA GeForce RTX 5060 Laptop GPU");
  EXPECT_THAT(r.evidence, HasSubstr("NVIDIA GeForce RTX 5060 Laptop GPU, 595.84, 8151 MiB"));
}

TEST(NvidiaSmiProbe, DriverPrefixStopsAtAComponent) {
  FakeHost host;
  answer_query(host, kLaptop);
  EXPECT_EQ(run_probe(host, "driver: \"595.84\"\n").status, ProbeResult::Status::Pass);
  EXPECT_EQ(run_probe(host, "driver: \"595.8\"\n").status, ProbeResult::Status::Fail);
}

TEST(NvidiaSmiProbe, TooFewGpusFails) {
  FakeHost host;
  answer_query(host, kLaptop);
  ProbeResult r = run_probe(host, "min_gpus: 2\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected at least 2 GPU(s), found 1");
}

TEST(NvidiaSmiProbe, NoDriverFailsWithTheOutput) {
  FakeHost host;
  host.proc.on_argv(kQuery, FakeProcessRunner::result(
                                9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                                   "Make sure that the latest NVIDIA driver is installed and running.\n"));
  ProbeResult r = run_probe(host, "{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "`nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv` exited 9");
  EXPECT_THAT(r.evidence, HasSubstr("couldn't communicate with the NVIDIA driver"));
  EXPECT_THAT(r.evidence, HasSubstr("(exit 9)"));
}

TEST(NvidiaSmiProbe, MissingProgramIsAFailNotAnException) {
  FakeHost host;
  host.proc.on_program("/opt/nv/nvidia-smi", FakeProcessRunner::result(127, "command not found: /opt/nv/nvidia-smi\n"));
  ProbeResult r = run_probe(host, "command: /opt/nv/nvidia-smi\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_THAT(r.summary, HasSubstr("exited 127"));
  EXPECT_THAT(r.evidence, HasSubstr("command not found: /opt/nv/nvidia-smi"));
}

TEST(NvidiaSmiProbe, HostErrorIsAFail) {
  FakeHost host;
  host.proc.on_program("nvidia-smi", FakeProcessRunner::result(0),
                       [](const Command&) { throw HostError("cannot run nvidia-smi: fork failed"); });
  ProbeResult r = run_probe(host, "{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_THAT(r.evidence, HasSubstr("cannot run nvidia-smi: fork failed"));
}

TEST(NvidiaSmiProbe, DefaultTableIsNotTheQueryOutput) {
  FakeHost host;
  answer_query(host, "nvidia-smi-550.127.08-tesla-t4-cuda12.4.txt");
  ProbeResult r = run_probe(host, "{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "cannot read the output of nvidia-smi: no header line 'name, driver_version, memory.total [MiB]'");
}

TEST(NvidiaSmiProbe, NegativeMinGpusIsARecipeError) {
  EXPECT_EQ(probe_build_error(steps::nvidia_smi_probe_type(), "min_gpus: -1\n"),
            "probe 'p': min_gpus must not be negative");
}

}  // namespace
}  // namespace aiprov::testing
