#pragma once
/// SHA-256 digests with OpenSSL's EVP interface, fed in pieces so that a file of any size is hashed
/// with a fixed amount of memory.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace aiprov::steps {

/// An incremental SHA-256. update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// The lower-case hex digest (64 characters). Ends the computation: no update() after it.
  std::string hex();

 private:
  void* m_ctx;  ///< EVP_MD_CTX*
};

/// The lower-case hex SHA-256 of a file on the local disk (a host path), read in 1 MiB blocks.
/// Throws HostError naming the path when it cannot be opened or read.
std::string sha256_of_file(const std::string& host_path);

/// Hashes a file on the local disk while another writer appends to it, on a thread of its own, so
/// that the digest of a download is ready when the download ends instead of costing a second pass
/// over a multi-GiB file. It only reads bytes below the file's current size.
class FollowingDigest {
 public:
  /// Starts following `host_path` (which may not exist yet) from its first byte.
  explicit FollowingDigest(std::string host_path);
  ~FollowingDigest();
  FollowingDigest(const FollowingDigest&) = delete;
  FollowingDigest& operator=(const FollowingDigest&) = delete;

  /// The writer is done and the file holds `size` bytes: hashes what is left and returns the digest
  /// of the whole file, or nullopt when it cannot vouch for it (the file shrank, was replaced by
  /// another inode, does not hold `size` bytes, or could not be read). The caller must know that the
  /// writer only appended (one transfer that did not start over); then the digest is exact.
  std::optional<std::string> finish(std::uint64_t size);

 private:
  void run();

  std::string m_path;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_done = false;  ///< guarded by m_mutex
  bool m_broken = false;
  int m_fd = -1;
  std::uint64_t m_offset = 0;
  Sha256 m_sha;
  std::thread m_thread;  ///< last: starts after the members above exist
};

/// Whether `text` is 64 hex digits (either case).
bool is_sha256_hex(std::string_view text);

}  // namespace aiprov::steps
