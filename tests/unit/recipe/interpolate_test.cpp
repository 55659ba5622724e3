// ${...} interpolation and variables, through load_recipe with the test registry.
#include <string>

#include <gtest/gtest.h>

#include "recipe_test_util.hpp"

namespace aiprov {
namespace {

using testing::echo;
using testing::load_error;
using testing::ScratchDir;
using testing::test_registry;

const nlohmann::json kFacts = {
    {"os", {{"id", "ubuntu"}, {"codename", "jammy"}, {"version_id", "22.04"}}},
    {"gpu", {{"count", 2}, {"present", true}, {"names", {"L40", "L40"}}}},
    {"memory", {{"total_gib", 125.5}}},
};

Recipe load(const std::string& path, LoadOptions options = {}) {
  static const Registry registry = test_registry();
  options.registry = &registry;
  if (!options.facts) options.facts = &kFacts;
  return load_recipe(path, options);
}

std::string with_step(const std::string& vars, const std::string& fields) {
  return "aiprov: 1\nvars:\n" + vars + "steps:\n  - id: s\n    type: echo\n" + fields;
}

TEST(Interpolation, VariablesAndFactsInStrings) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step(
      "  mirror: http://mirror.example/ubuntu\n  suite: ${facts.os.codename}-updates\n",
      "    text: \"${mirror} ${suite} gpus=${facts.gpu.count} gpu=${facts.gpu.present} "
      "mem=${facts.memory.total_gib} home=$${HOME}\"\n"));
  Recipe r = load(path);
  EXPECT_EQ(echo(r.steps[0]).text,
            "http://mirror.example/ubuntu jammy-updates gpus=2 gpu=true mem=125.5 home=${HOME}");
  EXPECT_EQ(r.vars.at("suite").scalar, "jammy-updates");
}

TEST(Interpolation, WholeStringListVariableBecomesTheList) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step(
      "  users: [alice, bob]\n  more: [\"${facts.os.id}\", carol]\n",
      "    text: x\n    items: ${users}\n    env:\n      USERS: ${facts.os.id}\n"));
  Recipe r = load(path);
  EXPECT_EQ(echo(r.steps[0]).items, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.vars.at("more").list.at(0).scalar, "ubuntu");
  EXPECT_EQ(echo(r.steps[0]).env.at(0).second, "ubuntu");
}

TEST(Interpolation, ListReferencesInsideAListAreSpliced) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step("  users: [alice, bob]\n",
                                               "    text: x\n    items: [root, \"${users}\", \"${facts.gpu.names}\"]\n"));
  EXPECT_EQ(echo(load(path).steps[0]).items,
            (std::vector<std::string>{"root", "alice", "bob", "L40", "L40"}));
}

TEST(Interpolation, VariablesReferenceVariablesInAnyOrder) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step(
      "  url: ${base}/dists/${suite}\n  base: http://${host}/ubuntu\n  host: mirror.example\n"
      "  suite: ${facts.os.codename}\n",
      "    text: ${url}\n"));
  EXPECT_EQ(echo(load(path).steps[0]).text, "http://mirror.example/ubuntu/dists/jammy");
}

struct ErrorCase {
  const char* name;
  const char* vars;
  const char* fields;
  const char* expected;  ///< what(), relative to the scratch directory
};

class InterpolationError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(InterpolationError, IsARecipeErrorAtTheString) {
  const ErrorCase& c = GetParam();
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step(c.vars, c.fields));
  LoadOptions options;
  options.facts = &kFacts;
  std::string error = load_error(path, options);
  EXPECT_EQ(error, dir.path("") + c.expected) << c.name;
}

// Line 1 aiprov, 2 vars:, 3.. vars, then steps:, "- id: s", "type: echo", the fields.
INSTANTIATE_TEST_SUITE_P(
    Table, InterpolationError,
    ::testing::Values(
        ErrorCase{"undefined", "  mirror: x\n", "    text: ${mirrr}/ubuntu\n",
                  "main.yaml:7:11: undefined variable 'mirrr'"},
        ErrorCase{"undefined fact", "  mirror: x\n", "    text: ${facts.os.codenme}\n",
                  "main.yaml:7:11: undefined fact 'facts.os.codenme'"},
        ErrorCase{"fact map", "  mirror: x\n", "    text: ${facts.os}\n",
                  "main.yaml:7:11: fact 'facts.os' is a map, not a value"},
        ErrorCase{"unterminated", "  mirror: x\n", "    text: \"${mirror\"\n",
                  "main.yaml:7:11: unterminated '${' in '${mirror'"},
        ErrorCase{"bad name", "  mirror: x\n", "    text: ${mir ror}\n",
                  "main.yaml:7:11: invalid reference '${mir ror}'"},
        ErrorCase{"list in string", "  users: [a]\n", "    text: users=${users}\n",
                  "main.yaml:7:11: '${users}' is a list and cannot be part of a longer string"},
        ErrorCase{"undefined in var", "  url: http://${hots}/\n", "    text: ${url}\n",
                  "main.yaml:3:8: undefined variable 'hots'"},
        ErrorCase{"unused var is checked too", "  url: http://${hots}/\n", "    text: x\n",
                  "main.yaml:3:8: undefined variable 'hots'"},
        ErrorCase{"cycle", "  a: ${b}\n  b: x${a}\n", "    text: x\n",
                  "main.yaml:4:6: variable cycle: a -> b -> a"},
        ErrorCase{"list var in list field element of map", "  users: [a]\n",
                  "    text: x\n    env:\n      U: ${users}\n",
                  "main.yaml:9:10: field 'env' of step 's' expects a map of strings, found a list"},
        ErrorCase{"list var where a string belongs", "  users: [a]\n", "    text: ${users}\n",
                  "main.yaml:7:11: field 'text' of step 's' expects a string, found a list"},
        ErrorCase{"bad var name", "  cuda-version: x\n", "    text: x\n",
                  "main.yaml:3:3: invalid variable name 'cuda-version' (letters, digits and '_', "
                  "not starting with a digit)"},
        ErrorCase{"map var", "  m: {a: b}\n", "    text: x\n",
                  "main.yaml:3:6: variable 'm' must be a string or a list of strings, found a map"}));

TEST(Interpolation, WithoutFactsEveryFactIsUndefined) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step("  a: x\n", "    text: ${facts.os.id}\n"));
  EXPECT_EQ(load_error(path), path + ":7:11: undefined fact 'facts.os.id'");
}

TEST(Interpolation, WhenIsNotInterpolated) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", with_step("  a: x\n", "    text: y\n    when: \"a == '${a}'\"\n"));
  Recipe r = load(path);
  ASSERT_TRUE(r.steps[0].when.has_value());
  EXPECT_EQ(r.steps[0].when->text(), "a == '${a}'");
}

}  // namespace
}  // namespace aiprov
