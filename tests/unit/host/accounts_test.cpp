#include "host/accounts.hpp"

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "host/real.hpp"

namespace aiprov {
namespace {

TEST(AccountsTest, ParseGroupFile) {
  struct Case {
    std::string line;
    bool valid;
    std::string name;
    gid_t gid;
    std::vector<std::string> members;
  };
  const Case cases[] = {
      {"root:x:0:", true, "root", 0, {}},
      {"sudo:x:27:alice,bob", true, "sudo", 27, {"alice", "bob"}},
      {"aiusers:x:1001:alice\r", true, "aiusers", 1001, {"alice"}},
      {"broken:x:notanumber:", false, "", 0, {}},
      {"short:x:12", false, "", 0, {}},
      {"toomany:x:12::", false, "", 0, {}},
      {"# comment:x:1:", false, "", 0, {}},
      {":x:5:", false, "", 0, {}},
      {"neg:x:-1:", false, "", 0, {}},
  };
  for (const auto& c : cases) {
    auto groups = parse_group_file(c.line + "\n");
    if (!c.valid) {
      EXPECT_TRUE(groups.empty()) << c.line;
      continue;
    }
    ASSERT_EQ(groups.size(), 1u) << c.line;
    EXPECT_EQ(groups[0].name, c.name);
    EXPECT_EQ(groups[0].gid, c.gid);
    EXPECT_EQ(groups[0].members, c.members);
  }
}

TEST(AccountsTest, ParsePasswdFile) {
  const std::string text =
      "root:x:0:0:root:/root:/bin/bash\n"
      "\n"
      "bad line\n"
      "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
      "weird:x:1x:1:w:/:/bin/sh\n";
  auto users = parse_passwd_file(text);
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[1].name, "alice");
  EXPECT_EQ(users[1].uid, 1000u);
  EXPECT_EQ(users[1].gid, 1000u);
  EXPECT_EQ(users[1].home, "/home/alice");
  EXPECT_EQ(users[1].shell, "/bin/bash");
  EXPECT_EQ(users[2].uid, 65534u);
}

TEST(AccountsTest, ResolveThroughTheRootTree) {
  char tmpl[] = "/tmp/aiprov-acct-XXXXXX";
  std::string root = ::mkdtemp(tmpl);
  auto fs = make_real_filesystem(root);
  EXPECT_FALSE(find_group(*fs, "root"));  // no /etc/group in the tree: not the host's
  EXPECT_EQ(resolve_uid(*fs, "0"), 0u);
  EXPECT_FALSE(resolve_uid(*fs, "root"));

  fs->mkdir("/etc", 0755);
  fs->write_atomic("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1500:1600::/home/alice:/bin/sh\n", {});
  fs->write_atomic("/etc/group", "root:x:0:\naiusers:x:2001:alice,bob\n", {});
  EXPECT_EQ(resolve_uid(*fs, "alice"), 1500u);
  EXPECT_EQ(resolve_uid(*fs, "1234"), 1234u);
  EXPECT_FALSE(resolve_uid(*fs, "bob"));
  EXPECT_EQ(resolve_gid(*fs, "aiusers"), 2001u);
  EXPECT_EQ(resolve_gid(*fs, "77"), 77u);
  EXPECT_FALSE(resolve_gid(*fs, "docker"));
  auto g = find_group(*fs, "aiusers");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->members, (std::vector<std::string>{"alice", "bob"}));
  auto u = find_user(*fs, "alice");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->gid, 1600u);
  EXPECT_EQ(u->home, "/home/alice");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace aiprov
