#include "steps/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <cerrno>
#include <cstring>
#include <memory>

#include <openssl/evp.h>

#include "aiprov/error.hpp"

namespace aiprov::steps {

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
  if (m_ctx == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), EVP_sha256(), nullptr) != 1)
    throw HostError("OpenSSL: cannot initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx)); }

void Sha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data, size) != 1)
    throw HostError("OpenSSL: SHA-256 update failed");
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(m_ctx), digest, &len) != 1)
    throw HostError("OpenSSL: SHA-256 final failed");
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0xF];
  }
  return out;
}

std::string sha256_of_file(const std::string& host_path) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw HostError("cannot open " + host_path + ": " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  constexpr std::size_t kBlock = 1 << 20;
  auto buf = std::make_unique<char[]>(kBlock);
  Sha256 sha;
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kBlock);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw HostError("cannot read " + host_path + ": " + std::strerror(err));
    }
    sha.update(buf.get(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return sha.hex();
}

FollowingDigest::FollowingDigest(std::string host_path)
    : m_path(std::move(host_path)), m_thread([this] { run(); }) {}

FollowingDigest::~FollowingDigest() {
  {
    std::lock_guard lock(m_mutex);
    m_done = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
  if (m_fd >= 0) ::close(m_fd);
}

void FollowingDigest::run() {
  constexpr std::size_t kBlock = 1 << 20;
  auto buf = std::make_unique<char[]>(kBlock);
  for (;;) {
    bool done;
    {
      std::lock_guard lock(m_mutex);
      done = m_done;
    }
    if (m_fd < 0) m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (m_fd >= 0 && ::fstat(m_fd, &st) != 0) m_broken = true;
    std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    if (m_broken || size < m_offset) {
      m_broken = true;
      return;
    }
    if (size > m_offset) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, size - m_offset));
      ssize_t n = ::pread(m_fd, buf.get(), want, static_cast<off_t>(m_offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_broken = true;
        return;
      }
      m_sha.update(buf.get(), static_cast<std::size_t>(n));
      m_offset += static_cast<std::uint64_t>(n);
      continue;
    }
    if (done) return;  // caught up after the writer finished
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, std::chrono::milliseconds(2), [this] { return m_done; });
  }
}

std::optional<std::string> FollowingDigest::finish(std::uint64_t size) {
  {
    std::lock_guard lock(m_mutex);
    m_done = true;
  }
  m_wake.notify_all();
  m_thread.join();
  struct stat now {}, ours {};
  if (m_broken || m_fd < 0 || m_offset != size || ::stat(m_path.c_str(), &now) != 0 || ::fstat(m_fd, &ours) != 0 ||
      now.st_ino != ours.st_ino || now.st_dev != ours.st_dev || static_cast<std::uint64_t>(now.st_size) != size)
    return std::nullopt;
  return m_sha.hex();
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace aiprov::steps
