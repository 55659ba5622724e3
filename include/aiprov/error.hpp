#pragma once
/// Errors and exit codes. Predictable failures are values (StepPlan, ProcessResult); these exceptions
/// carry the rest to one place in cli::main, which maps them to the documented exit codes.

#include <stdexcept>
#include <string>

namespace aiprov {

/// Documented process exit codes (see README "Exit codes" and aiprov(1)).
enum ExitCode : int {
  kExitOk = 0,             ///< success; for `plan --detailed-exitcode`: no changes
  kExitStepFailed = 1,     ///< a step failed or did not converge; a probe failed
  kExitChangesPending = 2, ///< `plan --detailed-exitcode` found changes (as terraform and puppet)
  kExitInvalid = 3,        ///< invalid recipe, invalid usage, refused confirmation
  kExitRebootRequired = 4, ///< a step needs a reboot before the run can go on
  kExitLocked = 5,         ///< another run holds the lock
  kExitInternal = 70,      ///< an unexpected internal error (EX_SOFTWARE)
};

/// A position in a recipe file. line and col are 1-based; 0 means unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;
  /// "file:line:col", or "file" when the position is unknown.
  std::string str() const {
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(col);
  }
};

/// A mistake in a recipe (or in --var / --only values): "file:line:col: message".
class RecipeError : public std::runtime_error {
 public:
  RecipeError(SourceLoc loc, const std::string& message)
      : std::runtime_error(loc.file.empty() ? message : loc.str() + ": " + message),
        m_loc(std::move(loc)), m_message(message) {}
  const SourceLoc& loc() const { return m_loc; }
  const std::string& message() const { return m_message; }

 private:
  SourceLoc m_loc;
  std::string m_message;
};

/// Invalid command-line usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failure of the host seams (I/O error, exec failure). Names the path or command.
class HostError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A step that cannot be planned or applied. Names the step; the message names the command or file
/// and includes the tail of its output.
class StepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Another run holds the lock.
class LockedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace aiprov
