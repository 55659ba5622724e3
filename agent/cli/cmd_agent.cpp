#include <memory>

#include "cli/agent_config.hpp"
#include "cli/agent_loop.hpp"
#include "cli/options.hpp"

namespace aiprov::cli {

void add_agent(CLI::App& app, Options& o, Action& action) {
  auto args = std::make_shared<agent::AgentArgs>();
  args->config_file = agent::kDefaultConfigFile;
  auto* cmd = app.add_subcommand(
      "agent", "Keep recipes converged: plan them every interval, log drift, correct it in correct mode "
               "(the daemon of aiprov-agent.service)");
  cmd->add_option("--config", args->config_file,
                  std::string("Agent configuration (default ") + agent::kDefaultConfigFile +
                      ", read from this machine, not under --root)")
      ->type_name("FILE");
  cmd->add_flag("--once", args->once,
                "Run one round and exit: 0 converged or corrected, 2 drift reported, 1 failed, 5 locked, 3 invalid");
  CLI::Option* root = app.get_option("--root");
  cmd->callback([&o, &action, args, root] {
    action = [&o, args, root] {
      args->root_given = root->count() > 0;
      return agent::run_agent(o, *args);
    };
  });
}

}  // namespace aiprov::cli
