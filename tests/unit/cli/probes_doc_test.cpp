// The probe types in the generated reference: each has an example that loads as a recipe's
// `probes:` and a section of docs/steps.md.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "aiprov/recipe.hpp"
#include "cli/steps_doc.hpp"

namespace aiprov {
namespace {

TEST(ProbesDoc, EveryProbeTypeHasAnExampleThatValidates) {
  auto dir = std::filesystem::temp_directory_path() / "aiprov-probes-doc";
  std::filesystem::create_directories(dir);
  nlohmann::json facts = {{"os", {{"id", "ubuntu"}, {"codename", "jammy"}, {"version_id", "22.04"}}},
                          {"gpu", {{"count", 1}}}};
  ASSERT_FALSE(builtin_registry().probe_types().empty());
  for (const auto& t : builtin_registry().probe_types()) {
    SCOPED_TRACE(t.name);
    ASSERT_FALSE(t.example.empty());
    std::string body;
    std::istringstream ex(t.example);
    for (std::string line; std::getline(ex, line);) body += "  " + line + "\n";
    auto path = dir / ("probe-" + t.name + ".yaml");
    std::ofstream(path) << "aiprov: 1\nname: example\nprobes:\n" << body;
    LoadOptions lo;
    lo.facts = &facts;
    Recipe r = load_recipe(path.string(), lo);
    ASSERT_EQ(r.probes.size(), 1u);
    EXPECT_EQ(r.probes[0].type, t.name);
    ASSERT_NE(r.probes[0].probe, nullptr);
  }
  std::filesystem::remove_all(dir);
}

TEST(ProbesDoc, TheReferenceHasASectionPerProbeType) {
  std::string md = cli::steps_markdown(builtin_registry());
  auto probes = md.find("\n# Probe types\n");
  ASSERT_NE(probes, std::string::npos);
  for (const auto& t : builtin_registry().probe_types()) {
    EXPECT_NE(md.find("\n## probe " + t.name + "\n", probes), std::string::npos) << t.name;
    EXPECT_NE(md.find("](#probe-" + t.name + ")", probes), std::string::npos) << t.name;
  }
}

}  // namespace
}  // namespace aiprov
