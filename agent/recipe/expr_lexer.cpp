#include "recipe/expr_lexer.hpp"

#include <cctype>

namespace aiprov::recipe {

namespace {
bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool number_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '~' || c == ':';
}
bool is_keyword(const std::string& w) {
  return w == "and" || w == "or" || w == "not" || w == "in" || w == "true" || w == "false";
}
}  // namespace

SourceLoc shift(const SourceLoc& loc, std::size_t offset) {
  SourceLoc out = loc;
  if (out.line > 0) out.col += static_cast<int>(offset);
  return out;
}

std::vector<Token> tokenize(const std::string& text, const SourceLoc& loc) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (ident_start(c)) {
      std::size_t j = i;
      // Dotted segments after the first may start with a digit: facts.gpu.devices.0.name.
      while (j < text.size() && (ident_char(text[j]) ||
                                 (text[j] == '.' && j + 1 < text.size() && ident_char(text[j + 1]))))
        ++j;
      t.text = text.substr(i, j - i);
      t.kind = is_keyword(t.text) ? Token::Kind::Keyword : Token::Kind::Identifier;
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < text.size() && number_char(text[j])) ++j;
      t.kind = Token::Kind::Number;
      t.text = text.substr(i, j - i);
      i = j;
    } else if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      std::string value;
      while (j < text.size() && text[j] != c) {
        if (c == '"' && text[j] == '\\' && j + 1 < text.size()) ++j;
        value += text[j++];
      }
      if (j >= text.size()) throw RecipeError(shift(loc, i), "unterminated string in expression");
      t.kind = Token::Kind::String;
      t.text = value;
      i = j + 1;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      bool eq_next = i + 1 < text.size() && text[i + 1] == '=';
      if ((c == '=' || c == '!') && !eq_next) {
        throw RecipeError(shift(loc, i), std::string("unexpected '") + c + "' in expression" +
                                             (c == '=' ? " (use '==' to compare)" : " (use 'not')"));
      }
      t.kind = Token::Kind::Operator;
      t.text = text.substr(i, eq_next ? 2 : 1);
      i += t.text.size();
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
      t.kind = Token::Kind::Punct;
      t.text = std::string(1, c);
      ++i;
    } else {
      throw RecipeError(shift(loc, i), std::string("unexpected '") + c + "' in expression");
    }
    tokens.push_back(std::move(t));
  }
  Token end;
  end.offset = text.size();
  tokens.push_back(end);
  return tokens;
}

}  // namespace aiprov::recipe
