#pragma once
/// The three seams to the machine. Everything that touches the host goes through a FileSystem, a
/// ProcessRunner or a Fetcher, bundled as a Host and passed in. Paths given to these interfaces are
/// logical absolute paths ("/etc/motd"); the real implementations resolve them under the root
/// (`--root DIR`, default "/"). Fakes with the same interfaces live in tests/fakes/.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiprov {

enum class FileType { Regular, Directory, Symlink, Other };

/// What lstat() says of a path (symlinks are not followed).
struct FileStat {
  FileType type = FileType::Regular;
  unsigned mode = 0;  ///< permission bits including setuid/setgid/sticky (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool is_dir() const { return type == FileType::Directory; }
  bool is_regular() const { return type == FileType::Regular; }
  bool is_symlink() const { return type == FileType::Symlink; }
};

/// Options of FileSystem::write_atomic. Unset owner/mode: keep the existing file's, or for a new
/// file mode 0644 and root:root.
struct WriteOptions {
  std::optional<unsigned> mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  /// When set and the file exists, its current content is copied to this logical path first
  /// (parents created). Used for the per-run backups under /var/lib/aiprov/backups/<run-id>/.
  std::optional<std::string> backup_to;
};

/// One entry met by FileSystem::walk.
struct WalkEntry {
  std::string path;  ///< logical path
  FileStat stat;
};

/// What FileSystem::walk_change lets its visitor do to the entry it is visiting. On the local disk
/// every call goes through the directory the walk already holds open (fchownat, fchmodat2 with the
/// entry's name), never through its path again: a directory above the entry that someone swaps for a
/// symbolic link after the walk passed it cannot redirect the change elsewhere.
class EntryChanger {
 public:
  virtual ~EntryChanger() = default;
  /// lchown() of the entry. HostError naming its path on failure; nothing when it vanished.
  virtual void chown(uid_t uid, gid_t gid) = 0;
  /// chmod() of the entry, never through a symbolic link (an entry that became one is an error).
  /// HostError naming its path on failure; nothing when it vanished.
  virtual void chmod(unsigned mode) = 0;
  /// lstat() of the entry now (a chown may have cleared setuid/setgid); nullopt when it vanished.
  virtual std::optional<FileStat> stat() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// The root this file system resolves logical paths under ("/" for the live host).
  virtual const std::string& root() const = 0;
  /// The host path of a logical path: root + path ("/srv/tree" + "/etc/motd").
  virtual std::string host_path(const std::string& path) const = 0;

  /// lstat(); std::nullopt when the path does not exist. Throws HostError on other errors.
  virtual std::optional<FileStat> stat(const std::string& path) const = 0;
  /// Whole content of a regular file; std::nullopt when it does not exist. Throws HostError.
  virtual std::optional<std::string> read(const std::string& path) const = 0;
  /// Writes to a temporary file in the same directory, fsyncs, renames over `path` and fsyncs the
  /// directory: a reader sees the old content or the new, never a mix. The parent must exist.
  virtual void write_atomic(const std::string& path, std::string_view data, const WriteOptions& opts) = 0;
  /// Creates one directory (the parent must exist) with exactly `mode` (umask does not apply).
  virtual void mkdir(const std::string& path, unsigned mode) = 0;
  /// Never follows a symlink (a symlink at `path` is an error).
  virtual void chmod(const std::string& path, unsigned mode) = 0;
  /// lchown(): never follows a symlink.
  virtual void chown(const std::string& path, uid_t uid, gid_t gid) = 0;
  /// Removes a file, symlink or empty directory. Absent is not an error.
  virtual void remove(const std::string& path) = 0;
  /// Names (not paths) in a directory, sorted. Empty when the directory does not exist.
  virtual std::vector<std::string> list_dir(const std::string& path) const = 0;
  /// Visits `path` and everything below it, parents before children, without following symlinks.
  /// The visitor returns false to stop the walk.
  virtual void walk(const std::string& path, const std::function<bool(const WalkEntry&)>& visit) const = 0;
  /// walk() for a visitor that changes the entries it meets through `change` (valid during that
  /// call only). A directory that is no longer the one the walk saw when it comes to open it (a
  /// symbolic link or another directory now) is not entered.
  virtual void walk_change(const std::string& path,
                           const std::function<bool(const WalkEntry&, EntryChanger& change)>& visit) = 0;
};

/// A command to run: argv (never a shell unless argv says so), environment additions, working
/// directory (logical), timeout, and optional standard input.
struct Command {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  ///< added to (or overriding) a clean base environment
  std::string cwd;                          ///< logical; empty: "/"
  std::chrono::seconds timeout{0};          ///< 0: no timeout
  std::string stdin_data;
  /// Called with each chunk of output as it arrives (progress); may be empty.
  std::function<void(std::string_view)> on_output;
};

struct ProcessResult {
  int exit_code = -1;   ///< exit status; 128+N when killed by signal N
  bool timed_out = false;
  std::string output;   ///< stdout and stderr interleaved as written
  /// The last `lines` lines of output, for error messages.
  std::string tail(int lines = 20) const;
  bool ok() const { return exit_code == 0 && !timed_out; }
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  /// Runs argv and waits. Under a root other than "/", the command runs chrooted into it with /proc,
  /// /sys and /dev available. Throws HostError only when the program cannot be started at all
  /// (exit code 127 is returned for a program that is not found).
  virtual ProcessResult run(const Command& cmd) = 0;
};

struct FetchRequest {
  std::string url;
  std::string dest_host_path;   ///< where the body goes (a host path, normally a .part file)
  std::uint64_t resume_from = 0; ///< >0: ask for a range starting here and append
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds stall_timeout{60};  ///< abort when no byte arrives for this long
  /// Progress: bytes received so far (including resume_from) and total when known (0 otherwise).
  std::function<void(std::uint64_t, std::uint64_t)> on_progress;
};

struct FetchResult {
  bool ok = false;
  long http_status = 0;
  std::uint64_t bytes = 0;   ///< bytes now in dest
  bool transient = false;    ///< a failure worth retrying (connection cut, 5xx, timeout)
  std::string error;         ///< names the URL and what went wrong
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual FetchResult fetch(const FetchRequest& req) = 0;
};

/// The three seams, passed together.
struct Host {
  FileSystem& fs;
  ProcessRunner& proc;
  Fetcher& fetch;
};

}  // namespace aiprov
