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

/// Plans every selected step in order. ctx.pending is filled with what earlier steps would change.
/// Read-only: nothing on the host changes. Throws StepError when a step cannot observe the host.
Plan make_plan(const Recipe& recipe, Context& ctx, const Selection& selection);

/// What happened to one step during apply.
struct StepOutcome {
  enum class Status { Unchanged, Changed, Failed, Skipped, NotRun };
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
  bool failed() const;
  int changed_count() const;
  nlohmann::json to_json() const;
};

struct ApplyOptions {
  std::string run_id;
  /// Called when a step starts ("==> id (type)") and when it ends, for progress lines.
  std::function<void(const PlannedStep&)> on_step_start;
  std::function<void(const StepOutcome&)> on_step_end;
};

/// Applies `plan` (made by make_plan for the same recipe): each step's approved changes in order,
/// `apt-get update` once before the first apt-using step after a sources change, notified handlers
/// before the first later step that `needs` them or at the end, then plans each changed step again:
/// a step still not converged has failed. Stops at the first failed step (the rest are NotRun).
RunReport apply_plan(const Recipe& recipe, const Plan& plan, Context& ctx, const ApplyOptions& options);

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

struct RenderOptions {
  bool color = false;
  bool verbose = false;
};
/// The plan as text, like `terraform plan`: + create, ~ change, - remove, ! run, ? depends.
std::string render_plan(const Plan& plan, const RenderOptions& options);
nlohmann::json plan_to_json(const Plan& plan);

}  // namespace aiprov
