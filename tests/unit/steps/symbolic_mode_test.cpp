// chmod-style symbolic modes: a table of modes and entries, parse errors, and a cross-check of every
// table mode against the real chmod(1) on real files and directories.

#include "steps/symbolic_mode.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace aiprov::steps {
namespace {

std::string octal(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

SymbolicMode parse_ok(const std::string& text) {
  SymbolicMode::Error error;
  auto mode = SymbolicMode::parse(text, &error);
  EXPECT_TRUE(mode) << text << ": " << error.message;
  return mode ? *mode : *SymbolicMode::parse("u+", nullptr);
}

struct Case {
  const char* mode;
  unsigned before;
  bool is_dir;
  unsigned after;
};

const Case kCases[] = {
    // The shared-tree rule: X only where some execute bit is, directories keep their setgid bit.
    {"u=rwX,g=rwX,o=", 0644, false, 0660},
    {"u=rwX,g=rwX,o=", 0755, false, 0770},
    {"u=rwX,g=rwX,o=", 0100, false, 0770},
    {"u=rwX,g=rwX,o=", 0600, false, 0660},
    {"u=rwX,g=rwX,o=", 0700, true, 0770},
    {"u=rwX,g=rwX,o=", 02775, true, 02770},
    {"u=rwX,g=rwX,o=", 02755, false, 0770},  // a file's setgid bit is cleared by g=
    {"u=rwX,g=rwX,o=", 04755, false, 0770},
    {"u=rwX,g=rwX,o=", 01777, true, 0770},
    {"a+r", 0600, false, 0644},
    {"a+r", 0700, true, 0744},
    {"a+r", 02711, true, 02755},
    {"g-w", 0664, false, 0644},
    {"g-w", 02775, true, 02755},
    {"u+s,g+s", 0755, false, 06755},
    {"u+s,g+s", 0755, true, 06755},
    {"o=", 0777, false, 0770},
    {"o=", 01777, true, 0770},  // o= clears the sticky bit
    {"=rx", 0644, false, 0555},
    {"=rx", 04755, false, 0555},
    {"=rx", 02775, true, 02555},  // not named: a directory's setgid bit stays
    {"+x", 0644, false, 0755},    // no who letters: all, and no umask
    {"o+t", 0777, true, 01777},
    {"u+t", 0777, true, 0777},  // t only means something for o
    {"g+s", 0755, true, 02755},
    {"g-s", 02755, true, 0755},
    {"g=rwx,g-s", 02755, true, 0775},
    {"g=u", 0640, false, 0660},
    {"g=u", 0750, false, 0770},
    {"o=g", 0750, true, 0755},
    {"u=rw,go=r", 0777, false, 0644},
    {"a=X", 0644, false, 0000},
    {"a=X", 0700, true, 0111},
    {"a=X", 0744, false, 0111},
    {"u=rw+x", 0600, false, 0700},
    {"g+w-x", 0775, false, 0765},
    {"u-x,g=X", 0750, false, 0610},  // X looks at the mode as the clause before it left it
    {"a-rwxst", 07777, true, 0},  // named (s), so cleared on a directory too
    {"a-rwxst", 07777, false, 0},
};

TEST(SymbolicModeTest, Table) {
  for (const Case& c : kCases) {
    SymbolicMode mode = parse_ok(c.mode);
    EXPECT_EQ(octal(mode.apply(c.before, c.is_dir)), octal(c.after))
        << c.mode << " on " << (c.is_dir ? "directory " : "file ") << octal(c.before);
  }
}

TEST(SymbolicModeTest, ParseErrors) {
  struct Bad {
    const char* text;
    std::size_t offset;
    const char* message_start;
  };
  const Bad kBad[] = {
      {"", 0, "the mode is empty"},
      {"0770", 0, "octal mode '0770' is not accepted here"},
      {"u=rwq", 4, "unexpected 'q' at character 5: expected r, w, x, X, s or t"},
      {"q=r", 0, "unexpected 'q' at character 1: expected u, g, o or a"},
      {"u", 1, "unexpected the end of the mode: expected =, + or -"},
      {"u=r,", 4, "unexpected the end of the mode: expected =, + or -"},
      {"u=r,,g=r", 4, "unexpected ',' at character 5: expected u, g, o or a"},
      {"u=r g=r", 3, "unexpected ' ' at character 4"},
      {"g=ur", 3, "unexpected 'r' at character 4"},
  };
  for (const Bad& b : kBad) {
    SymbolicMode::Error error;
    EXPECT_FALSE(SymbolicMode::parse(b.text, &error)) << b.text;
    EXPECT_EQ(error.offset, b.offset) << b.text;
    EXPECT_EQ(error.message.rfind(b.message_start, 0), 0u) << b.text << ": " << error.message;
  }
}

/// Runs argv (no shell) and returns its exit status.
int run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SymbolicModeTest, AgreesWithRealChmod) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("aiprov-symmode-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const unsigned starts[] = {0000, 0100, 0111, 0600, 0640, 0644, 0700, 0755, 0777, 01777, 02750, 02775, 04755, 06711};
  mode_t old_umask = ::umask(0);  // chmod without who letters honours the umask; ours never does
  std::vector<std::string> seen;
  for (const Case& c : kCases) {
    if (!seen.empty() && seen.back() == c.mode) continue;
    seen.push_back(c.mode);
    std::vector<std::string> argv = {"chmod", c.mode};
    std::vector<std::pair<std::string, std::pair<unsigned, bool>>> entries;
    for (unsigned start : starts)
      for (bool is_dir : {false, true}) {
        std::string p = (dir / ((is_dir ? "d" : "f") + octal(start) + "-" + std::to_string(seen.size()))).string();
        if (is_dir) {
          ASSERT_EQ(::mkdir(p.c_str(), 0700), 0);
        } else {
          int fd = ::open(p.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0600);
          ASSERT_GE(fd, 0);
          ::close(fd);
        }
        ASSERT_EQ(::chmod(p.c_str(), start), 0);
        entries.push_back({p, {start, is_dir}});
        argv.push_back(p);
      }
    ASSERT_EQ(run(argv), 0) << c.mode;
    SymbolicMode mode = parse_ok(c.mode);
    for (const auto& [p, info] : entries) {
      struct stat st {};
      ASSERT_EQ(::lstat(p.c_str(), &st), 0);
      EXPECT_EQ(octal(mode.apply(info.first, info.second)), octal(st.st_mode & 07777))
          << "chmod " << c.mode << " on " << (info.second ? "directory " : "file ") << octal(info.first);
    }
  }
  ::umask(old_umask);
  for (auto& e : fs::directory_iterator(dir)) fs::permissions(e.path(), fs::perms::owner_all);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aiprov::steps
