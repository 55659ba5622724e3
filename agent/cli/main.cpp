#include <iostream>

#include <spdlog/spdlog.h>

#include "aiprov/cli.hpp"
#include "aiprov/error.hpp"
#include "aiprov/version.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {

namespace {

/// A repeatable option that takes exactly one value per occurrence, so `--only x RECIPE` leaves RECIPE
/// to the positional argument.
CLI::Option* repeatable(CLI::Option* opt) {
  return opt->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void add_common_options(CLI::App& app, Options& o) {
  app.add_option("--root", o.root, "Operate on the system tree at DIR (files, commands, state, lock)")
      ->type_name("DIR");
  repeatable(app.add_option("--var", o.vars, "Set a recipe variable (repeatable); overrides the recipe's vars"))
      ->type_name("NAME=VALUE");
  repeatable(app.add_option("--fact", o.fact_overrides, "Override a detected fact, such as gpu.count=2 (repeatable)"))
      ->type_name("NAME=VALUE");
  app.add_option("--sysfs", o.sysfs, "Read PCI devices from DIR instead of /sys")->type_name("DIR");
  app.add_flag("--json", o.json, "Write one JSON document to stdout; human progress goes to stderr");
  app.add_flag("-v,--verbose", o.verbose, "More log output (repeat for debug)");
  app.add_flag("-q,--quiet", o.quiet, "Only errors in the log output");
  // Ansible's --tags a,b: a comma separates several ids or tags in one value, too.
  repeatable(app.add_option("--only", o.only, "Only the steps with this id or tag (repeatable; a,b for several)"))
      ->delimiter(',')
      ->type_name("ID|TAG");
  repeatable(app.add_option("--skip", o.skip, "Skip the steps with this id or tag (repeatable; a,b for several)"))
      ->delimiter(',')
      ->type_name("ID|TAG");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  Action action;
  CLI::App app{"aiprov: provisions Ubuntu AI workstations from declarative recipes", "aiprov"};
  app.set_version_flag("--version", std::string("aiprov ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough(true);
  add_common_options(app, options);
  add_validate(app, options, action);
  add_plan(app, options, action);
  add_apply(app, options, action);
  add_facts(app, options, action);
  add_steps(app, options, action);
  add_status(app, options, action);
  add_fit(app, options, action);
  add_verify(app, options, action);
  add_resume(app, options, action);
  add_agent(app, options, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitInvalid;
  }

  try {
    setup_logging(options, "");
    return action();
  } catch (const RecipeError& e) {
    std::cerr << e.what() << "\n";
    return kExitInvalid;
  } catch (const UsageError& e) {
    std::cerr << "aiprov: " << e.what() << "\n";
    return kExitInvalid;
  } catch (const LockedError& e) {
    std::cerr << "aiprov: " << e.what() << "\n";
    return kExitLocked;
  } catch (const StepError& e) {
    std::cerr << "aiprov: " << e.what() << "\n";
    return kExitStepFailed;
  } catch (const HostError& e) {
    std::cerr << "aiprov: " << e.what() << "\n";
    return kExitStepFailed;
  } catch (const std::exception& e) {
    std::cerr << "aiprov: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace aiprov::cli
