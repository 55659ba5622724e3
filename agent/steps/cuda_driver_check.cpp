/// Step type `cuda_driver_check`: stops the run before CUDA is installed on a driver too old for it.
/// Never has changes: its plan is converged when the driver is at least `min_driver`, and fails with a
/// StepError naming the driver found, the driver needed and the CUDA release otherwise. The driver
/// version comes from the loaded driver (NVML, facts.nvidia.driver_version) on a live root, else from
/// the installed driver packages (`driver_packages`, their upstream version). While an earlier step
/// would install the driver (a pending "driver:nvidia" or a matching "package:NAME"), the check waits
/// for it: it is planned again right before it runs.

#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/expr.hpp"
#include "steps/common_ownership.hpp"
#include "steps/package_patterns.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

const std::vector<std::string> kDefaultDriverPackages = {"nvidia-driver-*", "nvidia-headless-*", "libnvidia-compute-*"};

bool is_driver_version(const std::string& v) {
  return !v.empty() && std::isdigit(static_cast<unsigned char>(v[0])) &&
         v.find_first_not_of("0123456789.") == std::string::npos;
}

class CudaDriverCheckStep : public Step {
 public:
  CudaDriverCheckStep(std::string id, std::string min_driver, std::string cuda, std::vector<std::string> patterns)
      : m_id(std::move(id)), m_min(std::move(min_driver)), m_cuda(std::move(cuda)), m_patterns(std::move(patterns)) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    std::string by = ctx.pending_by("driver:nvidia");
    if (by.empty()) by = packages::pending_package_step(ctx, m_patterns);
    if (!by.empty()) {
      plan.depends_on = "the driver is installed by step '" + by + "'";
      return plan;
    }
    auto [version, source] = driver_version(ctx);
    if (version.empty())
      step_fail(m_id, "no NVIDIA driver found (" + source + "): " + needs() +
                          ". Install the driver first (an nvidia_driver step before this one)");
    if (compare_versions(version, m_min) < 0)
      step_fail(m_id, needs() + "; the driver is " + version + " (" + source + "). Install driver " + m_min +
                          " or newer (e.g. nvidia_driver with driver: nvidia-driver-550), or choose an older CUDA "
                          "release");
    return plan;
  }

  void apply(Context&, const StepPlan&) override {}

 private:
  std::string needs() const {
    return (m_cuda.empty() ? std::string("CUDA") : "CUDA " + m_cuda) + " needs NVIDIA driver " + m_min + " or newer";
  }

  /// The driver version and where it came from ("loaded driver (NVML)", "package nvidia-driver-550
  /// 550.127.08-0ubuntu1"); an empty version with what was looked at when there is none.
  std::pair<std::string, std::string> driver_version(const Context& ctx) const {
    std::string nvml_note;
    if (ctx.host.fs.root() == "/" && ctx.facts.is_object()) {
      const auto nvidia = ctx.facts.find("nvidia");
      if (nvidia != ctx.facts.end() && nvidia->is_object()) {
        std::string v = nvidia->value("driver_version", "");
        if (nvidia->value("present", false) && !v.empty()) return {v, "loaded driver, NVML"};
        nvml_note = "NVML: " + nvidia->value("reason", std::string("no driver loaded")) + "; ";
      }
    }
    std::string best, best_source;
    for (const auto& p : packages::installed_matching(*packages::status_of(ctx, m_id), m_patterns)) {
      std::string v = packages::upstream_version(p.version);
      if (!is_driver_version(v)) continue;
      if (best.empty() || compare_versions(v, best) > 0) {
        best = v;
        best_source = "package " + p.name + " " + p.version;
      }
    }
    if (!best.empty()) return {best, best_source};
    std::string looked;
    for (const auto& p : m_patterns) looked += (looked.empty() ? "" : ", ") + p;
    return {"", nvml_note + "no installed package matches " + looked};
  }

  std::string m_id;
  std::string m_min;
  std::string m_cuda;
  std::vector<std::string> m_patterns;
};

std::unique_ptr<Step> make_cuda_driver_check(const StepSpec& spec) {
  const std::string where = "step '" + spec.id() + "': ";
  std::string min = spec.str("min_driver");
  if (!is_driver_version(min))
    spec.fail("min_driver", where + "min_driver must be a driver version such as 550.54.14, found '" + min + "'");
  std::vector<std::string> patterns = spec.has("driver_packages") ? spec.str_list("driver_packages") : kDefaultDriverPackages;
  if (patterns.empty()) spec.fail("driver_packages", where + "driver_packages must name at least one package or glob");
  for (const auto& p : patterns)
    if (!packages::valid_pattern(p)) spec.fail("driver_packages", where + "'" + p + "' is not a package name or glob");
  return std::make_unique<CudaDriverCheckStep>(spec.id(), std::move(min), spec.opt_str("cuda").value_or(""),
                                               std::move(patterns));
}

}  // namespace

StepType cuda_driver_check_type() {
  StepType t;
  t.name = "cuda_driver_check";
  t.summary = "Stop before CUDA is installed when the NVIDIA driver is older than the CUDA release needs";
  t.fields = {
      {"min_driver", FieldType::String, true, "the oldest driver the CUDA release supports, e.g. 550.54.14 (CUDA 12.4 GA)"},
      {"cuda", FieldType::String, false, "the CUDA release, for the message, e.g. \"12.4\""},
      {"driver_packages", FieldType::StringList, false,
       "globs of the driver packages whose version counts when no driver is loaded (default nvidia-driver-*, "
       "nvidia-headless-*, libnvidia-compute-*)"},
  };
  t.example =
      "- id: cuda-driver-check\n"
      "  type: cuda_driver_check\n"
      "  min_driver: 550.54.14\n"
      "  cuda: \"12.4\"\n";
  t.factory = make_cuda_driver_check;
  return t;
}

}  // namespace aiprov::steps
