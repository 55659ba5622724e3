// FileSystem::walk and walk_change over the local disk: directory fds, fstatat(AT_SYMLINK_NOFOLLOW),
// no path re-resolution per entry, so large trees (hundreds of thousands of entries) stay cheap, and
// changes made during the walk go through the directory the walk holds open.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov::detail {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw HostError(what + " " + path + ": " + std::strerror(err));
}

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

/// What the walk knows of the entry being visited: its parent directory's fd (AT_FDCWD for the top,
/// whose `name` is then its whole host path) and its name in it.
struct At {
  int dir_fd;
  const char* name;
  const std::string& host_dir;  ///< the parent's host path, for error messages
  std::string host_path() const { return dir_fd == AT_FDCWD ? std::string(name) : join(host_dir, name); }
};

using Visit = std::function<bool(const WalkEntry&, const At&)>;

/// Opens directory `name` in `dir_fd` when it is still the directory `seen` (same device and inode):
/// -1 when it vanished, is no longer a directory, or is another one now (swapped in since the lstat).
int open_same_dir(int dir_fd, const char* name, const struct stat& seen, const std::string& host_path) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return -1;
    fail("cannot open directory", host_path, errno);
  }
  struct stat now {};
  if (::fstat(fd, &now) != 0 || now.st_dev != seen.st_dev || now.st_ino != seen.st_ino) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Visits the children of the open directory `dir_fd` (consumed) and below. Returns false when
/// the visitor stopped the walk.
bool walk_dir(int dir_fd, const std::string& host_dir, const std::string& logical_dir, const Visit& visit) {
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(dir_fd);
    fail("cannot read directory", host_dir, err);
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* ent = ::readdir(dir)) {
    if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0) {
      names.emplace_back(ent->d_name);
    }
    errno = 0;
  }
  if (errno != 0) {
    int err = errno;
    ::closedir(dir);
    fail("cannot read directory", host_dir, err);
  }
  std::sort(names.begin(), names.end());
  int fd = ::dirfd(dir);
  bool go_on = true;
  try {
    for (const std::string& name : names) {
      struct stat st {};
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // vanished since readdir
        fail("cannot stat", join(host_dir, name), errno);
      }
      WalkEntry entry{join(logical_dir, name), to_file_stat(st)};
      if (!visit(entry, At{fd, name.c_str(), host_dir})) {
        go_on = false;
        break;
      }
      if (!S_ISDIR(st.st_mode)) continue;
      std::string host = join(host_dir, name);
      int child = open_same_dir(fd, name.c_str(), st, host);
      if (child < 0) continue;
      if (!walk_dir(child, host, entry.path, visit)) {
        go_on = false;
        break;
      }
    }
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  return go_on;
}

bool walk_from(const std::string& host_path, const std::string& logical_path, const Visit& visit) {
  struct stat st {};
  if (::lstat(host_path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return true;
    fail("cannot stat", host_path, errno);
  }
  if (!visit(WalkEntry{logical_path, to_file_stat(st)}, At{AT_FDCWD, host_path.c_str(), host_path})) return false;
  if (!S_ISDIR(st.st_mode)) return true;
  int fd = open_same_dir(AT_FDCWD, host_path.c_str(), st, host_path);
  if (fd < 0) return true;
  return walk_dir(fd, host_path, logical_path, visit);
}

/// The EntryChanger of one visited entry.
class ChangerAt : public EntryChanger {
 public:
  explicit ChangerAt(const At& at) : m_at(at) {}

  void chown(uid_t uid, gid_t gid) override {
    if (::fchownat(m_at.dir_fd, m_at.name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT)
      fail("cannot chown", m_at.host_path(), errno);
  }

  void chmod(unsigned mode) override {
    if (chmod_nofollow_at(m_at.dir_fd, m_at.name, mode & 07777u) != 0 && errno != ENOENT)
      fail("cannot chmod", m_at.host_path(), errno);
  }

  std::optional<FileStat> stat() override {
    struct stat st {};
    if (::fstatat(m_at.dir_fd, m_at.name, &st, AT_SYMLINK_NOFOLLOW) == 0) return to_file_stat(st);
    if (errno == ENOENT) return std::nullopt;
    fail("cannot stat", m_at.host_path(), errno);
  }

 private:
  const At& m_at;
};

}  // namespace

int chmod_nofollow_at(int dir_fd, const char* name, unsigned mode) {
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
  constexpr long kFchmodat2 = 452;  // the same number on every architecture since Linux 6.6
  static std::atomic<bool> have_fchmodat2{true};
  if (have_fchmodat2.load(std::memory_order_relaxed)) {
    long rc = ::syscall(kFchmodat2, dir_fd, name, mode, AT_SYMLINK_NOFOLLOW);
    if (rc == 0 || errno != ENOSYS) return static_cast<int>(rc);
    have_fchmodat2.store(false, std::memory_order_relaxed);
  }
#endif
  return ::fchmodat(dir_fd, name, mode, AT_SYMLINK_NOFOLLOW);
}

bool walk_tree(const std::string& host_path, const std::string& logical_path,
               const std::function<bool(const WalkEntry&)>& visit) {
  return walk_from(host_path, logical_path, [&](const WalkEntry& e, const At&) { return visit(e); });
}

bool walk_tree_changing(const std::string& host_path, const std::string& logical_path,
                        const std::function<bool(const WalkEntry&, EntryChanger&)>& visit) {
  return walk_from(host_path, logical_path, [&](const WalkEntry& e, const At& at) {
    ChangerAt change(at);
    return visit(e, change);
  });
}

}  // namespace aiprov::detail
