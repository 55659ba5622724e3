// Parsing and applying chmod-style symbolic modes; the rules follow gnulib's mode_compile and
// mode_adjust (what GNU chmod runs) with the umask taken as 0.

#include "steps/symbolic_mode.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

namespace aiprov::steps {
namespace {

constexpr unsigned kAllBits = 07777;
constexpr unsigned kRead = S_IRUSR | S_IRGRP | S_IROTH;
constexpr unsigned kWrite = S_IWUSR | S_IWGRP | S_IWOTH;
constexpr unsigned kExec = S_IXUSR | S_IXGRP | S_IXOTH;

std::string found(std::string_view text, std::size_t i) {
  if (i >= text.size()) return "the end of the mode";
  return "'" + std::string(1, text[i]) + "' at character " + std::to_string(i + 1);
}

bool is_op(char c) { return c == '=' || c == '+' || c == '-'; }

}  // namespace

std::optional<SymbolicMode> SymbolicMode::parse(std::string_view text, Error* error) {
  auto fail = [&](std::size_t offset, std::string message) -> std::optional<SymbolicMode> {
    if (error) *error = Error{offset, std::move(message)};
    return std::nullopt;
  };
  const std::string example = "e.g. 'u=rwX,g=rwX,o='";
  if (text.empty()) return fail(0, "the mode is empty: expected clauses such as " + example.substr(5));
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; }))
    return fail(0, "octal mode '" + std::string(text) + "' is not accepted here: write it symbolically, " + example +
                       " (X: execute only for directories and files that already have it)");

  SymbolicMode mode;
  mode.m_text = std::string(text);
  std::size_t i = 0;
  for (;;) {
    unsigned affected = 0;
    for (; i < text.size() && !is_op(text[i]); ++i) {
      switch (text[i]) {
        case 'u': affected |= S_ISUID | S_IRWXU; break;
        case 'g': affected |= S_ISGID | S_IRWXG; break;
        case 'o': affected |= S_ISVTX | S_IRWXO; break;
        case 'a': affected |= kAllBits; break;
        default:
          return fail(i, "unexpected " + found(text, i) + ": expected u, g, o or a, then =, + or - (" + example + ")");
      }
    }
    if (i >= text.size())
      return fail(i, "unexpected " + found(text, i) + ": expected =, + or - after the clause's u, g, o, a (" +
                         example + ")");
    while (i < text.size() && is_op(text[i])) {
      Operation op;
      op.op = text[i++];
      op.affected = affected;
      if (i < text.size() && (text[i] == 'u' || text[i] == 'g' || text[i] == 'o')) {
        op.flag = Flag::CopyExisting;
        op.value = text[i] == 'u' ? S_IRWXU : text[i] == 'g' ? S_IRWXG : S_IRWXO;
        ++i;
      } else {
        for (bool more = true; more && i < text.size(); ) {
          switch (text[i]) {
            case 'r': op.value |= kRead; break;
            case 'w': op.value |= kWrite; break;
            case 'x': op.value |= kExec; break;
            case 'X': op.flag = Flag::XIfAnyX; break;
            case 's': op.value |= S_ISUID | S_ISGID; break;
            case 't': op.value |= S_ISVTX; break;
            default: more = false; continue;
          }
          ++i;
        }
      }
      op.mentioned = affected ? affected & op.value : op.value;
      mode.m_ops.push_back(op);
    }
    if (i == text.size()) return mode;
    if (text[i] != ',')
      return fail(i, "unexpected " + found(text, i) +
                         ": expected r, w, x, X, s or t (or one of u, g, o alone), =, + or -, or ',' (" +
                         example + ")");
    ++i;
  }
}

unsigned SymbolicMode::apply(unsigned mode, bool is_dir) const {
  unsigned result = mode & kAllBits;
  for (const Operation& op : m_ops) {
    // A directory's set-id bits change only when the clause names them.
    unsigned omit = (is_dir ? S_ISUID | S_ISGID : 0u) & ~op.mentioned;
    unsigned value = op.value;
    switch (op.flag) {
      case Flag::Ordinary:
        break;
      case Flag::CopyExisting:
        value &= result;
        value |= ((value & kRead) ? kRead : 0u) | ((value & kWrite) ? kWrite : 0u) | ((value & kExec) ? kExec : 0u);
        break;
      case Flag::XIfAnyX:
        if ((result & kExec) || is_dir) value |= kExec;
        break;
    }
    value &= (op.affected ? op.affected : kAllBits) & ~omit;
    switch (op.op) {
      case '=': {
        unsigned preserved = (op.affected ? ~op.affected : 0u) | omit;
        result = (result & preserved) | value;
        break;
      }
      case '+': result |= value; break;
      case '-': result &= ~value; break;
    }
  }
  return result & kAllBits;
}

}  // namespace aiprov::steps
