#include <iostream>

#include "aiprov/step.hpp"
#include "cli/options.hpp"
#include "cli/steps_doc.hpp"

namespace aiprov::cli {

void add_steps(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("steps", "List the step types and their fields");
  static bool markdown = false;
  cmd->add_flag("--markdown", markdown, "The reference as Markdown (docs/steps.md)");
  cmd->callback([&o, &action] {
    action = [&o] {
      const Registry& reg = builtin_registry();
      if (markdown) {
        std::cout << steps_markdown(reg);
        return 0;
      }
      if (o.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& t : reg.types()) {
          nlohmann::json fields = nlohmann::json::array();
          for (const auto& f : t.fields)
            fields.push_back({{"name", f.name}, {"type", field_type_name(f.type)}, {"required", f.required}, {"doc", f.doc}});
          j.push_back({{"name", t.name}, {"summary", t.summary}, {"fields", fields}, {"example", t.example}});
        }
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      std::cout << "Every step has: ";
      for (const auto& f : Registry::common_fields()) std::cout << f.name << (f.required ? "*" : "") << " ";
      std::cout << "(* required)\n\n";
      for (const auto& t : reg.types()) {
        std::cout << t.name << ": " << t.summary << "\n";
        for (const auto& f : t.fields)
          std::cout << "  " << f.name << (f.required ? "*" : "") << " (" << field_type_name(f.type) << ")  " << f.doc
                    << "\n";
        std::cout << "\n";
      }
      return 0;
    };
  });
}

}  // namespace aiprov::cli
