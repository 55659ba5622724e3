#include "steps/progress_bar.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

namespace aiprov::steps {
namespace {

constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kLineInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit >= 3 ? "%.2f %s" : "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string format_duration(std::chrono::seconds d) {
  long s = static_cast<long>(d.count());
  if (s < 0) s = 0;
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

bool stderr_is_terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) != 0 && !(term && std::strcmp(term, "dumb") == 0);
}

std::function<void(const std::string&)> progress_sink(const Context& ctx) {
  if (ctx.progress) return ctx.progress;
  return [](const std::string& line) { spdlog::info("{}", line); };
}

ProgressBar::ProgressBar(std::string label, bool terminal, std::function<void(const std::string&)> sink,
                         std::FILE* tty)
    : m_label(std::move(label)), m_terminal(terminal), m_sink(std::move(sink)), m_tty(tty) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, Clock::time_point now) {
  if (!m_started) {
    m_started = true;
    m_start = now;
    m_last_emit = now;
    m_start_bytes = done;
  }
  m_done = done;
  m_total = total;
  if (m_terminal) {
    if (!m_shown || now - m_last_emit >= kTerminalInterval) emit(now);
    return;
  }
  int decile = total > 0 ? static_cast<int>(done * 10 / total) : 0;
  if (now - m_last_emit >= kLineInterval || decile > m_last_decile) emit(now);
  m_last_decile = decile;
}

void ProgressBar::finish(bool force, Clock::time_point now) {
  if (m_finished || !(m_shown || force)) return;
  m_finished = true;
  if (!m_started) m_start = now;
  if (!m_shown || m_emitted_done != m_done) emit(now);
  if (m_terminal && m_tty) {
    std::fputc('\n', m_tty);
    std::fflush(m_tty);
  }
}

std::string ProgressBar::describe(Clock::time_point now) const {
  std::string text = m_label + ": " + format_bytes(m_done);
  if (m_total > 0) {
    text += " of " + format_bytes(m_total);
    text += " (" + std::to_string(m_done * 100 / m_total) + "%)";
  }
  double secs = std::chrono::duration<double>(now - m_start).count();
  if (secs > 0.05 && m_done > m_start_bytes) {
    double rate = static_cast<double>(m_done - m_start_bytes) / secs;
    text += ", " + format_bytes(static_cast<std::uint64_t>(rate)) + "/s";
    if (m_total > m_done)
      text += ", " + format_duration(std::chrono::seconds(static_cast<long>((m_total - m_done) / rate))) + " left";
  }
  return text;
}

void ProgressBar::emit(Clock::time_point now) {
  m_shown = true;
  m_last_emit = now;
  m_emitted_done = m_done;
  std::string text = describe(now);
  if (!m_terminal) {
    if (m_sink) m_sink(text);
    return;
  }
  if (!m_tty) return;
  std::string bar;
  if (m_total > 0) {
    int filled = static_cast<int>(m_done * kBarWidth / m_total);
    if (filled > kBarWidth) filled = kBarWidth;
    bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
          std::string(static_cast<std::size_t>(kBarWidth - filled), '.') + "] ";
  }
  // \r: back to the start of the line; \x1b[K: clear what a longer previous line left behind.
  std::fprintf(m_tty, "\r%s%s\x1b[K", bar.c_str(), text.c_str());
  std::fflush(m_tty);
}

}  // namespace aiprov::steps
