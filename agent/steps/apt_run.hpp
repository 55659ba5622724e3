#pragma once
/// Running apt-get and reading what it prints: the environment of apt commands, the dpkg lock wait,
/// the machine-readable progress of APT::Status-Fd, and the parsers of `apt-get -s` (simulation),
/// apt-get's "unknown package" errors and `apt-cache policy`.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiprov/step.hpp"

namespace aiprov::steps::apt {

/// How long an apt step waits for a dpkg lock held by another process (`--apt-lock-timeout`);
/// default 600 s. Process-wide.
void set_apt_lock_timeout(std::chrono::seconds timeout);
std::chrono::seconds apt_lock_timeout();

/// The environment every apt-get / apt-cache / apt-mark / debconf-set-selections command gets:
/// DEBIAN_FRONTEND=noninteractive (no prompt can hang a run), NEEDRESTART_MODE=l (Ubuntu's needrestart
/// lists services instead of asking).
std::map<std::string, std::string> apt_env();

// --- simulation -----------------------------------------------------------------------------------

/// One line of `apt-get -s`: "Inst foo [old] (new Origin [arch])", "Remv foo [old]", "Purg foo [old]".
struct SimulatedAction {
  enum class Kind { Install, Upgrade, Downgrade, Reinstall, Remove, Purge };
  Kind kind = Kind::Install;
  std::string package;      ///< as apt prints it ("libc6:i386" for a foreign architecture)
  std::string old_version;  ///< the installed version, "" for a new package
  std::string new_version;  ///< the version apt would install, "" for removals
  bool operator==(const SimulatedAction&) const = default;
};

/// The Inst/Remv/Purg lines of `apt-get -s` output, in order (Conf lines carry nothing new).
std::vector<SimulatedAction> parse_simulation(std::string_view output);

/// "install foo 1.2-1", "upgrade foo 1.0-1 -> 1.2-1", "remove foo 1.0-1", ... for plans.
std::string describe(const SimulatedAction& action);

/// The packages apt-get could not resolve, from its error lines: "Unable to locate package X",
/// "Package 'X' has no installation candidate", "Version 'V' for 'X' was not found",
/// "Couldn't find any package by glob|regex 'X'". Names in order of appearance.
std::vector<std::string> unknown_packages(std::string_view output);

// --- apt-cache policy -----------------------------------------------------------------------------

struct Policy {
  std::string installed;  ///< "" for "(none)"
  std::string candidate;  ///< "" for "(none)"
};

/// `apt-cache policy NAME...` by package name. Packages apt does not know are absent.
std::map<std::string, Policy> parse_policy(std::string_view output);

// --- progress (APT::Status-Fd) --------------------------------------------------------------------

/// One status line: "pmstatus:PKG:PERCENT:MESSAGE", "dlstatus:ITEM:PERCENT:MESSAGE",
/// "pmerror:PKG:PERCENT:MESSAGE", "pmconffile:FILE:PERCENT:MESSAGE".
struct StatusLine {
  enum class Kind { Download, Package, Error, Conffile };
  Kind kind = Kind::Package;
  std::string subject;  ///< the package, conffile or download item
  double percent = 0;   ///< overall progress 0..100
  std::string message;
};

/// Parses one line (without its newline); nullopt for anything that is not a status line.
std::optional<StatusLine> parse_status_line(std::string_view line);

/// The progress text of a status line: "installing foo 42%", "removing foo 80%", "downloading 33%
/// (Retrieving file 2 of 3)", "running dpkg 0%". `verb` names the operation ("installing").
std::string progress_text(const StatusLine& status, const std::string& verb);

/// Cuts output chunks into lines: each complete line goes to `on_line` (without its newline).
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(std::string_view)> on_line) : m_on_line(std::move(on_line)) {}
  void feed(std::string_view chunk);
  /// Hands over a last line that had no newline.
  void finish();

 private:
  std::function<void(std::string_view)> m_on_line;
  std::string m_partial;
};

/// `output` without its status lines (for error messages).
std::string without_status_lines(std::string_view output);

// --- dpkg lock ------------------------------------------------------------------------------------

struct LockHolder {
  std::string path;     ///< the lock file (host path)
  pid_t pid = 0;        ///< -1 when the holder uses an open-file-description lock (no pid known)
  std::string command;  ///< /proc/PID/comm, "" when unknown
  /// "unattended-upgr (pid 1234)".
  std::string describe() const;
};

/// Who holds a write-conflicting fcntl lock on `host_path` (as apt and dpkg take them), or nullopt
/// when it is free or does not exist. Never takes the lock itself.
std::optional<LockHolder> lock_holder(const std::string& host_path);

/// The host paths of the dpkg locks of `fs`'s root: lock-frontend (apt) and lock (dpkg).
std::vector<std::string> dpkg_lock_paths(const FileSystem& fs);

/// Returns once none of `host_paths` is locked, polling every `poll`. While waiting, reports
/// "waiting for the dpkg lock held by unattended-upgr (pid 1234)" through `progress` (may be empty)
/// and once through spdlog::warn. Throws StepError naming the holder when `timeout` passes.
void wait_for_dpkg_lock(const std::vector<std::string>& host_paths, const std::string& step_id,
                        const std::function<void(const std::string&)>& progress, std::chrono::milliseconds timeout,
                        std::chrono::milliseconds poll = std::chrono::milliseconds(500));

/// Runs an apt command that changes the system: waits for the dpkg lock (apt_lock_timeout()), turns
/// its status lines into ctx.progress calls (`verb` as in progress_text), and returns its result when
/// it succeeded. Otherwise throws StepError "step 'ID': command `ARGV` exited N:\nTAIL" (status lines
/// left out of the tail).
ProcessResult run_apt(Context& ctx, const std::string& step_id, Command cmd, const std::string& verb);

}  // namespace aiprov::steps::apt
