#include <stdexcept>

#include "aiprov/step.hpp"

namespace aiprov {

const char* field_type_name(FieldType t) {
  switch (t) {
    case FieldType::String: return "a string";
    case FieldType::Bool: return "a boolean";
    case FieldType::Int: return "an integer";
    case FieldType::StringList: return "a list of strings";
    case FieldType::StringMap: return "a map of strings";
    case FieldType::Any: return "any value";
  }
  return "?";
}

const char* probe_status_name(ProbeResult::Status s) {
  switch (s) {
    case ProbeResult::Status::Pass: return "pass";
    case ProbeResult::Status::Fail: return "fail";
    case ProbeResult::Status::Skip: return "skip";
  }
  return "?";
}

void Registry::add(StepType type) {
  if (type.name.empty()) throw std::logic_error("step type without a name");
  if (find(type.name)) throw std::logic_error("step type '" + type.name + "' registered twice");
  m_types.push_back(std::move(type));
}

const StepType* Registry::find(const std::string& name) const {
  for (const auto& t : m_types)
    if (t.name == name) return &t;
  return nullptr;
}

const std::vector<FieldSpec>& Registry::common_fields() {
  static const std::vector<FieldSpec> fields = {
      {"id", FieldType::String, true, "unique name of the step (also used by --only and notify)"},
      {"type", FieldType::String, true, "the step type"},
      {"when", FieldType::String, false, "an expression; the step is skipped when it is false"},
      {"notify", FieldType::StringList, false, "handlers to run when this step changed something"},
      {"needs", FieldType::StringList, false, "handlers that must have run (if notified) first"},
      {"tags", FieldType::StringList, false, "names for --only/--skip selection"},
      {"description", FieldType::String, false, "what the step is for, shown in plans"},
  };
  return fields;
}

void Registry::add_probe(ProbeType type) {
  if (type.name.empty()) throw std::logic_error("probe type without a name");
  if (find_probe(type.name)) throw std::logic_error("probe type '" + type.name + "' registered twice");
  m_probe_types.push_back(std::move(type));
}

const ProbeType* Registry::find_probe(const std::string& name) const {
  for (const auto& t : m_probe_types)
    if (t.name == name) return &t;
  return nullptr;
}

const std::vector<FieldSpec>& Registry::common_probe_fields() {
  static const std::vector<FieldSpec> fields = {
      {"id", FieldType::String, true, "unique name of the probe (ids are unique across steps, handlers and probes)"},
      {"type", FieldType::String, true, "the probe type"},
      {"when", FieldType::String, false, "an expression; the probe is skipped when it is false"},
      {"tags", FieldType::StringList, false, "names for --only/--skip selection"},
      {"description", FieldType::String, false, "what the probe proves, shown in reports"},
  };
  return fields;
}

}  // namespace aiprov
