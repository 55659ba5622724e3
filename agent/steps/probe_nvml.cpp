/// Probe type `nvml`: what NVML reported when the facts were gathered (facts.nvidia, see
/// agent/facts/nvml.cpp) must show a driver (with the expected prefix) and GPUs, and nvidia-smi must
/// agree with it: same driver version, same number of GPUs, same names. Skips under --root (NVML
/// describes the machine aiprov runs on, not the tree) and when the facts carry no NVML data.

#include <algorithm>

#include "steps/nvidia_smi_csv.hpp"
#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{120};

std::string nvml_lines(const nlohmann::json& nv) {
  std::string out = "NVML: driver " + nv.value("driver_version", std::string()) + ", CUDA " +
                    nv.value("cuda_version", std::string()) + "\n";
  for (const auto& g : nv.value("gpus", nlohmann::json::array())) {
    unsigned long long bytes = g.value("memory_total_bytes", 0ull);
    out += "NVML: GPU " + std::to_string(g.value("index", 0)) + " " + g.value("name", std::string()) + ", " +
           std::to_string(bytes / (1024ull * 1024ull)) + " MiB\n";
  }
  return out;
}

class NvmlProbe : public Probe {
 public:
  explicit NvmlProbe(std::string driver) : m_driver(std::move(driver)) {}

  ProbeResult run(Context& ctx) const override {
    if (ctx.host.fs.root() != "/")
      return probe::skip("under --root " + ctx.host.fs.root() + ": NVML describes the machine aiprov runs on");
    const nlohmann::json* nv = ctx.facts.is_object() && ctx.facts.contains("nvidia") ? &ctx.facts.at("nvidia") : nullptr;
    if (!nv || !nv->is_object() || !nv->value("present", false)) {
      std::string reason = nv && nv->is_object() ? nv->value("reason", std::string()) : std::string();
      return probe::skip("the facts carry no NVML data" + (reason.empty() ? "" : ": " + reason));
    }
    const std::string driver = nv->value("driver_version", std::string());
    std::vector<std::string> names;
    for (const auto& g : nv->value("gpus", nlohmann::json::array())) names.push_back(g.value("name", std::string()));
    nlohmann::json data = {{"driver_version", driver},
                           {"cuda_version", nv->value("cuda_version", std::string())},
                           {"gpus", names}};
    std::string evidence = nvml_lines(*nv);
    if (!probe::version_has_prefix(driver, m_driver))
      return probe::fail("expected driver " + m_driver + ", NVML reports " + driver, evidence, data);
    if (names.empty()) return probe::fail("NVML reports no GPU", evidence, data);

    std::vector<std::string> argv = {"nvidia-smi"};
    argv.insert(argv.end(), gpu_query_args().begin(), gpu_query_args().end());
    Command cmd = probe::command(argv, kTimeout);
    ProcessResult r = probe::run(ctx, cmd);
    evidence += probe::evidence(cmd, r);
    if (!r.ok()) return probe::fail("cannot compare with nvidia-smi: " + probe::failure(cmd, r), evidence, data);
    std::string error;
    auto rows = parse_gpu_query_csv(r.output, &error);
    if (!rows) return probe::fail("cannot read the output of nvidia-smi: " + error, evidence, data);
    std::vector<std::string> smi_names;
    for (const auto& row : *rows) {
      smi_names.push_back(row.name);
      if (row.driver_version != driver)
        return probe::fail("NVML reports driver " + driver + ", nvidia-smi " + row.driver_version, evidence, data);
    }
    if (smi_names.size() != names.size())
      return probe::fail("NVML reports " + std::to_string(names.size()) + " GPU(s), nvidia-smi " +
                             std::to_string(smi_names.size()),
                         evidence, data);
    std::vector<std::string> a = names, b = smi_names;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) return probe::fail("NVML and nvidia-smi name different GPUs", evidence, data);
    return probe::pass("driver " + driver + ", CUDA " + nv->value("cuda_version", std::string()) + ", " +
                           std::to_string(names.size()) + " GPU(s); nvidia-smi agrees",
                       evidence, data);
  }

 private:
  std::string m_driver;
};

}  // namespace

ProbeType nvml_probe_type() {
  ProbeType t;
  t.name = "nvml";
  t.summary = "NVML (from the facts) reports the driver and the GPUs, and nvidia-smi agrees; skipped under --root";
  t.fields = {
      {"driver", FieldType::String, false, "expected driver version prefix, such as 550"},
  };
  t.example =
      "- id: nvml-agrees\n"
      "  type: nvml\n"
      "  driver: \"550\"\n";
  t.factory = [](const StepSpec& spec) -> std::unique_ptr<Probe> {
    return std::make_unique<NvmlProbe>(spec.opt_str("driver").value_or(""));
  };
  return t;
}

}  // namespace aiprov::steps
