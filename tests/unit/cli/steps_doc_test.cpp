#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "aiprov/recipe.hpp"
#include "cli/steps_doc.hpp"

namespace aiprov {
namespace {

TEST(StepsDoc, CommittedReferenceIsTheGeneratedOne) {
  std::ifstream in(std::string(AIPROV_SOURCE_DIR) + "/docs/steps.md");
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), cli::steps_markdown(builtin_registry()))
      << "docs/steps.md is stale: regenerate it with `aiprov steps --markdown > docs/steps.md`";
}

TEST(StepsDoc, EveryStepTypeHasAnExampleThatValidates) {
  auto dir = std::filesystem::temp_directory_path() / "aiprov-steps-doc";
  std::filesystem::create_directories(dir);
  nlohmann::json facts = {{"os", {{"id", "ubuntu"}, {"codename", "jammy"}, {"version_id", "22.04"}}},
                          {"kernel", "6.8.0-45-generic"}, {"arch", "amd64"}, {"gpu", {{"count", 1}}}};
  for (const auto& t : builtin_registry().types()) {
    SCOPED_TRACE(t.name);
    ASSERT_FALSE(t.example.empty());
    std::string body;
    std::istringstream ex(t.example);
    for (std::string line; std::getline(ex, line);) body += "  " + line + "\n";
    auto path = dir / (t.name + ".yaml");
    std::ofstream(path) << "aiprov: 1\nname: example\nsteps:\n" << body;
    std::ofstream(dir / "banner.txt") << "hello\n";  // for examples with `source: banner.txt`
    LoadOptions lo;
    lo.facts = &facts;
    lo.registry = &builtin_registry();
    Recipe r = load_recipe(path.string(), lo);
    ASSERT_EQ(r.steps.size(), 1u);
    EXPECT_EQ(r.steps[0].type, t.name);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aiprov
