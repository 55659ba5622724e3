#pragma once
/// The engine: plans a loaded recipe against a host, applies an approved plan step by step, checks
/// that every changed step converged, runs notified handlers, refreshes apt's index after a sources
/// change, and records the run (lock, journal, backups).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/recipe.hpp"
#include "aiprov/step.hpp"

namespace aiprov {

/// --only / --skip: step ids or tags.
struct Selection {
  std::vector<std::string> only;
  std::vector<std::string> skip;
  /// True when the step passes the filters (handlers are always selected).
  bool selected(const StepDecl& decl) const;
};

struct PlannedStep {
  enum class Status { Converged, Changes, Skipped, Filtered };
  const StepDecl* decl = nullptr;
  Status status = Status::Converged;
  std::string why;  ///< Skipped: the `when` that was false; Filtered: the option that removed it
  StepPlan plan;
  bool handler = false;
  std::vector<std::string> notified_by;  ///< handlers: steps whose changes would notify it
};

/// A plan is a value: it can be printed, serialized, and applied as approved.
struct Plan {
  std::string recipe_name;
  std::string recipe_path;
  std::string root;
  std::vector<PlannedStep> steps;     ///< steps in run order, then notified handlers
  std::vector<std::string> overridden_facts;
  /// Steps with changes or whose outcome depends on an earlier change (handlers included).
  int pending_count() const;
  bool has_changes() const { return pending_count() > 0; }
};

/// Evaluates `when` against facts and the recipe's variables.
bool eval_when(const StepDecl& decl, const Recipe& recipe, const nlohmann::json& facts);
bool eval_when(const ProbeDecl& decl, const Recipe& recipe, const nlohmann::json& facts);

/// Plans every selected step in order. ctx.pending is filled with what earlier steps would change.
/// Read-only: nothing on the host changes. Throws StepError when a step cannot observe the host.
Plan make_plan(const Recipe& recipe, Context& ctx, const Selection& selection);

/// What happened to one step during apply.
struct StepOutcome {
  /// RebootPending: a `reboot` step stopped the run (RebootRequired); the steps after it are NotRun.
  enum class Status { Unchanged, Changed, Failed, Skipped, NotRun, RebootPending };
  std::string id;
  std::string type;
  Status status = Status::Unchanged;
  std::string message;              ///< failure text, skip reason, or summary of changes
  std::vector<std::string> changes; ///< "+ /etc/motd", "! run: touch /x"
  double seconds = 0;
  bool handler = false;
};

const char* status_name(StepOutcome::Status s);

struct RunReport {
  std::string run_id;
  std::string recipe_path;
  std::string root;
  std::string started_at;   ///< ISO 8601 UTC
  std::string finished_at;
  std::vector<StepOutcome> steps;
  std::vector<std::string> backups;  ///< logical paths of files saved before they were replaced
  /// Set when a `reboot` step stopped the run: its id, its reason and its trigger (RebootRequired).
  std::string reboot_step;
  std::string reboot_reason;
  std::string reboot_trigger;
  /// True when ApplyOptions::should_stop asked the run to end early (the rest are NotRun).
  bool stopped = false;
  bool reboot_pending() const { return !reboot_step.empty(); }
  bool failed() const;
  int changed_count() const;
  nlohmann::json to_json() const;
};

struct ApplyOptions {
  std::string run_id;
  /// Called when a step starts ("==> id (type)") and when it ends, for progress lines.
  std::function<void(const PlannedStep&)> on_step_start;
  std::function<void(const StepOutcome&)> on_step_end;
  /// Asked before each step starts (never in the middle of one): true ends the run there, the
  /// remaining steps NotRun and RunReport::stopped set. The agent's SIGTERM handling uses it.
  std::function<bool()> should_stop;
};

/// Applies `plan` (made by make_plan for the same recipe): each step's approved changes in order,
/// `apt-get update` once before the first apt-using step after a sources change, notified handlers
/// before the first later step that `needs` them or at the end, then plans each changed step again:
/// a step still not converged has failed. Stops at the first failed step (the rest are NotRun).
RunReport apply_plan(const Recipe& recipe, const Plan& plan, Context& ctx, const ApplyOptions& options);

struct RenderOptions {
  bool color = false;
  bool verbose = false;
};

// --- Verification ---------------------------------------------------------------------------------

struct ProbeOutcome {
  std::string id;
  std::string type;
  std::string description;
  ProbeResult result;
  std::string skip_reason;  ///< set when `when` was false or the probe was filtered out
  double seconds = 0;
};

struct VerifyReport {
  std::vector<ProbeOutcome> probes;
  bool passed() const;  ///< no probe failed (skipped probes do not fail a verification)
  int count(ProbeResult::Status s) const;
  nlohmann::json to_json() const;
};

struct RenderOptions;  // below, with render_plan

/// Runs every selected probe of the recipe in order (read-only) and collects the verdicts: a probe
/// not selected by --only/--skip, or whose `when` is false, is Skip with the reason in skip_reason;
/// a probe that throws (it should not) is Fail with the error as its summary.
VerifyReport verify_recipe(const Recipe& recipe, Context& ctx, const Selection& selection);
/// The report as text: one "PASS id: summary" line per probe, the evidence of failures indented.
std::string render_verify(const VerifyReport& report, const RenderOptions& options);

// --- Reboot and resume ----------------------------------------------------------------------------

/// Written by `apply` when a `reboot` step stops the run; read by `aiprov resume`, which takes
/// nothing else: everything the run needs to go on is here.
struct Checkpoint {
  std::string run_id;            ///< the run that stopped
  std::string recipe_path;       ///< absolute path of the recipe (on the machine running aiprov)
  std::vector<std::string> vars;            ///< --var NAME=VALUE of the run
  std::vector<std::string> fact_overrides;  ///< --fact NAME=VALUE of the run
  std::string sysfs;             ///< --sysfs of the run
  std::vector<std::string> only; ///< --only / --skip of the run
  std::vector<std::string> skip;
  std::string reboot_step;       ///< id of the `reboot` step that stopped the run
  std::string reason;
  std::string trigger;           ///< RebootRequired::trigger()
  std::string boot_id;           ///< /proc/sys/kernel/random/boot_id when the checkpoint was written
  std::string created_at;
  nlohmann::json to_json() const;
  static Checkpoint from_json(const nlohmann::json& j);  ///< throws StepError on a malformed file
};

inline constexpr const char* kCheckpointFile = "/var/lib/aiprov/checkpoint.json";
/// Where a `reboot` step records the trigger a reboot (or `aiprov resume`) satisfied:
/// <kRebootsDir>/<step-id> holds the trigger text.
inline constexpr const char* kRebootsDir = "/var/lib/aiprov/reboots";

/// Atomic write of kCheckpointFile (parents created, mode 0600).
void write_checkpoint(FileSystem& fs, const Checkpoint& checkpoint);
/// nullopt when there is no checkpoint; StepError naming the file when it cannot be parsed.
std::optional<Checkpoint> read_checkpoint(const FileSystem& fs);
void remove_checkpoint(FileSystem& fs);

// --- Run safety -----------------------------------------------------------------------------------

/// One run at a time per root: an flock on <root>/run/aiprov.lock, which names its holder.
class RunLock {
 public:
  /// Takes the lock, waiting up to `wait` (0: fail at once). Throws LockedError naming the holder.
  RunLock(const FileSystem& fs, const std::string& description, std::chrono::seconds wait);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int m_fd = -1;
};

/// "20261129T150312Z-1234": sortable, unique per process.
std::string new_run_id();
std::string iso_now();

/// The state directory inside the root and the files in it.
inline constexpr const char* kStateDir = "/var/lib/aiprov";
inline constexpr const char* kRunsDir = "/var/lib/aiprov/runs";
inline constexpr const char* kBackupsDir = "/var/lib/aiprov/backups";
inline constexpr const char* kLogFile = "/var/log/aiprov/aiprov.log";
inline constexpr const char* kLockFile = "/run/aiprov.lock";

/// Writes the run journal to /var/lib/aiprov/runs/<run-id>.json (atomically, parents created).
void write_journal(FileSystem& fs, const RunReport& report);
/// The newest journal, or nullopt when there has been no run.
std::optional<nlohmann::json> read_last_journal(const FileSystem& fs);

/// Creates `path` and its missing parents with `mode` (existing directories are left as they are).
void make_dirs(FileSystem& fs, const std::string& path, unsigned mode = 0755);

// --- Rendering ----------------------------------------------------------------------------------

/// The plan as text, like `terraform plan`: + create, ~ change, - remove, ! run, ? depends.
std::string render_plan(const Plan& plan, const RenderOptions& options);
nlohmann::json plan_to_json(const Plan& plan);

}  // namespace aiprov
