// The `aiprov fit` estimate: parsing sizes, the memory rule of thumb, the verdict.

#include "cli/fit.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace aiprov::cli::fit {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// Splits "1.5B" into 1.5 and "b"; nullopt when the number part is malformed or not positive.
std::optional<std::pair<double, std::string>> number_and_suffix(const std::string& text) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  if (end == 0 || std::count(text.begin(), text.begin() + static_cast<long>(end), '.') > 1) return std::nullopt;
  double value = 0;
  try {
    value = std::stod(text.substr(0, end));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
  return std::make_pair(value, lower(text.substr(end)));
}

}  // namespace

std::optional<double> parse_params(const std::string& text) {
  auto parsed = number_and_suffix(text);
  if (!parsed) return std::nullopt;
  auto [value, suffix] = *parsed;
  if (suffix.empty()) return value;
  if (suffix == "k") return value * 1e3;
  if (suffix == "m") return value * 1e6;
  if (suffix == "b") return value * 1e9;
  if (suffix == "t") return value * 1e12;
  return std::nullopt;
}

std::optional<double> bytes_per_param(const std::string& precision) {
  std::string p = lower(precision);
  if (p == "fp32") return 4.0;
  if (p == "fp16" || p == "bf16") return 2.0;
  if (p == "int8") return 1.0;
  if (p == "int4") return 0.5;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_memory(const std::string& text) {
  auto parsed = number_and_suffix(text);
  if (!parsed) return std::nullopt;
  auto [value, suffix] = *parsed;
  struct Unit {
    const char* name;
    double factor;
  };
  static const Unit units[] = {{"", 1},         {"b", 1},           {"k", 1024.0},   {"kib", 1024.0},
                               {"kb", 1e3},     {"m", 1048576.0},   {"mib", 1048576.0}, {"mb", 1e6},
                               {"g", 1073741824.0}, {"gib", 1073741824.0}, {"gb", 1e9},
                               {"t", 1099511627776.0}, {"tib", 1099511627776.0}, {"tb", 1e12}};
  for (const auto& unit : units) {
    if (suffix == unit.name) return static_cast<std::uint64_t>(std::llround(value * unit.factor));
  }
  return std::nullopt;
}

Estimate estimate(double params, double bytes_per_param, bool train) {
  Estimate e;
  e.weights_bytes = params * bytes_per_param;
  e.need_low_bytes = e.weights_bytes * (train ? kTrainLow : kInferenceOverhead);
  e.need_high_bytes = e.weights_bytes * (train ? kTrainHigh : kInferenceOverhead);
  return e;
}

Verdict verdict(double need_bytes, const std::vector<std::uint64_t>& cards) {
  if (cards.empty()) return Verdict::kUnknown;
  double largest = static_cast<double>(*std::max_element(cards.begin(), cards.end()));
  double total = std::accumulate(cards.begin(), cards.end(), 0.0);
  if (need_bytes <= largest) return Verdict::kOneCard;
  if (cards.size() > 1 && need_bytes <= total) return Verdict::kAllCards;
  return Verdict::kNoFit;
}

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kOneCard: return "one_card";
    case Verdict::kAllCards: return "all_cards";
    case Verdict::kNoFit: return "none";
    case Verdict::kUnknown: break;
  }
  return "unknown";
}

std::string format_bytes(double bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f GB (%.1f GiB)", bytes / 1e9, bytes / 1073741824.0);
  return text;
}

}  // namespace aiprov::cli::fit
