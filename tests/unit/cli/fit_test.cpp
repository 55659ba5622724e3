// The `aiprov fit` estimate: parsing, memory arithmetic, verdicts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/fit.hpp"

namespace aiprov::cli::fit {
namespace {

TEST(Fit, ParseParams) {
  struct Case {
    const char* text;
    std::optional<double> params;
  };
  const Case cases[] = {
      {"70B", 70e9},     {"7b", 7e9},   {"1.5B", 1.5e9}, {"400M", 400e6}, {"70000000000", 70e9},
      {"13k", 13e3},     {"1T", 1e12},  {"", std::nullopt}, {"B", std::nullopt}, {"70X", std::nullopt},
      {"0B", std::nullopt}, {"-7B", std::nullopt}, {"1.2.3B", std::nullopt}, {"7 B", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = parse_params(c.text);
    ASSERT_EQ(got.has_value(), c.params.has_value()) << c.text;
    if (got) {
      EXPECT_DOUBLE_EQ(*got, *c.params) << c.text;
    }
  }
}

TEST(Fit, BytesPerParam) {
  struct Case {
    const char* precision;
    std::optional<double> bytes;
  };
  const Case cases[] = {{"fp32", 4.0}, {"fp16", 2.0}, {"BF16", 2.0}, {"int8", 1.0},
                        {"int4", 0.5}, {"fp8", std::nullopt}, {"", std::nullopt}};
  for (const auto& c : cases) EXPECT_EQ(bytes_per_param(c.precision), c.bytes) << c.precision;
}

TEST(Fit, ParseMemory) {
  struct Case {
    const char* text;
    std::optional<std::uint64_t> bytes;
  };
  const Case cases[] = {{"80GiB", 80ull << 30}, {"80GB", 80000000000ull}, {"24G", 24ull << 30},
                        {"512MiB", 512ull << 20}, {"1.5TB", 1500000000000ull}, {"1024", 1024},
                        {"80 GiB", std::nullopt}, {"GiB", std::nullopt}, {"0G", std::nullopt},
                        {"80XB", std::nullopt}};
  for (const auto& c : cases) EXPECT_EQ(parse_memory(c.text), c.bytes) << c.text;
}

TEST(Fit, Estimate) {
  struct Case {
    double params;
    double bytes;
    bool train;
    double weights;
    double low;
    double high;
  };
  const Case cases[] = {
      {70e9, 2.0, false, 140e9, 168e9, 168e9},
      {7e9, 0.5, false, 3.5e9, 4.2e9, 4.2e9},
      {7e9, 2.0, true, 14e9, 56e9, 84e9},
      {1.5e9, 4.0, true, 6e9, 24e9, 36e9},
  };
  for (const auto& c : cases) {
    auto e = estimate(c.params, c.bytes, c.train);
    EXPECT_DOUBLE_EQ(e.weights_bytes, c.weights);
    EXPECT_NEAR(e.need_low_bytes, c.low, 1);
    EXPECT_NEAR(e.need_high_bytes, c.high, 1);
  }
}

TEST(Fit, Verdict) {
  const std::uint64_t h100 = 85520809984ull;  // NVML total of an H100 80GB
  const std::uint64_t rtx4090 = 25757220864ull;
  struct Case {
    double need;
    std::vector<std::uint64_t> cards;
    Verdict verdict;
  };
  const Case cases[] = {
      {168e9, {h100}, Verdict::kNoFit},
      {168e9, {h100, h100}, Verdict::kAllCards},  // 2 x 85.5e9 = 171e9 together
      {200e9, {h100, h100}, Verdict::kNoFit},
      {160e9, {h100, h100}, Verdict::kAllCards},
      {4.2e9, {rtx4090}, Verdict::kOneCard},
      {30e9, {rtx4090, h100}, Verdict::kOneCard},  // the larger card holds it
      {168e9, {}, Verdict::kUnknown},
  };
  for (const auto& c : cases) EXPECT_EQ(verdict(c.need, c.cards), c.verdict) << c.need;
  EXPECT_EQ(verdict_name(Verdict::kAllCards), "all_cards");
  EXPECT_EQ(verdict_name(Verdict::kNoFit), "none");
  EXPECT_EQ(format_bytes(168e9), "168.0 GB (156.5 GiB)");
}

}  // namespace
}  // namespace aiprov::cli::fit
