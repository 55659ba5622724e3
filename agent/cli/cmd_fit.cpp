// `aiprov fit`: does a model of N parameters at a precision fit the host's GPUs?

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "aiprov/error.hpp"
#include "cli/fit.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {
namespace {

struct FitOptions {
  std::string params;
  std::string precision = "fp16";
  bool train = false;
  std::string gpu_memory;
  int gpus = 0;
};

/// Each card's memory in bytes, and where the numbers came from.
struct Cards {
  std::vector<std::uint64_t> memory;
  std::string source;
};

std::vector<std::uint64_t> nvml_cards(const nlohmann::json& facts) {
  std::vector<std::uint64_t> out;
  const auto& nvidia = facts.contains("nvidia") ? facts["nvidia"] : nlohmann::json();
  if (!nvidia.is_object() || nvidia.value("present", false) != true || !nvidia.contains("gpus")) return out;
  for (const auto& gpu : nvidia["gpus"]) {
    if (gpu.contains("memory_total_bytes") && gpu["memory_total_bytes"].is_number())
      out.push_back(gpu["memory_total_bytes"].get<std::uint64_t>());
  }
  return out;
}

Cards find_cards(const Options& o, const FitOptions& f) {
  if (f.gpus < 0) throw UsageError("--gpus must be 1 or more");
  if (!f.gpu_memory.empty()) {
    auto memory = fit::parse_memory(f.gpu_memory);
    if (!memory) throw UsageError("--gpu-memory: cannot read '" + f.gpu_memory + "' (like 80GiB, 24G, 48000MB)");
    std::size_t n = f.gpus > 0 ? static_cast<std::size_t>(f.gpus) : 1;
    return {std::vector<std::uint64_t>(n, *memory), "--gpu-memory"};
  }
  Session session(o);
  auto cards = nvml_cards(session.facts());
  if (cards.empty()) return {{}, ""};
  if (f.gpus > 0) {  // N cards of the smallest size known here
    auto smallest = *std::min_element(cards.begin(), cards.end());
    return {std::vector<std::uint64_t>(static_cast<std::size_t>(f.gpus), smallest), "facts.nvidia (--gpus)"};
  }
  return {cards, "facts.nvidia"};
}

std::string verdict_words(fit::Verdict v, std::size_t cards) {
  switch (v) {
    case fit::Verdict::kOneCard: return "fits on one card";
    case fit::Verdict::kAllCards:
      return "fits only on all " + std::to_string(cards) + " cards together (model parallel), not on one card";
    case fit::Verdict::kNoFit: return "does not fit, not even on all cards together";
    case fit::Verdict::kUnknown: break;
  }
  return "unknown: no GPU memory is known (no NVML; give --gpu-memory SIZE [--gpus N])";
}

int run_fit(const Options& o, const FitOptions& f) {
  auto params = fit::parse_params(f.params);
  if (!params) throw UsageError("--params: cannot read '" + f.params + "' (like 70B, 1.5B, 400M, 7000000000)");
  auto bytes = fit::bytes_per_param(f.precision);
  if (!bytes) throw UsageError("--precision: '" + f.precision + "' is not one of fp32, fp16, bf16, int8, int4");
  Cards cards = find_cards(o, f);
  auto e = fit::estimate(*params, *bytes, f.train);
  auto high = fit::verdict(e.need_high_bytes, cards.memory);
  auto low = fit::verdict(e.need_low_bytes, cards.memory);
  const char* note = f.train ? "training needs 4-6x the weights: gradients, optimizer state, activations"
                             : "weights + 20% for activations, KV cache and CUDA context";
  if (o.json) {
    nlohmann::json out = {{"params", *params},
                          {"precision", f.precision},
                          {"bytes_per_param", *bytes},
                          {"train", f.train},
                          {"weights_bytes", e.weights_bytes},
                          {"need_bytes_low", e.need_low_bytes},
                          {"need_bytes_high", e.need_high_bytes},
                          {"note", note},
                          {"gpu_memory_bytes", cards.memory},
                          {"gpu_memory_source", cards.source},
                          {"verdict", fit::verdict_name(high)},
                          {"verdict_at_low", fit::verdict_name(low)}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Model:    " << f.params << " parameters at " << f.precision << " (" << *bytes << " bytes each)\n";
  std::cout << "Weights:  " << fit::format_bytes(e.weights_bytes) << "\n";
  if (f.train)
    std::cout << "Training: " << fit::format_bytes(e.need_low_bytes) << " to " << fit::format_bytes(e.need_high_bytes)
              << " (" << note << ")\n";
  else
    std::cout << "Inference: " << fit::format_bytes(e.need_high_bytes) << " (" << note << ")\n";
  if (cards.memory.empty()) {
    std::cout << "GPUs:     no GPU memory is known\n";
  } else {
    const auto& m = cards.memory;
    bool same = std::all_of(m.begin(), m.end(), [&](std::uint64_t b) { return b == m.front(); });
    std::cout << "GPUs:     ";
    if (same) {
      std::cout << m.size() << " x " << fit::format_bytes(static_cast<double>(m.front()));
    } else {
      for (std::size_t i = 0; i < m.size(); ++i) std::cout << (i ? ", " : "") << fit::format_bytes(static_cast<double>(m[i]));
    }
    std::cout << " (from " << cards.source << ")\n";
  }
  std::cout << "Verdict:  " << verdict_words(high, cards.memory.size());
  if (f.train && low != high) std::cout << "; at the lower estimate it " << verdict_words(low, cards.memory.size());
  std::cout << "\n";
  return 0;
}

}  // namespace

void add_fit(CLI::App& app, Options& o, Action& action) {
  auto f = std::make_shared<FitOptions>();
  auto* cmd = app.add_subcommand("fit", "Estimate the GPU memory a model needs and whether this host's GPUs hold it");
  cmd->add_option("--params", f->params, "Parameter count: 70B, 1.5B, 400M, 7000000000")->required();
  cmd->add_option("--precision", f->precision, "fp32, fp16, bf16, int8 or int4 (default fp16)");
  cmd->add_flag("--train", f->train, "Estimate for training (4-6x the weights) instead of inference");
  cmd->add_option("--gpu-memory", f->gpu_memory, "Memory of each card, such as 80GiB (instead of the facts)")
      ->type_name("SIZE");
  cmd->add_option("--gpus", f->gpus, "Number of cards (with --gpu-memory, or of the smallest known card)")
      ->type_name("N");
  cmd->callback([&o, &action, f] { action = [&o, f] { return run_fit(o, *f); }; });
}

}  // namespace aiprov::cli
