// FileSystem::walk over the local disk: directory fds, fstatat(AT_SYMLINK_NOFOLLOW), no path
// re-resolution per entry, so large trees (hundreds of thousands of entries) stay cheap.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

/// Visits the children of the open directory `dir_fd` (consumed) and below. Returns false when
/// the visitor stopped the walk.
bool walk_dir(int dir_fd, const std::string& host_dir, const std::string& logical_dir,
              const std::function<bool(const WalkEntry&)>& visit) {
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
      if (!visit(entry)) {
        go_on = false;
        break;
      }
      if (!S_ISDIR(st.st_mode)) continue;
      int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) {
        if (errno == ENOENT) continue;
        fail("cannot open directory", join(host_dir, name), errno);
      }
      if (!walk_dir(child, join(host_dir, name), entry.path, visit)) {
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

}  // namespace

bool walk_tree(const std::string& host_path, const std::string& logical_path,
               const std::function<bool(const WalkEntry&)>& visit) {
  struct stat st {};
  if (::lstat(host_path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return true;
    fail("cannot stat", host_path, errno);
  }
  if (!visit(WalkEntry{logical_path, to_file_stat(st)})) return false;
  if (!S_ISDIR(st.st_mode)) return true;
  int fd = ::open(host_path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", host_path, errno);
  return walk_dir(fd, host_path, logical_path, visit);
}

}  // namespace aiprov::detail
