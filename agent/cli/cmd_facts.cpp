#include <iostream>

#include "cli/options.hpp"

namespace aiprov::cli {

namespace {
void print_tree(std::ostream& out, const nlohmann::json& j, const std::string& prefix) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      print_tree(out, it.value(), prefix.empty() ? it.key() : prefix + "." + it.key());
  } else if (j.is_array() && !j.empty() && j.front().is_object()) {
    for (size_t i = 0; i < j.size(); ++i) print_tree(out, j[i], prefix + "[" + std::to_string(i) + "]");
  } else {
    out << prefix << " = " << (j.is_string() ? j.get<std::string>() : j.dump()) << "\n";
  }
}
}  // namespace

void add_facts(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("facts", "Show what aiprov knows of the machine (usable as facts.* in recipes)");
  cmd->callback([&o, &action] {
    action = [&o] {
      Session session(o);
      if (o.json)
        std::cout << session.facts().dump(2) << "\n";
      else
        print_tree(std::cout, session.facts(), "facts");
      return 0;
    };
  });
}

}  // namespace aiprov::cli
