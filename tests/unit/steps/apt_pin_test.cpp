#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/steps/step_fixture.hpp"

namespace aiprov::steps {
namespace {

using testing::apply_and_expect_converged;
using testing::build_error;
using testing::FakeHost;
using testing::make_step;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// `text` as a YAML block scalar (keeps every line; "|+" keeps the final newlines).
std::string block(const std::string& text) {
  std::string out = "|+\n";
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out += line.empty() ? "\n" : "  " + line + "\n";
  return out;
}

TEST(AptPin, NvidiaPinFileFromContent) {
  FakeHost host;
  host.fs.add_dir("/etc/apt/preferences.d");
  const std::string pin = fixture("cuda-ubuntu2204.pin");
  ASSERT_FALSE(pin.empty());
  auto s = make_step(apt_pin_type(), "name: cuda-repository-pin-600\ncontent: " + block(pin));
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  const std::string path = "/etc/apt/preferences.d/cuda-repository-pin-600";
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Create);
  EXPECT_EQ(plan.changes[0].target, path);
  EXPECT_NE(plan.changes[0].detail.find("+Pin: release l=NVIDIA CUDA\n"), std::string::npos);
  EXPECT_EQ(plan.changes[0].provides, (std::vector<std::string>{"path:" + path, "apt:sources"}));
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.log(), std::vector<std::string>{"write " + path});
  EXPECT_EQ(host.fs.read(path), pin);
  EXPECT_EQ(host.fs.stat(path)->mode, 0644u);
}

TEST(AptPin, OneRecordFromFields) {
  FakeHost host;
  auto s = make_step(apt_pin_type(), "name: nvidia-driver.pref\npackage: nvidia-driver-*\npin: version 550.*\npriority: 1001\n");
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.read("/etc/apt/preferences.d/nvidia-driver.pref"),
            "Package: nvidia-driver-*\nPin: version 550.*\nPin-Priority: 1001\n");
  // missing /etc/apt/preferences.d was created first
  EXPECT_EQ(host.fs.log().back(), "write /etc/apt/preferences.d/nvidia-driver.pref");
}

TEST(AptPin, ChangedPriorityIsAnUpdateWithADiff) {
  FakeHost host;
  host.fs.add_file("/etc/apt/preferences.d/p", "Package: *\nPin: release l=NVIDIA CUDA\nPin-Priority: 500\n");
  auto s = make_step(apt_pin_type(), "name: p\npackage: \"*\"\npin: release l=NVIDIA CUDA\npriority: 600\n");
  Context ctx = host.context();
  StepPlan plan = s->plan(ctx);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Change::Action::Update);
  EXPECT_NE(plan.changes[0].detail.find("-Pin-Priority: 500\n+Pin-Priority: 600\n"), std::string::npos);
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.read("/var/lib/aiprov/backups/run1/etc/apt/preferences.d/p"),
            "Package: *\nPin: release l=NVIDIA CUDA\nPin-Priority: 500\n");
}

TEST(AptPin, FactoryRefusesBadFields) {
  const StepType t = apt_pin_type();
  const std::string rec = "package: \"*\"\npin: origin x\npriority: 600\n";
  const std::string either = "step 'x': give either content or all of package, pin and priority";
  const std::string bad_name =
      "' must hold only letters, digits, '_' and '-', optionally ending in .pref (apt ignores other files in "
      "preferences.d)";
  struct Case {
    std::string yaml, error;
  };
  std::vector<Case> cases = {
      {"name: cuda.pin\n" + rec, "step 'x': name 'cuda.pin" + bad_name},
      {"name: a b\n" + rec, "step 'x': name 'a b" + bad_name},
      {"name: .pref\n" + rec, "step 'x': name '.pref" + bad_name},
      {"name: p\n", either},
      {"name: p\ncontent: \"Package: *\\nPin: origin x\\nPin-Priority: 1\\n\"\npriority: 5\n", either},
      {"name: p\npackage: \"*\"\npriority: 600\n", "step 'x': package, pin and priority are required together"},
      {"name: p\ncontent: \"Package: *\\nPin-Priority: 1\\n\"\n", "step 'x': record 1 has no Pin field (apt refuses the whole file)"},
      {"name: p\ncontent: \"Package: *\\nPin: origin x\\nPin-Priority: high\\n\"\n",
       "step 'x': record 1: Pin-Priority must be an integer, found 'high'"},
      {"name: p\ncontent: \"# nothing\\n\"\n", "step 'x': content holds no preferences record"},
      {"name: cuda-repository-pin-600\n" + rec, ""},
      {"name: p.pref\n" + rec, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(build_error(t, c.yaml), c.error) << c.yaml;
}

}  // namespace
}  // namespace aiprov::steps
