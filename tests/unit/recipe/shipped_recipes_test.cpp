// The shipped recipes/workstation.yaml loads with the real step registry, and its variables follow
// the facts: NVIDIA's repository directory for the release and the architecture.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiprov/recipe.hpp"

namespace aiprov {
namespace {

nlohmann::json facts_for(const std::string& version_id, const std::string& arch, const std::string& cuda_arch) {
  std::string tag = "ubuntu" + version_id.substr(0, 2) + version_id.substr(3);
  return {{"os", {{"id", "ubuntu"}, {"version_id", version_id}, {"distro_tag", tag}, {"codename", "jammy"},
                  {"id_like", "debian"}, {"pretty_name", "Ubuntu"}}},
          {"arch", arch},
          {"cuda_arch", cuda_arch},
          {"gpu", {{"count", 1}, {"nvidia_count", 1}, {"devices", nlohmann::json::array()}}},
          {"nvidia", {{"present", false}}},
          {"secure_boot", "disabled"}};
}

std::string var(const Recipe& r, const std::string& name) {
  auto it = r.vars.find(name);
  return it == r.vars.end() ? "<unset>" : it->second.scalar;
}

TEST(ShippedRecipes, CudaRepositoryFollowsReleaseAndArchitecture) {
  const std::string path = std::string(AIPROV_SOURCE_DIR) + "/recipes/workstation.yaml";
  struct Case {
    const char* version_id;
    const char* arch;
    const char* cuda_arch;
    const char* url;
  };
  const Case cases[] = {
      {"22.04", "amd64", "x86_64", "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/"},
      {"24.04", "amd64", "x86_64", "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/x86_64/"},
      {"24.04", "arm64", "sbsa", "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/sbsa/"},
  };
  for (const auto& c : cases) {
    nlohmann::json facts = facts_for(c.version_id, c.arch, c.cuda_arch);
    LoadOptions options;
    options.facts = &facts;
    Recipe r = load_recipe(path, options);
    EXPECT_EQ(var(r, "cuda_repo_url"), c.url) << c.version_id << " " << c.arch;
    EXPECT_EQ(var(r, "cuda_keyring_url"), std::string(c.url) + "3bf863cc.pub");
  }
}

}  // namespace
}  // namespace aiprov
