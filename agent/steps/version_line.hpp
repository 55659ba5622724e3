#pragma once
/// Version banners of the programs the conda probe runs: "conda 23.7.4" (`conda --version`) and
/// "Python 3.11.9" (`python --version`).

#include <optional>
#include <string>

namespace aiprov::steps {

/// The version after `program` and a space at the start of a line ("conda" -> "23.7.4"); nullopt
/// when no line starts so.
std::optional<std::string> version_after(const std::string& text, const std::string& program);

}  // namespace aiprov::steps
