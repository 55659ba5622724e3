#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "aiprov/engine.hpp"

namespace aiprov {

namespace {
std::string read_holder(int fd) {
  char buf[512];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "an unknown process";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

// The lock is an flock() on a file, not a FileSystem operation: it needs a descriptor held for the
// whole run, so it resolves the path through the seam and opens it directly.
RunLock::RunLock(const FileSystem& fs, const std::string& description, std::chrono::seconds wait) {
  std::string dir = fs.host_path("/run");
  ::mkdir(dir.c_str(), 0755);
  std::string path = fs.host_path(kLockFile);
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) throw HostError("cannot open lock " + path + ": " + std::strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int e = errno;
      ::close(m_fd);
      throw HostError("cannot lock " + path + ": " + std::strerror(e));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder = read_holder(m_fd);
      ::close(m_fd);
      m_fd = -1;
      throw LockedError("another aiprov run holds the lock " + path + ": " + holder +
                        (wait.count() > 0 ? " (waited " + std::to_string(wait.count()) + " s)"
                                          : " (use --wait-lock SECONDS to wait)"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string text = "pid " + std::to_string(::getpid()) + " since " + iso_now() + ": " + description + "\n";
  if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, text.data(), text.size(), 0) < 0) {
    // The lock is held; a holder description that could not be written is not fatal.
  }
}

RunLock::~RunLock() {
  if (m_fd >= 0) {
    if (::ftruncate(m_fd, 0) != 0) {
    }
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
}

}  // namespace aiprov
