#pragma once
/// The systemd notification protocol (sd_notify(3)), written by hand: one datagram per message to
/// the unix socket named by $NOTIFY_SOCKET ("@name" is in the abstract namespace). Without
/// $NOTIFY_SOCKET (not started by systemd, or not Type=notify) every call does nothing.

#include <string>

namespace aiprov::cli::agent {

class Notifier {
 public:
  /// Reads $NOTIFY_SOCKET now. `socket` overrides it (tests); empty: the environment's.
  explicit Notifier(std::string socket = "");
  bool enabled() const { return !m_socket.empty(); }
  const std::string& socket() const { return m_socket; }

  /// Sends `state` ("READY=1", "STATUS=...", several assignments separated by newlines). Returns
  /// false (and never throws) when it could not be sent: notifications are advisory.
  bool send(const std::string& state) const;

  bool ready(const std::string& status) const { return send("READY=1\nSTATUS=" + status); }
  bool status(const std::string& status) const { return send("STATUS=" + status); }
  /// RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC now), as Type=notify-reload expects.
  bool reloading(const std::string& status) const;
  bool stopping(const std::string& status) const { return send("STOPPING=1\nSTATUS=" + status); }

 private:
  std::string m_socket;
};

/// CLOCK_MONOTONIC in microseconds.
unsigned long long monotonic_usec();

}  // namespace aiprov::cli::agent
