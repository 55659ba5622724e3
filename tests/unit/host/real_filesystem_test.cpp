#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

namespace stdfs = std::filesystem;

struct TempRoot {
  std::string path;
  TempRoot() {
    char tmpl[] = "/tmp/aiprov-fs-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempRoot() { stdfs::remove_all(path); }
};

std::string slurp(const std::string& host) {
  std::ifstream in(host);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

class RealFileSystemTest : public ::testing::Test {
 protected:
  TempRoot root;
  std::unique_ptr<FileSystem> fs = make_real_filesystem(root.path + "/");
};

TEST_F(RealFileSystemTest, ResolvesLogicalPathsUnderTheRoot) {
  EXPECT_EQ(fs->root(), root.path);
  EXPECT_EQ(fs->host_path("/etc/motd"), root.path + "/etc/motd");
  EXPECT_EQ(fs->host_path("/"), root.path);
  EXPECT_EQ(make_real_filesystem("/")->host_path("/etc/motd"), "/etc/motd");
}

TEST_F(RealFileSystemTest, RejectsRelativeAndDotDotPaths) {
  for (const char* bad : {"etc/motd", "", "/etc/../../x", "/..", "/a/.."}) {
    EXPECT_THROW(fs->host_path(bad), HostError) << bad;
    EXPECT_THROW(fs->stat(bad), HostError) << bad;
  }
  EXPECT_NO_THROW(fs->host_path("/a/..b/c.."));
}

TEST_F(RealFileSystemTest, AbsentPathsAreNotErrors) {
  EXPECT_FALSE(fs->stat("/nope"));
  EXPECT_FALSE(fs->read("/nope"));
  EXPECT_FALSE(fs->stat("/nope/deeper"));
  EXPECT_TRUE(fs->list_dir("/nope").empty());
  EXPECT_NO_THROW(fs->remove("/nope"));
}

TEST_F(RealFileSystemTest, NewFileGetsDefaultModeAndOwner) {
  ::umask(077);
  fs->write_atomic("/motd", "hello\n", {});
  ::umask(022);
  auto st = fs->stat("/motd");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->is_regular());
  EXPECT_EQ(st->mode, 0644u);
  EXPECT_EQ(st->size, 6u);
  if (::geteuid() == 0) {
    EXPECT_EQ(st->uid, 0u);
    EXPECT_EQ(st->gid, 0u);
  }
  EXPECT_EQ(fs->read("/motd").value(), "hello\n");
  EXPECT_EQ(names_in(root.path), std::vector<std::string>{"motd"});  // no temporary file left
}

TEST_F(RealFileSystemTest, OverwriteKeepsModeAndOwnerUnlessGiven) {
  fs->write_atomic("/f", "one", WriteOptions{0640, std::nullopt, std::nullopt, std::nullopt});
  fs->write_atomic("/f", "two", {});
  EXPECT_EQ(fs->stat("/f")->mode, 0640u);
  EXPECT_EQ(slurp(root.path + "/f"), "two");
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  fs->write_atomic("/f", "three", WriteOptions{04755, 1234, 4321, std::nullopt});
  auto st = fs->stat("/f");
  EXPECT_EQ(st->mode, 04755u);  // set after chown, so setuid survives
  EXPECT_EQ(st->uid, 1234u);
  EXPECT_EQ(st->gid, 4321u);
  fs->write_atomic("/f", "four", {});
  EXPECT_EQ(fs->stat("/f")->uid, 1234u);
  EXPECT_EQ(fs->stat("/f")->mode, 04755u);
}

TEST_F(RealFileSystemTest, BackupCopiesOldContentAndMode) {
  fs->write_atomic("/conf", "old\n", WriteOptions{0600, std::nullopt, std::nullopt, std::nullopt});
  WriteOptions opts;
  opts.backup_to = "/var/lib/aiprov/backups/run1/conf";
  fs->write_atomic("/conf", "new\n", opts);
  EXPECT_EQ(fs->read("/conf").value(), "new\n");
  EXPECT_EQ(fs->read("/var/lib/aiprov/backups/run1/conf").value(), "old\n");
  EXPECT_EQ(fs->stat("/var/lib/aiprov/backups/run1/conf")->mode, 0600u);
  EXPECT_EQ(fs->stat("/var/lib/aiprov/backups")->mode, 0700u);
  // No backup of a file that did not exist.
  opts.backup_to = "/backup/none";
  fs->write_atomic("/fresh", "x", opts);
  EXPECT_FALSE(fs->stat("/backup/none"));
}

TEST_F(RealFileSystemTest, WriteIntoMissingDirectoryNamesThePath) {
  try {
    fs->write_atomic("/missing/dir/file", "x", {});
    FAIL() << "expected HostError";
  } catch (const HostError& e) {
    EXPECT_NE(std::string(e.what()).find(root.path + "/missing/dir/file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

TEST_F(RealFileSystemTest, FailedRenameLeavesNoTemporaryFile) {
  fs->mkdir("/d", 0755);
  fs->mkdir("/d/target", 0755);
  fs->write_atomic("/d/target/keep", "x", {});  // rename onto a non-empty directory fails
  EXPECT_THROW(fs->write_atomic("/d/target", "data", {}), HostError);
  EXPECT_EQ(names_in(root.path + "/d"), std::vector<std::string>{"target"});
}

TEST_F(RealFileSystemTest, MkdirModeIsExact) {
  ::umask(022);
  fs->mkdir("/shared", 02775);
  EXPECT_EQ(fs->stat("/shared")->mode, 02775u);
  EXPECT_TRUE(fs->stat("/shared")->is_dir());
  EXPECT_THROW(fs->mkdir("/shared", 0755), HostError);
  EXPECT_THROW(fs->mkdir("/no/parent", 0755), HostError);
  fs->chmod("/shared", 0700);
  EXPECT_EQ(fs->stat("/shared")->mode, 0700u);
}

TEST_F(RealFileSystemTest, ChownDoesNotFollowSymlinks) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  fs->write_atomic("/target", "x", {});
  ASSERT_EQ(::symlink("target", (root.path + "/link").c_str()), 0);
  fs->chown("/link", 77, 88);
  EXPECT_EQ(fs->stat("/link")->uid, 77u);
  EXPECT_TRUE(fs->stat("/link")->is_symlink());
  EXPECT_EQ(fs->stat("/target")->uid, 0u);
}

TEST_F(RealFileSystemTest, ChmodRefusesASymlinkAndLeavesItsTargetAlone) {
  WriteOptions opts;
  opts.mode = 0600;
  fs->write_atomic("/secret", "x", opts);
  ASSERT_EQ(::symlink("secret", (root.path + "/swapped").c_str()), 0);
  EXPECT_THROW(fs->chmod("/swapped", 0666), HostError);
  EXPECT_EQ(fs->stat("/secret")->mode, 0600u);
  fs->chmod("/secret", 0640);
  EXPECT_EQ(fs->stat("/secret")->mode, 0640u);
}

TEST_F(RealFileSystemTest, RemoveAndListDir) {
  fs->mkdir("/dir", 0755);
  fs->write_atomic("/dir/b", "", {});
  fs->write_atomic("/dir/a", "", {});
  fs->write_atomic("/dir/c", "", {});
  EXPECT_EQ(fs->list_dir("/dir"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_THROW(fs->remove("/dir"), HostError);  // not empty
  for (const auto& n : fs->list_dir("/dir")) fs->remove("/dir/" + n);
  fs->remove("/dir");
  EXPECT_FALSE(fs->stat("/dir"));
}

TEST_F(RealFileSystemTest, WalkVisitsParentsFirstAndDoesNotFollowSymlinks) {
  fs->mkdir("/t", 0755);
  fs->mkdir("/t/b", 0755);
  fs->mkdir("/t/a", 0750);
  fs->write_atomic("/t/a/file", "12345", {});
  fs->mkdir("/outside", 0755);
  fs->write_atomic("/outside/secret", "", {});
  ASSERT_EQ(::symlink((root.path + "/outside").c_str(), (root.path + "/t/b/link").c_str()), 0);

  std::vector<std::string> seen;
  fs->walk("/t", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    if (e.path == "/t/a") {
      EXPECT_EQ(e.stat.mode, 0750u);
    } else if (e.path == "/t/a/file") {
      EXPECT_EQ(e.stat.size, 5u);
    } else if (e.path == "/t/b/link") {
      EXPECT_TRUE(e.stat.is_symlink());
    }
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/t", "/t/a", "/t/a/file", "/t/b", "/t/b/link"}));

  seen.clear();
  fs->walk("/t", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    return e.path != "/t/a";
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/t", "/t/a"}));

  seen.clear();
  fs->walk("/absent", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    return true;
  });
  EXPECT_TRUE(seen.empty());
}

TEST_F(RealFileSystemTest, WalkOfTheRootAndOfAFile) {
  fs->write_atomic("/x", "", {});
  std::vector<std::string> seen;
  fs->walk("/", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/", "/x"}));
  seen.clear();
  fs->walk("/x", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    return true;
  });
  EXPECT_EQ(seen, std::vector<std::string>{"/x"});
}

TEST_F(RealFileSystemTest, WalkCountsAManyEntryTree) {
  fs->mkdir("/big", 0755);
  for (int d = 0; d < 20; ++d) {
    std::string dir = "/big/d" + std::to_string(d);
    fs->mkdir(dir, 0755);
    for (int f = 0; f < 100; ++f) {
      std::ofstream(root.path + dir + "/f" + std::to_string(f)) << "x";
    }
  }
  std::size_t files = 0, dirs = 0;
  fs->walk("/big", [&](const WalkEntry& e) {
    (e.stat.is_dir() ? dirs : files)++;
    return true;
  });
  EXPECT_EQ(dirs, 21u);
  EXPECT_EQ(files, 2000u);
}

TEST_F(RealFileSystemTest, WalkChangeChangesEntriesItMeets) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  fs->mkdir("/t", 0755);
  fs->mkdir("/t/d", 0755);
  fs->write_atomic("/t/d/f", "x", {});
  fs->write_atomic("/target", "x", {});
  ASSERT_EQ(::symlink("../target", (root.path + "/t/link").c_str()), 0);
  std::vector<std::string> seen;
  fs->walk_change("/t", [&](const WalkEntry& e, EntryChanger& change) {
    seen.push_back(e.path);
    if (e.stat.is_symlink()) {
      EXPECT_THROW(change.chmod(0600), HostError);  // never through a link
      return true;
    }
    change.chown(0, 55);
    change.chmod(e.stat.is_dir() ? 02770 : 0660);
    auto now = change.stat();
    EXPECT_TRUE(now && now->gid == 55u) << e.path;
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/t", "/t/d", "/t/d/f", "/t/link"}));
  EXPECT_EQ(fs->stat("/t")->mode, 02770u);
  EXPECT_EQ(fs->stat("/t/d")->mode, 02770u);
  EXPECT_EQ(fs->stat("/t/d/f")->mode, 0660u);
  EXPECT_EQ(fs->stat("/t/d/f")->gid, 55u);
  EXPECT_EQ(fs->stat("/target")->mode, 0644u);
}

TEST_F(RealFileSystemTest, WalkChangeIsNotRedirectedByADirectorySwappedForALink) {
  // A member of a shared tree renames a directory the walk is in and puts a symbolic link to a
  // directory outside in its place: the changes still reach the entries the walk is visiting.
  fs->mkdir("/t", 0755);
  fs->mkdir("/t/d", 0755);
  for (const char* f : {"/t/d/a", "/t/d/b", "/t/d/c"}) fs->write_atomic(f, "x", {});
  fs->mkdir("/outside", 0755);
  for (const char* f : {"/outside/a", "/outside/b", "/outside/c"}) fs->write_atomic(f, "x", {});
  std::vector<std::string> seen;
  fs->walk_change("/t", [&](const WalkEntry& e, EntryChanger& change) {
    seen.push_back(e.path);
    if (e.path == "/t/d/a") {
      stdfs::rename(root.path + "/t/d", root.path + "/t/d.moved");
      stdfs::create_directory_symlink(root.path + "/outside", root.path + "/t/d");
    }
    if (e.stat.is_regular()) change.chmod(0600);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/t", "/t/d", "/t/d/a", "/t/d/b", "/t/d/c"}));
  for (const char* f : {"/t/d.moved/a", "/t/d.moved/b", "/t/d.moved/c"}) EXPECT_EQ(fs->stat(f)->mode, 0600u) << f;
  for (const char* f : {"/outside/a", "/outside/b", "/outside/c"}) EXPECT_EQ(fs->stat(f)->mode, 0644u) << f;
}

TEST_F(RealFileSystemTest, AWalkDoesNotEnterADirectorySwappedAfterItsStat) {
  fs->mkdir("/t", 0755);
  fs->mkdir("/t/d", 0755);
  fs->write_atomic("/t/d/mine", "x", {});
  fs->mkdir("/other", 0755);
  fs->write_atomic("/other/theirs", "x", {});
  std::vector<std::string> seen;
  fs->walk("/t", [&](const WalkEntry& e) {
    seen.push_back(e.path);
    if (e.path == "/t/d") {  // between the walk's lstat of d and its opening: another directory
      stdfs::rename(root.path + "/t/d", root.path + "/t/d.old");
      stdfs::rename(root.path + "/other", root.path + "/t/d");
    }
    return true;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/t", "/t/d"}));
}

}  // namespace
}  // namespace aiprov
