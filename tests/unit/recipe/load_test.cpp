// load_recipe: top-level keys, includes, variable precedence, validation and positions.
#include <string>

#include <gtest/gtest.h>

#include "recipe_test_util.hpp"

namespace aiprov {
namespace {

using testing::echo;
using testing::load_error;
using testing::ScratchDir;
using testing::test_registry;

Recipe load(const std::string& path, LoadOptions options = {}) {
  static const Registry registry = test_registry();
  options.registry = &registry;
  return load_recipe(path, options);
}

std::vector<std::string> ids(const std::vector<StepDecl>& decls) {
  std::vector<std::string> out;
  for (const auto& d : decls) out.push_back(d.id);
  return out;
}

std::string step(const std::string& id, const std::string& text) {
  return "  - id: " + id + "\n    type: echo\n    text: " + text + "\n";
}

TEST(Load, ReadsStepsHandlersAndPositions) {
  ScratchDir dir;
  auto path = dir.write("main.yaml",
                        "aiprov: 1\n"
                        "name: ${who} workstation\n"
                        "vars:\n"
                        "  who: lab\n"
                        "steps:\n"
                        "  - id: motd\n"
                        "    type: echo\n"
                        "    description: the banner\n"
                        "    text: hello\n"
                        "    items: [a, b]\n"
                        "    env: {A: '1', B: two}\n"
                        "    flag: yes\n"
                        "    count: -3\n"
                        "    mode: '2770'\n"
                        "    tags: [base]\n"
                        "    notify: [reload]\n"
                        "    when: facts.os.id == 'ubuntu'\n"
                        "handlers:\n"
                        "  - id: reload\n"
                        "    type: echo\n"
                        "    text: reloading\n");
  Recipe r = load(path);
  EXPECT_EQ(r.name, "lab workstation");
  EXPECT_EQ(r.path, path);
  EXPECT_EQ(r.files, std::vector<std::string>{path});
  ASSERT_EQ(r.steps.size(), 1u);
  const StepDecl& s = r.steps[0];
  EXPECT_EQ(s.id, "motd");
  EXPECT_EQ(s.type, "echo");
  EXPECT_EQ(s.description, "the banner");
  EXPECT_EQ(s.file, path);
  EXPECT_EQ(s.loc.line, 6);
  EXPECT_EQ(s.loc.col, 5);
  EXPECT_EQ(s.notify, std::vector<std::string>{"reload"});
  EXPECT_EQ(s.tags, std::vector<std::string>{"base"});
  ASSERT_TRUE(s.when.has_value());
  EXPECT_EQ(s.when->text(), "facts.os.id == 'ubuntu'");
  const auto& e = echo(s);
  EXPECT_EQ(e.text, "hello");
  EXPECT_EQ(e.items, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(e.env, (std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "two"}}));
  EXPECT_TRUE(e.flag);
  EXPECT_EQ(e.count, -3);
  EXPECT_EQ(e.mode, 02770u);
  EXPECT_EQ(ids(r.handlers), std::vector<std::string>{"reload"});
  EXPECT_EQ(echo(r.handlers[0]).text, "reloading");
}

TEST(Load, IncludedStepsComeFirstInIncludeOrder) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude: [modules/a.yaml, modules/sub/b.yaml]\nsteps:\n" +
                                         step("main", "m"));
  dir.write("modules/a.yaml", "steps:\n" + step("a", "a") + "handlers:\n" + step("ha", "x"));
  dir.write("modules/sub/b.yaml", "aiprov: 1\ninclude: [../c.yaml]\nsteps:\n" + step("b", "b"));
  dir.write("modules/c.yaml", "steps:\n" + step("c", "c"));
  Recipe r = load(path);
  EXPECT_EQ(ids(r.steps), (std::vector<std::string>{"a", "c", "b", "main"}));
  EXPECT_EQ(ids(r.handlers), std::vector<std::string>{"ha"});
  EXPECT_EQ(r.steps[1].file, dir.path("modules/c.yaml"));
  EXPECT_EQ(r.files, (std::vector<std::string>{path, dir.path("modules/a.yaml"),
                                                dir.path("modules/sub/b.yaml"), dir.path("modules/c.yaml")}));
}

TEST(Load, AModuleIncludedTwiceIsReadOnce) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude: [a.yaml, b.yaml]\n");
  dir.write("a.yaml", "include: [common.yaml]\nsteps:\n" + step("a", "a"));
  dir.write("b.yaml", "include: [common.yaml]\nsteps:\n" + step("b", "b"));
  dir.write("common.yaml", "steps:\n" + step("common", "c"));
  EXPECT_EQ(ids(load(path).steps), (std::vector<std::string>{"common", "a", "b"}));
}

// Variable precedence: module default < including recipe < --var.
struct PrecedenceCase {
  bool recipe_sets;
  const char* cli;  ///< nullptr: no --var
  const char* expected;
};

class VarPrecedence : public ::testing::TestWithParam<PrecedenceCase> {};

TEST_P(VarPrecedence, ModuleDefaultRecipeThenVar) {
  const PrecedenceCase& c = GetParam();
  ScratchDir dir;
  std::string main = "aiprov: 1\ninclude: [mod.yaml]\n";
  if (c.recipe_sets) main += "vars:\n  mirror: recipe\n";
  auto path = dir.write("main.yaml", main);
  dir.write("mod.yaml", "vars:\n  mirror: module\n  url: http://${mirror}/\nsteps:\n" + step("s", "${url}"));
  LoadOptions options;
  if (c.cli) options.var_overrides["mirror"] = c.cli;
  Recipe r = load(path, options);
  EXPECT_EQ(r.vars.at("mirror").scalar, c.expected);
  EXPECT_EQ(echo(r.steps[0]).text, "http://" + std::string(c.expected) + "/");
}

INSTANTIATE_TEST_SUITE_P(Table, VarPrecedence,
                         ::testing::Values(PrecedenceCase{false, nullptr, "module"},
                                           PrecedenceCase{true, nullptr, "recipe"},
                                           PrecedenceCase{false, "cli", "cli"},
                                           PrecedenceCase{true, "cli", "cli"},
                                           PrecedenceCase{true, "${x}", "${x}"}));

TEST(Load, VarOverridesOfAListAreSplitAtCommas) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nvars:\n  users: [alice]\nsteps:\n" + step("s", "x") +
                                         "    items: ${users}\n");
  LoadOptions options;
  options.var_overrides["users"] = "bob,carol";
  options.var_overrides["extra"] = "new";
  Recipe r = load(path, options);
  EXPECT_EQ(echo(r.steps[0]).items, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(r.vars.at("extra").scalar, "new");
}

TEST(Load, InvalidVarOverrideName) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\n");
  LoadOptions options;
  options.var_overrides["bad-name"] = "x";
  EXPECT_EQ(load_error(path, options), "--var bad-name=x: invalid variable name 'bad-name'");
}

TEST(Load, WhenColumnsPointInsideQuotedAndBlockExpressions) {
  ScratchDir dir;
  auto quoted = dir.write("q.yaml", "aiprov: 1\nsteps:\n" + step("s", "x") +
                                        "    when: \"facts.os.id == 'ubuntu' and gpu_count\"\n");
  EXPECT_EQ(load_error(quoted), quoted + ":6:40: undefined variable 'gpu_count'");
  auto block = dir.write("b.yaml", "aiprov: 1\nsteps:\n" + step("s", "x") +
                                       "    when: >-\n      facts.os.id ==\n");
  EXPECT_EQ(load_error(block), block + ":7:21: unexpected end of expression");
  auto plain = dir.write("p.yaml", "aiprov: 1\nvars:\n  v: x\nsteps:\n" + step("s", "x") +
                                       "    when: v and facts.x or w\n");
  EXPECT_EQ(load_error(plain), plain + ":8:28: undefined variable 'w'");
}

TEST(Load, WhenMayUseVarsFromModulesAndVarOverrides) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude: [m.yaml]\nsteps:\n" + step("s", "x") +
                                         "    when: from_module and from_cli\n");
  dir.write("m.yaml", "vars:\n  from_module: yes\n");
  LoadOptions options;
  options.var_overrides["from_cli"] = "1";
  EXPECT_EQ(load_error(path, options), "");
}

TEST(Load, ErrorsNameTheIncludedFile) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude: [mods/m.yaml]\n");
  dir.write("mods/m.yaml", "steps:\n  - id: s\n    type: echo\n    txt: x\n");
  EXPECT_EQ(load_error(path),
            dir.path("mods/m.yaml") + ":4:5: unknown field 'txt' for step type 'echo' (did you mean 'text'?)");
}

TEST(Load, FactoryErrorsComeThrough) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nsteps:\n  - id: p\n    type: pair\n    a: x\n    b: y\n");
  EXPECT_EQ(load_error(path), path + ":5:8: step 'p': exactly one of 'a' or 'b' is required");
}

TEST(Load, AnyFieldTakesAnything) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nsteps:\n" + step("s", "x") + "    data: {a: [1, {b: c}]}\n");
  EXPECT_EQ(load_error(path), "");
}

TEST(Load, MissingTopRecipe) {
  ScratchDir dir;
  EXPECT_EQ(load_error(dir.path("nope.yaml")), dir.path("nope.yaml") + ": recipe file does not exist");
}

TEST(Load, NameDefaultsToEmptyAndModulesNeedNoVersion) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude: [m.yaml]\n");
  dir.write("m.yaml", "name: ignored\n");
  EXPECT_EQ(load(path).name, "");
}

}  // namespace
}  // namespace aiprov
