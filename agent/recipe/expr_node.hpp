#pragma once
/// The syntax tree of a `when:` expression, shared by the parser (expr.cpp) and the evaluator
/// (expr_eval.cpp). Internal to the recipe layer.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "aiprov/expr.hpp"

namespace aiprov {

struct Expr::Node {
  enum class Kind { Literal, Bool, Ident, List, Not, And, Or, Compare };
  Kind kind = Kind::Literal;
  std::string text;  ///< literal value, identifier name or operator
  std::size_t offset = 0;
  std::vector<std::shared_ptr<const Node>> children;
};

}  // namespace aiprov
