#include "steps/nvidia_smi_csv.hpp"

#include <sstream>

namespace aiprov::steps {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(trim(cell));
  return cells;
}

/// "46068 MiB" -> 46068; -1 otherwise.
long parse_mib(const std::string& cell) {
  std::size_t digits = 0;
  while (digits < cell.size() && cell[digits] >= '0' && cell[digits] <= '9') ++digits;
  if (digits == 0 || trim(cell.substr(digits)) != "MiB") return -1;
  try {
    return std::stol(cell.substr(0, digits));
  } catch (const std::exception&) {
    return -1;
  }
}

int column(const std::vector<std::string>& header, const std::string& prefix) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i].compare(0, prefix.size(), prefix) == 0) return static_cast<int>(i);
  return -1;
}

}  // namespace

const std::vector<std::string>& gpu_query_args() {
  static const std::vector<std::string> args = {"--query-gpu=name,driver_version,memory.total", "--format=csv"};
  return args;
}

std::optional<std::vector<GpuRow>> parse_gpu_query_csv(const std::string& text, std::string* error) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {  // nvidia-smi prints nothing before the header; be lenient
    if (trim(line).rfind("name,", 0) == 0) {
      header = split_csv(line);
      break;
    }
  }
  int name = column(header, "name"), driver = column(header, "driver_version"),
      memory = column(header, "memory.total");
  if (header.empty() || name < 0 || driver < 0 || memory < 0) {
    if (error) *error = "no header line 'name, driver_version, memory.total [MiB]'";
    return std::nullopt;
  }
  std::vector<GpuRow> rows;
  while (std::getline(in, line)) {
    if (trim(line).empty()) continue;
    std::vector<std::string> cells = split_csv(line);
    if (cells.size() != header.size()) {
      if (error) *error = "a row without " + std::to_string(header.size()) + " columns: '" + trim(line) + "'";
      return std::nullopt;
    }
    rows.push_back(GpuRow{cells[name], cells[driver], parse_mib(cells[memory])});
  }
  return rows;
}

}  // namespace aiprov::steps
