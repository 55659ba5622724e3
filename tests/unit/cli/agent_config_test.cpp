// agent.yaml: durations, defaults, relative recipe paths, and every mistake at file:line:col.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "aiprov/error.hpp"
#include "cli/agent_config.hpp"

namespace aiprov::cli::agent {
namespace {

using std::chrono::seconds;

TEST(AgentDuration, ParsesSecondsAndUnits) {
  struct Case {
    const char* text;
    long long secs;  // 0: rejected
  };
  const Case cases[] = {
      {"90", 90},     {"1", 1},       {"90s", 90},       {"15m", 900},  {"1h", 3600},  {"1d", 86400},
      {"1h30m", 5400}, {"2d3h4m5s", 183845}, {"0", 0},    {"0s", 0},     {"", 0},       {"1x", 0},
      {"h", 0},       {"1h30", 0},    {"30m1h", 0},      {"1h1h", 0},   {"-5", 0},     {"1.5h", 0},
      {" 1h", 0},     {"1H", 0},      {"99999999999999", 0},
  };
  for (const auto& c : cases) {
    auto got = parse_duration(c.text);
    if (c.secs == 0) {
      EXPECT_FALSE(got.has_value()) << "'" << c.text << "' parsed as " << got->count();
    } else {
      ASSERT_TRUE(got.has_value()) << c.text;
      EXPECT_EQ(got->count(), c.secs) << c.text;
    }
  }
}

TEST(AgentDuration, FormatsTheShortestWay) {
  EXPECT_EQ(format_duration(seconds(1)), "1s");
  EXPECT_EQ(format_duration(seconds(900)), "15m");
  EXPECT_EQ(format_duration(seconds(3600)), "1h");
  EXPECT_EQ(format_duration(seconds(5400)), "1h30m");
  EXPECT_EQ(format_duration(seconds(90061)), "1d1h1m1s");
  for (long long s : {1LL, 59LL, 61LL, 3599LL, 86399LL, 183845LL})
    EXPECT_EQ(parse_duration(format_duration(seconds(s)))->count(), s) << s;
}

TEST(AgentConfig, FullConfiguration) {
  Config c = parse_config(R"(recipes:
  - /srv/recipes/workstation.yaml
  - local/extra.yaml
interval: 15m
mode: correct
vars:
  mirror: http://mirror.example/ubuntu/
  gpus: 2
root: /srv/tree
lock_wait: 0
)", "/etc/aiprov/agent.yaml");
  ASSERT_EQ(c.recipes.size(), 2u);
  EXPECT_EQ(c.recipes[0], "/srv/recipes/workstation.yaml");
  EXPECT_EQ(c.recipes[1], "/etc/aiprov/local/extra.yaml");  // relative to the configuration's directory
  EXPECT_EQ(c.interval, seconds(900));
  EXPECT_EQ(c.mode, Mode::Correct);
  EXPECT_EQ(c.vars.at("mirror"), "http://mirror.example/ubuntu/");
  EXPECT_EQ(c.vars.at("gpus"), "2");
  EXPECT_EQ(c.root, "/srv/tree");
  EXPECT_EQ(c.lock_wait, seconds(0));
  EXPECT_EQ(c.file, "/etc/aiprov/agent.yaml");
}

TEST(AgentConfig, Defaults) {
  Config c = parse_config("recipes: /r.yaml\n", "/etc/aiprov/agent.yaml");
  EXPECT_EQ(c.recipes, std::vector<std::string>{"/r.yaml"});
  EXPECT_EQ(c.interval, seconds(3600));
  EXPECT_EQ(c.mode, Mode::Report);
  EXPECT_TRUE(c.vars.empty());
  EXPECT_FALSE(c.root.has_value());
  EXPECT_EQ(c.lock_wait, seconds(60));
  EXPECT_STREQ(mode_name(c.mode), "report");
  EXPECT_STREQ(mode_name(Mode::Correct), "correct");
}

/// The RecipeError's text for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "agent.yaml");
  } catch (const RecipeError& e) {
    return e.what();
  }
  return "";
}

TEST(AgentConfig, MistakesNameTheirPosition) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"recipes: [/r.yaml]\nmod: correct\n",
       "agent.yaml:2:1: unknown key 'mod' in the agent configuration (did you mean 'mode'?)"},
      {"recipes: [/r.yaml]\ninterval: 10x\n", "agent.yaml:2:11: 'interval' expects seconds"},
      {"recipes: [/r.yaml]\ninterval: 0\n", "agent.yaml:2:11: 'interval' expects seconds"},
      {"recipes: [/r.yaml]\ninterval: [1]\n", "agent.yaml:2:11: 'interval' expects seconds"},
      {"recipes: [/r.yaml]\nmode: corect\n",
       "agent.yaml:2:7: 'mode' expects report or correct, found 'corect' (did you mean 'correct'?)"},
      {"interval: 1h\n", "agent.yaml:1:1: 'recipes' is missing"},
      {"recipes: []\n", "agent.yaml:1:10: 'recipes' is empty"},
      {"recipes: {a: b}\n", "agent.yaml:1:10: 'recipes' expects a list of recipe paths, found a map"},
      {"recipes:\n  - /a.yaml\n  - [x]\n", "agent.yaml:3:5: 'recipes' expects a list of recipe paths, found a list"},
      {"recipes: [/r.yaml]\nvars:\n  a: [1]\n", "agent.yaml:3:6: variable 'a' in 'vars' expects a string"},
      {"recipes: [/r.yaml]\nvars: [a]\n", "agent.yaml:2:7: 'vars' expects a map"},
      {"recipes: [/r.yaml]\nroot: srv\n", "agent.yaml:2:7: 'root' must be an absolute path, found 'srv'"},
      {"recipes: [/r.yaml]\nlock_wait: soon\n", "agent.yaml:2:12: 'lock_wait' expects seconds"},
      {"recipes: [/r.yaml]\nrecipes: [/s.yaml]\n", "agent.yaml:2:1: duplicate key 'recipes'"},
      {"recipes: [/r.yaml\n", "agent.yaml:"},  // invalid YAML, at yaml-cpp's position
      {"- /r.yaml\n", "agent.yaml:1:1: the agent configuration must be a map"},
      {"", "agent.yaml:1:1: the agent configuration must be a map"},
  };
  for (const auto& c : cases) {
    std::string got = error_of(c.text);
    EXPECT_EQ(got.rfind(c.error, 0), 0u) << "for:\n" << c.text << "got: " << got << "\nwant: " << c.error;
  }
}

TEST(AgentConfig, LoadNamesAMissingFile) {
  try {
    load_config("/nonexistent/agent.yaml");
    FAIL() << "no error";
  } catch (const RecipeError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/agent.yaml: the agent configuration does not exist");
  }
}

TEST(AgentConfig, ThePackagedDefaultParses) {
  Config c = load_config(std::string(AIPROV_SOURCE_DIR) + "/packaging/agent.yaml");
  EXPECT_EQ(c.recipes, std::vector<std::string>{"/usr/share/aiprov/recipes/workstation.yaml"});
  EXPECT_EQ(c.interval, seconds(3600));
  EXPECT_EQ(c.mode, Mode::Report);
  EXPECT_FALSE(c.root.has_value());
}

}  // namespace
}  // namespace aiprov::cli::agent
