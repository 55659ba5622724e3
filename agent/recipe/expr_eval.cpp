// Evaluation of `when:` expressions: truthiness, comparisons (compare_versions), `in`.
#include "aiprov/expr.hpp"

#include "recipe/expr_lexer.hpp"
#include "recipe/expr_node.hpp"

namespace aiprov {

using recipe::shift;

namespace {

using Node = Expr::Node;

class Evaluator {
 public:
  Evaluator(const ExprLookup& lookup, const SourceLoc& loc) : m_lookup(lookup), m_loc(loc) {}

  bool truth(const Node& n) const {
    switch (n.kind) {
      case Node::Kind::Not: return !truth(*n.children[0]);
      case Node::Kind::And: return truth(*n.children[0]) && truth(*n.children[1]);
      case Node::Kind::Or: return truth(*n.children[0]) || truth(*n.children[1]);
      case Node::Kind::Compare: return compare(n);
      default: break;
    }
    ExprValue v = value(n);
    switch (v.kind) {
      case ExprValue::Kind::Bool: return v.boolean;
      case ExprValue::Kind::List: return !v.list.empty();
      default: return !v.scalar.empty() && v.scalar != "false" && v.scalar != "0";
    }
  }

 private:
  ExprValue value(const Node& n) const {
    ExprValue v;
    switch (n.kind) {
      case Node::Kind::Literal:
        v.kind = ExprValue::Kind::Scalar;
        v.scalar = n.text;
        return v;
      case Node::Kind::Bool:
        v.kind = ExprValue::Kind::Bool;
        v.boolean = n.text == "true";
        return v;
      case Node::Kind::Ident:
        v = m_lookup(n.text);
        if (v.kind == ExprValue::Kind::Missing) {
          bool fact = n.text.rfind("facts.", 0) == 0;
          throw RecipeError(shift(m_loc, n.offset), std::string("undefined ") +
                                                        (fact ? "fact '" : "variable '") + n.text +
                                                        "'");
        }
        return v;
      case Node::Kind::List:
        v.kind = ExprValue::Kind::List;
        for (const auto& item : n.children) {
          ExprValue iv = value(*item);
          if (iv.kind == ExprValue::Kind::List)
            v.list.insert(v.list.end(), iv.list.begin(), iv.list.end());
          else
            v.list.push_back(text_of(iv));
        }
        return v;
      default:
        v.kind = ExprValue::Kind::Bool;
        v.boolean = truth(n);
        return v;
    }
  }
  static std::string text_of(const ExprValue& v) {
    if (v.kind == ExprValue::Kind::Bool) return v.boolean ? "true" : "false";
    return v.scalar;
  }
  static bool equal(const std::string& a, const std::string& b) { return compare_versions(a, b) == 0; }

  bool compare(const Node& n) const {
    ExprValue lhs = value(*n.children[0]);
    ExprValue rhs = value(*n.children[1]);
    const std::string& op = n.text;
    SourceLoc at = shift(m_loc, n.offset);
    if (op == "in" || op == "not in") {
      if (rhs.kind != ExprValue::Kind::List)
        throw RecipeError(at, "the right side of '" + op + "' must be a list");
      if (lhs.kind == ExprValue::Kind::List)
        throw RecipeError(at, "the left side of '" + op + "' must be a single value, found a list");
      bool found = false;
      for (const auto& item : rhs.list) found = found || equal(text_of(lhs), item);
      return op == "in" ? found : !found;
    }
    if (lhs.kind == ExprValue::Kind::List || rhs.kind == ExprValue::Kind::List) {
      if (op != "==" && op != "!=") throw RecipeError(at, "'" + op + "' cannot compare lists");
      bool same = lhs.kind == rhs.kind && lhs.list.size() == rhs.list.size();
      for (std::size_t i = 0; same && i < lhs.list.size(); ++i)
        same = equal(lhs.list[i], rhs.list[i]);
      return op == "==" ? same : !same;
    }
    int c = compare_versions(text_of(lhs), text_of(rhs));
    if (op == "==") return c == 0;
    if (op == "!=") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }

  const ExprLookup& m_lookup;
  SourceLoc m_loc;
};

}  // namespace

bool Expr::eval(const ExprLookup& lookup) const {
  if (!m_root) throw RecipeError(m_loc, "empty expression");
  return Evaluator(lookup, m_loc).truth(*m_root);
}

}  // namespace aiprov
