// `probes:` in a recipe: parsed in include order with the common fields, validated against the
// registry's probe types with the same rules and messages as steps ("probe" in place of "step"),
// ids unique across steps, handlers and probes.
#include <string>

#include <gtest/gtest.h>

#include "recipe_test_util.hpp"

namespace aiprov {
namespace {

using testing::ScratchDir;

/// What the test probe's factory saw.
class CheckProbe : public Probe {
 public:
  explicit CheckProbe(const StepSpec& spec) : text(spec.str("text")), count(spec.integer("count", -1)) {}
  ProbeResult run(Context&) const override { return {}; }
  std::string text;
  long count;
};

const Registry& registry() {
  static const Registry r = [] {
    Registry reg = testing::test_registry();
    ProbeType check;
    check.name = "check";
    check.summary = "records its fields";
    check.fields = {{"text", FieldType::String, true, ""}, {"count", FieldType::Int, false, ""}};
    check.factory = [](const StepSpec& spec) { return std::make_unique<CheckProbe>(spec); };
    reg.add_probe(check);
    return reg;
  }();
  return r;
}

Recipe load(const std::string& path) {
  LoadOptions options;
  options.registry = &registry();
  return load_recipe(path, options);
}

std::string error_of(const std::string& path) {
  try {
    load(path);
  } catch (const RecipeError& e) {
    return e.what();
  }
  return "";
}

const CheckProbe& check(const ProbeDecl& decl) { return dynamic_cast<const CheckProbe&>(*decl.probe); }

TEST(Probes, ParsedWithCommonFieldsInIncludeOrder) {
  ScratchDir dir;
  dir.write("modules/gpu.yaml",
            "vars:\n  release: \"12.4\"\n"
            "probes:\n"
            "  - id: module-probe\n    type: check\n    text: from module\n");
  auto path = dir.write("main.yaml",
                        "aiprov: 1\n"
                        "include: [modules/gpu.yaml]\n"
                        "steps:\n"
                        "  - id: s\n    type: echo\n    text: x\n"
                        "probes:\n"
                        "  - id: cuda\n"
                        "    type: check\n"
                        "    description: the compiler\n"
                        "    text: release ${release}\n"
                        "    count: 3\n"
                        "    tags: [gpu, cuda]\n"
                        "    when: release == \"12.4\"\n");
  Recipe r = load(path);
  ASSERT_EQ(r.probes.size(), 2u);
  EXPECT_EQ(r.probes[0].id, "module-probe");
  EXPECT_EQ(r.probes[0].file, dir.path("modules/gpu.yaml"));
  const ProbeDecl& p = r.probes[1];
  EXPECT_EQ(p.id, "cuda");
  EXPECT_EQ(p.type, "check");
  EXPECT_EQ(p.description, "the compiler");
  EXPECT_EQ(p.tags, (std::vector<std::string>{"gpu", "cuda"}));
  ASSERT_TRUE(p.when);
  EXPECT_EQ(p.when->text(), "release == \"12.4\"");
  EXPECT_EQ(p.loc.line, 8);
  EXPECT_EQ(p.loc.col, 5);
  EXPECT_EQ(check(p).text, "release 12.4");
  EXPECT_EQ(check(p).count, 3);
  EXPECT_EQ(r.steps.size(), 1u);
}

TEST(Probes, EmptyOrNullListIsNoProbes) {
  ScratchDir dir;
  EXPECT_TRUE(load(dir.write("a.yaml", "aiprov: 1\nprobes:\n")).probes.empty());
  EXPECT_TRUE(load(dir.write("b.yaml", "aiprov: 1\nprobes: []\n")).probes.empty());
}

struct Case {
  const char* name;
  const char* yaml;
  const char* expected;  ///< "line:col: message" in main.yaml
};

class ProbeValidation : public ::testing::TestWithParam<Case> {};

TEST_P(ProbeValidation, ReportsTheMistakeWhereItIs) {
  const Case& c = GetParam();
  ScratchDir dir;
  auto path = dir.write("main.yaml", c.yaml);
  EXPECT_EQ(error_of(path), path + ":" + c.expected) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ProbeValidation,
    ::testing::Values(
        Case{"probes map", "aiprov: 1\nprobes:\n  id: a\n", "3:3: 'probes' must be a list of probes, found a map"},
        Case{"probe scalar", "aiprov: 1\nprobes:\n  - check\n",
             "3:5: a probe must be a map with 'id' and 'type', found a string"},
        Case{"no id", "aiprov: 1\nprobes:\n  - type: check\n    text: x\n", "3:5: probe is missing required field 'id'"},
        Case{"no type", "aiprov: 1\nprobes:\n  - id: a\n    text: x\n", "3:5: probe 'a' is missing required field 'type'"},
        Case{"unknown type close", "aiprov: 1\nprobes:\n  - id: a\n    type: chek\n",
             "4:11: unknown probe type 'chek' (did you mean 'check'?)"},
        Case{"a step type is not a probe type", "aiprov: 1\nprobes:\n  - id: a\n    type: echo\n    text: x\n",
             "4:11: unknown probe type 'echo'"},
        Case{"unknown field", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    txt: x\n",
             "5:5: unknown field 'txt' for probe type 'check' (did you mean 'text'?)"},
        Case{"notify is a step field", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: x\n    notify: [h]\n",
             "6:5: unknown field 'notify' for probe type 'check'"},
        Case{"missing field", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n",
             "3:5: probe 'a' is missing required field 'text'"},
        Case{"bad int", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: x\n    count: many\n",
             "6:12: field 'count' of probe 'a' expects an integer, found 'many'"},
        Case{"list for string", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: [x]\n",
             "5:11: field 'text' of probe 'a' expects a string, found a list"},
        Case{"when undefined variable", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: x\n"
                                        "    when: gpu_count > 1\n",
             "6:11: undefined variable 'gpu_count'"},
        Case{"undefined variable in a field", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: ${nope}\n",
             "5:11: undefined variable 'nope'"}));

TEST(Probes, IdsAreUniqueAcrossStepsHandlersAndProbes) {
  ScratchDir dir;
  auto step_dup = dir.write("s.yaml", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n"
                                      "probes:\n  - id: a\n    type: check\n    text: y\n");
  EXPECT_EQ(error_of(step_dup), step_dup + ":7:9: duplicate probe id 'a' (first defined at " + step_dup + ":3:9)");
  auto probe_dup = dir.write("p.yaml", "aiprov: 1\nprobes:\n  - id: a\n    type: check\n    text: x\n"
                                       "  - id: a\n    type: check\n    text: y\n");
  EXPECT_EQ(error_of(probe_dup), probe_dup + ":6:9: duplicate probe id 'a' (first defined at " + probe_dup + ":3:9)");
  auto handler_dup = dir.write("h.yaml", "aiprov: 1\nhandlers:\n  - id: h\n    type: echo\n    text: x\n"
                                         "probes:\n  - id: h\n    type: check\n    text: y\n");
  EXPECT_EQ(error_of(handler_dup),
            handler_dup + ":7:9: duplicate probe id 'h' (first defined at " + handler_dup + ":3:9)");
}

TEST(Probes, TheProbeFactorysOwnErrorsKeepTheirPosition) {
  Registry reg = testing::test_registry();
  ProbeType strict;
  strict.name = "strict";
  strict.fields = {{"path", FieldType::String, true, ""}};
  strict.factory = [](const StepSpec& spec) -> std::unique_ptr<Probe> {
    spec.fail("path", "probe '" + spec.id() + "': path must be absolute");
  };
  reg.add_probe(strict);
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nprobes:\n  - id: p\n    type: strict\n    path: rel\n");
  LoadOptions options;
  options.registry = &reg;
  try {
    load_recipe(path, options);
    FAIL() << "expected a RecipeError";
  } catch (const RecipeError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":5:11: probe 'p': path must be absolute");
  }
}

TEST(Probes, RegistryRefusesTwoProbeTypesOfOneName) {
  Registry reg;
  ProbeType t;
  t.name = "x";
  reg.add_probe(t);
  EXPECT_THROW(reg.add_probe(t), std::logic_error);
  EXPECT_NE(reg.find_probe("x"), nullptr);
  EXPECT_EQ(reg.find_probe("y"), nullptr);
  EXPECT_EQ(reg.find("x"), nullptr) << "probe types and step types are separate";
}

}  // namespace
}  // namespace aiprov
