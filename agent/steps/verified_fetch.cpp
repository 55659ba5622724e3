// Verified downloads. Bodies can be gigabytes (the CUDA and Anaconda installers), so on the local disk
// content never passes through memory: it is hashed in 1 MiB blocks and linked (or copied by the
// kernel, copy_file_range) into a temporary file beside dest that is renamed over it, on host paths
// (FileSystem::write_atomic takes the whole content as one string).
//
// Durability: a verified body is not fsynced before the rename. Its digest is checked again by every
// plan (a new process has no remembered digests) and before every use of the cache, so a body torn by
// a crash before the kernel wrote it back is found ("checksum differs") and fetched again; waiting for
// the disk would add a full write of the body to every download (0.3 s per GiB on this project's test
// machine, more on slower disks). An unverified body (`sha256: none`) is fsynced: nothing could tell
// a torn one from a good one later. The directory is fsynced after the rename in both cases.
//
// The in-memory FileSystem of the unit tests has no host files (its root does not exist on disk):
// there the same steps go through FileSystem::read and write_atomic.

#include "steps/verified_fetch.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "steps/common_file.hpp"
#include "steps/progress_bar.hpp"
#include "steps/sha256.hpp"

namespace aiprov::steps {
namespace {

bool on_local_disk(const FileSystem& fs) {
  struct stat st {};
  return ::stat(fs.root().c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// --- digests remembered by file identity ------------------------------------------------------------

struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const Identity&) const = default;
};

std::optional<Identity> identity(const std::string& host_path) {
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) return std::nullopt;
  return Identity{st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                  st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec};
}

std::mutex g_memo_mutex;
std::map<std::string, std::pair<Identity, std::string>> g_memo;  // host path -> identity, digest

void remember(const std::string& host_path, const std::string& digest) {
  if (auto id = identity(host_path)) {
    std::lock_guard lock(g_memo_mutex);
    g_memo[host_path] = {*id, digest};
  }
}

std::optional<std::string> recalled(const std::string& host_path) {
  auto id = identity(host_path);
  std::lock_guard lock(g_memo_mutex);
  auto it = g_memo.find(host_path);
  if (!id || it == g_memo.end() || !(it->second.first == *id)) return std::nullopt;
  return it->second.second;
}

// --- content on the local disk --------------------------------------------------------------------

[[noreturn]] void sys_fail(const std::string& step_id, const std::string& what) {
  step_fail(step_id, what + ": " + std::strerror(errno));
}

/// Copies all of `in` to `out`: copy_file_range where the kernel can, read/write otherwise.
void copy_fd(const std::string& step_id, int in, int out, const std::string& what) {
  bool kernel = true;
  auto buf = std::unique_ptr<char[]>();
  for (;;) {
    if (kernel) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, std::size_t{1} << 30, 0);
      if (n > 0) continue;
      if (n == 0) return;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) sys_fail(step_id, what);
      kernel = false;
      buf = std::make_unique<char[]>(1 << 20);
    }
    ssize_t n = ::read(in, buf.get(), 1 << 20);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EINTR) continue;
      sys_fail(step_id, what);
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.get() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno != EINTR) sys_fail(step_id, what);
      if (w > 0) done += w;
    }
  }
}

void copy_file(const std::string& step_id, const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) sys_fail(step_id, "cannot open " + from);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    ::close(in);
    sys_fail(step_id, "cannot create " + to);
  }
  try {
    copy_fd(step_id, in, out, "cannot copy " + from + " to " + to);
  } catch (...) {
    ::close(in);
    ::close(out);
    throw;
  }
  ::close(in);
  if (::close(out) != 0) sys_fail(step_id, "cannot write " + to);
}

struct InstallOptions {
  bool sync_data = true;  ///< fsync the new file before the rename (see Durability above)
  unsigned mode = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<std::string> backup;  ///< logical path for the previous dest
};

/// Puts the content of `src` into a new file beside `dest` (mode and owner set; fsynced when
/// opt.sync_data), keeps the old dest as a hard link (or copy) at the backup path, renames the new
/// file over dest and fsyncs the directory. When no other name links to `src` and both lie on one
/// file system, the new file is a hard link to `src` instead of a copy: a multi-GiB body is neither
/// copied nor stored twice. The cache entry then shares dest's inode (and mode and owner, harmless
/// in a 0700 directory); an edit of dest in place cannot reach another install because the cache is
/// verified before each use, and a cache entry that already has a second name is copied, so two
/// dests never share one inode.
void install_on_disk(FileSystem& fs, const std::string& step_id, const std::string& src, const std::string& dest,
                     const InstallOptions& opt) {
  std::string from = fs.host_path(src);
  std::string to = fs.host_path(dest);
  std::string dir = fs.host_path(parent_path(dest));
  std::string tmp = dir + "/." + dest.substr(dest.rfind('/') + 1) + ".aiprov-XXXXXX";
  int out = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (out < 0) sys_fail(step_id, "cannot create a temporary file in " + dir);
  int in = -1;
  try {
    struct stat src_st {};
    if (::stat(from.c_str(), &src_st) == 0 && src_st.st_nlink == 1) {
      // The temporary name becomes a second link to src: no copy. Fails across file systems.
      ::close(out);
      ::unlink(tmp.c_str());
      bool linked = ::link(from.c_str(), tmp.c_str()) == 0;
      out = linked ? ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC)
                   : ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (out < 0) sys_fail(step_id, "cannot create " + tmp);
      if (linked) src_st.st_nlink = 0;
    }
    if (src_st.st_nlink != 0) {
      in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
      if (in < 0) sys_fail(step_id, "cannot open " + from);
      ::posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
      copy_fd(step_id, in, out, "cannot copy " + from + " to " + tmp);
    }
    struct stat st {};
    if (::fstat(out, &st) != 0) sys_fail(step_id, "cannot stat " + tmp);
    if ((st.st_uid != opt.uid || st.st_gid != opt.gid) && ::fchown(out, opt.uid, opt.gid) != 0)
      sys_fail(step_id, "cannot chown " + tmp);
    if (::fchmod(out, opt.mode) != 0) sys_fail(step_id, "cannot chmod " + tmp);
    if (opt.sync_data && ::fsync(out) != 0) sys_fail(step_id, "cannot sync " + tmp);
    if (opt.backup && fs.stat(dest)) {
      create_parents(fs, *opt.backup);
      std::string backup = fs.host_path(*opt.backup);
      ::unlink(backup.c_str());
      if (::link(to.c_str(), backup.c_str()) != 0) copy_file(step_id, to, backup);
    }
    if (::rename(tmp.c_str(), to.c_str()) != 0) sys_fail(step_id, "cannot rename " + tmp + " to " + to);
  } catch (...) {
    if (in >= 0) ::close(in);
    ::close(out);
    ::unlink(tmp.c_str());
    throw;
  }
  if (in >= 0) ::close(in);
  ::close(out);
  int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

// --- content through the FileSystem (same steps, for a FileSystem with no host files) ------------------

void install(FileSystem& fs, const std::string& step_id, const std::string& src, const std::string& dest,
             const InstallOptions& opt, const std::string& digest) {
  if (on_local_disk(fs)) {
    install_on_disk(fs, step_id, src, dest, opt);
    if (!digest.empty()) remember(fs.host_path(dest), digest);
    return;
  }
  auto body = fs.read(src);
  if (!body) step_fail(step_id, "cannot read " + src);
  fs.write_atomic(dest, *body, WriteOptions{opt.mode, opt.uid, opt.gid, opt.backup});
}

void move(FileSystem& fs, const std::string& step_id, const std::string& from, const std::string& to) {
  if (on_local_disk(fs)) {
    if (::rename(fs.host_path(from).c_str(), fs.host_path(to).c_str()) != 0)
      sys_fail(step_id, "cannot rename " + fs.host_path(from) + " to " + fs.host_path(to));
    return;
  }
  auto body = fs.read(from);
  if (!body) step_fail(step_id, "cannot read " + from);
  fs.write_atomic(to, *body, WriteOptions{0644u, 0u, 0u, {}});
  fs.remove(from);
}

// --- fetching ---------------------------------------------------------------------------------------

void prepare_cache_dir(FileSystem& fs) {
  if (fs.stat(kDownloadCacheDir)) return;
  create_parents(fs, kDownloadCacheDir);
  fs.mkdir(kDownloadCacheDir, 0700);
}

/// What download_part fetched.
struct Fetched {
  /// With `follow` on the local disk: the digest of the file, hashed while it arrived, when the first
  /// attempt succeeded as one append-only transfer (200 from byte 0, or 206 for a resume); else
  /// nullopt (the caller hashes the file).
  std::optional<std::string> digest;
  bool resumed = false;  ///< some of the body was already there (an earlier run's or attempt's bytes)
};

/// Fetches `url` into the logical file `part`, resuming what it holds, retrying transient failures.
Fetched download_part(Context& ctx, const std::string& step_id, const std::string& url, const std::string& part,
                      const RetryPolicy& retry, bool follow) {
  FileSystem& fs = ctx.host.fs;
  prepare_cache_dir(fs);
  ProgressBar bar("download " + url, stderr_is_terminal(), progress_sink(ctx));
  auto delay = retry.first_delay;
  std::string last_error;
  Fetched fetched;
  for (int attempt = 1; attempt <= retry.max_attempts; ++attempt) {
    FetchRequest req;
    req.url = url;
    req.dest_host_path = fs.host_path(part);
    if (auto st = fs.stat(part); st && st->is_regular()) req.resume_from = st->size;
    if (req.resume_from > 0) fetched.resumed = true;
    req.on_progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
    std::unique_ptr<FollowingDigest> digest;
    if (follow && attempt == 1 && on_local_disk(fs)) digest = std::make_unique<FollowingDigest>(req.dest_host_path);
    FetchResult res = ctx.host.fetch.fetch(req);
    if (res.ok) {
      bar.finish();
      auto st = fs.stat(part);
      if (res.http_status == 200) fetched.resumed = false;  // the server sent it whole (it ignored the range)
      if (digest && st && res.http_status == (req.resume_from > 0 ? 206 : 200))
        fetched.digest = digest->finish(st->size);
      return fetched;
    }
    digest.reset();
    last_error = res.error.empty() ? url + ": HTTP " + std::to_string(res.http_status) : res.error;
    if (req.resume_from > 0 && res.http_status == 416) {
      fs.remove(part);  // the range is not satisfiable: whatever the .part holds, start over
      fetched.resumed = false;
      continue;
    }
    if (!res.transient) break;
    if (attempt == retry.max_attempts) {
      last_error += " (gave up after " + std::to_string(attempt) + " attempts)";
      break;
    }
    spdlog::warn("step '{}': {}; retrying in {} ms (attempt {} of {})", step_id, last_error, delay.count(),
                 attempt + 1, retry.max_attempts);
    if (retry.sleep)
      retry.sleep(delay);
    else
      std::this_thread::sleep_for(delay);
    delay *= 2;
  }
  bar.finish();
  // Bytes that arrived are kept for the next run to resume; an empty file (nothing came: refused
  // certificate, 404, no connection) is not left behind.
  if (auto st = fs.stat(part); st && st->is_regular() && st->size == 0) fs.remove(part);
  step_fail(step_id, "download of " + url + " failed: " + last_error);
}

/// Fetches to `part` and checks its digest; a body that does not match is deleted. A body that was
/// put together from more than one transfer (a resumed .part, say one torn by a crash, or a server
/// whose file changed between attempts) and does not match is fetched once more from its first byte.
void fetch_and_verify(Context& ctx, const std::string& step_id, const std::string& url, const std::string& part,
                      const std::string& sha256, const RetryPolicy& retry) {
  std::string got;
  for (bool again = false;; again = true) {
    Fetched fetched = download_part(ctx, step_id, url, part, retry, true);
    got = fetched.digest ? *fetched.digest : file_sha256(ctx.host.fs, step_id, part).value_or("");
    if (got == sha256) return;
    ctx.host.fs.remove(part);
    if (again || !fetched.resumed) break;
    spdlog::warn("step '{}': the resumed download of {} has sha256 {}, not {}; fetching it again whole", step_id,
                 url, got, sha256);
  }
  step_fail(step_id, "download of " + url + " failed: checksum mismatch: expected sha256 " + sha256 + ", got " +
                         got + " (the download was deleted)");
}

}  // namespace

std::string download_cache_path(const std::string& sha256) { return std::string(kDownloadCacheDir) + "/" + sha256; }

std::string download_part_path(const VerifiedFile& file) {
  if (!file.sha256.empty()) return download_cache_path(file.sha256) + ".part";
  Sha256 sha;
  sha.update(file.url);
  return download_cache_path(sha.hex()) + ".part";
}

std::optional<std::string> file_sha256(const FileSystem& fs, const std::string& step_id, const std::string& path) {
  auto st = fs.stat(path);
  if (!st) return std::nullopt;
  if (!st->is_regular()) step_fail(step_id, path + " exists and is not a regular file");
  try {
    if (on_local_disk(fs)) {
      std::string host = fs.host_path(path);
      if (auto known = recalled(host)) return known;
      auto before = identity(host);
      std::string digest = sha256_of_file(host);
      if (before && identity(host) == before) remember(host, digest);
      return digest;
    }
    auto body = fs.read(path);
    if (!body) return std::nullopt;
    Sha256 sha;
    sha.update(*body);
    return sha.hex();
  } catch (const HostError& e) {
    step_fail(step_id, e.what());
  }
}

StepPlan plan_verified_file(const Context& ctx, const std::string& step_id, const VerifiedFile& file) {
  StepPlan plan;
  if (file.sha256.empty()) plan.warnings.push_back("unverified download: " + file.url);
  ResolvedOwnership ids = resolve_ownership(ctx, step_id, file.own);
  plan.depends_on = ids.depends_on;
  const FileSystem& fs = ctx.host.fs;
  auto st = fs.stat(file.dest);
  if (st && !st->is_regular()) step_fail(step_id, file.dest + " exists and is not a regular file");

  std::string reason;
  if (!st)
    reason = "absent";
  else if (!file.sha256.empty() && file_sha256(fs, step_id, file.dest) != file.sha256)
    reason = "checksum differs";
  if (!reason.empty()) {
    std::string cache = file.sha256.empty() ? "" : download_cache_path(file.sha256);
    if (!cache.empty() && file_sha256(fs, step_id, cache) == file.sha256) reason += "; cached: copy from " + cache;
    Change c;
    c.action = st ? Change::Action::Update : Change::Action::Create;
    c.target = "download " + file.url + " -> " + file.dest;
    c.reason = reason;
    c.provides = {"path:" + file.dest};
    plan.changes.push_back(std::move(c));
    return plan;
  }
  for (auto& why : metadata_reasons(fs, *st, file.own, ids)) {
    Change c;
    c.action = Change::Action::Update;
    c.target = file.dest;
    c.reason = std::move(why);
    c.provides = {"path:" + file.dest};
    plan.changes.push_back(std::move(c));
  }
  return plan;
}

std::string fetch_to_cache(Context& ctx, const std::string& step_id, const std::string& url,
                           const std::string& sha256, const RetryPolicy& retry) {
  FileSystem& fs = ctx.host.fs;
  std::string cache = download_cache_path(sha256);
  auto have = file_sha256(fs, step_id, cache);
  if (have == sha256) return cache;
  if (have) fs.remove(cache);  // a damaged cache entry
  std::string part = cache + ".part";
  fetch_and_verify(ctx, step_id, url, part, sha256, retry);
  move(fs, step_id, part, cache);
  if (on_local_disk(fs)) remember(fs.host_path(cache), sha256);
  return cache;
}

void apply_verified_file(Context& ctx, const std::string& step_id, const VerifiedFile& file,
                         const RetryPolicy& retry) {
  FileSystem& fs = ctx.host.fs;
  ResolvedOwnership ids = resolve_for_apply(ctx, step_id, file.own);
  auto st = fs.stat(file.dest);
  bool content_ok = st && (file.sha256.empty() || file_sha256(fs, step_id, file.dest) == file.sha256);
  if (content_ok) return apply_metadata(fs, file.dest, *st, file.own, ids);

  InstallOptions opt;
  opt.mode = file.own.mode.value_or(st ? st->mode & 07777u : 0644u);
  opt.uid = ids.uid.value_or(st ? st->uid : 0);
  opt.gid = ids.gid.value_or(st ? st->gid : 0);
  if (st) opt.backup = ctx.backup_path(file.dest);
  try {
    if (file.sha256.empty()) {
      std::string part = download_part_path(file);
      download_part(ctx, step_id, file.url, part, retry, false);
      create_parents(fs, file.dest);
      install(fs, step_id, part, file.dest, opt, "");
      fs.remove(part);
      return;
    }
    std::string cache = fetch_to_cache(ctx, step_id, file.url, file.sha256, retry);
    create_parents(fs, file.dest);
    opt.sync_data = false;  // verified again by every plan (see Durability above)
    install(fs, step_id, cache, file.dest, opt, file.sha256);
  } catch (const HostError& e) {
    step_fail(step_id, e.what());
  }
}

}  // namespace aiprov::steps
