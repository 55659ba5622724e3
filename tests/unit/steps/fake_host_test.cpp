// The recording fakes themselves: other layers' tests rely on their log formats and semantics.

#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;

TEST(FakeHostTest, VirtualFileSystemLogsMutationsOnly) {
  VirtualFileSystem fs;
  fs.add_file("/etc/motd", "hi\n", 0640, 1, 2);  // setup: not logged
  EXPECT_EQ(fs.host_path("/etc/motd"), "/virtual/etc/motd");
  EXPECT_EQ(fs.read("/etc/motd"), "hi\n");
  EXPECT_EQ(fs.stat("/etc/motd")->mode, 0640u);
  EXPECT_FALSE(fs.stat("/nope"));
  fs.write_atomic("/etc/motd", "new\n", WriteOptions{{}, {}, {}, std::string("/b/etc/motd")});
  fs.mkdir("/srv", 02770);
  fs.chmod("/srv", 0755);
  fs.chown("/srv", 1000, 1001);
  fs.remove("/srv");
  fs.remove("/srv");  // absent: no error, no entry
  EXPECT_THAT(fs.log(), ElementsAre("backup /etc/motd -> /b/etc/motd", "write /etc/motd", "mkdir /srv 2770",
                                    "chmod /srv 0755", "chown /srv 1000:1001", "remove /srv"));
  EXPECT_EQ(fs.stat("/etc/motd")->mode, 0640u) << "unset mode keeps the existing one";
  EXPECT_EQ(fs.stat("/etc/motd")->uid, 1u);
  EXPECT_EQ(fs.read("/b/etc/motd"), "hi\n");
}

TEST(FakeHostTest, VirtualFileSystemErrorsAndListing) {
  VirtualFileSystem fs;
  fs.add_file("/a/b/c", "x");
  fs.add_file("/a/d", "y");
  fs.add_symlink("/a/link", "/a/d");
  EXPECT_THAT(fs.list_dir("/a"), ElementsAre("b", "d", "link"));
  EXPECT_EQ(fs.read("/a/link"), "y");
  EXPECT_TRUE(fs.stat("/a/link")->is_symlink());
  std::vector<std::string> seen;
  fs.walk("/a", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    return true;
  });
  EXPECT_THAT(seen, ElementsAre("/a", "/a/b", "/a/b/c", "/a/d", "/a/link"));
  EXPECT_THROW(fs.remove("/a/b"), HostError);
  EXPECT_THROW(fs.write_atomic("/no/parent", "x", {}), HostError);
  EXPECT_THROW(fs.mkdir("/a", 0755), HostError);
  EXPECT_THROW(fs.chmod("/none", 0755), HostError);
}

Command argv_command(std::vector<std::string> argv) {
  Command c;
  c.argv = std::move(argv);
  return c;
}

TEST(FakeHostTest, ProcessRunnerRulesNewestFirst) {
  FakeProcessRunner proc;
  EXPECT_EQ(proc.run(argv_command({"anything"})).exit_code, 0);
  proc.on_program("apt-get", FakeProcessRunner::result(100, "E: locked\n"));
  proc.on_argv({"apt-get", "update"}, FakeProcessRunner::result(0, "Hit\n"));
  EXPECT_EQ(proc.run(argv_command({"apt-get", "update"})).output, "Hit\n");
  EXPECT_EQ(proc.run(argv_command({"apt-get", "install", "x"})).exit_code, 100);
  EXPECT_THAT(proc.command_lines(), ElementsAre("anything", "apt-get update", "apt-get install x"));
}

TEST(FakeHostTest, FetcherWritesIntoTheVfs) {
  FakeHost host;
  host.fs.add_dir("/var/cache");
  host.fetch.serve("http://x/k.gpg", "KEYDATA");
  host.fetch.fail("http://x/down", "connection reset", true);
  FetchRequest req;
  req.url = "http://x/k.gpg";
  req.dest_host_path = host.fs.host_path("/var/cache/k.gpg.part");
  FetchResult ok = host.fetch.fetch(req);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(host.fs.read("/var/cache/k.gpg.part"), "KEYDATA");
  req.resume_from = 3;
  host.fs.put("/var/cache/k.gpg.part", "KEY");
  EXPECT_EQ(host.fetch.fetch(req).http_status, 206);
  EXPECT_EQ(host.fs.read("/var/cache/k.gpg.part"), "KEYDATA");
  req.url = "http://x/down";
  FetchResult bad = host.fetch.fetch(req);
  EXPECT_FALSE(bad.ok);
  EXPECT_TRUE(bad.transient);
  req.url = "http://x/missing";
  EXPECT_EQ(host.fetch.fetch(req).http_status, 404);
  EXPECT_THAT(host.fetch.requests(), ElementsAre("http://x/k.gpg", "http://x/k.gpg", "http://x/down", "http://x/missing"));
}

}  // namespace
}  // namespace aiprov::testing
