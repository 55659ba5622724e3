#pragma once
/// The agent's logging: to stderr, which systemd connects to the journal (each line then carries
/// its priority as an sd-daemon "<N>" prefix, so `journalctl -p warning` finds the drift), and to
/// /var/log/aiprov/aiprov.log inside the root, like `apply`.

#include <ostream>
#include <memory>
#include <streambuf>
#include <string>

namespace spdlog {
class logger;
}

namespace aiprov::cli::agent {

/// True when stderr is the journal's stream ($JOURNAL_STREAM names stderr's device and inode).
bool stderr_is_journal();

/// The default logger: stderr at info (-q: warning, -v: debug), with "<N>" priority prefixes and no
/// timestamps when stderr_is_journal(); `log_file` (a host path; empty: none) at info.
void setup_logging(int verbose, bool quiet, const std::string& log_file);

/// An ostream whose complete lines go to the log at info level (a subcommand's human output, such
/// as resume's plan, kept in the journal). It keeps the logger that was the default when it was made,
/// so the lines still reach the journal while the subcommand sets up its own logging. Flushes a last
/// partial line when destroyed.
class LogStream : public std::ostream {
 public:
  LogStream();
  ~LogStream() override;

 private:
  class Buf : public std::streambuf {
   protected:
    int_type overflow(int_type c) override;
    int sync() override;

   public:
    void flush_line();
    std::string m_line;
    std::shared_ptr<spdlog::logger> m_logger;
  };
  Buf m_buf;
};

}  // namespace aiprov::cli::agent
