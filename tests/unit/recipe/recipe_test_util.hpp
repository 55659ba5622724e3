#pragma once
// Helpers for the recipe layer's tests: a scratch directory of recipe files and a registry of test
// step types (the unit tests do not depend on the built-in steps).

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/recipe.hpp"
#include "aiprov/step.hpp"

namespace aiprov::testing {

/// A temporary directory removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aiprov-recipe-XXXXXX").string();
    m_path = mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  /// Writes `text` to `name` (relative; parent folders are created) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(m_path) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (std::filesystem::path(m_path) / name).string(); }

 private:
  std::string m_path;
};

/// What the test step's factory saw.
class EchoStep : public Step {
 public:
  explicit EchoStep(const StepSpec& spec)
      : text(spec.str("text")),
        items(spec.str_list("items")),
        env(spec.str_map("env")),
        flag(spec.boolean("flag", false)),
        count(spec.integer("count", -1)),
        mode(spec.mode("mode")) {}
  StepPlan plan(Context&) const override { return {}; }
  void apply(Context&, const StepPlan&) override {}

  std::string text;
  std::vector<std::string> items;
  std::vector<std::pair<std::string, std::string>> env;
  bool flag;
  long count;
  std::optional<unsigned> mode;
};

/// A registry with "echo" (every field type) and "pair" (exactly one of 'a' or 'b', checked by
/// its factory).
inline Registry test_registry() {
  Registry r;
  StepType echo;
  echo.name = "echo";
  echo.summary = "records its fields";
  echo.fields = {{"text", FieldType::String, true, ""},     {"items", FieldType::StringList, false, ""},
                 {"env", FieldType::StringMap, false, ""},  {"flag", FieldType::Bool, false, ""},
                 {"count", FieldType::Int, false, ""},      {"mode", FieldType::String, false, ""},
                 {"data", FieldType::Any, false, ""}};
  echo.factory = [](const StepSpec& spec) { return std::make_unique<EchoStep>(spec); };
  r.add(echo);
  StepType pair;
  pair.name = "pair";
  pair.summary = "exactly one of a or b";
  pair.fields = {{"a", FieldType::String, false, ""}, {"b", FieldType::String, false, ""}};
  pair.factory = [](const StepSpec& spec) -> std::unique_ptr<Step> {
    if (spec.has("a") == spec.has("b"))
      spec.fail("a", "step '" + spec.id() + "': exactly one of 'a' or 'b' is required");
    return std::make_unique<EchoStep>(StepSpec(spec.id(), spec.type(), [] {
      Value v;
      v.kind = Value::Kind::Map;
      v.map.emplace_back("text", Value::make_scalar("pair"));
      return v;
    }()));
  };
  r.add(pair);
  return r;
}

inline const EchoStep& echo(const StepDecl& decl) {
  auto* step = dynamic_cast<const EchoStep*>(decl.step.get());
  if (!step) throw std::runtime_error("step '" + decl.id + "' is not an echo step");
  return *step;
}

/// Loads `path` with the test registry; returns the RecipeError's what() or "" on success.
inline std::string load_error(const std::string& path, LoadOptions options = {}) {
  static const Registry registry = test_registry();
  options.registry = &registry;
  try {
    load_recipe(path, options);
  } catch (const RecipeError& e) {
    return e.what();
  }
  return "";
}

}  // namespace aiprov::testing
