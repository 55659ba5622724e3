#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "aiprov/engine.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

TEST(RunLock, SecondHolderIsRefusedWithTheFirstOnesName) {
  char tmpl[] = "/tmp/aiprov-lock-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  auto fs = make_real_filesystem(tmpl);
  {
    RunLock first(*fs, "aiprov apply first.yaml", std::chrono::seconds(0));
    try {
      RunLock second(*fs, "aiprov apply second.yaml", std::chrono::seconds(0));
      FAIL() << "second lock taken";
    } catch (const LockedError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("pid " + std::to_string(getpid())), std::string::npos) << msg;
      EXPECT_NE(msg.find("aiprov apply first.yaml"), std::string::npos) << msg;
    }
  }
  RunLock again(*fs, "aiprov apply third.yaml", std::chrono::seconds(0));  // released with `first`
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace aiprov
