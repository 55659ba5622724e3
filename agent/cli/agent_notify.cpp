#include "cli/agent_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include <spdlog/spdlog.h>

namespace aiprov::cli::agent {

Notifier::Notifier(std::string socket) : m_socket(std::move(socket)) {
  if (m_socket.empty()) {
    const char* env = std::getenv("NOTIFY_SOCKET");
    if (env) m_socket = env;
  }
}

unsigned long long monotonic_usec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
}

bool Notifier::reloading(const std::string& status) const {
  return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()) + "\nSTATUS=" + status);
}

bool Notifier::send(const std::string& state) const {
  if (m_socket.empty()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // An abstract socket's name starts with a NUL byte and is not NUL-terminated: its length counts.
  if (m_socket.size() >= sizeof(addr.sun_path) || (m_socket[0] != '/' && m_socket[0] != '@')) {
    spdlog::debug("NOTIFY_SOCKET '{}' is not an absolute path or an abstract name: not notifying", m_socket);
    return false;
  }
  std::memcpy(addr.sun_path, m_socket.data(), m_socket.size());
  if (m_socket[0] == '@') addr.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_socket.size() +
                                         (m_socket[0] == '@' ? 0 : 1));
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (n < 0) {
    spdlog::debug("cannot notify systemd at {}: {}", m_socket, std::strerror(err));
    return false;
  }
  return true;
}

}  // namespace aiprov::cli::agent
