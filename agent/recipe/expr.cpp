#include "aiprov/expr.hpp"

#include "recipe/expr_lexer.hpp"
#include "recipe/expr_node.hpp"

namespace aiprov {

using recipe::shift;
using recipe::Token;

namespace {

using NodePtr = std::shared_ptr<const Expr::Node>;
using Node = Expr::Node;

NodePtr make(Node::Kind kind, std::string text, std::size_t offset,
             std::vector<NodePtr> children = {}) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->text = std::move(text);
  n->offset = offset;
  n->children = std::move(children);
  return n;
}

class Parser {
 public:
  Parser(const std::string& text, const SourceLoc& loc)
      : m_tokens(recipe::tokenize(text, loc)), m_loc(loc) {}

  NodePtr parse() {
    if (peek().kind == Token::Kind::End) throw RecipeError(m_loc, "empty expression");
    NodePtr root = parse_or();
    if (peek().kind != Token::Kind::End) unexpected();
    return root;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
  }
  const Token& next() { return m_tokens[m_pos < m_tokens.size() - 1 ? m_pos++ : m_pos]; }
  bool is(Token::Kind kind, const char* text, std::size_t ahead = 0) const {
    return peek(ahead).kind == kind && peek(ahead).text == text;
  }
  [[noreturn]] void unexpected() const {
    const Token& t = peek();
    if (t.kind == Token::Kind::End)
      throw RecipeError(shift(m_loc, t.offset), "unexpected end of expression");
    std::string shown = t.kind == Token::Kind::String ? "'" + t.text + "'" : t.text;
    throw RecipeError(shift(m_loc, t.offset), "unexpected '" + shown + "' in expression");
  }
  void expect_punct(const char* p) {
    if (!is(Token::Kind::Punct, p)) {
      const Token& t = peek();
      std::string found = t.kind == Token::Kind::End ? "end of expression" : "'" + t.text + "'";
      throw RecipeError(shift(m_loc, t.offset),
                        std::string("expected '") + p + "' in expression, found " + found);
    }
    next();
  }

  NodePtr parse_or() {
    NodePtr lhs = parse_and();
    while (is(Token::Kind::Keyword, "or")) {
      std::size_t at = next().offset;
      lhs = make(Node::Kind::Or, "or", at, {lhs, parse_and()});
    }
    return lhs;
  }
  NodePtr parse_and() {
    NodePtr lhs = parse_not();
    while (is(Token::Kind::Keyword, "and")) {
      std::size_t at = next().offset;
      lhs = make(Node::Kind::And, "and", at, {lhs, parse_not()});
    }
    return lhs;
  }
  NodePtr parse_not() {
    if (is(Token::Kind::Keyword, "not")) {
      std::size_t at = next().offset;
      return make(Node::Kind::Not, "not", at, {parse_not()});
    }
    return parse_comparison();
  }
  NodePtr parse_comparison() {
    NodePtr lhs = parse_primary();
    if (peek().kind == Token::Kind::Operator || is(Token::Kind::Keyword, "in")) {
      const Token& op = next();
      return make(Node::Kind::Compare, op.text, op.offset, {lhs, parse_primary()});
    }
    if (is(Token::Kind::Keyword, "not") && is(Token::Kind::Keyword, "in", 1)) {
      std::size_t at = next().offset;
      next();
      return make(Node::Kind::Compare, "not in", at, {lhs, parse_primary()});
    }
    return lhs;
  }
  NodePtr parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Token::Kind::String:
      case Token::Kind::Number:
        next();
        return make(Node::Kind::Literal, t.text, t.offset);
      case Token::Kind::Identifier:
        next();
        return make(Node::Kind::Ident, t.text, t.offset);
      case Token::Kind::Keyword:
        if (t.text == "true" || t.text == "false") {
          next();
          return make(Node::Kind::Bool, t.text, t.offset);
        }
        break;
      case Token::Kind::Punct:
        if (t.text == "(") {
          next();
          NodePtr inner = parse_or();
          expect_punct(")");
          return inner;
        }
        if (t.text == "[") return parse_list();
        break;
      default:
        break;
    }
    unexpected();
  }
  NodePtr parse_list() {
    std::size_t at = next().offset;
    std::vector<NodePtr> items;
    if (!is(Token::Kind::Punct, "]")) {
      items.push_back(parse_primary());
      while (is(Token::Kind::Punct, ",")) {
        next();
        items.push_back(parse_primary());
      }
    }
    expect_punct("]");
    return make(Node::Kind::List, "[", at, std::move(items));
  }

  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  SourceLoc m_loc;
};

void collect_identifiers(const Node& n, std::vector<std::string>& out) {
  if (n.kind == Node::Kind::Ident) out.push_back(n.text);
  for (const auto& c : n.children) collect_identifiers(*c, out);
}

}  // namespace

Expr Expr::parse(const std::string& text, const SourceLoc& loc) {
  Expr e;
  e.m_root = Parser(text, loc).parse();
  e.m_text = text;
  e.m_loc = loc;
  return e;
}

std::vector<std::string> Expr::identifiers() const {
  std::vector<std::string> out;
  if (m_root) collect_identifiers(*m_root, out);
  return out;
}

}  // namespace aiprov
