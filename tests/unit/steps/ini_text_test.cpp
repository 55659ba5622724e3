// ini_set / ini_get: table-driven over pip.conf-style texts.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "steps/ini_text.hpp"

namespace aiprov::steps {
namespace {

struct IniCase {
  const char* name;
  std::string before;
  std::vector<IniSetting> settings;
  std::string after;
};

const IniSetting kIndex{"global", "index-url", "https://mirror.example/simple"};
const IniSetting kTrusted{"install", "trusted-host", "mirror.example"};

std::vector<IniCase> cases() {
  return {
      {"empty_file", "", {kIndex, kTrusted},
       "[global]\nindex-url = https://mirror.example/simple\n\n[install]\ntrusted-host = mirror.example\n"},
      {"already_set_is_byte_identical",
       "[global]\nindex-url=https://mirror.example/simple\n# no newline at end", {kIndex},
       "[global]\nindex-url=https://mirror.example/simple\n# no newline at end"},
      {"replace_keeps_spaced_style", "[global]\nindex-url = https://pypi.org/simple\ntimeout = 60\n", {kIndex},
       "[global]\nindex-url = https://mirror.example/simple\ntimeout = 60\n"},
      {"replace_keeps_bare_style", "[global]\nindex-url=https://pypi.org/simple\n", {kIndex},
       "[global]\nindex-url=https://mirror.example/simple\n"},
      {"replace_keeps_colon_and_odd_spacing", "[global]\nindex-url:   https://pypi.org/simple\n", {kIndex},
       "[global]\nindex-url:   https://mirror.example/simple\n"},
      {"key_compares_case_insensitively", "[global]\nIndex-URL = old\n", {kIndex},
       "[global]\nIndex-URL = https://mirror.example/simple\n"},
      {"missing_key_goes_to_end_of_section_before_blank_and_comment",
       "# pip config\n[global]\ntimeout = 60\n\n# install options\n[install]\nuser = false\n", {kIndex, kTrusted},
       "# pip config\n[global]\ntimeout = 60\nindex-url = https://mirror.example/simple\n\n# install options\n"
       "[install]\nuser = false\ntrusted-host = mirror.example\n"},
      {"missing_section_appended_after_blank_line", "[global]\ntimeout=60", {kTrusted},
       "[global]\ntimeout=60\n\n[install]\ntrusted-host=mirror.example\n"},
      {"comments_and_blank_lines_kept",
       "; managed by hand\n\n[global]\n# the mirror\nindex-url = old  \n\n\n[list]\nformat = columns\n", {kIndex},
       "; managed by hand\n\n[global]\n# the mirror\nindex-url = https://mirror.example/simple\n\n\n[list]\n"
       "format = columns\n"},
      {"continuation_lines_replaced",
       "[global]\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\ntimeout = 5\n",
       {{"global", "extra-index-url", "https://c.example/simple"}},
       "[global]\nextra-index-url = https://c.example/simple\ntimeout = 5\n"},
      {"multi_line_value_written_as_continuation", "[global]\n",
       {{"global", "extra-index-url", "https://a.example\nhttps://b.example"}},
       "[global]\nextra-index-url = https://a.example\n    https://b.example\n"},
      {"empty_value_gains_a_space", "[global]\nindex-url =\n", {kIndex},
       "[global]\nindex-url = https://mirror.example/simple\n"},
      {"section_header_with_spaces", "[ global ]\nindex-url = old\n", {kIndex},
       "[ global ]\nindex-url = https://mirror.example/simple\n"},
      {"empty_section_gets_key_after_header", "[global]\n\n[install]\nuser = false\n", {kIndex},
       "[global]\nindex-url = https://mirror.example/simple\n\n[install]\nuser = false\n"},
      {"same_key_in_other_section_untouched", "[install]\nindex-url = other\n", {kIndex},
       "[install]\nindex-url = other\n\n[global]\nindex-url = https://mirror.example/simple\n"},
  };
}

class IniSetTest : public ::testing::TestWithParam<IniCase> {};

TEST_P(IniSetTest, Edits) {
  const IniCase& c = GetParam();
  std::string after = ini_set(c.before, c.settings);
  EXPECT_EQ(after, c.after);
  // Applying again changes nothing, and every setting reads back.
  EXPECT_EQ(ini_set(after, c.settings), after);
  for (const auto& s : c.settings) EXPECT_EQ(ini_get(after, s.section, s.key), s.value) << s.key;
}

INSTANTIATE_TEST_SUITE_P(PipConf, IniSetTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<IniCase>& info) { return info.param.name; });

TEST(IniTextTest, ParseSetting) {
  auto s = parse_ini_setting("global.index-url", "u");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->section, "global");
  EXPECT_EQ(s->key, "index-url");
  auto dotted = parse_ini_setting("install.trusted.host", "h");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->section, "install");
  EXPECT_EQ(dotted->key, "trusted.host");
  EXPECT_FALSE(parse_ini_setting("nodot", "v"));
  EXPECT_FALSE(parse_ini_setting(".key", "v"));
  EXPECT_FALSE(parse_ini_setting("section.", "v"));
}

TEST(IniTextTest, GetMissing) {
  EXPECT_FALSE(ini_get("[global]\na = 1\n", "global", "b"));
  EXPECT_FALSE(ini_get("[global]\na = 1\n", "other", "a"));
  EXPECT_EQ(ini_get("[global]\na = 1\n", "global", "a"), "1");
}

}  // namespace
}  // namespace aiprov::steps
