// `aiprov verify` and verify_after_apply on a root without the programs: exit codes, the text and
// JSON reports, a recipe without probes.
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "cli/options.hpp"
#include "cli_harness.hpp"

namespace aiprov {
namespace {

using testing::run_cli_captured;

const char* kRecipe = R"(aiprov: 1
name: t
probes:
  - id: cuda
    type: nvcc
    release: "12.4"
  - id: nvml
    type: nvml
)";

class VerifyCli : public testing::CliFixture {};

TEST_F(VerifyCli, AFailedProbeExitsOneWithItsEvidence) {
  auto verify = run_cli_captured({"verify", write_recipe(kRecipe), "--root", root()});
  EXPECT_EQ(verify.rc, kExitStepFailed);
  EXPECT_EQ(verify.out,
            "FAIL cuda: `/usr/local/cuda/bin/nvcc --version` exited 127\n"
            "      $ /usr/local/cuda/bin/nvcc --version\n"
            "      command not found: /usr/local/cuda/bin/nvcc\n"
            "      (exit 127)\n"
            "SKIP nvml: under --root " + root() + ": NVML describes the machine aiprov runs on\n"
            "Verify: 0 passed, 1 failed, 1 skipped.\n");
}

TEST_F(VerifyCli, JsonAndSelection) {
  std::string recipe = write_recipe(kRecipe);
  auto json = run_cli_captured({"verify", recipe, "--root", root(), "--json"});
  EXPECT_EQ(json.rc, kExitStepFailed);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["probes"][0]["id"], "cuda");
  EXPECT_EQ(j["probes"][0]["status"], "fail");
  EXPECT_EQ(j["probes"][1]["status"], "skip");

  auto skip = run_cli_captured({"verify", recipe, "--root", root(), "--skip", "cuda"});
  EXPECT_EQ(skip.rc, kExitOk);
  EXPECT_EQ(skip.out.rfind("SKIP cuda: not selected by --skip\n", 0), 0u) << skip.out;
}

TEST_F(VerifyCli, NoProbes) {
  std::string recipe = write_recipe("aiprov: 1\nsteps: []\n");
  auto verify = run_cli_captured({"verify", recipe, "--root", root()});
  EXPECT_EQ(verify.rc, kExitOk);
  EXPECT_EQ(verify.out, "no probes in " + recipe + "\n");
}

TEST_F(VerifyCli, InvalidProbeExitsThree) {
  std::string recipe = write_recipe("aiprov: 1\nprobes:\n  - id: x\n    type: nvcc\n");
  auto verify = run_cli_captured({"verify", recipe, "--root", root()});
  EXPECT_EQ(verify.rc, kExitInvalid);
  EXPECT_EQ(verify.err, recipe + ":3:5: probe 'x' is missing required field 'release'\n");
}

TEST_F(VerifyCli, AfterApplyPrintsTheReportAndReturnsIt) {
  cli::Options o;
  o.root = root();
  o.recipe = write_recipe(kRecipe);
  cli::Session session(o);
  Recipe recipe = session.load_recipe();
  std::ostringstream human;
  VerifyReport report = cli::verify_after_apply(session, recipe, o, human);
  EXPECT_FALSE(report.passed());
  ASSERT_EQ(report.probes.size(), 2u);
  EXPECT_EQ(human.str().rfind("\nVerifying: 2 probe(s)\nFAIL cuda: ", 0), 0u) << human.str();

  o.recipe = write_recipe("aiprov: 1\nsteps: []\n");
  Recipe none = session.load_recipe();
  std::ostringstream quiet;
  EXPECT_TRUE(cli::verify_after_apply(session, none, o, quiet).probes.empty());
  EXPECT_EQ(quiet.str(), "") << "nothing to say after an apply without probes";
}

}  // namespace
}  // namespace aiprov
