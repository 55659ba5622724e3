// verify_recipe, VerifyReport and render_verify with scripted probes: order, --only/--skip, `when`,
// a probe that throws, the text and JSON reports.

#include <gtest/gtest.h>

#include "aiprov/engine.hpp"
#include "fakes/fake_host.hpp"

namespace aiprov::testing {
namespace {

class ScriptedProbe : public Probe {
 public:
  ScriptedProbe(ProbeResult result, std::vector<std::string>& ran, std::string id, bool throws = false)
      : m_result(std::move(result)), m_ran(ran), m_id(std::move(id)), m_throws(throws) {}
  ProbeResult run(Context&) const override {
    m_ran.push_back(m_id);
    if (m_throws) throw StepError("probe '" + m_id + "' broke");
    return m_result;
  }

 private:
  ProbeResult m_result;
  std::vector<std::string>& m_ran;
  std::string m_id;
  bool m_throws;
};

ProbeResult verdict(ProbeResult::Status s, std::string summary, std::string evidence = "") {
  ProbeResult r;
  r.status = s;
  r.summary = std::move(summary);
  r.evidence = std::move(evidence);
  return r;
}

struct VerifyFixture : ::testing::Test {
  FakeHost host;
  Recipe recipe;
  std::vector<std::string> ran;

  void add(const std::string& id, ProbeResult r, std::vector<std::string> tags = {}, const char* when = nullptr,
           bool throws = false) {
    ProbeDecl d;
    d.id = id;
    d.type = "scripted";
    d.tags = std::move(tags);
    if (when) d.when = Expr::parse(when, SourceLoc{"t.yaml", 1, 1});
    d.probe = std::make_unique<ScriptedProbe>(std::move(r), ran, id, throws);
    recipe.probes.push_back(std::move(d));
  }
  VerifyReport verify(Selection sel = {}) {
    Context ctx = host.context();
    return verify_recipe(recipe, ctx, sel);
  }
};

TEST_F(VerifyFixture, RunsEveryProbeInOrder) {
  add("gpus", verdict(ProbeResult::Status::Pass, "1 GPU: Tesla T4 (15360 MiB), driver 550.127.08"));
  add("cuda", verdict(ProbeResult::Status::Fail, "expected release 12.4, found 12.2",
                      "$ /usr/local/cuda/bin/nvcc --version\nCuda compilation tools, release 12.2, V12.2.140\n"));
  add("nvml", verdict(ProbeResult::Status::Skip, "the facts carry no NVML data"));
  VerifyReport report = verify();
  EXPECT_EQ(ran, (std::vector<std::string>{"gpus", "cuda", "nvml"}));
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.count(ProbeResult::Status::Pass), 1);
  EXPECT_EQ(report.count(ProbeResult::Status::Fail), 1);
  EXPECT_EQ(report.count(ProbeResult::Status::Skip), 1);
  EXPECT_EQ(render_verify(report, RenderOptions{}),
            "PASS gpus: 1 GPU: Tesla T4 (15360 MiB), driver 550.127.08\n"
            "FAIL cuda: expected release 12.4, found 12.2\n"
            "      $ /usr/local/cuda/bin/nvcc --version\n"
            "      Cuda compilation tools, release 12.2, V12.2.140\n"
            "SKIP nvml: the facts carry no NVML data\n"
            "Verify: 1 passed, 1 failed, 1 skipped.\n");
}

TEST_F(VerifyFixture, SkippedProbesDoNotFail) {
  add("a", verdict(ProbeResult::Status::Pass, "ok"));
  add("b", verdict(ProbeResult::Status::Skip, "not here"));
  EXPECT_TRUE(verify().passed());
  recipe.probes.clear();
  EXPECT_TRUE(verify().passed()) << "no probes: nothing failed";
}

TEST_F(VerifyFixture, SelectionAndWhen) {
  add("gpus", verdict(ProbeResult::Status::Pass, "ok"), {"gpu"});
  add("cuda", verdict(ProbeResult::Status::Fail, "bad"), {"cuda"});
  add("multi", verdict(ProbeResult::Status::Pass, "ok"), {}, "facts.gpu.count > 1");
  host.facts = {{"gpu", {{"count", 1}}}};
  VerifyReport report = verify(Selection{{}, {"cuda"}});
  EXPECT_EQ(ran, (std::vector<std::string>{"gpus"}));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.probes[1].skip_reason, "not selected by --skip");
  EXPECT_EQ(report.probes[2].skip_reason, "when: facts.gpu.count > 1 is false");
  EXPECT_EQ(report.probes[2].result.status, ProbeResult::Status::Skip);

  ran.clear();
  report = verify(Selection{{"gpu"}, {}});
  EXPECT_EQ(ran, (std::vector<std::string>{"gpus"}));
  EXPECT_EQ(report.probes[1].skip_reason, "not selected by --only");
}

TEST_F(VerifyFixture, AThrowingProbeFailsAndTheRestStillRun) {
  add("broken", verdict(ProbeResult::Status::Pass, "never"), {}, nullptr, true);
  add("after", verdict(ProbeResult::Status::Pass, "ok"));
  VerifyReport report = verify();
  EXPECT_EQ(ran, (std::vector<std::string>{"broken", "after"}));
  EXPECT_EQ(report.probes[0].result.status, ProbeResult::Status::Fail);
  EXPECT_EQ(report.probes[0].result.summary, "the probe failed to run: probe 'broken' broke");
}

TEST_F(VerifyFixture, JsonReport) {
  ProbeResult r = verdict(ProbeResult::Status::Fail, "expected release 12.4, found 12.2", "$ nvcc --version\n");
  r.data = {{"release", "12.2"}};
  add("cuda", r);
  recipe.probes.back().description = "the CUDA compiler";
  add("off", verdict(ProbeResult::Status::Pass, "x"), {}, "facts.gpu.count > 5");
  host.facts = {{"gpu", {{"count", 1}}}};
  nlohmann::json j = verify().to_json();
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["counts"], (nlohmann::json{{"pass", 0}, {"fail", 1}, {"skip", 1}}));
  const auto& cuda = j["probes"][0];
  EXPECT_EQ(cuda["id"], "cuda");
  EXPECT_EQ(cuda["type"], "scripted");
  EXPECT_EQ(cuda["status"], "fail");
  EXPECT_EQ(cuda["summary"], "expected release 12.4, found 12.2");
  EXPECT_EQ(cuda["evidence"], "$ nvcc --version\n");
  EXPECT_EQ(cuda["data"]["release"], "12.2");
  EXPECT_EQ(cuda["description"], "the CUDA compiler");
  EXPECT_FALSE(cuda.contains("skip_reason"));
  EXPECT_EQ(j["probes"][1]["status"], "skip");
  EXPECT_EQ(j["probes"][1]["skip_reason"], "when: facts.gpu.count > 5 is false");
}

TEST_F(VerifyFixture, VerboseShowsEvidenceOfPassesAndColourMarksVerdicts) {
  add("gpus", verdict(ProbeResult::Status::Pass, "1 GPU", "$ nvidia-smi\nrow\n"));
  VerifyReport report = verify();
  EXPECT_EQ(render_verify(report, RenderOptions{false, false}), "PASS gpus: 1 GPU\nVerify: 1 passed, 0 failed, 0 skipped.\n");
  EXPECT_EQ(render_verify(report, RenderOptions{false, true}),
            "PASS gpus: 1 GPU\n      $ nvidia-smi\n      row\nVerify: 1 passed, 0 failed, 0 skipped.\n");
  EXPECT_EQ(render_verify(report, RenderOptions{true, false}).rfind("\033[32mPASS\033[0m gpus: 1 GPU\n", 0), 0u);
}

TEST(ProbeStatusName, Names) {
  EXPECT_STREQ(probe_status_name(ProbeResult::Status::Pass), "pass");
  EXPECT_STREQ(probe_status_name(ProbeResult::Status::Fail), "fail");
  EXPECT_STREQ(probe_status_name(ProbeResult::Status::Skip), "skip");
}

}  // namespace
}  // namespace aiprov::testing
