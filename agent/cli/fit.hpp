#pragma once
/// The estimate behind `aiprov fit`: GPU memory a model needs, and whether the host's GPUs hold it.
/// Pure functions, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aiprov::cli::fit {

/// Parameter counts as people write them: "70B", "7b", "1.5B", "400M", "13k", "1T", "70000000000".
/// nullopt for anything else, zero or negative.
std::optional<double> parse_params(const std::string& text);

/// Bytes per parameter: fp32 4, fp16/bf16 2, int8 1, int4 0.5 (case-insensitive); nullopt otherwise.
std::optional<double> bytes_per_param(const std::string& precision);

/// Memory sizes: "80GiB", "80GB", "24G" (G, M, T alone are binary, as nvidia-smi shows), "512MiB",
/// plain bytes. nullopt when malformed or zero.
std::optional<std::uint64_t> parse_memory(const std::string& text);

/// Overhead on the weights for inference: activations, KV cache, CUDA context.
constexpr double kInferenceOverhead = 1.2;
/// Training needs this many times the weights: gradients, optimizer state, activations.
constexpr double kTrainLow = 4.0;
constexpr double kTrainHigh = 6.0;

struct Estimate {
  double weights_bytes = 0;
  double need_low_bytes = 0;   ///< inference: weights x 1.2; training: weights x 4
  double need_high_bytes = 0;  ///< inference: the same; training: weights x 6
};

Estimate estimate(double params, double bytes_per_param, bool train);

enum class Verdict {
  kOneCard,   ///< the largest card alone holds it
  kAllCards,  ///< only all cards together (model parallel)
  kNoFit,     ///< not even all cards together
  kUnknown,   ///< no GPU memory known
};

/// Where `need_bytes` fits given each card's memory.
Verdict verdict(double need_bytes, const std::vector<std::uint64_t>& cards);

/// "one_card", "all_cards", "none", "unknown".
std::string verdict_name(Verdict v);

/// "168.0 GB (156.5 GiB)".
std::string format_bytes(double bytes);

}  // namespace aiprov::cli::fit
