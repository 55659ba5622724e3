// `aiprov verify RECIPE`: runs the recipe's probes (read-only) and reports each verdict with its
// evidence; exit 1 when one failed. verify_after_apply is the same report at the end of `apply`.

#include <iostream>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {

namespace {

/// Into the log (the log file of `apply`); at info level, as the report itself shows every verdict.
void log_report(const VerifyReport& report) {
  for (const auto& p : report.probes)
    spdlog::info("probe {} {}: {}", p.id, probe_status_name(p.result.status), p.result.summary);
}

}  // namespace

void add_verify(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("verify", "Run the recipe's probes (nvidia-smi, nvcc, the cuDNN sample, ...) and "
                                           "show the evidence; changes nothing");
  cmd->add_option("recipe", o.recipe, "Recipe file")->required();
  cmd->callback([&o, &action] {
    action = [&o] {
      Session session(o);
      Recipe recipe = session.load_recipe();
      if (recipe.probes.empty()) {
        (o.json ? std::cerr : std::cout) << "no probes in " << o.recipe << "\n";
        if (o.json) std::cout << VerifyReport{}.to_json().dump(2) << "\n";
        return static_cast<int>(kExitOk);
      }
      Context ctx{session.host(), session.facts(), "", {}, {}};
      VerifyReport report = verify_recipe(recipe, ctx, session.selection());
      log_report(report);
      if (o.json)
        std::cout << report.to_json().dump(2) << "\n";
      else
        std::cout << render_verify(report, RenderOptions{use_color(), o.verbose > 0});
      return static_cast<int>(report.passed() ? kExitOk : kExitStepFailed);
    };
  });
}

VerifyReport verify_after_apply(Session& session, const Recipe& recipe, const Options& o, std::ostream& human) {
  if (recipe.probes.empty()) return {};
  human << "\nVerifying: " << recipe.probes.size() << " probe(s)\n" << std::flush;
  Context ctx{session.host(), session.facts(), "", {}, {}};
  VerifyReport report = verify_recipe(recipe, ctx, session.selection());
  log_report(report);
  human << render_verify(report, RenderOptions{!o.json && use_color(), o.verbose > 0}) << std::flush;
  return report;
}

}  // namespace aiprov::cli
