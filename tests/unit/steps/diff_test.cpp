// unified_diff: table-driven against what GNU `diff -u` prints for the same inputs.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "steps/diff.hpp"

namespace aiprov {
namespace {

std::string lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line" + std::to_string(i) + "\n";
  return s;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

struct DiffCase {
  const char* name;
  std::string before;
  std::string after;
  bool before_exists;
  std::string expected;  // without the "--- / +++" headers unless noted
};

const std::string kHeader = "--- /etc/x\n+++ /etc/x\n";

std::vector<DiffCase> cases() {
  return {
      {"equal", "a\nb\n", "a\nb\n", true, ""},
      {"both_empty", "", "", false, ""},
      {"new_file", "", "a\nb\n", false, "@@ -0,0 +1,2 @@\n+a\n+b\n"},
      {"middle_change", lines(1, 10), replace(lines(1, 10), "line5\n", "LINE5\n"), true,
       "@@ -2,7 +2,7 @@\n line2\n line3\n line4\n-line5\n+LINE5\n line6\n line7\n line8\n"},
      {"far_apart_two_hunks", lines(1, 20),
       replace(replace(lines(1, 20), "line2\n", "two\n"), "line18\n", "eighteen\n"), true,
       "@@ -1,5 +1,5 @@\n line1\n-line2\n+two\n line3\n line4\n line5\n"
       "@@ -15,6 +15,6 @@\n line15\n line16\n line17\n-line18\n+eighteen\n line19\n line20\n"},
      {"gap_of_six_merges", lines(1, 12), replace(replace(lines(1, 12), "line2\n", "two\n"), "line9\n", "nine\n"),
       true,
       "@@ -1,12 +1,12 @@\n line1\n-line2\n+two\n line3\n line4\n line5\n line6\n line7\n line8\n-line9\n+nine\n"
       " line10\n line11\n line12\n"},
      {"gap_of_seven_splits", lines(1, 14),
       replace(replace(lines(1, 14), "line2\n", "two\n"), "line10\n", "ten\n"), true,
       "@@ -1,5 +1,5 @@\n line1\n-line2\n+two\n line3\n line4\n line5\n"
       "@@ -7,7 +7,7 @@\n line7\n line8\n line9\n-line10\n+ten\n line11\n line12\n line13\n"},
      {"newline_added_at_end", "a\nb", "a\nb\n", true, "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
      {"no_newline_on_both_sides", "a\nb", "a\nc", true,
       "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
      {"delete_all", "a\n", "", true, "@@ -1 +0,0 @@\n-a\n"},
      {"append", lines(1, 5), lines(1, 6), true, "@@ -3,3 +3,4 @@\n line3\n line4\n line5\n+line6\n"},
      {"insert_top", lines(1, 5), "zero\n" + lines(1, 5), true, "@@ -1,3 +1,4 @@\n+zero\n line1\n line2\n line3\n"},
      {"delete_middle", lines(1, 9), replace(lines(1, 9), "line5\n", ""), true,
       "@@ -2,7 +2,6 @@\n line2\n line3\n line4\n-line5\n line6\n line7\n line8\n"},
  };
}

class DiffTest : public ::testing::TestWithParam<DiffCase> {};

TEST_P(DiffTest, MatchesGnuDiff) {
  const DiffCase& c = GetParam();
  std::string header = c.before_exists ? kHeader : "--- /dev/null\n+++ /etc/x\n";
  std::string expected = c.expected.empty() ? "" : header + c.expected;
  EXPECT_EQ(unified_diff(c.before, c.after, "/etc/x", c.before_exists), expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, DiffTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<DiffCase>& info) { return info.param.name; });

TEST(DiffTest, LargeRewriteIsMinimal) {
  // Every other line changed in a 400-line file: each change is one '-' and one '+'.
  std::string before, after;
  for (int i = 0; i < 400; ++i) {
    before += "row " + std::to_string(i) + "\n";
    after += (i % 2 ? "ROW " : "row ") + std::to_string(i) + "\n";
  }
  std::string diff = unified_diff(before, after, "/big");
  int minus = 0, plus = 0;
  for (size_t pos = 0; (pos = diff.find('\n', pos)) != std::string::npos; ++pos) {
    if (diff.compare(pos + 1, 4, "-row") == 0) ++minus;
    if (diff.compare(pos + 1, 4, "+ROW") == 0) ++plus;
  }
  EXPECT_EQ(minus, 200);
  EXPECT_EQ(plus, 200);
}

TEST(DiffTest, WhollyRewrittenLargeFileFallsBackToDeleteAndInsert) {
  // 8,000 changed lines: past the edit-distance cap the middle is shown as deleted and re-inserted
  // (correct, not minimal) instead of taking time and memory that grow with the square of the size.
  std::string before = "header\n", after = "header\n";
  for (int i = 0; i < 8000; ++i) {
    before += "old line " + std::to_string(i) + "\n";
    after += "new line " + std::to_string(i) + "\n";
  }
  before += "footer\n";
  after += "footer\n";
  std::string d = unified_diff(before, after, "/big");
  EXPECT_EQ(d.rfind("--- /big\n+++ /big\n@@ -1,8002 +1,8002 @@\n header\n-old line 0\n", 0), 0u) << d.substr(0, 200);
  size_t minus = 0, plus = 0;
  for (size_t p = 0; (p = d.find("\n-old line ", p)) != std::string::npos; ++p) ++minus;
  for (size_t p = 0; (p = d.find("\n+new line ", p)) != std::string::npos; ++p) ++plus;
  EXPECT_EQ(minus, 8000u);
  EXPECT_EQ(plus, 8000u);
  EXPECT_NE(d.find("+new line 7999\n footer\n"), std::string::npos);
}

}  // namespace
}  // namespace aiprov
