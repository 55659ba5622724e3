#pragma once
/// Progress of a long transfer. On a terminal: a bar redrawn in place on stderr (bytes, rate, time
/// left), at most about ten times a second. Elsewhere (a log file, a pipe, --json): a plain line
/// every 5 seconds or every 10% of the total, handed to a sink (Context::progress, or spdlog).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "aiprov/step.hpp"

namespace aiprov::steps {

/// "0 B", "512 B", "1.5 KiB", "200.0 MiB", "1.00 GiB".
std::string format_bytes(std::uint64_t bytes);
/// "0:07", "12:34", "1:02:03".
std::string format_duration(std::chrono::seconds d);

/// Whether stderr is a terminal that can redraw a line (isatty(2) and TERM is not "dumb").
bool stderr_is_terminal();

/// Where plain progress lines of a step go: ctx.progress when the CLI set it, else spdlog::info.
std::function<void(const std::string&)> progress_sink(const Context& ctx);

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;

  /// `label` names the transfer ("download https://x/y.run"). With `terminal` the bar is written to
  /// `tty`; otherwise lines go to `sink`.
  ProgressBar(std::string label, bool terminal, std::function<void(const std::string&)> sink,
              std::FILE* tty = stderr);

  /// Bytes done so far and the total (0: unknown) at time `now`. Draws or emits when due.
  void update(std::uint64_t done, std::uint64_t total, Clock::time_point now = Clock::now());
  /// Draws the final state (a terminal bar ends with a newline). Only when something was shown or
  /// `force` is set; idempotent.
  void finish(bool force = false, Clock::time_point now = Clock::now());

  /// The text of the current state without control characters (for tests and plain lines).
  std::string describe(Clock::time_point now) const;

 private:
  void emit(Clock::time_point now);

  std::string m_label;
  bool m_terminal;
  std::function<void(const std::string&)> m_sink;
  std::FILE* m_tty;
  bool m_started = false;
  bool m_shown = false;
  bool m_finished = false;
  Clock::time_point m_start;
  Clock::time_point m_last_emit;
  std::uint64_t m_start_bytes = 0;  ///< bytes already there at the first update (a resumed file)
  std::uint64_t m_done = 0;
  std::uint64_t m_emitted_done = 0;
  std::uint64_t m_total = 0;
  int m_last_decile = 0;
};

}  // namespace aiprov::steps
