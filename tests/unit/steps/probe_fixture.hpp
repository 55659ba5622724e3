#pragma once
/// Shared helpers of the probe unit tests: build a probe from YAML, read a real capture, a host whose
/// root is "/" (the nvml probe skips under any other root).

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aiprov/step.hpp"
#include "fakes/fake_host.hpp"
#include "recipe/yaml_value.hpp"
#include "steps/probes.hpp"

namespace aiprov::testing {

/// Builds a probe of `type` from the YAML map `yaml` (its fields; the id is "p").
inline std::unique_ptr<Probe> make_probe(const ProbeType& type, const std::string& yaml) {
  Value body = recipe::parse_yaml(yaml, "/recipes/test.yaml").value;
  return type.factory(StepSpec("p", type.name, body));
}

/// Builds a probe of `type` from `yaml` and runs it with `host`'s context.
inline ProbeResult run_probe_on(FakeHost& host, const ProbeType& type, const std::string& yaml) {
  Context ctx = host.context();
  return make_probe(type, yaml)->run(ctx);
}

/// The message of the RecipeError that building the probe throws ("" when it builds).
inline std::string probe_build_error(const ProbeType& type, const std::string& yaml) {
  try {
    make_probe(type, yaml);
  } catch (const RecipeError& e) {
    return e.message();
  }
  return "";
}

/// A file of tests/fixtures/real/, byte for byte.
inline std::string real_capture(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A VirtualFileSystem that says it is the live root "/".
class LiveRootFileSystem : public VirtualFileSystem {
 public:
  const std::string& root() const override { return m_slash; }

 private:
  std::string m_slash = "/";
};

}  // namespace aiprov::testing
