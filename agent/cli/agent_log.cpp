#include "cli/agent_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/log_setup.hpp"

namespace aiprov::cli::agent {

namespace {

/// syslog priorities, as journald reads them from a "<N>" line prefix.
int priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;
    case spdlog::level::err: return 3;
    case spdlog::level::warn: return 4;
    case spdlog::level::info: return 6;
    default: return 7;
  }
}

/// stderr with a "<N>" prefix on every line of a message (journald takes each line as one entry).
class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string text(formatted.data(), formatted.size());
    const std::string prefix = "<" + std::to_string(priority(msg.level)) + ">";
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      std::size_t end = nl == std::string::npos ? text.size() : nl;
      out += prefix + text.substr(start, end - start) + "\n";
      start = end + 1;
    }
    std::fwrite(out.data(), 1, out.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

bool stderr_is_journal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) && ino == static_cast<unsigned long long>(st.st_ino);
}

void setup_logging(int verbose, bool quiet, const std::string& log_file) {
  spdlog::sink_ptr console;
  if (stderr_is_journal()) {
    console = std::make_shared<JournalSink>();
    console->set_pattern("%v");  // the journal has the time, the unit and the pid
  } else {
    console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    console->set_pattern("%Y-%m-%dT%H:%M:%S%z aiprov agent: %l: %v");
  }
  spdlog::level::level_enum level = spdlog::level::info;
  if (quiet) level = spdlog::level::warn;
  if (verbose >= 1) level = spdlog::level::debug;
  console->set_level(level);
  install_logger(console, log_file, /*flush_each=*/true);
}

LogStream::LogStream() : std::ostream(nullptr) {
  m_buf.m_logger = spdlog::default_logger();
  rdbuf(&m_buf);
}

LogStream::~LogStream() { m_buf.flush_line(); }

LogStream::Buf::int_type LogStream::Buf::overflow(int_type c) {
  if (c == traits_type::eof()) return traits_type::not_eof(c);
  if (c == '\n') flush_line();
  else if (c != '\r') m_line.push_back(static_cast<char>(c));
  return c;
}

int LogStream::Buf::sync() { return 0; }

void LogStream::Buf::flush_line() {
  if (!m_line.empty()) m_logger->info("{}", m_line);
  m_line.clear();
}

}  // namespace aiprov::cli::agent
