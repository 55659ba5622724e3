#pragma once
/// SHA-256 digests with OpenSSL's EVP interface, fed in pieces so that a file of any size is hashed
/// with a fixed amount of memory.

#include <cstddef>
#include <string>
#include <string_view>

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

/// Whether `text` is 64 hex digits (either case).
bool is_sha256_hex(std::string_view text);

}  // namespace aiprov::steps
