// Probe type `nvml`: NVML's facts (as agent/facts/nvml.cpp writes them) compared with nvidia-smi; a
// skip under --root and without NVML data.

#include "probe_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kQuery = {"nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                                         "--format=csv"};

/// A host whose root is "/", with NVML facts of the two L40s of the real capture.
struct LiveHost {
  LiveRootFileSystem fs;
  FakeProcessRunner proc;
  FakeFetcher fetch{&fs};
  Host host{fs, proc, fetch};
  nlohmann::json facts = {
      {"nvidia",
       {{"present", true},
        {"driver_version", "580.126.09"},
        {"cuda_version", "13.0"},
        {"gpus",
         {{{"index", 0}, {"name", "NVIDIA L40"}, {"memory_total_bytes", 48305799168ull}, {"nvlink_links", 0}},
          {{"index", 1}, {"name", "NVIDIA L40"}, {"memory_total_bytes", 48305799168ull}, {"nvlink_links", 0}}}}}}};

  ProbeResult run(const std::string& yaml) {
    Context ctx{host, facts, "", {}, {}};
    return make_probe(steps::nvml_probe_type(), yaml)->run(ctx);
  }
};

TEST(NvmlProbe, AgreesWithNvidiaSmi) {
  LiveHost h;
  h.proc.on_argv(kQuery, FakeProcessRunner::result(0, real_capture("nvidia-smi-query-name-driver-memory-2gpu-l40.csv")));
  ProbeResult r = h.run("driver: \"580\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Pass) << r.summary << "\n" << r.evidence;
  EXPECT_EQ(r.summary, "driver 580.126.09, CUDA 13.0, 2 GPU(s); nvidia-smi agrees");
  EXPECT_THAT(r.evidence, HasSubstr("NVML: GPU 1 NVIDIA L40, 46068 MiB\n"));
  EXPECT_EQ(h.proc.commands().size(), 1u);
}

TEST(NvmlProbe, ExpectedDriverPrefix) {
  LiveHost h;
  ProbeResult r = h.run("driver: \"550\"\n");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "expected driver 550, NVML reports 580.126.09");
  EXPECT_TRUE(h.proc.commands().empty());
}

TEST(NvmlProbe, DisagreementFails) {
  LiveHost h;
  h.proc.on_argv(kQuery, FakeProcessRunner::result(0, real_capture("nvidia-smi-query-name-driver-memory-linux.csv")));
  ProbeResult r = h.run("{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Fail);
  EXPECT_EQ(r.summary, "NVML reports driver 580.126.09, nvidia-smi 595.84");

  h.facts["nvidia"]["driver_version"] = "595.84";
  r = h.run("{}");
  EXPECT_EQ(r.summary, "NVML reports 2 GPU(s), nvidia-smi 1");
}

TEST(NvmlProbe, SkipsWithoutNvmlData) {
  LiveHost h;
  h.facts["nvidia"] = {{"present", false}, {"reason", "cannot load libnvidia-ml.so.1"}};
  ProbeResult r = h.run("{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Skip);
  EXPECT_EQ(r.summary, "the facts carry no NVML data: cannot load libnvidia-ml.so.1");
  h.facts = nlohmann::json::object();
  EXPECT_EQ(h.run("{}").status, ProbeResult::Status::Skip);
  EXPECT_TRUE(h.proc.commands().empty());
}

TEST(NvmlProbe, SkipsUnderRoot) {
  FakeHost host;  // its file system's root is /virtual
  host.facts["nvidia"] = {{"present", true}, {"driver_version", "580.126.09"}};
  ProbeResult r = run_probe_on(host, steps::nvml_probe_type(), "{}");
  EXPECT_EQ(r.status, ProbeResult::Status::Skip);
  EXPECT_EQ(r.summary, "under --root /virtual: NVML describes the machine aiprov runs on");
}

}  // namespace
}  // namespace aiprov::testing
