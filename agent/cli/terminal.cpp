#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/options.hpp"

namespace aiprov::cli {

bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(STDOUT_FILENO) != 0;
}

void setup_logging(const Options& options, const std::string& log_file) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::warn;
  if (options.quiet) level = spdlog::level::err;
  if (options.verbose == 1) level = spdlog::level::info;
  if (options.verbose >= 2) level = spdlog::level::debug;
  console->set_level(level);
  console->set_pattern("aiprov: %^%l%$: %v");
  std::vector<spdlog::sink_ptr> sinks{console};
  if (!log_file.empty()) {
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file);
      file->set_level(spdlog::level::info);
      file->set_pattern("%Y-%m-%dT%H:%M:%S%z [%P] %l: %v");
      sinks.push_back(file);
    } catch (const spdlog::spdlog_ex& e) {
      console->log(spdlog::details::log_msg("aiprov", spdlog::level::warn,
                                            std::string("cannot open log file ") + log_file + ": " + e.what()));
    }
  }
  auto logger = std::make_shared<spdlog::logger>("aiprov", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace aiprov::cli
