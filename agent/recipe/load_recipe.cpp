#include <algorithm>

#include "aiprov/recipe.hpp"
#include "recipe/loader.hpp"
#include "recipe/scalars.hpp"

namespace aiprov {

namespace {

/// Every `notify` and `needs` entry must name a handler.
void check_handler_refs(const std::vector<recipe::CheckedStep>& checked,
                        const std::vector<std::string>& handler_ids) {
  for (const auto& c : checked) {
    for (const char* key : {"notify", "needs"}) {
      const Value* list = c.body.get(key);
      if (!list) continue;
      for (const Value& entry : list->list) {
        if (std::find(handler_ids.begin(), handler_ids.end(), entry.scalar) != handler_ids.end())
          continue;
        std::string verb = std::string(key) == "notify" ? "notifies" : "needs";
        throw RecipeError(entry.loc, "step '" + c.decl.id + "' " + verb + " unknown handler '" +
                                         entry.scalar + "'" +
                                         recipe::did_you_mean(entry.scalar, handler_ids));
      }
    }
  }
}

}  // namespace

Recipe load_recipe(const std::string& path, const LoadOptions& options) {
  const Registry& registry = options.registry ? *options.registry : builtin_registry();
  recipe::Variables vars(options.facts);
  recipe::RecipeFiles files = recipe::read_recipe_files(path, vars);
  for (const auto& [name, value] : options.var_overrides) {
    if (!recipe::valid_var_name(name))
      throw RecipeError(SourceLoc{"--var " + name + "=" + value, 0, 0},
                        "invalid variable name '" + name + "'");
    vars.override_with(name, value);
  }

  Recipe recipe;
  recipe.path = path;
  recipe.files = files.files;
  recipe.vars = vars.resolve_all();
  if (files.name_value.is_scalar()) recipe.name = vars.interpolate_scalar(files.name_value).scalar;

  recipe::ValidationContext ctx{registry, vars, files, {}};
  std::vector<recipe::CheckedStep> checked;
  for (const auto& raw : files.steps) checked.push_back(recipe::validate_step(raw, ctx));
  std::size_t step_count = checked.size();
  std::vector<std::string> handler_ids;
  for (const auto& raw : files.handlers) {
    checked.push_back(recipe::validate_step(raw, ctx));
    handler_ids.push_back(checked.back().decl.id);
  }
  check_handler_refs(checked, handler_ids);
  for (const auto& raw : files.probes) recipe.probes.push_back(recipe::validate_probe(raw, ctx));

  for (std::size_t i = 0; i < checked.size(); ++i)
    (i < step_count ? recipe.steps : recipe.handlers).push_back(std::move(checked[i].decl));
  return recipe;
}

}  // namespace aiprov
