#include <iostream>

#include "cli/options.hpp"

namespace aiprov::cli {

void add_validate(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("validate", "Check a recipe (syntax, types, variables, includes); changes nothing");
  cmd->add_option("recipe", o.recipe, "Recipe file")->required();
  cmd->callback([&o, &action] {
    action = [&o] {
      Session session(o);
      Recipe recipe = session.load_recipe();
      if (o.json) {
        nlohmann::json j{{"recipe", o.recipe},
                         {"valid", true},
                         {"steps", recipe.steps.size()},
                         {"handlers", recipe.handlers.size()},
                         {"files", recipe.files}};
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << o.recipe << ": valid (" << recipe.steps.size() << " steps, " << recipe.handlers.size()
                  << " handlers, " << recipe.files.size() << " files)\n";
      }
      return 0;
    };
  });
}

}  // namespace aiprov::cli
