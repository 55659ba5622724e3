// The checkpoint a `reboot` step leaves for `aiprov resume`: /var/lib/aiprov/checkpoint.json.
#include "aiprov/engine.hpp"

namespace aiprov {
namespace {

constexpr int kCheckpointVersion = 1;

template <typename T>
T field(const nlohmann::json& j, const char* key, bool required = false) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw StepError(std::string("checkpoint: ") + "missing field '" + key + "'");
    return T{};
  }
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw StepError(std::string("checkpoint: ") + "field '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

}  // namespace

nlohmann::json Checkpoint::to_json() const {
  return {{"version", kCheckpointVersion},
          {"run_id", run_id},
          {"recipe", recipe_path},
          {"vars", vars},
          {"facts", fact_overrides},
          {"sysfs", sysfs},
          {"only", only},
          {"skip", skip},
          {"reboot_step", reboot_step},
          {"reason", reason},
          {"trigger", trigger},
          {"boot_id", boot_id},
          {"created_at", created_at}};
}

Checkpoint Checkpoint::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw StepError(std::string("checkpoint: ") + "not a JSON object");
  int version = field<int>(j, "version", true);
  if (version != kCheckpointVersion)
    throw StepError(std::string("checkpoint: ") + "version " + std::to_string(version) + " is not supported (" +
                    std::to_string(kCheckpointVersion) + " is)");
  Checkpoint c;
  c.run_id = field<std::string>(j, "run_id");
  c.recipe_path = field<std::string>(j, "recipe", true);
  c.vars = field<std::vector<std::string>>(j, "vars");
  c.fact_overrides = field<std::vector<std::string>>(j, "facts");
  c.sysfs = field<std::string>(j, "sysfs");
  c.only = field<std::vector<std::string>>(j, "only");
  c.skip = field<std::vector<std::string>>(j, "skip");
  c.reboot_step = field<std::string>(j, "reboot_step", true);
  c.reason = field<std::string>(j, "reason");
  c.trigger = field<std::string>(j, "trigger");
  c.boot_id = field<std::string>(j, "boot_id");
  c.created_at = field<std::string>(j, "created_at");
  if (c.recipe_path.empty() || c.recipe_path[0] != '/')
    throw StepError(std::string("checkpoint: ") + "recipe must be an absolute path, found '" + c.recipe_path + "'");
  if (c.reboot_step.empty() || c.reboot_step.find('/') != std::string::npos || c.reboot_step[0] == '.')
    throw StepError(std::string("checkpoint: ") + "reboot_step '" + c.reboot_step + "' is not a step id");
  return c;
}

void write_checkpoint(FileSystem& fs, const Checkpoint& checkpoint) {
  make_dirs(fs, kStateDir, 0755);
  WriteOptions opts;
  opts.mode = 0600;
  fs.write_atomic(kCheckpointFile, checkpoint.to_json().dump(2) + "\n", opts);
}

std::optional<Checkpoint> read_checkpoint(const FileSystem& fs) {
  if (!fs.stat(kCheckpointFile)) return std::nullopt;
  const std::string where = fs.host_path(kCheckpointFile) + ": ";
  std::optional<std::string> text = fs.read(kCheckpointFile);
  if (!text) throw StepError(where + "cannot be read");
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) throw StepError(where + "not valid JSON (remove it to start over with `aiprov apply`)");
  try {
    return Checkpoint::from_json(j);
  } catch (const StepError& e) {
    throw StepError(where + e.what() + " (remove it to start over with `aiprov apply`)");
  }
}

void remove_checkpoint(FileSystem& fs) {
  if (fs.stat(kCheckpointFile)) fs.remove(kCheckpointFile);
}

}  // namespace aiprov
