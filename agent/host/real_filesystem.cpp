// RealFileSystem: the FileSystem seam over the local disk, every logical path resolved under a root.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw HostError(what + " " + path + ": " + std::strerror(err));
}

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937 gen{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kChars) - 2);
  std::string s(6, 'x');
  for (char& c : s) c = kChars[pick(gen)];
  return s;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail("cannot fsync directory", dir, err);
}

class RealFileSystem : public FileSystem {
 public:
  explicit RealFileSystem(const std::string& root) : m_root(detail::normalize_root(root)) {}

  const std::string& root() const override { return m_root; }

  std::string host_path(const std::string& path) const override {
    detail::check_logical_path(path);
    if (m_root == "/") return path;
    return path == "/" ? m_root : m_root + path;
  }

  std::optional<FileStat> stat(const std::string& path) const override {
    std::string host = host_path(path);
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      fail("cannot stat", host, errno);
    }
    return detail::to_file_stat(st);
  }

  std::optional<std::string> read(const std::string& path) const override {
    std::string host = host_path(path);
    int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      fail("cannot open", host, errno);
    }
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        fail("cannot read", host, err);
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
  }

  void write_atomic(const std::string& path, std::string_view data, const WriteOptions& opts) override {
    std::string host = host_path(path);
    auto existing = stat(path);
    if (opts.backup_to && existing && existing->is_regular()) backup(path, *opts.backup_to, *existing);

    unsigned mode = opts.mode.value_or(existing ? existing->mode : 0644);
    uid_t uid = opts.uid.value_or(existing ? existing->uid : 0);
    gid_t gid = opts.gid.value_or(existing ? existing->gid : 0);

    std::size_t slash = host.rfind('/');
    std::string dir = slash == 0 ? "/" : host.substr(0, slash);
    std::string base = host.substr(slash + 1);
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
      tmp = (dir == "/" ? "" : dir) + "/." + base + ".aiprov-" + random_suffix();
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST) fail("cannot create temporary file for", host, errno);
    }
    if (fd < 0) fail("cannot create temporary file for", host, EEXIST);

    try {
      write_all(fd, data);
      struct stat st {};
      if (::fstat(fd, &st) != 0) throw errno;
      if ((st.st_uid != uid || st.st_gid != gid) && ::fchown(fd, uid, gid) != 0) throw errno;
      if (::fchmod(fd, mode & 07777) != 0) throw errno;
      if (::fsync(fd) != 0) throw errno;
      int fd_copy = fd;
      fd = -1;
      if (::close(fd_copy) != 0) throw errno;
      if (::rename(tmp.c_str(), host.c_str()) != 0) throw errno;
    } catch (int err) {
      if (fd >= 0) ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", host, err);
    }
    fsync_dir(dir);
  }

  void mkdir(const std::string& path, unsigned mode) override {
    std::string host = host_path(path);
    if (::mkdir(host.c_str(), mode & 07777) != 0) fail("cannot create directory", host, errno);
    if (::chmod(host.c_str(), mode & 07777) != 0) fail("cannot chmod", host, errno);
  }

  void chmod(const std::string& path, unsigned mode) override {
    // Never through a symlink: in a group-writable tree a member could swap a file for a link to
    // /etc/shadow between a walk and this call. A symlink here is refused (EOPNOTSUPP).
    std::string host = host_path(path);
    if (detail::chmod_nofollow_at(AT_FDCWD, host.c_str(), mode & 07777) != 0) fail("cannot chmod", host, errno);
  }

  void chown(const std::string& path, uid_t uid, gid_t gid) override {
    std::string host = host_path(path);
    if (::lchown(host.c_str(), uid, gid) != 0) fail("cannot chown", host, errno);
  }

  void remove(const std::string& path) override {
    std::string host = host_path(path);
    auto st = stat(path);
    if (!st) return;
    int rc = st->is_dir() ? ::rmdir(host.c_str()) : ::unlink(host.c_str());
    if (rc != 0 && errno != ENOENT) fail("cannot remove", host, errno);
  }

  std::vector<std::string> list_dir(const std::string& path) const override {
    std::string host = host_path(path);
    std::vector<std::string> names;
    DIR* dir = ::opendir(host.c_str());
    if (dir == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return names;
      fail("cannot read directory", host, errno);
    }
    while (const dirent* ent = ::readdir(dir)) {
      if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0) {
        names.emplace_back(ent->d_name);
      }
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  void walk(const std::string& path, const std::function<bool(const WalkEntry&)>& visit) const override {
    detail::walk_tree(host_path(path), path, visit);
  }

  void walk_change(const std::string& path,
                   const std::function<bool(const WalkEntry&, EntryChanger&)>& visit) override {
    detail::walk_tree_changing(host_path(path), path, visit);
  }

 private:
  /// Copies the current content, mode and owner of `path` to logical `to`, creating parents (0700).
  void backup(const std::string& path, const std::string& to, const FileStat& st) {
    auto content = read(path);
    if (!content) return;
    detail::check_logical_path(to);
    std::size_t pos = 0;
    while ((pos = to.find('/', pos + 1)) != std::string::npos) {
      std::string parent = to.substr(0, pos);
      if (!stat(parent)) mkdir(parent, 0700);
    }
    WriteOptions opts;
    opts.mode = st.mode;
    opts.uid = st.uid;
    opts.gid = st.gid;
    write_atomic(to, *content, opts);
  }

  std::string m_root;
};

}  // namespace

std::unique_ptr<FileSystem> make_real_filesystem(const std::string& root) {
  return std::make_unique<RealFileSystem>(root);
}

}  // namespace aiprov
