/// Probe type `nvidia_smi`: runs `nvidia-smi --query-gpu=name,driver_version,memory.total
/// --format=csv` and passes when it lists at least `min_gpus` GPUs, each with the expected driver.

#include "steps/common_command.hpp"
#include "steps/nvidia_smi_csv.hpp"
#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{120};

class NvidiaSmiProbe : public Probe {
 public:
  NvidiaSmiProbe(std::string program, std::string driver, long min_gpus)
      : m_program(std::move(program)), m_driver(std::move(driver)), m_min_gpus(min_gpus) {}

  ProbeResult run(Context& ctx) const override {
    std::vector<std::string> argv = {m_program};
    argv.insert(argv.end(), gpu_query_args().begin(), gpu_query_args().end());
    Command cmd = probe::command(argv, kTimeout);
    ProcessResult r = probe::run(ctx, cmd);
    std::string evidence = probe::evidence(cmd, r);
    if (!r.ok()) return probe::fail(probe::failure(cmd, r), evidence);
    std::string error;
    auto rows = parse_gpu_query_csv(r.output, &error);
    if (!rows) return probe::fail("cannot read the output of " + m_program + ": " + error, evidence);

    nlohmann::json gpus = nlohmann::json::array();
    for (const auto& g : *rows)
      gpus.push_back({{"name", g.name}, {"driver_version", g.driver_version}, {"memory_total_mib", g.memory_mib}});
    nlohmann::json data = {{"gpus", gpus}, {"count", rows->size()}};
    if (static_cast<long>(rows->size()) < m_min_gpus)
      return probe::fail("expected at least " + std::to_string(m_min_gpus) + " GPU(s), found " +
                             std::to_string(rows->size()),
                         evidence, data);
    for (const auto& g : *rows)
      if (!probe::version_has_prefix(g.driver_version, m_driver))
        return probe::fail("expected driver " + m_driver + ", found " + g.driver_version + " on " + g.name,
                           evidence, data);
    return probe::pass(describe(*rows), evidence, data);
  }

 private:
  /// "2 GPUs: NVIDIA L40 (46068 MiB) x2, driver 580.126.09"
  static std::string describe(const std::vector<GpuRow>& rows) {
    std::string out = std::to_string(rows.size()) + (rows.size() == 1 ? " GPU" : " GPUs");
    if (rows.empty()) return out;
    out += ":";
    for (std::size_t i = 0; i < rows.size();) {
      std::size_t same = i;
      while (same < rows.size() && rows[same].name == rows[i].name && rows[same].memory_mib == rows[i].memory_mib)
        ++same;
      out += std::string(i == 0 ? " " : ", ") + rows[i].name;
      if (rows[i].memory_mib >= 0) out += " (" + std::to_string(rows[i].memory_mib) + " MiB)";
      if (same - i > 1) out += " x" + std::to_string(same - i);
      i = same;
    }
    return out + ", driver " + rows.front().driver_version;
  }

  std::string m_program;
  std::string m_driver;
  long m_min_gpus;
};

std::unique_ptr<Probe> make_nvidia_smi(const StepSpec& spec) {
  std::string program = spec.opt_str("command").value_or("nvidia-smi");
  if (program.empty()) spec.fail("command", "probe '" + spec.id() + "': 'command' must not be empty");
  long min_gpus = spec.integer("min_gpus", 1);
  if (min_gpus < 0) spec.fail("min_gpus", "probe '" + spec.id() + "': min_gpus must not be negative");
  return std::make_unique<NvidiaSmiProbe>(program, spec.opt_str("driver").value_or(""), min_gpus);
}

}  // namespace

ProbeType nvidia_smi_probe_type() {
  ProbeType t;
  t.name = "nvidia_smi";
  t.summary = "nvidia-smi lists the GPUs (one CSV row each) with the expected driver";
  t.fields = {
      {"command", FieldType::String, false, "the nvidia-smi program; default nvidia-smi"},
      {"driver", FieldType::String, false, "expected driver version prefix, such as 550 or 550.127"},
      {"min_gpus", FieldType::Int, false, "fewest GPUs that must be listed; default 1"},
  };
  t.example =
      "- id: gpus-visible\n"
      "  type: nvidia_smi\n"
      "  driver: \"550\"\n"
      "  min_gpus: 1\n";
  t.factory = make_nvidia_smi;
  return t;
}

}  // namespace aiprov::steps
