#pragma once
/// Tokens of the `when:` expression language. Internal to the recipe layer (the loader reads the
/// identifiers' positions to report undefined variables where they are written).

#include <cstddef>
#include <string>
#include <vector>

#include "aiprov/error.hpp"

namespace aiprov::recipe {

struct Token {
  enum class Kind {
    Identifier,  ///< a dotted name: facts.os.id, mirror
    Keyword,     ///< and, or, not, in, true, false
    String,      ///< '...' or "..." (text holds the unquoted value)
    Number,      ///< 2, 22.04, 550.54.14 (text as written)
    Operator,    ///< == != < <= > >=
    Punct,       ///< ( ) [ ] ,
    End,
  };
  Kind kind = Kind::End;
  std::string text;
  std::size_t offset = 0;  ///< 0-based offset in the expression text
};

/// `loc` moved right by `offset` characters (errors inside a one-line expression).
SourceLoc shift(const SourceLoc& loc, std::size_t offset);

/// Splits `text` into tokens ending with one End token. Throws RecipeError (at `loc` shifted to the
/// offending character) on an unterminated string or a character the language does not have.
std::vector<Token> tokenize(const std::string& text, const SourceLoc& loc);

}  // namespace aiprov::recipe
