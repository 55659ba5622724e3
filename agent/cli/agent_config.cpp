#include "cli/agent_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "aiprov/error.hpp"
#include "recipe/scalars.hpp"
#include "recipe/yaml_value.hpp"

namespace aiprov::cli::agent {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kKeys = {"recipes", "interval", "mode", "vars", "root", "lock_wait"};

const char* kDurationHelp = "seconds (\"90\") or a duration such as \"90s\", \"15m\", \"1h\", \"1d\", \"1h30m\"";

[[noreturn]] void fail(const Value& at, const std::string& message) { throw RecipeError(at.loc, message); }

const std::string& scalar(const Value& v, const std::string& key, const char* what) {
  if (!v.is_scalar()) fail(v, "'" + key + "' expects " + what + ", found " + v.kind_name());
  return v.scalar;
}

std::chrono::seconds duration(const Value& v, const std::string& key) {
  const std::string& text = scalar(v, key, kDurationHelp);
  auto d = parse_duration(text);
  if (!d) fail(v, "'" + key + "' expects " + kDurationHelp + ", found '" + text + "'");
  return *d;
}

std::vector<std::string> recipes(const Value& v, const std::string& file) {
  std::vector<const Value*> items;
  if (v.is_scalar()) items.push_back(&v);  // one recipe may be written without a list
  else if (v.is_list()) for (const auto& item : v.list) items.push_back(&item);
  else fail(v, std::string("'recipes' expects a list of recipe paths, found ") + v.kind_name());
  if (items.empty()) fail(v, "'recipes' is empty: name at least one recipe");
  const fs::path dir = fs::absolute(fs::path(file)).parent_path();
  std::vector<std::string> out;
  for (const Value* item : items) {
    const std::string& path = scalar(*item, "recipes", "a list of recipe paths");
    if (path.empty()) fail(*item, "'recipes' holds an empty path");
    fs::path p(path);
    out.push_back((p.is_absolute() ? p : dir / p).lexically_normal().string());
  }
  return out;
}

std::map<std::string, std::string> vars(const Value& v) {
  std::map<std::string, std::string> out;
  if (v.is_null()) return out;
  if (!v.is_map()) fail(v, std::string("'vars' expects a map of variable names to values, found ") + v.kind_name());
  for (const auto& [name, value] : v.map) {
    if (!value.is_scalar())
      fail(value, "variable '" + name + "' in 'vars' expects a string, found " + value.kind_name());
    out[name] = value.scalar;
  }
  return out;
}

}  // namespace

const char* mode_name(Mode m) { return m == Mode::Correct ? "correct" : "report"; }

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const bool plain = std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  long long total = 0;
  std::size_t i = 0;
  int last_unit = -1;  // units must come in order (1h30m, not 30m1h) and once each
  const std::string units = "dhms";
  const long long scale[] = {86400, 3600, 60, 1};
  while (i < text.size()) {
    std::size_t start = i;
    long long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > std::numeric_limits<int>::max()) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return std::nullopt;  // a unit without a number, or a stray character
    int unit = 3;                          // bare number: seconds, only as the whole text
    if (i < text.size()) {
      auto u = units.find(text[i]);
      if (u == std::string::npos) return std::nullopt;
      unit = static_cast<int>(u);
      ++i;
    } else if (!plain) {
      return std::nullopt;  // "1h30": a trailing number without its unit
    }
    if (unit <= last_unit) return std::nullopt;
    last_unit = unit;
    total += n * scale[unit];
    if (total > std::numeric_limits<int>::max()) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds d) {
  long long s = d.count();
  if (s <= 0) return "0s";
  std::string out;
  const char units[] = {'d', 'h', 'm', 's'};
  const long long scale[] = {86400, 3600, 60, 1};
  for (int i = 0; i < 4; ++i) {
    if (s >= scale[i]) {
      out += std::to_string(s / scale[i]) + units[i];
      s %= scale[i];
    }
  }
  return out;
}

Config parse_config(const std::string& text, const std::string& file) {
  recipe::YamlDoc doc = recipe::parse_yaml(text, file);
  const Value& top = doc.value;
  if (!top.is_map())
    fail(top, std::string("the agent configuration must be a map with keys such as 'recipes', 'interval' "
                          "and 'mode', found ") + top.kind_name());
  std::vector<SourceLoc> keys = recipe::key_locs(doc.node, file);
  for (std::size_t i = 0; i < top.map.size(); ++i) {
    const std::string& k = top.map[i].first;
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end())
      throw RecipeError(i < keys.size() ? keys[i] : top.map[i].second.loc,
                        "unknown key '" + k + "' in the agent configuration" + recipe::did_you_mean(k, kKeys) +
                            "; known keys: recipes, interval, mode, vars, root, lock_wait");
  }
  Config c;
  c.file = file;
  const Value* r = top.get("recipes");
  if (!r) fail(top, "'recipes' is missing: name the recipes the agent keeps converged");
  c.recipes = recipes(*r, file);
  if (const Value* v = top.get("interval")) c.interval = duration(*v, "interval");
  if (const Value* v = top.get("lock_wait")) {
    // 0 is allowed here: do not wait for another run's lock at all.
    if (v->is_scalar() && v->scalar == "0") c.lock_wait = std::chrono::seconds(0);
    else c.lock_wait = duration(*v, "lock_wait");
  }
  if (const Value* v = top.get("mode")) {
    const std::string& m = scalar(*v, "mode", "report or correct");
    if (m == "report") c.mode = Mode::Report;
    else if (m == "correct") c.mode = Mode::Correct;
    else fail(*v, "'mode' expects report or correct, found '" + m + "'" +
                      recipe::did_you_mean(m, {"report", "correct"}));
  }
  if (const Value* v = top.get("vars")) c.vars = vars(*v);
  if (const Value* v = top.get("root")) {
    const std::string& root = scalar(*v, "root", "a directory path");
    if (root.empty() || root[0] != '/') fail(*v, "'root' must be an absolute path, found '" + root + "'");
    c.root = root;
  }
  return c;
}

Config load_config(const std::string& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) throw RecipeError(SourceLoc{file, 0, 0}, "the agent configuration is a directory");
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    bool exists = fs::exists(file, ec);
    throw RecipeError(SourceLoc{file, 0, 0}, exists ? "cannot read the agent configuration"
                                                    : "the agent configuration does not exist");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), file);
}

}  // namespace aiprov::cli::agent
