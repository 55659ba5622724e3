// aiprov-resume.service (the text the binary writes is the packaged file), enabling it through
// systemctl on the fakes, and `apply` stopping for a reboot then `resume` going on, under --root.
#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/cli.hpp"
#include "aiprov/engine.hpp"
#include "cli/options.hpp"
#include "cli/reboot.hpp"
#include "host/real.hpp"
#include "cli_harness.hpp"
#include "fakes/fake_host.hpp"

namespace aiprov {
namespace {

namespace stdfs = std::filesystem;
using testing::FakeHost;
using testing::FakeProcessRunner;
using testing::read_file;
using testing::run_cli;
using testing::run_cli_captured;

TEST(ResumeUnit, PackagedFileIsWhatTheBinaryWrites) {
  std::string packaged = read_file(stdfs::path(AIPROV_SOURCE_DIR) / "packaging/systemd/aiprov-resume.service");
  EXPECT_EQ(cli::resume_unit_text("/usr/bin/aiprov"), packaged);
  for (const char* line : {"Type=oneshot\n", "ExecStart=/usr/bin/aiprov resume\n",
                           "ConditionPathExists=/var/lib/aiprov/checkpoint.json\n", "After=network-online.target\n",
                           "Wants=network-online.target\n", "WantedBy=multi-user.target\n",
                           "TimeoutStartSec=infinity\n", "StandardOutput=journal\n"})
    EXPECT_NE(packaged.find(line), std::string::npos) << line;
}

TEST(ResumeUnit, WrittenWhenNotPackagedThenEnabled) {
  FakeHost h;
  cli::enable_resume_unit(h.host, "/opt/aiprov/bin/aiprov");
  EXPECT_EQ(h.fs.read(cli::kResumeUnitPath), cli::resume_unit_text("/opt/aiprov/bin/aiprov"));
  EXPECT_EQ(h.fs.stat(cli::kResumeUnitPath)->mode & 0777, 0644u);
  EXPECT_EQ(h.proc.command_lines(),
            (std::vector<std::string>{"systemctl daemon-reload", "systemctl enable aiprov-resume.service"}));

  h.proc.clear_commands();  // same text again: not rewritten, no reload
  cli::enable_resume_unit(h.host, "/opt/aiprov/bin/aiprov");
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"systemctl enable aiprov-resume.service"});
}

TEST(ResumeUnit, PackagedUnitIsNotShadowed) {
  FakeHost h;
  h.fs.add_file("/usr/lib/systemd/system/aiprov-resume.service", cli::resume_unit_text("/usr/bin/aiprov"));
  cli::enable_resume_unit(h.host, "/home/me/aiprov");
  EXPECT_FALSE(h.fs.stat(cli::kResumeUnitPath).has_value());
  EXPECT_EQ(h.proc.command_lines(), std::vector<std::string>{"systemctl enable aiprov-resume.service"});
  cli::disable_resume_unit(h.host);
  cli::reboot_host(h.host);
  EXPECT_EQ(h.proc.command_lines().back(), "systemctl reboot");
  EXPECT_EQ(h.proc.command_lines()[1], "systemctl disable aiprov-resume.service");
}

TEST(ResumeUnit, SystemctlFailureNamesTheCommand) {
  FakeHost h;
  h.fs.add_file("/lib/systemd/system/aiprov-resume.service", "x");
  h.proc.on_program("systemctl", FakeProcessRunner::result(1, "System has not been booted with systemd as init system (PID 1). Can't operate.\n"));
  try {
    cli::enable_resume_unit(h.host, "/usr/bin/aiprov");
    FAIL();
  } catch (const StepError& e) {
    EXPECT_NE(std::string(e.what()).find("`systemctl enable aiprov-resume.service` exited 1:\nSystem has not been booted"),
              std::string::npos)
        << e.what();
  }
}

const char* kRecipe = R"(aiprov: 1
name: reboot-once
vars:
  word: default
steps:
  - id: before
    type: file
    path: /etc/before
    content: "${word}\n"
  - id: boot
    type: reboot
    reason: firmware settings apply at boot
  - id: after
    type: file
    path: /etc/after
    content: "${word} after\n"
)";

class RebootCli : public testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (!HasFatalFailure()) write_recipe(kRecipe);
  }
  std::string recipe() const { return (m_dir / "r.yaml").string(); }
};

TEST_F(RebootCli, ApplyStopsThenResumeGoesOnWithTheSameVariables) {
  auto apply = run_cli_captured({"apply", recipe(), "--root", root(), "--yes", "--var", "word=hello"});
  EXPECT_EQ(apply.rc, kExitRebootRequired);
  EXPECT_NE(apply.out.find("reboot required: firmware settings apply at boot; run `aiprov resume --root " + root() + "`"),
            std::string::npos)
      << apply.out;
  EXPECT_EQ(read_file(m_dir / "root/etc/before"), "hello\n");
  EXPECT_FALSE(stdfs::exists(m_dir / "root/etc/after"));
  auto cp = nlohmann::json::parse(read_file(m_dir / "root/var/lib/aiprov/checkpoint.json"));
  EXPECT_EQ(cp["recipe"], recipe());
  EXPECT_EQ(cp["vars"], nlohmann::json::array({"word=hello"}));
  EXPECT_EQ(cp["reboot_step"], "boot");
  EXPECT_EQ(cp["trigger"], "once");

  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"resume", "--root", root(), "--var", "word=x"}), kExitInvalid) << "resume takes nothing else";
  EXPECT_EQ(run_cli({"resume", "--root", root()}), kExitOk);
  EXPECT_EQ(run_cli({"plan", recipe(), "--root", root(), "--var", "word=hello", "--detailed-exitcode"}), kExitOk);
  EXPECT_EQ(run_cli({"resume", "--root", root()}), kExitOk) << "nothing to resume";
  std::string out = ::testing::internal::GetCapturedStdout();
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("Resume complete"), std::string::npos) << out;
  EXPECT_NE(out.find("Nothing to resume"), std::string::npos) << out;
  EXPECT_EQ(read_file(m_dir / "root/etc/after"), "hello after\n");
  EXPECT_EQ(read_file(m_dir / "root/var/lib/aiprov/reboots/boot"), "once\n");
  EXPECT_FALSE(stdfs::exists(m_dir / "root/var/lib/aiprov/checkpoint.json"));
}

TEST_F(RebootCli, AResumeThatWaitedForTheLockLeavesARunResumedMeanwhileAlone) {
  EXPECT_EQ(run_cli_captured({"apply", recipe(), "--root", root(), "--yes"}).rc, kExitRebootRequired);
  auto fs = make_real_filesystem(root());
  std::optional<RunLock> other;
  other.emplace(*fs, "the agent resuming it", std::chrono::seconds(0));
  cli::Options o;
  o.root = root();
  o.wait_lock = 30;
  std::ostringstream human;
  int rc = -1;
  std::thread resume([&] { rc = cli::resume_from_checkpoint(o, human); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it has read the checkpoint and waits
  stdfs::remove(m_dir / "root/var/lib/aiprov/checkpoint.json");   // the other process finished the run
  other.reset();
  resume.join();
  EXPECT_EQ(rc, kExitOk);
  EXPECT_NE(human.str().find("Nothing to resume: run "), std::string::npos) << human.str();
  EXPECT_NE(human.str().find("was resumed by another process while this one waited"), std::string::npos);
  EXPECT_FALSE(stdfs::exists(m_dir / "root/etc/after")) << "nothing was applied a second time";
  EXPECT_FALSE(stdfs::exists(m_dir / "root/var/lib/aiprov/reboots/boot"));
}

TEST_F(RebootCli, JsonNamesTheRebootAndTheCheckpoint) {
  auto apply = run_cli_captured({"apply", recipe(), "--root", root(), "--yes", "--json"});
  EXPECT_EQ(apply.rc, kExitRebootRequired);
  auto j = nlohmann::json::parse(apply.out);
  EXPECT_EQ(j["run"]["result"], "reboot pending");
  EXPECT_EQ(j["run"]["reboot"]["step"], "boot");
  EXPECT_EQ(j["checkpoint"], root() + "/var/lib/aiprov/checkpoint.json");
  EXPECT_EQ(j["run"]["steps"][2]["status"], "not run");
  EXPECT_NE(apply.err.find("reboot required"), std::string::npos) << apply.err;
}

}  // namespace
}  // namespace aiprov
