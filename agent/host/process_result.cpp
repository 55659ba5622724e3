// ProcessResult::tail: the end of a command's output for error messages.

#include <string>

#include "aiprov/host.hpp"

namespace aiprov {

std::string ProcessResult::tail(int lines) const {
  if (lines <= 0 || output.empty()) return "";
  std::size_t end = output.size();
  if (output.back() == '\n') --end;  // a final newline does not start another line
  std::size_t pos = end;
  int seen = 0;
  while (pos > 0) {
    if (output[pos - 1] == '\n' && ++seen == lines) break;
    --pos;
  }
  return output.substr(pos);
}

}  // namespace aiprov
