#pragma once
/// chmod-style symbolic modes ("u=rwX,g=rwX,o=", "a+r", "g-w", "u+s,g+s", "=rx", "g=u") and the
/// mode they give an entry, with GNU chmod's semantics (gnulib modechange.c):
///   - clauses are [ugoa]*([-+=]([rwxXst]*|[ugo]))+, separated by commas;
///   - X sets execute only on directories and on entries that already have an execute bit (as the
///     mode stands when that operation is reached);
///   - s sets setuid for u and setgid for g (nothing for o); t sets sticky only for o (or a / none);
///   - a directory keeps its setuid/setgid bits unless the clause names them (u=rwx does not clear a
///     directory's setgid bit; g-s or g=rwx,g-s does);
///   - `=`, `+`, `-` with no who letters act on all bits. chmod would then leave alone the bits set
///     in the process umask; here the umask never applies, so a recipe means the same on every host.
/// Octal modes are not accepted: they cannot say "execute only where it already is".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiprov::steps {

class SymbolicMode {
 public:
  /// A parse failure: what was wrong and where (0-based offset into the text).
  struct Error {
    std::size_t offset = 0;
    std::string message;  ///< "unexpected 'q' at character 5: expected one of r, w, x, X, s, t, ..."
  };

  /// Parses `text`; nullopt with *error filled when it is not a symbolic mode.
  static std::optional<SymbolicMode> parse(std::string_view text, Error* error);

  /// The permission bits (07777) an entry with permission bits `mode` gets; `is_dir` as lstat says.
  unsigned apply(unsigned mode, bool is_dir) const;

  const std::string& text() const { return m_text; }

 private:
  enum class Flag { Ordinary, CopyExisting, XIfAnyX };
  struct Operation {
    char op = '=';
    Flag flag = Flag::Ordinary;
    unsigned affected = 0;   ///< bits selected by the who letters; 0: none given (all bits)
    unsigned value = 0;      ///< bits the permission letters name
    unsigned mentioned = 0;  ///< bits the clause names explicitly (keeps a directory's set-id bits)
  };

  std::string m_text;
  std::vector<Operation> m_ops;
};

}  // namespace aiprov::steps
