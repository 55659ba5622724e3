#include "cli/log_setup.hpp"

#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

namespace aiprov::cli {

void install_logger(std::shared_ptr<spdlog::sinks::sink> console, const std::string& log_file, bool flush_each) {
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
  if (flush_each) logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace aiprov::cli
