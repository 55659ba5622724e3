#pragma once
/// The `when:` expression language: ==, !=, <, <=, >, >= (version-aware when both sides look like
/// versions: "22.04" < "24.04", "550.54.14" >= "550.54"), and, or, not, parentheses, string and number
/// literals, `in` for lists ('x in ["a", "b"]' or 'x in some_list_var'), identifiers naming facts
/// (facts.os.id) or variables (vars by name).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aiprov/error.hpp"
#include "aiprov/value.hpp"

namespace aiprov {

/// What an identifier in an expression resolves to: a scalar, a list of scalars, or nothing.
struct ExprValue {
  enum class Kind { Missing, Scalar, List, Bool };
  Kind kind = Kind::Missing;
  std::string scalar;
  std::vector<std::string> list;
  bool boolean = false;
};

/// Resolves a dotted identifier ("facts.gpu.count", "mirror"); returns Kind::Missing when unknown.
using ExprLookup = std::function<ExprValue(const std::string&)>;

class Expr {
 public:
  /// Parses `text`; `loc` is where the text starts in the recipe (errors point into it).
  /// Throws RecipeError on a syntax error.
  static Expr parse(const std::string& text, const SourceLoc& loc);
  /// Evaluates to a truth value. An identifier that resolves to nothing is a RecipeError naming it.
  bool eval(const ExprLookup& lookup) const;
  /// The identifiers the expression reads (for validation of variable names).
  std::vector<std::string> identifiers() const;
  const std::string& text() const { return m_text; }

  struct Node;

 private:
  std::shared_ptr<const Node> m_root;
  std::string m_text;
  SourceLoc m_loc;
};

/// Compares two strings as versions when both are dotted numbers (optionally with suffixes such as
/// "12.4.99" or "1:2.3-1"), as numbers when both are numbers, else as strings. Returns <0, 0, >0.
int compare_versions(const std::string& a, const std::string& b);

}  // namespace aiprov
