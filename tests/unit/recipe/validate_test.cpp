// Validation and positions: each broken recipe gives one exact "line:col: message".
#include <string>

#include <gtest/gtest.h>

#include "recipe_test_util.hpp"

namespace aiprov {
namespace {

using testing::load_error;
using testing::ScratchDir;

struct Case {
  const char* name;
  const char* yaml;
  const char* expected;  ///< "line:col: message" in main.yaml
};

class Validation : public ::testing::TestWithParam<Case> {};

TEST_P(Validation, ReportsTheMistakeWhereItIs) {
  const Case& c = GetParam();
  ScratchDir dir;
  auto path = dir.write("main.yaml", c.yaml);
  EXPECT_EQ(load_error(path), path + ":" + c.expected) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, Validation,
    ::testing::Values(
        Case{"yaml syntax", "aiprov: 1\nsteps:\n  - id: a\n   type: echo\n",
             "4:4: invalid YAML: end of sequence not found"},
        Case{"unclosed double quote", "aiprov: 1\nname: \"abc\n", "2:7: invalid YAML: end of quoted string not found"},
        Case{"unclosed single quote", "aiprov: 1\nname: 'it''s\n", "2:7: invalid YAML: end of quoted string not found"},
        Case{"unclosed quoted key", "aiprov: 1\nvars:\n  'a: b\n", "3:3: invalid YAML: end of quoted string not found"},
        Case{"two documents", "aiprov: 1\n---\nsteps: []\n",
             "3:1: a recipe file holds one YAML document, found 2"},
        Case{"not a map", "- a\n- b\n",
             "1:1: a recipe must be a map with keys such as 'aiprov' and 'steps', found a list"},
        Case{"no version", "steps: []\n",
             "1:1: missing 'aiprov: 1' (the recipe format version) at the top of the recipe"},
        Case{"version 2", "aiprov: 2\n", "1:9: unsupported recipe format '2' (this aiprov reads 'aiprov: 1')"},
        Case{"unknown top key", "aiprov: 1\nstpes: []\n", "2:1: unknown top-level key 'stpes' (did you mean 'steps'?)"},
        Case{"steps map", "aiprov: 1\nsteps:\n  id: a\n", "3:3: 'steps' must be a list of steps, found a map"},
        Case{"handlers scalar", "aiprov: 1\nhandlers: x\n", "2:11: 'handlers' must be a list of steps, found a string"},
        Case{"vars list", "aiprov: 1\nvars: [a]\n", "2:7: 'vars' must be a map of names to values, found a list"},
        Case{"include scalar", "aiprov: 1\ninclude: a.yaml\n",
             "2:10: 'include' must be a list of file names, found a string"},
        Case{"name list", "aiprov: 1\nname: [a]\n", "2:7: 'name' must be a string, found a list"},
        Case{"step scalar", "aiprov: 1\nsteps:\n  - echo\n",
             "3:5: a step must be a map with 'id' and 'type', found a string"},
        Case{"no id", "aiprov: 1\nsteps:\n  - type: echo\n    text: x\n", "3:5: step is missing required field 'id'"},
        Case{"id list", "aiprov: 1\nsteps:\n  - id: [a]\n    type: echo\n",
             "3:9: field 'id' expects a string, found a list"},
        Case{"no type", "aiprov: 1\nsteps:\n  - id: a\n    text: x\n", "3:5: step 'a' is missing required field 'type'"},
        Case{"unknown type close", "aiprov: 1\nsteps:\n  - id: a\n    type: ecko\n",
             "4:11: unknown step type 'ecko' (did you mean 'echo'?)"},
        Case{"unknown type far", "aiprov: 1\nsteps:\n  - id: a\n    type: docker\n",
             "4:11: unknown step type 'docker'"},
        Case{"unknown field", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    colour: red\n",
             "6:5: unknown field 'colour' for step type 'echo'"},
        Case{"missing field", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n",
             "3:5: step 'a' is missing required field 'text'"},
        Case{"list for string", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: [x]\n",
             "5:11: field 'text' of step 'a' expects a string, found a list"},
        Case{"null for string", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text:\n",
             "5:5: field 'text' of step 'a' expects a string, found null"},
        Case{"string for list", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    items: x\n",
             "6:12: field 'items' of step 'a' expects a list of strings, found a string"},
        Case{"map in list", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    items: [a, {b: c}]\n",
             "6:16: field 'items' of step 'a' expects a list of strings, found a map"},
        Case{"list for map", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    env: [a]\n",
             "6:10: field 'env' of step 'a' expects a map of strings, found a list"},
        Case{"bad bool", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    flag: maybe\n",
             "6:11: field 'flag' of step 'a' expects a boolean, found 'maybe'"},
        Case{"bad int", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    count: 1.5\n",
             "6:12: field 'count' of step 'a' expects an integer, found '1.5'"},
        Case{"bad mode", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    mode: '0o644'\n",
             "6:11: field 'mode' of step 'a' expects an octal mode such as '0644', found '0o644'"},
        Case{"bad tags", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    tags: base\n",
             "6:11: field 'tags' of step 'a' expects a list of strings, found a string"},
        Case{"notify no handler",
             "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    notify: [relaod]\n"
             "handlers:\n  - id: reload\n    type: echo\n    text: y\n",
             "6:14: step 'a' notifies unknown handler 'relaod' (did you mean 'reload'?)"},
        Case{"needs a step",
             "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n  - id: b\n    type: echo\n"
             "    text: x\n    needs: [a]\n",
             "9:13: step 'b' needs unknown handler 'a'"},
        Case{"when syntax", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    when: facts.os.id = 'x'\n",
             "6:23: unexpected '=' in expression (use '==' to compare)"},
        Case{"when unknown var", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    when: not cuda\n",
             "6:15: undefined variable 'cuda'"},
        Case{"when list", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    when: [a]\n",
             "6:11: field 'when' of step 'a' expects a string, found a list"}));

TEST(Validation, ClosedQuotesWithEscapesAreFine) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nname: \"a \\\" b\"\nvars:\n  'k': 'it''s'\n  d: \"x\\\\\"\n");
  EXPECT_EQ(load_error(path), "");
}

TEST(Validation, DuplicatesNameTheFirstPosition) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\n    text: y\n");
  EXPECT_EQ(load_error(path), path + ":6:5: duplicate key 'text' (first defined at " + path + ":5:5)");
  path = dir.write("ids.yaml", "aiprov: 1\nsteps:\n  - id: a\n    type: echo\n    text: x\nhandlers:\n  - id: a\n");
  EXPECT_EQ(load_error(path), path + ":7:9: duplicate step id 'a' (first defined at " + path + ":3:9)");
}

TEST(Validation, IncludeCycleAndMissingInclude) {
  ScratchDir dir;
  auto path = dir.write("main.yaml", "aiprov: 1\ninclude:\n  - a.yaml\n");
  dir.write("a.yaml", "include: [sub/b.yaml]\n");
  dir.write("sub/b.yaml", "include:\n  - ../a.yaml\n");
  EXPECT_EQ(load_error(path), dir.path("sub/b.yaml") + ":2:5: include cycle: " + dir.path("a.yaml") +
                                  " -> " + dir.path("sub/b.yaml") + " -> " + dir.path("a.yaml"));
  auto self = dir.write("self.yaml", "aiprov: 1\ninclude: [self.yaml]\n");
  EXPECT_EQ(load_error(self), self + ":2:11: include cycle: " + self + " -> " + self);
  dir.write("ok.yaml", "vars: {}\n");
  auto missing = dir.write("missing.yaml", "aiprov: 1\ninclude: [ok.yaml, nope.yaml]\n");
  EXPECT_EQ(load_error(missing),
            missing + ":2:20: included file '" + dir.path("nope.yaml") + "' does not exist");
}

}  // namespace
}  // namespace aiprov
