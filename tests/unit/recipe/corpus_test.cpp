// The bad-recipe corpus (tests/bad-recipes, see its README.md): every case must fail to load with
// the built-in step types, with exactly the message and file:line:col in its expected.txt.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/recipe.hpp"

namespace aiprov {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(AIPROV_SOURCE_DIR) / "tests" / "bad-recipes";

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCorpus, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_expected(const fs::path& dir) {
  std::ifstream in(dir / "expected.txt");
  std::string line;
  std::getline(in, line);
  return line;
}

/// Loads main.yaml from inside the case directory, so that messages name files relative to it.
std::string load_error_in(const fs::path& dir) {
  static const nlohmann::json facts = {
      {"os", {{"id", "ubuntu"}, {"codename", "jammy"}, {"version_id", "22.04"}}},
      {"gpu", {{"count", 1}}},
  };
  fs::path saved = fs::current_path();
  fs::current_path(dir);
  std::string error;
  try {
    LoadOptions options;
    options.facts = &facts;
    load_recipe("main.yaml", options);
    error = "(loaded without error)";
  } catch (const RecipeError& e) {
    error = e.what();
  } catch (const std::exception& e) {
    error = std::string("(not a RecipeError) ") + e.what();
  }
  fs::current_path(saved);
  return error;
}

class BadRecipe : public ::testing::TestWithParam<std::string> {};

TEST_P(BadRecipe, FailsWithTheExpectedMessageAndPosition) {
  fs::path dir = kCorpus / GetParam();
  std::string expected = read_expected(dir);
  ASSERT_FALSE(expected.empty()) << dir << " has no expected.txt";
  EXPECT_EQ(load_error_in(dir), expected);
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadRecipe, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(BadRecipeCorpus, HasAtLeast45Cases) { EXPECT_GE(case_names().size(), 45u); }

}  // namespace
}  // namespace aiprov
