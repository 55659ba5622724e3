// The agent's log: "<N>" priority prefixes when stderr is the journal's stream, plain lines with the
// level otherwise, and a LogStream that turns a subcommand's text into log lines.

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "cli/agent_log.hpp"

namespace aiprov::cli::agent {
namespace {

/// Sets JOURNAL_STREAM to what systemd sets it to when stderr is the journal: its device:inode.
void stderr_is_the_journal() {
  struct stat st{};
  ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
  ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
}

TEST(AgentLog, JournalLinesCarryTheirPriority) {
  ::testing::internal::CaptureStderr();
  stderr_is_the_journal();
  EXPECT_TRUE(stderr_is_journal());
  setup_logging(0, false, "");
  spdlog::warn("drift: step 'motd' (file): /etc/motd content differs");
  spdlog::info("round done\nsecond line");
  spdlog::error("failed");
  spdlog::debug("not shown without -v");
  std::string out = ::testing::internal::GetCapturedStderr();
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(out,
            "<4>drift: step 'motd' (file): /etc/motd content differs\n"
            "<6>round done\n<6>second line\n"
            "<3>failed\n");
}

TEST(AgentLog, PlainStderrElsewhere) {
  ::setenv("JOURNAL_STREAM", "1:2", 1);  // another stream: stderr was redirected
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  ::testing::internal::CaptureStderr();
  setup_logging(0, true, "");  // -q: warnings and errors only
  spdlog::info("hidden");
  spdlog::warn("shown");
  std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("hidden"), std::string::npos) << out;
  EXPECT_NE(out.find(" aiprov agent: warning: shown\n"), std::string::npos) << out;
}

TEST(AgentLog, LogStreamLogsLinesThroughTheLoggerItWasMadeWith) {
  ::testing::internal::CaptureStderr();
  stderr_is_the_journal();
  setup_logging(0, false, "");
  auto previous = spdlog::default_logger();
  {
    LogStream human;
    spdlog::set_default_logger(spdlog::null_logger_mt("replaced-by-a-subcommand"));
    human << "Resuming run 1.\n==> after (file)\n" << "partial";
  }
  std::string out = ::testing::internal::GetCapturedStderr();
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(out, "<6>Resuming run 1.\n<6>==> after (file)\n<6>partial\n");
  spdlog::set_default_logger(previous);  // dropping the default logger would leave none for later tests
  spdlog::drop("replaced-by-a-subcommand");
}

}  // namespace
}  // namespace aiprov::cli::agent
