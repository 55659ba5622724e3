#pragma once
/// The contract of a step type, the registry that lists them, and the view of a step's fields that a
/// factory reads. Each step type lives in agent/steps/<type>.cpp and answers two questions:
///   plan:  observe the host (read-only) and return the changes it would make; empty when converged;
///   apply: carry out exactly those changes.
/// After apply the engine plans the step again: a step that still has changes has failed.
/// Dry-run is "plan and stop": step code has no dry-run flag.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aiprov/error.hpp"
#include "aiprov/host.hpp"
#include "aiprov/value.hpp"

namespace aiprov {

/// One change a step would make.
struct Change {
  enum class Action { Create, Update, Remove, Run };
  Action action = Action::Update;
  std::string target;  ///< what: "/etc/motd", "group anaconda", "run: touch /opt/ai/.marker"
  std::string reason;  ///< why: "content differs", "mode 0644 -> 0600", "guard creates: /x is absent"
  std::string detail;  ///< optional multi-line detail: a unified diff, the full command, a package list
  /// Effects later steps may depend on, as "kind:name" keys: "path:/etc/motd", "group:anaconda",
  /// "apt:sources". The engine records them while planning (Context::pending).
  std::vector<std::string> provides;
};

/// The changes of one step. Empty changes and empty depends_on: converged.
struct StepPlan {
  std::vector<Change> changes;
  /// Non-empty when the outcome depends on a change an earlier step would make ("group anaconda is
  /// created by step 'anaconda-group'"): the step says so instead of guessing, and is planned again
  /// right before it is applied.
  std::string depends_on;
  /// Non-fatal remarks shown with the plan (an unverified download, a duplicate apt entry).
  std::vector<std::string> warnings;
  bool converged() const { return changes.empty() && depends_on.empty(); }
};

/// What a step sees while planning and applying.
struct Context {
  Host& host;
  const nlohmann::json& facts;
  /// Logical directory for backups of files this run replaces: "/var/lib/aiprov/backups/<run-id>".
  /// Empty while only planning.
  std::string backup_dir;
  /// Effects of changes planned by earlier steps: key ("path:/x", "group:g", "apt:sources") -> the id
  /// of the step that would make it.
  std::map<std::string, std::string> pending;
  /// Reports progress of a long operation (one line, overwritten on a terminal).
  std::function<void(const std::string&)> progress;

  /// The id of the earlier step that would provide `key`, or "" when none.
  std::string pending_by(const std::string& key) const {
    auto it = pending.find(key);
    return it == pending.end() ? std::string() : it->second;
  }
  /// WriteOptions::backup_to for a logical path, or nullopt when not backing up (plan only).
  std::optional<std::string> backup_path(const std::string& path) const {
    if (backup_dir.empty()) return std::nullopt;
    return backup_dir + path;
  }
};

class Step {
 public:
  virtual ~Step() = default;
  /// Observes the host through ctx.host (read-only) and returns the changes apply would make.
  /// Throws StepError when the host cannot be observed (a user that does not exist, unreadable file).
  virtual StepPlan plan(Context& ctx) const = 0;
  /// Carries out exactly the changes of `plan` (a plan this step returned). Throws StepError naming
  /// the command or file and the tail of its output.
  virtual void apply(Context& ctx, const StepPlan& plan) = 0;
  /// True when apply runs apt/dpkg: the engine runs `apt-get update` first after a sources change.
  virtual bool uses_apt() const { return false; }
};

// ---------------------------------------------------------------------------------------------
// Schema and registry

enum class FieldType { String, Bool, Int, StringList, StringMap, Any };

/// "a string", "a list of strings", ... for messages and docs.
const char* field_type_name(FieldType t);

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::String;
  bool required = false;
  std::string doc;
};

/// A step's fields after variables were interpolated, with their source positions.
class StepSpec {
 public:
  StepSpec(std::string id, std::string type, Value body)
      : m_id(std::move(id)), m_type(std::move(type)), m_body(std::move(body)) {}
  const std::string& id() const { return m_id; }
  const std::string& type() const { return m_type; }
  const SourceLoc& loc() const { return m_body.loc; }
  const Value& body() const { return m_body; }

  const Value* field(const std::string& key) const { return m_body.get(key); }
  bool has(const std::string& key) const { return field(key) != nullptr; }
  /// A required string (schema validation already proved it present and a scalar).
  std::string str(const std::string& key) const;
  std::optional<std::string> opt_str(const std::string& key) const;
  std::vector<std::string> str_list(const std::string& key) const;  ///< empty when absent
  std::vector<std::pair<std::string, std::string>> str_map(const std::string& key) const;
  bool boolean(const std::string& key, bool fallback) const;
  long integer(const std::string& key, long fallback) const;
  /// An octal mode such as "0644", "644" or "2770"; nullopt when absent.
  std::optional<unsigned> mode(const std::string& key) const;
  /// A required absolute logical path ("step 'x': path must be absolute, found '...'" otherwise).
  std::string absolute_path(const std::string& key) const;
  /// `state: present | absent`, present when absent from the recipe: true for present.
  bool state_present() const;
  /// Throws RecipeError at the position of field `key` (or of the step when absent).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  std::string m_id;
  std::string m_type;
  Value m_body;
};

struct StepType {
  std::string name;
  std::string summary;
  std::vector<FieldSpec> fields;
  std::string example;  ///< a YAML example of one step, for `aiprov steps` and the docs
  /// Builds a step from validated fields. Throws RecipeError (via StepSpec::fail) for mistakes the
  /// schema cannot express ("one of content or source").
  std::function<std::unique_ptr<Step>(const StepSpec&)> factory;
};

// ---------------------------------------------------------------------------------------------
// Probes: read-only checks that prove a result (`aiprov verify`, and after every apply).

/// What one probe found. The evidence is what a person needs to believe the verdict: the command
/// that ran, the relevant lines of its output, what was expected.
struct ProbeResult {
  enum class Status { Pass, Fail, Skip };
  Status status = Status::Fail;
  std::string summary;   ///< one line: "release 12.4 (V12.4.99)", "expected release 12.4, found 12.2"
  std::string evidence;  ///< multi-line: "$ nvcc --version" and the lines that decided
  nlohmann::json data = nlohmann::json::object();  ///< parsed values, for --json
};

const char* probe_status_name(ProbeResult::Status s);  ///< "pass", "fail", "skip"

class Probe {
 public:
  virtual ~Probe() = default;
  /// Observes the host (read-only; commands it runs must not change it) and returns the verdict.
  /// Never throws for a failed check: a missing program or a bad output is a Fail with evidence.
  virtual ProbeResult run(Context& ctx) const = 0;
};

/// A probe type: like a StepType, with the same schema and a probe factory. Probes are written in a
/// recipe's `probes:` list with the common fields id, type, when, description, tags.
struct ProbeType {
  std::string name;
  std::string summary;
  std::vector<FieldSpec> fields;
  std::string example;
  std::function<std::unique_ptr<Probe>(const StepSpec&)> factory;
};

class Registry {
 public:
  void add(StepType type);
  const StepType* find(const std::string& name) const;
  const std::vector<StepType>& types() const { return m_types; }
  /// Fields every step has: id, type, when, notify, needs, tags, description.
  static const std::vector<FieldSpec>& common_fields();

  void add_probe(ProbeType type);
  const ProbeType* find_probe(const std::string& name) const;
  const std::vector<ProbeType>& probe_types() const { return m_probe_types; }
  /// Fields every probe has: id, type, when, tags, description.
  static const std::vector<FieldSpec>& common_probe_fields();

 private:
  std::vector<StepType> m_types;
  std::vector<ProbeType> m_probe_types;
};

/// Fills `registry` with every built-in step type and probe type (agent/steps/registry.cpp: one
/// visible table of each).
void register_builtin_steps(Registry& registry);
/// The registry with the built-in steps, filled on first use.
const Registry& builtin_registry();

}  // namespace aiprov
