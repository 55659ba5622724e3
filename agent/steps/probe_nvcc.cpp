/// Probe type `nvcc`: `nvcc --version` reports the expected CUDA release.

#include "steps/nvcc_version.hpp"
#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kTimeout{120};

class NvccProbe : public Probe {
 public:
  NvccProbe(std::string program, std::string release) : m_program(std::move(program)), m_release(std::move(release)) {}

  ProbeResult run(Context& ctx) const override {
    Command cmd = probe::command({m_program, "--version"}, kTimeout);
    ProcessResult r = probe::run(ctx, cmd);
    std::string evidence = probe::evidence(cmd, r);
    if (!r.ok()) return probe::fail(probe::failure(cmd, r), evidence);
    auto found = parse_nvcc_version(r.output);
    if (!found) return probe::fail("no 'Cuda compilation tools, release X.Y' line in its output", evidence);
    nlohmann::json data = {{"release", found->release}, {"version", found->version}};
    std::string shown = found->release + (found->version.empty() ? "" : " (V" + found->version + ")");
    if (found->release != m_release)
      return probe::fail("expected release " + m_release + ", found " + found->release, evidence, data);
    return probe::pass("release " + shown, evidence, data);
  }

 private:
  std::string m_program;
  std::string m_release;
};

std::unique_ptr<Probe> make_nvcc(const StepSpec& spec) {
  std::string program = spec.opt_str("command").value_or("/usr/local/cuda/bin/nvcc");
  if (program.empty()) spec.fail("command", "probe '" + spec.id() + "': 'command' must not be empty");
  std::string release = spec.str("release");
  if (release.empty()) spec.fail("release", "probe '" + spec.id() + "': 'release' must not be empty");
  return std::make_unique<NvccProbe>(program, release);
}

}  // namespace

ProbeType nvcc_probe_type() {
  ProbeType t;
  t.name = "nvcc";
  t.summary = "nvcc --version reports the expected CUDA release";
  t.fields = {
      {"command", FieldType::String, false, "the nvcc program; default /usr/local/cuda/bin/nvcc"},
      {"release", FieldType::String, true, "expected release, such as 12.4"},
  };
  t.example =
      "- id: cuda-compiler\n"
      "  type: nvcc\n"
      "  release: \"12.4\"\n";
  t.factory = make_nvcc;
  return t;
}

}  // namespace aiprov::steps
