#pragma once
/// The real implementations of the three seams (include/aiprov/host.hpp): the local file system
/// resolved under a root, processes run with Boost.Process (chrooted under a root other than "/"),
/// and downloads with libcurl.

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiprov/host.hpp"

namespace aiprov {

/// A FileSystem over the local disk. `root` is "/" or a directory (made absolute); logical paths
/// must be absolute and free of ".." components, else HostError.
std::unique_ptr<FileSystem> make_real_filesystem(const std::string& root);

/// A ProcessRunner. Under a root other than "/", commands run chrooted into it; /proc, /sys, /dev and
/// /dev/pts are mounted there before the first command where not already mounted, and unmounted
/// again when the runner is destroyed.
std::unique_ptr<ProcessRunner> make_real_process_runner(const std::string& root);

/// A Fetcher with libcurl: redirects followed, certificates verified, resume by appending.
std::unique_ptr<Fetcher> make_curl_fetcher();

namespace detail {

/// "/srv/tree/" -> "/srv/tree", "tree" -> "$PWD/tree", "" -> "/". The result is absolute, normalized,
/// and has no trailing slash unless it is "/".
std::string normalize_root(const std::string& root);

/// Throws HostError unless `path` is absolute and has no ".." component.
void check_logical_path(const std::string& path);

/// Converts lstat() output to a FileStat.
FileStat to_file_stat(const struct stat& st);

/// Visits host directory tree `host_path` (reported as `logical_path`) the way FileSystem::walk
/// documents: lstat only, parents first, names sorted within a directory. Returns false when the
/// visitor stopped the walk.
bool walk_tree(const std::string& host_path, const std::string& logical_path,
               const std::function<bool(const WalkEntry&)>& visit);

/// walk_tree for FileSystem::walk_change: the visitor's EntryChanger works relative to the open
/// parent directory (fchownat, chmod_nofollow_at), and a directory whose identity (device, inode)
/// changed between its lstat and its opening is not entered.
bool walk_tree_changing(const std::string& host_path, const std::string& logical_path,
                        const std::function<bool(const WalkEntry&, EntryChanger&)>& visit);

/// fchmodat(dir_fd, name, mode, AT_SYMLINK_NOFOLLOW): never follows a symlink (EOPNOTSUPP for one).
/// Linux 6.6+ has fchmodat2, one system call; glibc before 2.39 emulates AT_SYMLINK_NOFOLLOW with an
/// O_PATH open, an fstat and a chmod through /proc/self/fd: five calls and a /proc lookup per entry,
/// which dominated a tree_permissions apply of 500,000 entries. Older kernels (ENOSYS) keep glibc's
/// way. Returns 0 or -1 with errno set.
int chmod_nofollow_at(int dir_fd, const char* name, unsigned mode);

/// Looks `name` up the way a shell would inside `root`: a name with a '/' is taken as is, others are
/// searched in `path_dirs`. Symlinks are resolved inside the root (absolute targets are relative to
/// it). Returns the logical path of an executable regular file, or nullopt.
std::optional<std::string> find_program(const std::string& root, const std::string& name,
                                        const std::vector<std::string>& path_dirs);

/// The kernel file systems a chrooted command needs, mounted once and unmounted on destruction.
class ChrootMounts {
 public:
  explicit ChrootMounts(std::string root) : m_root(std::move(root)) {}
  ~ChrootMounts();
  ChrootMounts(const ChrootMounts&) = delete;
  ChrootMounts& operator=(const ChrootMounts&) = delete;

  /// Mounts proc on ROOT/proc, sysfs on ROOT/sys, binds /dev and /dev/pts, each only where nothing
  /// is mounted yet. Idempotent. Throws HostError naming the mount point on failure.
  void ensure();

 private:
  std::string m_root;
  bool m_done = false;
  std::vector<std::string> m_mounted;  ///< host paths, in mount order
};

/// The I/O loop of a started command: writes `stdin_data` to `stdin_fd` (closed when done or when
/// the command stops reading; -1: none), reads `output_fd` to end of file into result.output,
/// passing each chunk to `on_output`. At `deadline` it kills process group `pgid` with SIGKILL, sets
/// result.timed_out and reads on for at most 2 more seconds. `stdin_fd` is always closed on return.
void pump_process_io(pid_t pgid, int output_fd, int stdin_fd, std::string_view stdin_data,
                     const std::function<void(std::string_view)>& on_output,
                     std::optional<std::chrono::steady_clock::time_point> deadline, ProcessResult& result);

/// Whether `host_path` is a mount point according to /proc/self/mountinfo.
bool is_mount_point(const std::string& host_path);

}  // namespace detail
}  // namespace aiprov
