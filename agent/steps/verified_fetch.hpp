#pragma once
/// Downloads whose content is proven: fetch a URL through ctx.host.fetch, check its SHA-256, keep it
/// in a cache keyed by the digest, and put it at a logical path atomically. Used by the `download`
/// step and by every step that needs a vendor file (a .deb, an installer).
///
/// Layout under the root:
///   /var/cache/aiprov/downloads/<sha256>        a verified body (mode 0700 directory)
///   /var/cache/aiprov/downloads/<sha256>.part   a body being fetched; resumed with a range request
///   /var/cache/aiprov/downloads/<sha256(url)>.part  the same for an unverified download
/// A body is verified before it enters the cache and again before the cache is used; a body whose
/// digest does not match is deleted, never resumed and never installed.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "aiprov/step.hpp"
#include "steps/common_ownership.hpp"

namespace aiprov::steps {

inline constexpr const char* kDownloadCacheDir = "/var/cache/aiprov/downloads";

/// How often and how patiently a transient failure (connection cut, timeout, 5xx) is retried: up to
/// `max_attempts` fetches, waiting `first_delay`, then twice as long each time (1 s, 2 s, 4 s, 8 s).
/// A non-transient failure (HTTP 404) is never retried.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_delay{1000};
  /// Waits between attempts; empty: std::this_thread::sleep_for. Tests inject a recorder.
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// A file to fetch and where it goes.
struct VerifiedFile {
  std::string url;
  std::string dest;    ///< logical path
  std::string sha256;  ///< lower-case hex; empty: unverified (no cache, no content check)
  Ownership own;       ///< dest's mode/owner/group; unset: keep the existing one, or 0644 root:root
};

/// The cache entry of a digest: "/var/cache/aiprov/downloads/<sha256>".
std::string download_cache_path(const std::string& sha256);
/// Where the body of `file` is fetched to before it is verified.
std::string download_part_path(const VerifiedFile& file);

/// The SHA-256 of a logical regular file; nullopt when it does not exist. Throws StepError naming
/// the step when it is not a regular file or cannot be read. On the local disk the digest is
/// remembered for the life of the process, keyed by device, inode, size, mtime and ctime, so that
/// planning a converged 1 GiB file again does not read it again.
std::optional<std::string> file_sha256(const FileSystem& fs, const std::string& step_id, const std::string& path);

/// The plan of `file`: empty when dest holds the right digest (any content when unverified) with
/// the wanted metadata. Otherwise one Create ("absent") or Update ("checksum differs") change with
/// target "download <url> -> <dest>", its reason ending in "; cached: copy from <cache path>" when
/// the cache already holds the body; or one Update per metadata difference. Every change provides
/// "path:<dest>". An unverified file adds the warning "unverified download: <url>".
StepPlan plan_verified_file(const Context& ctx, const std::string& step_id, const VerifiedFile& file);

/// Makes the cache hold the verified body of `url` and returns its logical path: fetches (resuming a
/// .part, retrying transient failures) only when the cache does not hold it yet. Throws StepError
/// "step '<id>': download of <url> failed: <why>"; a body with the wrong digest is deleted and the
/// message names both digests.
std::string fetch_to_cache(Context& ctx, const std::string& step_id, const std::string& url,
                           const std::string& sha256, const RetryPolicy& retry = {});

/// Carries out plan_verified_file: installs the body (from the cache, fetching first when needed)
/// as a new file beside dest that is renamed over it (fsynced first only when unverified: a verified
/// body is checked again by every plan, see verified_fetch.cpp), the previous dest kept at
/// ctx.backup_path(dest); or only fixes metadata. Missing parents of dest are created 0755.
void apply_verified_file(Context& ctx, const std::string& step_id, const VerifiedFile& file,
                         const RetryPolicy& retry = {});

}  // namespace aiprov::steps
