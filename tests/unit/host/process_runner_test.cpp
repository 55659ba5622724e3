#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ProcessResult run(std::vector<std::string> argv) {
  Command cmd;
  cmd.argv = std::move(argv);
  return make_real_process_runner("/")->run(cmd);
}

TEST(ProcessRunnerTest, ExitCodes) {
  EXPECT_EQ(run({"true"}).exit_code, 0);
  EXPECT_TRUE(run({"true"}).ok());
  EXPECT_EQ(run({"false"}).exit_code, 1);
  EXPECT_FALSE(run({"false"}).ok());
  EXPECT_EQ(run({"/bin/sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(run({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST(ProcessRunnerTest, MergesStdoutAndStderrInOrder) {
  auto r = run({"sh", "-c", "echo; echo out; echo err >&2; echo out2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "\nout\nerr\nout2\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(ProcessRunnerTest, MissingProgramIs127WithAClearMessage) {
  auto r = run({"aiprov-no-such-program", "x"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.output, "command not found: aiprov-no-such-program\n");
  EXPECT_EQ(run({"/nonexistent/bin/tool"}).exit_code, 127);
  EXPECT_THROW(make_real_process_runner("/")->run(Command{}), HostError);
}

TEST(ProcessRunnerTest, CleanEnvironmentPlusCommandEnv) {
  ::setenv("AIPROV_LEAK_CHECK", "leaked", 1);
  Command cmd;
  cmd.argv = {"env"};
  cmd.env = {{"FOO", "bar baz"}, {"LANG", "C"}};
  auto r = make_real_process_runner("/")->run(cmd);
  ::unsetenv("AIPROV_LEAK_CHECK");
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"));
  EXPECT_THAT(r.output, HasSubstr("HOME=/root\n"));
  EXPECT_THAT(r.output, HasSubstr("FOO=bar baz\n"));
  EXPECT_THAT(r.output, HasSubstr("LANG=C\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("AIPROV_LEAK_CHECK")));
}

TEST(ProcessRunnerTest, WorkingDirectory) {
  Command cmd;
  cmd.argv = {"pwd"};
  cmd.cwd = "/usr/share";
  EXPECT_EQ(make_real_process_runner("/")->run(cmd).output, "/usr/share\n");
  cmd.cwd.clear();
  EXPECT_EQ(make_real_process_runner("/")->run(cmd).output, "/\n");
  cmd.cwd = "/aiprov/no/such/dir";
  EXPECT_THROW(make_real_process_runner("/")->run(cmd), HostError);
}

TEST(ProcessRunnerTest, StandardInputAndLargeOutput) {
  Command cmd;
  cmd.argv = {"cat"};
  cmd.stdin_data = "line one\nline two\n";
  EXPECT_EQ(make_real_process_runner("/")->run(cmd).output, cmd.stdin_data);

  // Bigger than any pipe buffer both ways: must not deadlock.
  cmd.stdin_data = std::string(3 * 1024 * 1024, 'z');
  std::string streamed;
  cmd.on_output = [&](std::string_view chunk) { streamed.append(chunk); };
  auto r = make_real_process_runner("/")->run(cmd);
  EXPECT_EQ(r.output.size(), cmd.stdin_data.size());
  EXPECT_EQ(r.output, streamed);

  // No stdin data: the child sees end of file at once.
  Command wc;
  wc.argv = {"wc", "-c"};
  EXPECT_EQ(make_real_process_runner("/")->run(wc).output, "0\n");
}

TEST(ProcessRunnerTest, ChildThatStopsReadingStdinDoesNotKillUs) {
  Command cmd;
  cmd.argv = {"true"};
  cmd.stdin_data = std::string(4 * 1024 * 1024, 'x');
  EXPECT_EQ(make_real_process_runner("/")->run(cmd).exit_code, 0);
}

TEST(ProcessRunnerTest, TimeoutKillsTheProcessGroup) {
  Command cmd;
  cmd.argv = {"sh", "-c", "echo started; sleep 60 & sleep 60; echo never"};
  cmd.timeout = std::chrono::seconds(1);
  auto r = make_real_process_runner("/")->run(cmd);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_EQ(r.output, "started\n");
}

TEST(ProcessRunnerTest, TimeoutAppliesAfterOutputIsClosed) {
  Command cmd;
  cmd.argv = {"sh", "-c", "exec >/dev/null 2>&1; sleep 60"};
  cmd.timeout = std::chrono::seconds(1);
  auto r = make_real_process_runner("/")->run(cmd);
  EXPECT_TRUE(r.timed_out);
}

TEST(ProcessResultTest, Tail) {
  struct Case {
    std::string output;
    int lines;
    std::string want;
  };
  const Case cases[] = {
      {"", 3, ""},
      {"a\nb\nc\n", 2, "b\nc\n"},
      {"a\nb\nc", 2, "b\nc"},
      {"a\nb\nc\n", 5, "a\nb\nc\n"},
      {"a\nb\nc\n", 3, "a\nb\nc\n"},
      {"a\nb\nc\n", 0, ""},
      {"one line", 1, "one line"},
      {"x\n\n\n", 2, "\n\n"},
  };
  for (const auto& c : cases) {
    ProcessResult r;
    r.output = c.output;
    EXPECT_EQ(r.tail(c.lines), c.want) << "output=" << c.output << " lines=" << c.lines;
  }
}

}  // namespace
}  // namespace aiprov
