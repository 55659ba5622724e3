#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "recipe/loader.hpp"
#include "recipe/scalars.hpp"
#include "recipe/yaml_value.hpp"

namespace aiprov::recipe {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopLevelKeys = {"aiprov", "name", "vars", "include", "steps",
                                                "handlers", "probes"};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class FileReader {
 public:
  FileReader(Variables& vars, RecipeFiles& out) : m_vars(vars), m_out(out) {}

  /// Reads `display` (a path as it is shown in messages). `included_at` is the include entry that
  /// names it (line 0 for the top recipe).
  void read(const std::string& display, const SourceLoc& included_at) {
    std::error_code ec;
    std::string key = fs::weakly_canonical(display, ec).string();
    if (ec) key = display;
    for (std::size_t i = 0; i < m_stack.size(); ++i) {
      if (m_stack[i].first != key) continue;
      std::string chain;
      for (std::size_t j = i; j < m_stack.size(); ++j) chain += m_stack[j].second + " -> ";
      throw RecipeError(included_at, "include cycle: " + chain + display);
    }
    if (!m_seen.insert(key).second) return;  // included twice (not a cycle): read once

    std::string text = read_text(display, included_at);
    YamlDoc doc = parse_yaml(text, display);
    m_out.files.push_back(display);
    m_out.lines[display] = split_lines(text);

    m_stack.emplace_back(key, display);
    process(doc, display, included_at.line == 0);
    m_stack.pop_back();
  }

 private:
  std::string read_text(const std::string& path, const SourceLoc& included_at) {
    std::ifstream in(path, std::ios::binary);
    bool top = included_at.line == 0;
    if (!in || fs::is_directory(path)) {
      std::error_code ec;
      bool exists = fs::exists(path, ec);
      if (top)
        throw RecipeError(SourceLoc{path, 0, 0},
                          exists ? "cannot read the recipe" : "recipe file does not exist");
      throw RecipeError(included_at, exists ? "cannot read included file '" + path + "'"
                                            : "included file '" + path + "' does not exist");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void process(const YamlDoc& doc, const std::string& file, bool top) {
    const Value& root = doc.value;
    if (!root.is_map() && !root.is_null())
      throw RecipeError(root.loc, std::string("a recipe must be a map with keys such as 'aiprov' "
                                              "and 'steps', found ") + root.kind_name());
    std::vector<SourceLoc> keys = key_locs(doc.node, file);
    for (std::size_t i = 0; i < root.map.size(); ++i) {
      const std::string& k = root.map[i].first;
      if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), k) == kTopLevelKeys.end())
        throw RecipeError(keys[i], "unknown top-level key '" + k + "'" + did_you_mean(k, kTopLevelKeys));
    }
    check_version(root, file, top);
    if (const Value* name = root.get("name")) {
      if (!name->is_scalar())
        throw RecipeError(name->loc, std::string("'name' must be a string, found ") + name->kind_name());
      if (top) m_out.name_value = *name;
    }
    // Includes first: their vars are defaults that this file's vars override.
    if (const Value* include = root.get("include")) read_includes(*include, file);
    if (const Value* vars = root.get("vars")) define_vars(*vars, doc.node["vars"], file);
    collect(root, doc.node, "steps", "steps", m_out.steps);
    collect(root, doc.node, "handlers", "steps", m_out.handlers);
    collect(root, doc.node, "probes", "probes", m_out.probes);
  }

  void check_version(const Value& root, const std::string& file, bool top) {
    const Value* version = root.get("aiprov");
    if (!version) {
      if (top)
        throw RecipeError(SourceLoc{file, 1, 1},
                          "missing 'aiprov: 1' (the recipe format version) at the top of the recipe");
      return;
    }
    if (!version->is_scalar() || version->scalar != "1") {
      std::string found = version->is_scalar() ? "'" + version->scalar + "'" : version->kind_name();
      throw RecipeError(version->loc,
                        "unsupported recipe format " + found + " (this aiprov reads 'aiprov: 1')");
    }
  }

  void read_includes(const Value& include, const std::string& file) {
    if (!include.is_list())
      throw RecipeError(include.loc, std::string("'include' must be a list of file names, found ") +
                                         include.kind_name());
    for (const Value& entry : include.list) {
      if (!entry.is_scalar() || entry.scalar.empty())
        throw RecipeError(entry.loc, std::string("an include entry must be a file name, found ") +
                                         (entry.is_scalar() ? "an empty string" : entry.kind_name()));
      fs::path target = (fs::path(file).parent_path() / entry.scalar).lexically_normal();
      read(target.string(), entry.loc);
    }
  }

  void define_vars(const Value& vars, const YAML::Node& node, const std::string& file) {
    if (!vars.is_map())
      throw RecipeError(vars.loc, std::string("'vars' must be a map of names to values, found ") +
                                      vars.kind_name());
    std::vector<SourceLoc> keys = key_locs(node, file);
    for (std::size_t i = 0; i < vars.map.size(); ++i) {
      const auto& [name, value] = vars.map[i];
      if (!valid_var_name(name))
        throw RecipeError(keys[i], "invalid variable name '" + name +
                                       "' (letters, digits and '_', not starting with a digit)");
      bool ok = value.is_scalar() || value.is_null() || value.is_list();
      for (const Value& item : value.list) ok = ok && item.is_scalar();
      if (!ok)
        throw RecipeError(value.loc, "variable '" + name +
                                         "' must be a string or a list of strings, found " +
                                         (value.is_list() ? "a list holding a non-string" : value.kind_name()));
      m_vars.define(name, value);
    }
  }

  /// The entries of list `key` ("a list of `what`").
  void collect(const Value& root, const YAML::Node& node, const char* key, const char* what,
               std::vector<RawStep>& out) {
    const Value* list = root.get(key);
    if (!list || list->is_null()) return;
    if (!list->is_list())
      throw RecipeError(list->loc, std::string("'") + key + "' must be a list of " + what + ", found " +
                                       list->kind_name());
    const YAML::Node items = node[key];
    std::size_t i = 0;
    for (const auto& item : items) out.push_back(RawStep{item, list->list[i++]});
  }

  Variables& m_vars;
  RecipeFiles& m_out;
  std::vector<std::pair<std::string, std::string>> m_stack;  ///< (canonical, display)
  std::set<std::string> m_seen;
};

}  // namespace

RecipeFiles read_recipe_files(const std::string& path, Variables& vars) {
  RecipeFiles out;
  FileReader(vars, out).read(path, SourceLoc{});
  return out;
}

}  // namespace aiprov::recipe
