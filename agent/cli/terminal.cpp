#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/log_setup.hpp"
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
  install_logger(console, log_file, /*flush_each=*/false);
}

}  // namespace aiprov::cli
