#include <iostream>

#include "cli/apply_run.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {

void add_apply(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("apply", "Show the plan, ask, converge the host step by step, check each step");
  cmd->add_option("recipe", o.recipe, "Recipe file")->required();
  cmd->add_flag("-y,--yes", o.yes, "Do not ask for confirmation");
  cmd->add_flag("--no-reboot", o.no_reboot,
                "When a reboot step stops the run: write the checkpoint and exit 4 instead of rebooting");
  cmd->add_option("--wait-lock", o.wait_lock, "Wait up to SECONDS for another run's lock")->type_name("SECONDS");
  cmd->add_option("--apt-lock-timeout", o.apt_lock_timeout, "Wait up to SECONDS for dpkg's lock (default 600)")
      ->type_name("SECONDS");
  cmd->callback([&o, &action] {
    action = [&o] { return run_apply(o, o.json ? std::cerr : std::cout); };
  });
}

}  // namespace aiprov::cli
