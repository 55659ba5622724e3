#pragma once
/// Running the real CLI (cli::main) in unit tests: argv from strings, its output and exit code
/// captured, and a fixture with a temporary directory holding a small root tree and the recipes.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/cli.hpp"

namespace aiprov::testing {

/// cli::main with argv = {"aiprov", args...}; returns its exit code. Output is not captured.
inline int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "aiprov");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cli::main(static_cast<int>(args.size()), argv.data());
}

/// One captured run of the CLI.
struct CliRun {
  int rc = 0;
  std::string out;  ///< standard output
  std::string err;  ///< standard error
};

/// run_cli with standard output and standard error captured (not while another capture is active).
inline CliRun run_cli_captured(std::vector<std::string> args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  CliRun r;
  r.rc = run_cli(std::move(args));
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

/// The whole file as bytes; "" when it cannot be read.
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A temporary directory m_dir (removed after the test) with root/ holding etc/os-release (Ubuntu
/// 22.04 jammy), etc/passwd and etc/group (root only): pass root() to --root.
class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aiprov-cli-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
    std::filesystem::create_directories(m_dir / "root/etc");
    std::ofstream(m_dir / "root/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(m_dir / "root/etc/group") << "root:x:0:\n";
    std::ofstream(m_dir / "root/etc/os-release") << "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  /// Writes `text` to m_dir/`name` (replacing it); returns its path.
  std::string write_recipe(const std::string& text, const std::string& name = "r.yaml") {
    auto p = m_dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string root() const { return (m_dir / "root").string(); }
  std::filesystem::path m_dir;
};

}  // namespace aiprov::testing
