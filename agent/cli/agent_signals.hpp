#pragma once
/// The agent's signals, read from a signalfd: SIGTERM and SIGINT ask it to stop, SIGHUP to reload its
/// configuration. The signals are blocked for the whole process while the watcher lives, so a signal
/// never interrupts a step: it waits in the signalfd until the agent looks (between steps, and while
/// it waits for the next round, which wakes at once). Commands the steps run start with an empty
/// signal mask (the process runner resets it in the child).

#include <signal.h>

#include <chrono>

namespace aiprov::cli::agent {

class SignalWatcher {
 public:
  /// Blocks SIGTERM, SIGINT and SIGHUP and opens the signalfd. Throws HostError on failure.
  SignalWatcher();
  /// Closes the signalfd and restores the signal mask it found.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  /// Reads every signal already delivered, without waiting. Returns stop_requested().
  bool poll();
  /// Waits up to `timeout`, returning early when a signal arrives, when a stop is pending, or (with
  /// `wake_on_reload`) when a reload is pending. Returns true when a stop or a reload is pending.
  bool wait(std::chrono::milliseconds timeout, bool wake_on_reload = true);

  bool stop_requested() const { return m_stop; }
  /// True once after each SIGHUP (clears the flag).
  bool take_reload();
  /// The name of the signal that asked to stop ("SIGTERM"), or "".
  const char* stop_signal() const { return m_stop_signal; }

 private:
  void drain();
  int m_fd = -1;
  bool m_stop = false;
  bool m_reload = false;
  const char* m_stop_signal = "";
  sigset_t m_old_mask{};
};

}  // namespace aiprov::cli::agent
