// Step type `tree_permissions` on the fake host: counts, only differing entries changed, symlinks
// left alone, setgid directories, chown clearing set-id bits, dependencies and errors.

#include <filesystem>
#include <fstream>
#include <set>

#include "host/real.hpp"
#include "step_fixture.hpp"

namespace aiprov::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

/// Linux's chown(2): changing the owner or group of an executable regular file clears its setuid
/// and setgid bits, for root too.
class LinuxChownFileSystem : public VirtualFileSystem {
 public:
  void chown(const std::string& path, uid_t uid, gid_t gid) override {
    VirtualFileSystem::chown(path, uid, gid);
    auto* n = const_cast<Node*>(node(path));  // test fake: node() only hands out const access
    if (n->stat.is_regular() && (n->stat.mode & 0111)) n->stat.mode &= ~06000u;
  }
};

class TreePermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_accounts({{"alice", 1000}}, {{"team", 1001}});
    host.fs.add_dir("/srv/team", 0755);
    host.fs.add_file("/srv/team/a.txt", "a", 0644);
    host.fs.add_file("/srv/team/run.sh", "#!/bin/sh\n", 0755);
    host.fs.add_dir("/srv/team/sub", 0700, 0, 1001);
    host.fs.add_file("/srv/team/sub/b", "b", 0660, 0, 1001);
    host.fs.add_symlink("/srv/team/link", "/etc/passwd");
  }
  std::unique_ptr<Step> step(const std::string& fields) {
    return make_step(steps::tree_permissions_type(), fields);
  }
  const std::string kShared = "path: /srv/team\ngroup: team\nmode: u=rwX,g=rwX,o=\n";

  FakeHost host;
};

TEST_F(TreePermissionsTest, PlanCountsAndDetailAndChangesNothing) {
  Context ctx = host.context();
  StepPlan plan = step(kShared)->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  const Change& c = plan.changes[0];
  EXPECT_EQ(c.action, Change::Action::Update);
  EXPECT_EQ(c.target, "/srv/team");
  EXPECT_EQ(c.reason, "4 of 6 entries: 3 group, 4 mode; 1 symbolic link left alone");
  EXPECT_EQ(c.detail,
            "/srv/team/: group root -> team, mode 0755 -> 0770\n"
            "/srv/team/a.txt: group root -> team, mode 0644 -> 0660\n"
            "/srv/team/run.sh: group root -> team, mode 0755 -> 0770\n"
            "/srv/team/sub/: mode 0700 -> 0770\n");
  EXPECT_THAT(c.provides, ElementsAre("path:/srv/team"));
  EXPECT_TRUE(plan.depends_on.empty());
  EXPECT_TRUE(host.fs.log().empty());
}

TEST_F(TreePermissionsTest, ApplyChangesOnlyDifferingEntriesAndLeavesSymlinksAlone) {
  auto s = step(kShared);
  apply_and_expect_converged(*s, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("chown /srv/team 0:1001", "chmod /srv/team 0770",  //
                                         "chown /srv/team/a.txt 0:1001", "chmod /srv/team/a.txt 0660",
                                         "chown /srv/team/run.sh 0:1001", "chmod /srv/team/run.sh 0770",
                                         "chmod /srv/team/sub 0770"));
  const auto* link = host.fs.node("/srv/team/link");
  EXPECT_EQ(link->stat.gid, 0u);
  EXPECT_EQ(link->stat.mode, 0777u);
  EXPECT_EQ(host.fs.node("/srv/team/a.txt")->stat.mode, 0660u);  // not made executable

  // A later apply of an already converged plan does nothing.
  host.fs.clear_log();
  Context ctx = host.context();
  StepPlan again = s->plan(ctx);
  s->apply(ctx, again);
  EXPECT_TRUE(host.fs.log().empty());
}

TEST_F(TreePermissionsTest, ApplyChangesExactlyWhatThePlanCounted) {
  for (int i = 0; i < 25; ++i)
    host.fs.add_file("/srv/team/many/f" + std::to_string(100 + i), "", i % 2 ? 0640 : 0660, 0, i % 3 ? 1001 : 0);
  auto s = step(kShared);
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "22 of 32 entries: 13 group, 17 mode; 1 symbolic link left alone");
  EXPECT_THAT(plan.changes[0].detail, HasSubstr("\n... and 2 more\n"));
  s->apply(ctx, plan);
  std::set<std::string> touched;
  for (const auto& line : host.fs.log()) touched.insert(line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1));
  EXPECT_EQ(touched.size(), 22u);
  EXPECT_TRUE(s->plan(ctx).converged());
}

TEST_F(TreePermissionsTest, SetgidDirectories) {
  host.fs.add_dir("/srv/team/done", 02770, 0, 1001);
  host.fs.add_dir("/srv/team/kept", 02770, 0, 1001);
  auto s = step(kShared + "setgid_dirs: true\n");
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.node("/srv/team")->stat.mode, 02770u);
  EXPECT_EQ(host.fs.node("/srv/team/sub")->stat.mode, 02770u);
  EXPECT_EQ(host.fs.node("/srv/team/a.txt")->stat.mode, 0660u);
  EXPECT_EQ(host.fs.node("/srv/team/run.sh")->stat.mode, 0770u);
  for (const auto& line : host.fs.log()) EXPECT_THAT(line, Not(HasSubstr("/done"))) << line;

  // Without setgid_dirs an existing setgid bit of a directory stays, as with chmod.
  host.fs.clear_log();
  Context ctx = host.context();
  EXPECT_TRUE(step(kShared)->plan(ctx).converged());
}

TEST_F(TreePermissionsTest, ChownBeforeChmodRestoresSetIdBitsThatChownCleared) {
  LinuxChownFileSystem fs;
  fs.add_file("/etc/group", "root:x:0:\nteam:x:1001:\n");
  fs.add_dir("/opt/tool", 0775, 0, 1001);
  fs.add_file("/opt/tool/suid", "", 04775);
  FakeProcessRunner proc;
  FakeFetcher fetch;
  Host h{fs, proc, fetch};
  nlohmann::json facts = nlohmann::json::object();
  Context ctx{h, facts, "", {}, {}};
  auto s = step("path: /opt/tool\ngroup: team\nmode: g+w\n");
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].reason, "1 of 2 entries: 1 group");
  s->apply(ctx, plan);
  EXPECT_THAT(fs.log(), ElementsAre("chown /opt/tool/suid 0:1001", "chmod /opt/tool/suid 4775"));
  EXPECT_EQ(fs.node("/opt/tool/suid")->stat.mode, 04775u);
  EXPECT_TRUE(s->plan(ctx).converged());
}

TEST_F(TreePermissionsTest, Owner) {
  auto s = step("path: /srv/team/sub\nowner: alice\nmode: u=rwX,g=rX,o=\n");
  Context ctx = host.context();
  EXPECT_EQ(s->plan(ctx).changes.at(0).reason, "2 of 2 entries: 2 owner, 2 mode");
  apply_and_expect_converged(*s, host);
  EXPECT_THAT(host.fs.log(), ElementsAre("chown /srv/team/sub 1000:1001", "chmod /srv/team/sub 0750",
                                         "chown /srv/team/sub/b 1000:1001", "chmod /srv/team/sub/b 0640"));
}

TEST_F(TreePermissionsTest, DependsOnEarlierSteps) {
  Context ctx = host.context();
  ctx.pending["path:/srv/new"] = "mk";
  EXPECT_EQ(step("path: /srv/new\nmode: g+w\n")->plan(ctx).depends_on, "/srv/new is created by step 'mk'");
  ctx.pending = {{"path:/srv/new2/deep/file", "deep"}};
  EXPECT_EQ(step("path: /srv/new2\nmode: g+w\n")->plan(ctx).depends_on, "/srv/new2 is created by step 'deep'");
  ctx.pending = {{"path:/srv/new3x", "other"}};
  EXPECT_EQ(step_error([&] { step("path: /srv/new3\nmode: g+w\n")->plan(ctx); }),
            "step 'x': path /srv/new3 does not exist");

  // An earlier step that writes below the tree: planned again right before apply.
  ctx.pending = {{"path:/srv/team/sub/c", "writer"}};
  StepPlan plan = step(kShared)->plan(ctx);
  EXPECT_EQ(plan.depends_on, "/srv/team or entries under it are changed by step 'writer'");
  EXPECT_EQ(plan.changes.size(), 1u);

  // A group an earlier step creates: every entry changes group.
  ctx.pending = {{"group:newteam", "mkgroup"}};
  plan = step("path: /srv/team\ngroup: newteam\nmode: u+r\n")->plan(ctx);
  EXPECT_EQ(plan.depends_on, "group 'newteam' is created by step 'mkgroup'");
  EXPECT_EQ(plan.changes.at(0).reason, "5 of 6 entries: 5 group; 1 symbolic link left alone");
}

TEST_F(TreePermissionsTest, Errors) {
  const StepType type = steps::tree_permissions_type();
  EXPECT_THAT(build_error(type, "path: /srv/team\nmode: u=rwq\n"),
              StartsWith("step 'x': mode 'u=rwq': unexpected 'q' at character 5: expected r, w, x, X, s or t"));
  try {
    make_step(type, "path: /srv/team\nmode: u=rwq\n");
    ADD_FAILURE() << "no RecipeError";
  } catch (const RecipeError& e) {
    EXPECT_EQ(e.loc().line, 2);  // the mode field's position
    EXPECT_EQ(e.loc().col, 7);
  }
  EXPECT_THAT(build_error(type, "path: /srv/team\nmode: \"0770\"\n"),
              StartsWith("step 'x': mode '0770': octal mode '0770' is not accepted here"));
  EXPECT_EQ(build_error(type, "path: /srv/team\nmode: o=g,g=u\n"),
            "step 'x': mode 'o=g,g=u' is not stable: it turns a file with mode 0010 into 0001, and that into "
            "0000 on the next run");
  EXPECT_EQ(build_error(type, "path: srv\nmode: g+w\n"), "step 'x': path must be absolute, found 'srv'");

  Context ctx = host.context();
  EXPECT_EQ(step_error([&] { step("path: /srv/none\nmode: g+w\n")->plan(ctx); }),
            "step 'x': path /srv/none does not exist");
  EXPECT_EQ(step_error([&] { step("path: /srv/team\ngroup: nobody\nmode: g+w\n")->plan(ctx); }),
            "step 'x': group 'nobody' does not exist");
  EXPECT_EQ(step_error([&] { step("path: /srv/team/link\nmode: g+w\n")->plan(ctx); }),
            "step 'x': path /srv/team/link is a symbolic link; name the directory it points to");
}

/// The real file system of a temporary root, with a hook that runs when walk_change meets a path:
/// a group member acting while the step is applied.
class ActingDuringWalk : public FileSystem {
 public:
  ActingDuringWalk(FileSystem& inner, std::string at, std::function<void()> act)
      : m_in(inner), m_at(std::move(at)), m_act(std::move(act)) {}
  const std::string& root() const override { return m_in.root(); }
  std::string host_path(const std::string& p) const override { return m_in.host_path(p); }
  std::optional<FileStat> stat(const std::string& p) const override { return m_in.stat(p); }
  std::optional<std::string> read(const std::string& p) const override { return m_in.read(p); }
  void write_atomic(const std::string& p, std::string_view d, const WriteOptions& o) override {
    m_in.write_atomic(p, d, o);
  }
  void mkdir(const std::string& p, unsigned m) override { m_in.mkdir(p, m); }
  void chmod(const std::string& p, unsigned m) override { m_in.chmod(p, m); }
  void chown(const std::string& p, uid_t u, gid_t g) override { m_in.chown(p, u, g); }
  void remove(const std::string& p) override { m_in.remove(p); }
  std::vector<std::string> list_dir(const std::string& p) const override { return m_in.list_dir(p); }
  void walk(const std::string& p, const std::function<bool(const WalkEntry&)>& v) const override { m_in.walk(p, v); }
  void walk_change(const std::string& p, const std::function<bool(const WalkEntry&, EntryChanger&)>& v) override {
    m_in.walk_change(p, [&](const WalkEntry& e, EntryChanger& c) {
      if (e.path == m_at) m_act();
      return v(e, c);
    });
  }

 private:
  FileSystem& m_in;
  std::string m_at;
  std::function<void()> m_act;
};

TEST(TreePermissionsOnDisk, ADirectorySwappedForALinkDuringApplyDoesNotRedirectTheChanges) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  namespace stdfs = std::filesystem;
  char tmpl[] = "/tmp/aiprov-treeperm-XXXXXX";
  std::string root = ::mkdtemp(tmpl);
  auto put = [&](const std::string& path, unsigned mode) {
    std::ofstream(root + path) << "x";
    stdfs::permissions(root + path, static_cast<stdfs::perms>(mode));
  };
  stdfs::create_directories(root + "/etc");
  stdfs::create_directories(root + "/srv/team/d");
  stdfs::create_directories(root + "/private");
  std::ofstream(root + "/etc/passwd") << "root:x:0:0:root:/root:/bin/bash\n";
  std::ofstream(root + "/etc/group") << "root:x:0:\nteam:x:1001:\n";
  for (const char* f : {"/srv/team/d/a", "/srv/team/d/b", "/srv/team/d/c"}) put(f, 0644);
  for (const char* f : {"/private/a", "/private/b", "/private/c"}) put(f, 0600);

  auto real = make_real_filesystem(root);
  // When the walk reaches d/a, d is renamed and a link to /private takes its name.
  ActingDuringWalk fs(*real, "/srv/team/d/a", [&] {
    stdfs::rename(root + "/srv/team/d", root + "/srv/team/d.moved");
    stdfs::create_directory_symlink(root + "/private", root + "/srv/team/d");
  });
  FakeHost fake;
  Host host{fs, fake.proc, fake.fetch};
  Context ctx{host, fake.facts, "", {}, {}};
  auto s = make_step(steps::tree_permissions_type(), "path: /srv/team\ngroup: team\nmode: u=rwX,g=rwX,o=\n");
  StepPlan plan = s->plan(ctx);
  ASSERT_FALSE(plan.converged());
  s->apply(ctx, plan);
  for (const char* f : {"/private/a", "/private/b", "/private/c"}) {
    EXPECT_EQ(real->stat(f)->mode, 0600u) << f;
    EXPECT_EQ(real->stat(f)->gid, 0u) << f;
  }
  for (const char* f : {"/srv/team/d.moved/a", "/srv/team/d.moved/b", "/srv/team/d.moved/c"}) {
    EXPECT_EQ(real->stat(f)->mode, 0660u) << f;
    EXPECT_EQ(real->stat(f)->gid, 1001u) << f;
  }
  stdfs::remove_all(root);
}

}  // namespace
}  // namespace aiprov::testing
