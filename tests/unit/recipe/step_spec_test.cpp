// StepSpec accessors, scalar rules, the registry and lookup_fact.
#include <string>

#include <gtest/gtest.h>

#include "aiprov/recipe.hpp"
#include "aiprov/step.hpp"

namespace aiprov {
namespace {

Value field(const std::string& text, int col = 11) { return Value::make_scalar(text, SourceLoc{"r.yaml", 5, col}); }

StepSpec spec_with(const std::string& key, Value v) {
  Value body;
  body.kind = Value::Kind::Map;
  body.loc = SourceLoc{"r.yaml", 3, 5};
  body.map.emplace_back(key, std::move(v));
  return StepSpec("s", "t", body);
}

struct ModeCase {
  const char* text;
  std::optional<unsigned> expected;
};

class Mode : public ::testing::TestWithParam<ModeCase> {};

TEST_P(Mode, ParsesOctalOrFailsAtTheField) {
  const ModeCase& c = GetParam();
  StepSpec spec = spec_with("mode", field(c.text));
  if (c.expected) {
    EXPECT_EQ(spec.mode("mode"), c.expected) << c.text;
    return;
  }
  try {
    spec.mode("mode");
    FAIL() << "accepted " << c.text;
  } catch (const RecipeError& e) {
    EXPECT_EQ(e.what(), "r.yaml:5:11: field 'mode' of step 's' expects an octal mode such as '0644', found '" +
                            std::string(c.text) + "'");
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Mode,
                         ::testing::Values(ModeCase{"0644", 0644u}, ModeCase{"644", 0644u},
                                           ModeCase{"2770", 02770u}, ModeCase{"0755", 0755u},
                                           ModeCase{"000", 0u}, ModeCase{"7777", 07777u},
                                           ModeCase{"0o644", {}}, ModeCase{"64", {}},
                                           ModeCase{"0648", {}}, ModeCase{"07777", {}},
                                           ModeCase{"rw-r--r--", {}}, ModeCase{"", {}},
                                           ModeCase{" 644", {}}, ModeCase{"u+x", {}}));

struct BoolCase {
  const char* text;
  int expected;  ///< 0, 1, or -1 for an error
};

class Boolean : public ::testing::TestWithParam<BoolCase> {};

TEST_P(Boolean, TrueFalseYesNo) {
  const BoolCase& c = GetParam();
  StepSpec spec = spec_with("flag", field(c.text));
  if (c.expected >= 0) {
    EXPECT_EQ(spec.boolean("flag", c.expected == 0), c.expected == 1) << c.text;
  } else {
    EXPECT_THROW(spec.boolean("flag", false), RecipeError) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Boolean,
                         ::testing::Values(BoolCase{"true", 1}, BoolCase{"True", 1}, BoolCase{"yes", 1},
                                           BoolCase{"false", 0}, BoolCase{"no", 0}, BoolCase{"NO", 0},
                                           BoolCase{"1", -1}, BoolCase{"on", -1}, BoolCase{"", -1},
                                           BoolCase{"maybe", -1}));

TEST(StepSpec, IntegersAndFallbacks) {
  EXPECT_EQ(spec_with("n", field("42")).integer("n", 0), 42);
  EXPECT_EQ(spec_with("n", field("-7")).integer("n", 0), -7);
  EXPECT_EQ(spec_with("n", field("42")).integer("other", 9), 9);
  EXPECT_THROW(spec_with("n", field("4x")).integer("n", 0), RecipeError);
  EXPECT_THROW(spec_with("n", field("99999999999999999999999")).integer("n", 0), RecipeError);
  EXPECT_TRUE(spec_with("n", field("x")).boolean("b", true));
  EXPECT_EQ(spec_with("n", field("x")).mode("mode"), std::nullopt);
}

TEST(StepSpec, StringsListsAndMaps) {
  Value list;
  list.kind = Value::Kind::List;
  list.list = {field("a"), field("b")};
  StepSpec spec = spec_with("argv", list);
  EXPECT_EQ(spec.str_list("argv"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(spec.str_list("absent").empty());
  EXPECT_EQ(spec.opt_str("absent"), std::nullopt);
  EXPECT_TRUE(spec.has("argv"));
  EXPECT_FALSE(spec.has("absent"));
  try {
    spec.str("argv");
    FAIL();
  } catch (const RecipeError& e) {
    EXPECT_EQ(e.message(), "field 'argv' of step 's' expects a string, found a list");
  }
  try {
    spec.str("path");
    FAIL();
  } catch (const RecipeError& e) {
    EXPECT_STREQ(e.what(), "r.yaml:3:5: step 's' is missing required field 'path'");
  }
  Value map;
  map.kind = Value::Kind::Map;
  map.map = {{"K", field("v")}};
  EXPECT_EQ(spec_with("env", map).str_map("env"), (std::vector<std::pair<std::string, std::string>>{{"K", "v"}}));
}

TEST(StepSpec, FailPointsAtTheFieldOrTheStep) {
  StepSpec spec = spec_with("content", field("x", 14));
  try {
    spec.fail("content", "bad");
  } catch (const RecipeError& e) {
    EXPECT_STREQ(e.what(), "r.yaml:5:14: bad");
  }
  try {
    spec.fail("source", "missing");
  } catch (const RecipeError& e) {
    EXPECT_STREQ(e.what(), "r.yaml:3:5: missing");
  }
}

TEST(Registry, AddFindAndCommonFields) {
  Registry r;
  StepType t;
  t.name = "x";
  r.add(t);
  EXPECT_NE(r.find("x"), nullptr);
  EXPECT_EQ(r.find("y"), nullptr);
  EXPECT_THROW(r.add(t), std::logic_error);
  std::vector<std::string> names;
  for (const auto& f : Registry::common_fields()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "type", "when", "notify", "needs", "tags", "description"}));
  EXPECT_TRUE(Registry::common_fields()[0].required);
  EXPECT_TRUE(Registry::common_fields()[1].required);
  EXPECT_FALSE(Registry::common_fields()[2].required);
  EXPECT_STREQ(field_type_name(FieldType::StringList), "a list of strings");
  EXPECT_STREQ(field_type_name(FieldType::Bool), "a boolean");
}

TEST(LookupFact, DottedPathsAndArrayIndices) {
  nlohmann::json facts = {{"os", {{"codename", "noble"}}},
                          {"gpu", {{"count", 2}, {"devices", {{{"name", "L40"}}, {{"name", "T4"}}}}}}};
  ASSERT_NE(lookup_fact(facts, "os.codename"), nullptr);
  EXPECT_EQ(*lookup_fact(facts, "os.codename"), "noble");
  EXPECT_EQ(*lookup_fact(facts, "gpu.count"), 2);
  EXPECT_EQ(*lookup_fact(facts, "gpu.devices.1.name"), "T4");
  EXPECT_EQ(lookup_fact(facts, "gpu.devices.2.name"), nullptr);
  EXPECT_EQ(lookup_fact(facts, "gpu.devices.x"), nullptr);
  EXPECT_EQ(lookup_fact(facts, "os.codename.more"), nullptr);
  EXPECT_EQ(lookup_fact(facts, "os.id"), nullptr);
  EXPECT_EQ(lookup_fact(facts, ""), nullptr);
}

}  // namespace
}  // namespace aiprov
