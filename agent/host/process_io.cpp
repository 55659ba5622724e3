// The I/O loop of a running command: stdin fed, merged output collected, deadline enforced.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "host/real.hpp"

namespace aiprov::detail {
namespace {

/// Blocks SIGPIPE in this thread while writing to the child's stdin; a pending one is discarded.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &m_old);
  }
  ~SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
  }

 private:
  sigset_t m_old;
};

}  // namespace

void pump_process_io(pid_t pgid, int output_fd, int stdin_fd, std::string_view stdin_data,
                     const std::function<void(std::string_view)>& on_output,
                     std::optional<std::chrono::steady_clock::time_point> deadline, ProcessResult& result) {
  using Clock = std::chrono::steady_clock;
  SigpipeGuard sigpipe_guard;
  auto close_stdin = [&] {
    if (stdin_fd >= 0) ::close(stdin_fd);
    stdin_fd = -1;
  };
  if (stdin_data.empty()) close_stdin();
  if (stdin_fd >= 0) ::fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  std::vector<char> buf(65536);
  std::optional<Clock::time_point> drain_until;
  for (;;) {
    int wait_ms = -1;
    auto limit = drain_until ? drain_until : deadline;
    if (limit) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*limit - Clock::now());
      wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
    }
    pollfd fds[2] = {{output_fd, POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
    int rc = ::poll(fds, stdin_fd >= 0 ? 2 : 1, wait_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      if (drain_until) break;  // something outside the group keeps the pipe open
      ::kill(-pgid, SIGKILL);
      result.timed_out = true;
      drain_until = Clock::now() + std::chrono::seconds(2);
      continue;
    }
    if (stdin_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(stdin_fd, stdin_data.data(), stdin_data.size());
      if (n > 0) stdin_data.remove_prefix(static_cast<std::size_t>(n));
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_data.empty()) close_stdin();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(output_fd, buf.data(), buf.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;
      std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
      result.output.append(chunk);
      if (on_output) on_output(chunk);
    }
  }
  close_stdin();
}

}  // namespace aiprov::detail
