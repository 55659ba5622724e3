/// Probe type `cudnn_sample`: builds and runs one cuDNN sample, the way NVIDIA's installation guide
/// verifies cuDNN: copy the samples to a temporary directory (`mktemp -d` in the root, `cp -r`),
/// `make` in the sample's directory, run `./<sample>`, expect a text in its output. The temporary
/// directory is removed whatever happens.

#include "steps/probe_common.hpp"
#include "steps/probes.hpp"

namespace aiprov::steps {
namespace {

constexpr std::chrono::seconds kShortTimeout{120};
constexpr std::chrono::seconds kBuildTimeout{1800};
constexpr std::chrono::seconds kRunTimeout{600};
constexpr const char* kTempPrefix = "/tmp/aiprov-cudnn-";
constexpr int kEvidenceLines = 8;

/// Removes the temporary directory when the probe ends, whatever happens.
class TempDir {
 public:
  TempDir(Context& ctx, std::string path) : m_ctx(ctx), m_path(std::move(path)) {}
  ~TempDir() {
    try {
      probe::run(m_ctx, probe::command({"rm", "-rf", "--", m_path}, kShortTimeout));
    } catch (...) {  // a destructor must not throw; a leftover temp dir is all that is lost
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

 private:
  Context& m_ctx;
  std::string m_path;
};

std::string basename_of(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.substr(path.rfind('/') + 1);
}

class CudnnSampleProbe : public Probe {
 public:
  CudnnSampleProbe(std::string samples, std::string sample, std::string expect)
      : m_samples(std::move(samples)), m_sample(std::move(sample)), m_expect(std::move(expect)) {}

  ProbeResult run(Context& ctx) const override {
    const std::string source = m_samples + "/" + m_sample;
    auto st = ctx.host.fs.stat(source);
    if (!st || !st->is_dir())
      return probe::fail("no sample directory " + source + " (is the cuDNN samples package installed?)",
                         source + (st ? " is not a directory\n" : " does not exist\n"));

    Command mktemp = probe::command({"mktemp", "-d", std::string(kTempPrefix) + "XXXXXX"}, kShortTimeout);
    ProcessResult made = probe::run(ctx, mktemp);
    std::string dir = made.output.substr(0, made.output.find('\n'));
    if (!made.ok())
      return probe::fail("cannot make a temporary directory: " + probe::failure(mktemp, made),
                         probe::evidence(mktemp, made));
    if (dir.rfind(kTempPrefix, 0) != 0 || dir.find("/..") != std::string::npos)
      return probe::fail("cannot make a temporary directory: mktemp printed '" + dir + "'",
                         probe::evidence(mktemp, made));
    TempDir cleanup(ctx, dir);

    Command copy = probe::command({"cp", "-r", "--", m_samples, dir + "/"}, kShortTimeout);
    ProcessResult copied = probe::run(ctx, copy);
    if (!copied.ok()) return probe::fail("cannot copy the samples: " + probe::failure(copy, copied), probe::evidence(copy, copied));

    const std::string work = dir + "/" + basename_of(m_samples) + "/" + m_sample;
    Command make = probe::command({"make"}, kBuildTimeout);
    make.cwd = work;
    ProcessResult built = probe::run(ctx, make);
    std::string evidence = probe::evidence(make, built, kEvidenceLines);
    nlohmann::json data = {{"sample", m_sample}, {"build_exit_code", built.exit_code}};
    if (!built.ok()) return probe::fail("the build of " + m_sample + " failed: " + probe::failure(make, built), evidence, data);

    Command run = probe::command({"./" + m_sample}, kRunTimeout);
    run.cwd = work;
    ProcessResult ran = probe::run(ctx, run);
    evidence += probe::evidence(run, ran, kEvidenceLines);
    data["run_exit_code"] = ran.exit_code;
    const bool found = ran.output.find(m_expect) != std::string::npos;
    data["expected_text_found"] = found;
    if (!ran.ok()) return probe::fail(probe::failure(run, ran), evidence, data);
    if (!found) return probe::fail("expected '" + m_expect + "' in the output of " + m_sample, evidence, data);
    return probe::pass(m_sample + " built and ran: '" + m_expect + "'", evidence, data);
  }

 private:
  std::string m_samples;
  std::string m_sample;
  std::string m_expect;
};

std::unique_ptr<Probe> make_cudnn_sample(const StepSpec& spec) {
  std::string samples = spec.opt_str("samples").value_or("/usr/src/cudnn_samples_v9");
  if (samples.empty() || samples[0] != '/')
    spec.fail("samples", "probe '" + spec.id() + "': samples must be an absolute path, found '" + samples + "'");
  while (samples.size() > 1 && samples.back() == '/') samples.pop_back();
  std::string sample = spec.opt_str("sample").value_or("mnistCUDNN");
  if (sample.empty() || sample.find('/') != std::string::npos || sample == "." || sample == "..")
    spec.fail("sample", "probe '" + spec.id() + "': sample must be a directory name, found '" + sample + "'");
  std::string expect = spec.opt_str("expect").value_or("Test passed!");
  if (expect.empty()) spec.fail("expect", "probe '" + spec.id() + "': 'expect' must not be empty");
  return std::make_unique<CudnnSampleProbe>(samples, sample, expect);
}

}  // namespace

ProbeType cudnn_sample_probe_type() {
  ProbeType t;
  t.name = "cudnn_sample";
  t.summary = "Builds and runs a cuDNN sample in a temporary copy and expects its success line";
  t.fields = {
      {"samples", FieldType::String, false, "the samples directory; default /usr/src/cudnn_samples_v9"},
      {"sample", FieldType::String, false, "the sample to build and run; default mnistCUDNN"},
      {"expect", FieldType::String, false, "text its output must contain; default 'Test passed!'"},
  };
  t.example =
      "- id: cudnn-works\n"
      "  type: cudnn_sample\n"
      "  sample: mnistCUDNN\n";
  t.factory = make_cudnn_sample;
  return t;
}

}  // namespace aiprov::steps
