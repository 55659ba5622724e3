#include "cli/agent_signals.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"

namespace aiprov::cli::agent {

SignalWatcher::SignalWatcher() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &set, &m_old_mask); rc != 0)
    throw HostError(std::string("cannot block SIGTERM/SIGINT/SIGHUP: ") + std::strerror(rc));
  m_fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (m_fd < 0) {
    int e = errno;
    ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
    throw HostError(std::string("cannot open a signalfd: ") + std::strerror(e));
  }
}

SignalWatcher::~SignalWatcher() {
  drain();  // a signal read here is not delivered again when the mask is restored
  ::close(m_fd);
  ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
}

void SignalWatcher::drain() {
  signalfd_siginfo info{};
  while (::read(m_fd, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    switch (info.ssi_signo) {
      case SIGTERM:
      case SIGINT:
        if (!m_stop) {
          m_stop = true;
          m_stop_signal = info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT";
          spdlog::info("{} received (from pid {}): stopping after the step in progress", m_stop_signal,
                       info.ssi_pid);
        }
        break;
      case SIGHUP:
        m_reload = true;
        spdlog::info("SIGHUP received (from pid {}): reloading the configuration", info.ssi_pid);
        break;
      default:
        break;
    }
  }
}

bool SignalWatcher::poll() {
  drain();
  return m_stop;
}

bool SignalWatcher::wait(std::chrono::milliseconds timeout, bool wake_on_reload) {
  drain();
  if (m_stop || (m_reload && wake_on_reload)) return true;
  pollfd p{m_fd, POLLIN, 0};
  int ms = timeout.count() > 0x7fffffff ? 0x7fffffff : static_cast<int>(timeout.count());
  int rc = ::poll(&p, 1, ms < 0 ? 0 : ms);
  if (rc > 0) drain();
  return m_stop || m_reload;
}

bool SignalWatcher::take_reload() {
  bool r = m_reload;
  m_reload = false;
  return r;
}

}  // namespace aiprov::cli::agent
