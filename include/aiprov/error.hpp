#pragma once
/// Errors and exit codes. Predictable failures are values (StepPlan, ProcessResult); these exceptions
/// carry the rest to one place in cli::main, which maps them to the documented exit codes.

#include <stdexcept>
#include <string>
#include <utility>

namespace aiprov {

/// Documented process exit codes (see README "Exit codes" and aiprov(1)).
enum ExitCode : int {
  kExitOk = 0,             ///< success; for `plan --detailed-exitcode`: no changes
  kExitStepFailed = 1,     ///< a step failed or did not converge; a probe failed
  kExitChangesPending = 2, ///< `plan --detailed-exitcode` found changes (as terraform and puppet)
  kExitInvalid = 3,        ///< invalid recipe, invalid usage, refused confirmation
  kExitRebootRequired = 4, ///< a `reboot` step stopped the run: a checkpoint was written and the host
                           ///< reboots (or, with --no-reboot or under --root, waits for the user);
                           ///< `aiprov resume` goes on from the checkpoint
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

/// Thrown by a step's apply when the run cannot go on before the host reboots (the `reboot` step).
/// The engine stops the run there (the step's outcome is RebootPending, later steps NotRun) and the
/// CLI writes the checkpoint that `aiprov resume` reads.
class RebootRequired : public std::runtime_error {
 public:
  RebootRequired(std::string step_id, const std::string& reason, std::string trigger)
      : std::runtime_error(reason), m_step_id(std::move(step_id)), m_trigger(std::move(trigger)) {}
  const std::string& step_id() const { return m_step_id; }
  /// What made the reboot necessary ("nvidia-driver-550=550.127.08-0ubuntu1"): `aiprov resume`
  /// records it so the `reboot` step converges for exactly this trigger.
  const std::string& trigger() const { return m_trigger; }

 private:
  std::string m_step_id;
  std::string m_trigger;
};

/// Another run holds the lock.
class LockedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace aiprov
