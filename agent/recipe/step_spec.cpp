#include "aiprov/step.hpp"
#include "recipe/scalars.hpp"

namespace aiprov {

namespace {
std::string expects(const StepSpec& spec, const std::string& key, const char* what,
                    const Value& found) {
  return recipe::expects_message(spec.id(), key, what, found, false);
}
std::string expects_text(const StepSpec& spec, const std::string& key, const char* what,
                         const Value& found) {
  return recipe::expects_message(spec.id(), key, what, found, true);
}
}  // namespace

std::string StepSpec::str(const std::string& key) const {
  const Value* v = field(key);
  if (!v) fail(key, "step '" + m_id + "' is missing required field '" + key + "'");
  if (!v->is_scalar()) fail(key, expects(*this, key, "a string", *v));
  return v->scalar;
}

std::optional<std::string> StepSpec::opt_str(const std::string& key) const {
  const Value* v = field(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_scalar()) fail(key, expects(*this, key, "a string", *v));
  return v->scalar;
}

std::vector<std::string> StepSpec::str_list(const std::string& key) const {
  std::vector<std::string> out;
  const Value* v = field(key);
  if (!v || v->is_null()) return out;
  if (!v->is_list()) fail(key, expects(*this, key, "a list of strings", *v));
  for (const auto& item : v->list) {
    if (!item.is_scalar())
      throw RecipeError(item.loc, expects(*this, key, "a list of strings", item));
    out.push_back(item.scalar);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> StepSpec::str_map(const std::string& key) const {
  std::vector<std::pair<std::string, std::string>> out;
  const Value* v = field(key);
  if (!v || v->is_null()) return out;
  if (!v->is_map()) fail(key, expects(*this, key, "a map of strings", *v));
  for (const auto& [k, item] : v->map) {
    if (!item.is_scalar())
      throw RecipeError(item.loc, expects(*this, key, "a map of strings", item));
    out.emplace_back(k, item.scalar);
  }
  return out;
}

bool StepSpec::boolean(const std::string& key, bool fallback) const {
  const Value* v = field(key);
  if (!v || v->is_null()) return fallback;
  auto b = v->is_scalar() ? recipe::parse_bool(v->scalar) : std::nullopt;
  if (!b) fail(key, expects_text(*this, key, "a boolean", *v));
  return *b;
}

long StepSpec::integer(const std::string& key, long fallback) const {
  const Value* v = field(key);
  if (!v || v->is_null()) return fallback;
  auto n = v->is_scalar() ? recipe::parse_int(v->scalar) : std::nullopt;
  if (!n) fail(key, expects_text(*this, key, "an integer", *v));
  return *n;
}

std::optional<unsigned> StepSpec::mode(const std::string& key) const {
  const Value* v = field(key);
  if (!v || v->is_null()) return std::nullopt;
  auto m = v->is_scalar() ? recipe::parse_mode(v->scalar) : std::nullopt;
  if (!m) fail(key, expects_text(*this, key, "an octal mode such as '0644'", *v));
  return m;
}

void StepSpec::fail(const std::string& key, const std::string& message) const {
  const Value* v = field(key);
  throw RecipeError(v ? v->loc : m_body.loc, message);
}

std::string StepSpec::absolute_path(const std::string& key) const {
  std::string path = str(key);
  if (path.empty() || path[0] != '/')
    fail(key, "step '" + m_id + "': " + key + " must be absolute, found '" + path + "'");
  return path;
}

bool StepSpec::state_present() const {
  std::string state = opt_str("state").value_or("present");
  if (state != "present" && state != "absent")
    fail("state", "step '" + m_id + "': state must be 'present' or 'absent', found '" + state + "'");
  return state == "present";
}

}  // namespace aiprov
