// `aiprov agent --once` through the real CLI against a small root tree: report mode finds and
// records drift without touching the file, correct mode restores it, the configuration's mistakes
// exit 3, and `status` shows the rounds.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiprov/error.hpp"
#include "cli_harness.hpp"

namespace aiprov {
namespace {

using testing::read_file;
using testing::run_cli_captured;

class AgentOnceTest : public testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (HasFatalFailure()) return;
    write_recipe("aiprov: 1\nname: t\nsteps:\n  - id: motd\n    type: file\n"
                 "    path: /etc/motd\n    content: \"${greeting}\\n\"\n",
                 "motd.yaml");
    ::unsetenv("NOTIFY_SOCKET");
  }
  std::string config(const std::string& mode) {
    auto p = m_dir / "agent.yaml";
    std::ofstream(p) << "recipes: [motd.yaml]\ninterval: 1s\nmode: " << mode << "\nvars:\n  greeting: hello\n";
    return p.string();
  }
  int agent(const std::string& mode) {
    auto run = run_cli_captured({"agent", "--config", config(mode), "--once", "--root", root()});
    m_log = run.err;
    return run.rc;
  }
  std::string m_log;
};

TEST_F(AgentOnceTest, ReportThenCorrect) {
  ASSERT_EQ(agent("correct"), kExitOk) << m_log;  // the first round converges the tree
  EXPECT_EQ(read_file(m_dir / "root/etc/motd"), "hello\n");  // vars of the configuration reach the recipe
  ASSERT_EQ(agent("report"), kExitOk) << m_log;
  EXPECT_NE(m_log.find("motd.yaml: converged"), std::string::npos) << m_log;

  std::ofstream(m_dir / "root/etc/motd") << "changed by hand\n";
  EXPECT_EQ(agent("report"), kExitChangesPending) << m_log;
  EXPECT_NE(m_log.find("drift: step 'motd' (file): /etc/motd content differs"), std::string::npos) << m_log;
  EXPECT_EQ(read_file(m_dir / "root/etc/motd"), "changed by hand\n");
  auto last = nlohmann::json::parse(read_file(m_dir / "root/var/lib/aiprov/agent/last.json"));
  EXPECT_EQ(last["mode"], "report");
  EXPECT_EQ(last["recipes"][0]["result"], "drift");
  EXPECT_EQ(last["recipes"][0]["drift"][0]["id"], "motd");
  EXPECT_TRUE(last["recipes"][0]["run_id"].is_null());

  EXPECT_EQ(agent("correct"), kExitOk) << m_log;
  EXPECT_EQ(read_file(m_dir / "root/etc/motd"), "hello\n");
  last = nlohmann::json::parse(read_file(m_dir / "root/var/lib/aiprov/agent/last.json"));
  EXPECT_EQ(last["recipes"][0]["result"], "corrected");
  EXPECT_TRUE(last["recipes"][0]["drift"][0]["corrected"].get<bool>());
  std::string run_id = last["recipes"][0]["run_id"];
  auto journal = nlohmann::json::parse(read_file(m_dir / ("root/var/lib/aiprov/runs/" + run_id + ".json")));
  EXPECT_EQ(journal["result"], "ok");
  EXPECT_EQ(journal["changed"], 1);

  auto status_run = run_cli_captured({"status", "--root", root()});
  EXPECT_EQ(status_run.rc, 0);
  const std::string& status = status_run.out;
  EXPECT_NE(status.find("Agent: last 4 of 4 recorded round(s)"), std::string::npos) << status;
  EXPECT_NE(status.find("step 'motd' (file): /etc/motd content differs  [corrected]"), std::string::npos) << status;
  auto status_json = run_cli_captured({"status", "--root", root(), "--json"});
  EXPECT_EQ(status_json.rc, 0);
  auto j = nlohmann::json::parse(status_json.out);
  EXPECT_EQ(j["agent"]["rounds"].size(), 4u);
  EXPECT_EQ(j["agent"]["drift"][0]["id"], "motd");
  EXPECT_EQ(j["last_run"]["run_id"], run_id);
}

TEST_F(AgentOnceTest, MistakesExitThree) {
  auto bad = m_dir / "bad.yaml";
  std::ofstream(bad) << "recipes: [motd.yaml]\ninterval: soon\n";
  auto run = run_cli_captured({"agent", "--config", bad.string(), "--once", "--root", root()});
  EXPECT_EQ(run.rc, kExitInvalid);
  const std::string& err = run.err;
  EXPECT_NE(err.find(bad.string() + ":2:11: 'interval' expects"), std::string::npos) << err;

  run = run_cli_captured({"agent", "--config", (m_dir / "none.yaml").string(), "--once"});
  EXPECT_EQ(run.rc, kExitInvalid);
  EXPECT_NE(run.err.find("the agent configuration does not exist"), std::string::npos) << run.err;

  EXPECT_EQ(run_cli_captured({"agent", "--config", config("report"), "--once", "--root", root() + "/missing"}).rc,
            kExitInvalid);

  std::ofstream(m_dir / "motd.yaml") << "aiprov: 1\nname: t\nsteps:\n  - id: motd\n    type: fiel\n";
  EXPECT_EQ(agent("report"), kExitInvalid) << m_log;  // a broken recipe: the round says so
  EXPECT_NE(m_log.find("motd.yaml:5:11"), std::string::npos) << m_log;
}

}  // namespace
}  // namespace aiprov
