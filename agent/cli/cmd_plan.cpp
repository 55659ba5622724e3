#include <iostream>

#include "aiprov/error.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {

void add_plan(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("plan", "Show what apply would change, as diffs; changes nothing");
  cmd->add_option("recipe", o.recipe, "Recipe file")->required();
  cmd->add_flag("--detailed-exitcode", o.detailed_exitcode, "Exit 2 when there are changes, 0 when none");
  cmd->callback([&o, &action] {
    action = [&o] {
      Session session(o);
      Recipe recipe = session.load_recipe();
      Context ctx{session.host(), session.facts(), "", {}, {}};
      Plan plan = make_plan(recipe, ctx, session.selection());
      if (o.json) {
        std::cout << plan_to_json(plan).dump(2) << "\n";
      } else {
        std::cout << render_plan(plan, RenderOptions{use_color(), o.verbose > 0});
      }
      if (o.detailed_exitcode && plan.has_changes()) return static_cast<int>(kExitChangesPending);
      return static_cast<int>(kExitOk);
    };
  });
}

}  // namespace aiprov::cli
