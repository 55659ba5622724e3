#pragma once
/// The default logger every command and the agent install: their own console sink (levels and
/// pattern are theirs), plus the log file under the root.

#include <memory>
#include <string>

namespace spdlog::sinks {
class sink;
}

namespace aiprov::cli {

/// Makes spdlog's default logger "aiprov" from `console` and, when `log_file` (a host path) is not
/// empty, a file sink appending to it at info level ("TIME [PID] LEVEL: message"). A log file that
/// cannot be opened is a warning on `console`, not an error. The logger passes every level to its
/// sinks (their levels filter); `flush_each`: flush after every message (a daemon's log is read
/// while it runs).
void install_logger(std::shared_ptr<spdlog::sinks::sink> console, const std::string& log_file, bool flush_each);

}  // namespace aiprov::cli
