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

constexpr const char* kCudaUri = "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/";
constexpr const char* kCudaKeyring = "/usr/share/keyrings/cuda-archive-keyring.gpg";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(AIPROV_FIXTURES_DIR) + "/real/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cuda_fields(const std::string& extra = "") {
  return std::string("name: cuda-ubuntu2204-x86_64\nuris: [") + kCudaUri + "]\nsuites: [\"/\"]\nsigned_by: " +
         kCudaKeyring + "\n" + extra;
}

class AptRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.fs.add_dir("/etc/apt/sources.list.d");
    host.fs.add_file(kCudaKeyring, "keyring");
    os("ubuntu", "22.04");
  }
  void os(const std::string& id, const std::string& version) {
    host.facts["os"] = {{"id", id}, {"version_id", version}};
  }
  StepPlan plan(const std::string& yaml) {
    auto s = make_step(apt_repository_type(), yaml);
    Context ctx = host.context();
    return s->plan(ctx);
  }
  FakeHost host;
};

TEST_F(AptRepositoryTest, NvidiaFlatRepositoryAsOneLineOnJammy) {
  auto s = make_step(apt_repository_type(), cuda_fields());
  Context ctx = host.context();
  StepPlan p = s->plan(ctx);
  const std::string path = "/etc/apt/sources.list.d/cuda-ubuntu2204-x86_64.list";
  const std::string line = std::string("deb [signed-by=") + kCudaKeyring + "] " + kCudaUri + " /\n";
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Change::Action::Create);
  EXPECT_EQ(p.changes[0].target, path);
  EXPECT_NE(p.changes[0].detail.find("+" + line), std::string::npos);
  EXPECT_EQ(p.changes[0].provides, (std::vector<std::string>{"path:" + path, "apt:sources"}));
  EXPECT_TRUE(p.warnings.empty());
  apply_and_expect_converged(*s, host);
  EXPECT_EQ(host.fs.log(), std::vector<std::string>{"write " + path});
  EXPECT_EQ(host.fs.read(path), line);
  EXPECT_EQ(host.fs.stat(path)->mode, 0644u);
}

TEST_F(AptRepositoryTest, FormatFollowsTheDistribution) {
  const std::string deb822 = std::string("Types: deb\nURIs: ") + kCudaUri + "\nSuites: /\nSigned-By: " + kCudaKeyring + "\n";
  const std::string list = std::string("deb [signed-by=") + kCudaKeyring + "] " + kCudaUri + " /\n";
  struct Case {
    std::string id, version, format, file, content;
  };
  std::vector<Case> cases = {
      {"ubuntu", "24.04", "", ".sources", deb822}, {"ubuntu", "24.10", "", ".sources", deb822},
      {"ubuntu", "22.04", "", ".list", list},      {"debian", "12", "", ".sources", deb822},
      {"debian", "11", "", ".list", list},         {"", "", "", ".list", list},
      {"ubuntu", "24.04", "list", ".list", list},  {"ubuntu", "22.04", "deb822", ".sources", deb822},
  };
  for (const auto& c : cases) {
    FakeHost h;
    h.fs.add_dir("/etc/apt/sources.list.d");
    h.fs.add_file(kCudaKeyring, "k");
    if (!c.id.empty()) h.facts["os"] = {{"id", c.id}, {"version_id", c.version}};
    auto s = make_step(apt_repository_type(), cuda_fields(c.format.empty() ? "" : "format: " + c.format + "\n"));
    apply_and_expect_converged(*s, h);
    EXPECT_EQ(h.fs.read("/etc/apt/sources.list.d/cuda-ubuntu2204-x86_64" + c.file), c.content) << c.id << c.version;
  }
}

TEST_F(AptRepositoryTest, EveryFieldRendered) {
  const std::string yaml =
      "name: example\nuris: [https://a.example/apt, https://b.example/apt]\nsuites: [jammy, jammy-updates]\n"
      "components: [main, contrib]\narchitectures: [amd64, arm64]\ntypes: [deb, deb-src]\n"
      "signed_by: /etc/apt/keyrings/example.gpg\nenabled: false\n";
  host.fs.add_file("/etc/apt/keyrings/example.gpg", "k");
  auto s = make_step(apt_repository_type(), yaml);
  apply_and_expect_converged(*s, host);
  std::string opts = " [arch=amd64,arm64 signed-by=/etc/apt/keyrings/example.gpg] ";
  std::string expected;
  for (std::string type : {"deb", "deb-src"})
    for (std::string uri : {"https://a.example/apt", "https://b.example/apt"})
      for (std::string suite : {"jammy", "jammy-updates"}) expected += "# " + type + opts + uri + " " + suite + " main contrib\n";
  EXPECT_EQ(host.fs.read("/etc/apt/sources.list.d/example.list"), expected);

  os("ubuntu", "24.04");
  auto s822 = make_step(apt_repository_type(), yaml);
  apply_and_expect_converged(*s822, host);
  EXPECT_EQ(host.fs.read("/etc/apt/sources.list.d/example.sources"),
            "Types: deb deb-src\nURIs: https://a.example/apt https://b.example/apt\nSuites: jammy jammy-updates\n"
            "Components: main contrib\nArchitectures: amd64 arm64\nSigned-By: /etc/apt/keyrings/example.gpg\n"
            "Enabled: no\n");
}

TEST_F(AptRepositoryTest, ChangedFileIsUpdatedWithADiff) {
  const std::string path = "/etc/apt/sources.list.d/cuda-ubuntu2204-x86_64.list";
  host.fs.add_file(path, std::string("deb ") + kCudaUri + " /\n");
  StepPlan p = plan(cuda_fields());
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Change::Action::Update);
  EXPECT_EQ(p.changes[0].detail, "--- " + path + "\n+++ " + path + "\n@@ -1 +1 @@\n-deb " + kCudaUri + " /\n+deb [signed-by=" +
                                     kCudaKeyring + "] " + kCudaUri + " /\n");
}

TEST_F(AptRepositoryTest, SameRepositoryElsewhereIsAWarning) {
  // NVIDIA's local repository file as its .deb writes it, and a deb822 file with the same entry.
  host.fs.add_file("/etc/apt/sources.list.d/cuda-ubuntu2204-12-2-local.list", fixture("cuda-ubuntu2204-12-2-local.list"));
  host.fs.add_file("/etc/apt/sources.list.d/other.sources",
                   "# comment\n\nTypes: deb\nURIs: file:///var/cuda-repo-ubuntu2204-12-2-local/\nSuites: /\n"
                   "Signed-By: /usr/share/keyrings/cuda-F73B257B-keyring.gpg\n");
  host.fs.add_file("/etc/apt/sources.list.d/disabled.sources",
                   "Types: deb\nURIs: file:///var/cuda-repo-ubuntu2204-12-2-local\nSuites: /\nEnabled: no\n");
  host.fs.add_file("/usr/share/keyrings/cuda-F73B257B-keyring.gpg", "k");
  const std::string base = "name: local\nuris: [file:///var/cuda-repo-ubuntu2204-12-2-local]\nsuites: [\"/\"]\n";
  StepPlan differ = plan(base + "signed_by: " + kCudaKeyring + "\n");
  const std::string conflict = "; with a different Signed-By apt fails with 'Conflicting values set for option Signed-By'";
  EXPECT_EQ(differ.warnings,
            (std::vector<std::string>{
                "file:///var/cuda-repo-ubuntu2204-12-2-local / is also in /etc/apt/sources.list.d/cuda-ubuntu2204-12-2-local.list:1" + conflict,
                "file:///var/cuda-repo-ubuntu2204-12-2-local/ / is also in /etc/apt/sources.list.d/other.sources:4" + conflict}));
  StepPlan same = plan(base + "signed_by: /usr/share/keyrings/cuda-F73B257B-keyring.gpg\n");
  ASSERT_EQ(same.warnings.size(), 2u);
  EXPECT_NE(same.warnings[0].find("apt warns that the target is configured multiple times"), std::string::npos);
  // A disabled step conflicts with nothing; another suite is another repository.
  EXPECT_TRUE(plan(base + "enabled: false\n").warnings.empty());
  EXPECT_TRUE(plan("name: local\nuris: [file:///var/cuda-repo-ubuntu2204-12-2-local]\nsuites: [jammy]\ncomponents: [main]\n")
                  .warnings.empty());
}

TEST_F(AptRepositoryTest, DistributionFilesAreSearchedToo) {
  host.fs.add_file("/etc/apt/sources.list", fixture("ubuntu-22.04-sources.list"));
  host.fs.add_file("/etc/apt/sources.list.d/ubuntu.sources", fixture("ubuntu-24.04-ubuntu.sources"));
  StepPlan p = plan("name: x\nuris: [http://archive.ubuntu.com/ubuntu]\nsuites: [noble-updates, jammy]\ncomponents: [main]\n");
  std::vector<std::string> where;
  for (const auto& w : p.warnings) where.push_back(w.substr(0, w.find(';')));
  const std::string jammy = "http://archive.ubuntu.com/ubuntu/ jammy is also in /etc/apt/sources.list:";
  // sources.list lines 3, 14 and 24 (the commented-out deb-src lines are not entries apt reads)
  EXPECT_EQ(where, (std::vector<std::string>{
                       jammy + "3", jammy + "14", jammy + "24",
                       "http://archive.ubuntu.com/ubuntu/ noble-updates is also in /etc/apt/sources.list.d/ubuntu.sources:3"}));
}

TEST_F(AptRepositoryTest, OwnFileIsNotADuplicate) {
  auto s = make_step(apt_repository_type(), cuda_fields());
  apply_and_expect_converged(*s, host);
  Context ctx = host.context();
  EXPECT_TRUE(s->plan(ctx).warnings.empty());
}

TEST_F(AptRepositoryTest, MissingKeyringIsAWarningUnlessAnEarlierStepMakesIt) {
  auto s = make_step(apt_repository_type(), "name: e\nuris: [https://e.example/apt]\nsuites: [\"/\"]\nsigned_by: /etc/apt/keyrings/e.gpg\n");
  Context ctx = host.context();
  EXPECT_EQ(s->plan(ctx).warnings,
            std::vector<std::string>{"signed_by keyring /etc/apt/keyrings/e.gpg does not exist and no earlier step creates "
                                     "it: apt will refuse the repository (NO_PUBKEY)"});
  ctx.pending["path:/etc/apt/keyrings/e.gpg"] = "e-key";
  EXPECT_TRUE(s->plan(ctx).warnings.empty());
}

TEST(AptRepositorySchema, FactoryRefusesBadFields) {
  const StepType t = apt_repository_type();
  const std::string ok = "uris: [https://e.example/apt]\nsuites: [\"/\"]\n";
  struct Case {
    std::string yaml, error;
  };
  std::vector<Case> cases = {
      {"name: a/b\n" + ok, "step 'x': name 'a/b' may only hold letters, digits, '_', '-' and '.' (apt ignores other file names)"},
      {"name: a\nuris: []\nsuites: [jammy]\ncomponents: [main]\n", "step 'x': uris must list at least one value"},
      {"name: a\nuris: [e.example/apt]\nsuites: [\"/\"]\n", "step 'x': 'e.example/apt' is not a URI (https://..., file:/...)"},
      {"name: a\nuris: [https://e/]\nsuites: [jammy]\n", "step 'x': components are required unless the suite is an exact path ('/')"},
      {"name: a\n" + ok + "components: [main]\n", "step 'x': a suite that is an exact path ('/') takes no components"},
      {"name: a\nuris: [https://e/]\nsuites: [\"/\", jammy]\ncomponents: [main]\n",
       "step 'x': mix of exact paths (ending in '/') and distribution suites; use two steps"},
      {"name: a\n" + ok + "types: [rpm]\n", "step 'x': type must be deb or deb-src, found 'rpm'"},
      {"name: a\n" + ok + "format: yaml\n", "step 'x': format must be deb822 or list, found 'yaml'"},
      {"name: a\n" + ok + "architectures: [\"amd64 arm64\"]\n", "step 'x': invalid architectures value 'amd64 arm64'"},
      {"name: a\n" + ok, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(build_error(t, c.yaml), c.error) << c.yaml;
}

}  // namespace
}  // namespace aiprov::steps
