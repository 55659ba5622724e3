#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/expr.hpp"

namespace aiprov {
namespace {

ExprValue scalar(std::string s) {
  ExprValue v;
  v.kind = ExprValue::Kind::Scalar;
  v.scalar = std::move(s);
  return v;
}

ExprValue lookup(const std::string& name) {
  static const std::map<std::string, ExprValue> values = [] {
    std::map<std::string, ExprValue> m;
    m["mirror"] = scalar("http://mirror.example/ubuntu");
    m["empty"] = scalar("");
    m["zero"] = scalar("0");
    m["no"] = scalar("false");
    m["yes_text"] = scalar("yes");
    m["facts.os.id"] = scalar("ubuntu");
    m["facts.os.version_id"] = scalar("22.04");
    m["facts.gpu.count"] = scalar("2");
    m["facts.nvidia.driver"] = scalar("550.54.14");
    m["facts.cuda.version"] = scalar("12.4.99");
    ExprValue users;
    users.kind = ExprValue::Kind::List;
    users.list = {"alice", "bob"};
    m["users"] = users;
    ExprValue none;
    none.kind = ExprValue::Kind::List;
    m["nobody"] = none;
    ExprValue present;
    present.kind = ExprValue::Kind::Bool;
    present.boolean = true;
    m["facts.nvidia.present"] = present;
    return m;
  }();
  auto it = values.find(name);
  return it == values.end() ? ExprValue{} : it->second;
}

const SourceLoc kLoc{"r.yaml", 4, 11};

struct EvalCase {
  const char* text;
  bool expected;
};

class ExprEval : public ::testing::TestWithParam<EvalCase> {};

TEST_P(ExprEval, Evaluates) {
  const EvalCase& c = GetParam();
  Expr e = Expr::parse(c.text, kLoc);
  EXPECT_EQ(e.eval(lookup), c.expected) << c.text;
  EXPECT_EQ(e.text(), c.text);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExprEval,
    ::testing::Values(
        // truthiness of bare identifiers and literals
        EvalCase{"mirror", true}, EvalCase{"empty", false}, EvalCase{"zero", false},
        EvalCase{"no", false}, EvalCase{"yes_text", true}, EvalCase{"users", true},
        EvalCase{"nobody", false}, EvalCase{"facts.nvidia.present", true}, EvalCase{"true", true},
        EvalCase{"false", false}, EvalCase{"'x'", true}, EvalCase{"''", false},
        // comparisons
        EvalCase{"facts.os.id == 'ubuntu'", true}, EvalCase{"facts.os.id == \"debian\"", false},
        EvalCase{"facts.os.id != 'debian'", true}, EvalCase{"facts.gpu.count >= 1", true},
        EvalCase{"facts.gpu.count > 2", false}, EvalCase{"facts.gpu.count <= 2", true},
        EvalCase{"facts.gpu.count < 10", true}, EvalCase{"facts.os.version_id < 24.04", true},
        EvalCase{"facts.os.version_id >= '22.04'", true},
        EvalCase{"facts.os.version_id == 22.04", true},
        EvalCase{"facts.nvidia.driver >= 550.54", true},
        EvalCase{"facts.nvidia.driver < 550.54.15", true},
        EvalCase{"facts.cuda.version > '12.4'", true},
        EvalCase{"facts.nvidia.present == true", true},
        EvalCase{"facts.nvidia.present != false", true},
        // in / not in
        EvalCase{"facts.os.id in ['ubuntu', 'debian']", true},
        EvalCase{"facts.os.id in ['debian']", false}, EvalCase{"'bob' in users", true},
        EvalCase{"'carol' in users", false}, EvalCase{"'carol' not in users", true},
        EvalCase{"facts.os.version_id in [22.04, 24.04]", true},
        EvalCase{"'x' in []", false}, EvalCase{"users == ['alice', 'bob']", true},
        EvalCase{"users != ['alice']", true},
        // boolean operators and precedence: or < and < not < comparison
        EvalCase{"true or false and false", true}, EvalCase{"(true or false) and false", false},
        EvalCase{"not false and false", false}, EvalCase{"not (false and false)", true},
        EvalCase{"not facts.os.id == 'debian'", true}, EvalCase{"not not mirror", true},
        EvalCase{"empty or facts.gpu.count == 2", true},
        EvalCase{"facts.os.id == 'ubuntu' and facts.os.version_id >= 22.04 and users", true},
        // short circuit: the missing name on the right is never read
        EvalCase{"false and facts.missing == 1", false}, EvalCase{"true or facts.missing", true}));

TEST(Expr, IdentifiersListsEveryNameRead) {
  Expr e = Expr::parse("facts.os.id == 'ubuntu' and (mirror or not users) and 'a' in extra", kLoc);
  EXPECT_EQ(e.identifiers(), (std::vector<std::string>{"facts.os.id", "mirror", "users", "extra"}));
}

struct ErrorCase {
  const char* text;
  int col;  ///< expected column; the text starts at column 11
  const char* message;
};

class ExprParseError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExprParseError, PointsAtTheOffendingToken) {
  const ErrorCase& c = GetParam();
  try {
    Expr::parse(c.text, kLoc);
    FAIL() << "parsed: " << c.text;
  } catch (const RecipeError& e) {
    EXPECT_EQ(e.loc().file, "r.yaml");
    EXPECT_EQ(e.loc().line, 4);
    EXPECT_EQ(e.loc().col, c.col) << c.text;
    EXPECT_EQ(e.message(), c.message) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExprParseError,
    ::testing::Values(
        ErrorCase{"", 11, "empty expression"}, ErrorCase{"   ", 11, "empty expression"},
        ErrorCase{"a ==", 15, "unexpected end of expression"},
        ErrorCase{"a = b", 13, "unexpected '=' in expression (use '==' to compare)"},
        ErrorCase{"a ! b", 13, "unexpected '!' in expression (use 'not')"},
        ErrorCase{"a == 'b", 16, "unterminated string in expression"},
        ErrorCase{"(a == b", 18, "expected ')' in expression, found end of expression"},
        ErrorCase{"a == b)", 17, "unexpected ')' in expression"},
        ErrorCase{"a b", 13, "unexpected 'b' in expression"},
        ErrorCase{"a and or b", 17, "unexpected 'or' in expression"},
        ErrorCase{"a == b == c", 18, "unexpected '==' in expression"},
        ErrorCase{"[a, b", 16, "expected ']' in expression, found end of expression"},
        ErrorCase{"x in [a b]", 19, "expected ']' in expression, found 'b'"},
        ErrorCase{"a && b", 13, "unexpected '&' in expression"},
        ErrorCase{"a == 'x' 'y'", 20, "unexpected ''y'' in expression"},
        ErrorCase{"not", 14, "unexpected end of expression"},
        ErrorCase{"in users", 11, "unexpected 'in' in expression"}));

struct EvalErrorCase {
  const char* text;
  int col;
  const char* message;
};

class ExprEvalError : public ::testing::TestWithParam<EvalErrorCase> {};

TEST_P(ExprEvalError, NamesTheProblem) {
  const EvalErrorCase& c = GetParam();
  Expr e = Expr::parse(c.text, kLoc);
  try {
    e.eval(lookup);
    FAIL() << "evaluated: " << c.text;
  } catch (const RecipeError& err) {
    EXPECT_EQ(err.loc().col, c.col) << c.text;
    EXPECT_EQ(err.message(), c.message) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExprEvalError,
    ::testing::Values(
        EvalErrorCase{"facts.gpu.cont >= 1", 11, "undefined fact 'facts.gpu.cont'"},
        EvalErrorCase{"facts.os.id == 'ubuntu' and mirrr", 39, "undefined variable 'mirrr'"},
        EvalErrorCase{"1 < facts.nope", 15, "undefined fact 'facts.nope'"},
        EvalErrorCase{"'a' in mirror", 15, "the right side of 'in' must be a list"},
        EvalErrorCase{"users in users", 17, "the left side of 'in' must be a single value, found a list"},
        EvalErrorCase{"users < 'b'", 17, "'<' cannot compare lists"}));

struct VersionCase {
  const char* a;
  const char* b;
  int expected;  ///< -1, 0 or 1
};

class CompareVersions : public ::testing::TestWithParam<VersionCase> {};

int sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

TEST_P(CompareVersions, Orders) {
  const VersionCase& c = GetParam();
  EXPECT_EQ(sign(compare_versions(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
  EXPECT_EQ(sign(compare_versions(c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CompareVersions,
    ::testing::Values(
        VersionCase{"22.04", "24.04", -1}, VersionCase{"22.04", "22.04", 0},
        VersionCase{"550.54.14", "550.54", 1}, VersionCase{"550.54.14", "550.54.15", -1},
        VersionCase{"550.127.08", "550.54.14", 1}, VersionCase{"9", "10", -1},
        VersionCase{"2", "2", 0}, VersionCase{"007", "7", 0}, VersionCase{"-3", "2", -1},
        VersionCase{"-3", "-10", 1}, VersionCase{"12.4.99", "12.4", 1},
        VersionCase{"12.4", "12.4.0", -1}, VersionCase{"9.10", "9.9", 1},
        VersionCase{"12.4.131-1", "12.4.99-1", 1}, VersionCase{"1:2.3-1", "2.4-1", 1},
        VersionCase{"1:2.3-1", "1:2.3-2", -1}, VersionCase{"1.0~rc1", "1.0", -1},
        VersionCase{"2.0a", "2.0", 1}, VersionCase{"99999999999999999999", "100000000000000000000", -1},
        VersionCase{"1.5", "-2.5", 1}, VersionCase{"ubuntu", "debian", 1},
        VersionCase{"jammy", "jammy", 0}, VersionCase{"10", "abc", -1}));

}  // namespace
}  // namespace aiprov
