#include <algorithm>
#include <iostream>

#include "aiprov/step.hpp"
#include "aiprov/error.hpp"
#include "aiprov/version.hpp"
#include "cli/options.hpp"
#include "cli/steps_doc.hpp"
#include "cli/steps_man.hpp"

namespace aiprov::cli {

namespace {

/// The probe types as JSON (name, summary, fields, example), or [] when `all` is false.
nlohmann::json probe_types_json(const Registry& reg, bool all) {
  nlohmann::json list = nlohmann::json::array();
  if (!all) return list;
  for (const auto& t : reg.probe_types()) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : t.fields)
      fields.push_back({{"name", f.name}, {"type", field_type_name(f.type)}, {"required", f.required}, {"doc", f.doc}});
    list.push_back({{"name", t.name}, {"summary", t.summary}, {"fields", fields}, {"example", t.example}});
  }
  return list;
}

void print_probe_types(const Registry& reg) {
  std::cout << "Probe types (a recipe's `probes:`, run by `aiprov verify`). Every probe has: ";
  for (const auto& f : Registry::common_probe_fields()) std::cout << f.name << (f.required ? "*" : "") << " ";
  std::cout << "(* required)\n\n";
  for (const auto& t : reg.probe_types()) {
    std::cout << t.name << ": " << t.summary << "\n";
    for (const auto& f : t.fields)
      std::cout << "  " << f.name << (f.required ? "*" : "") << " (" << field_type_name(f.type) << ")  " << f.doc << "\n";
    std::cout << "\n";
  }
}

}  // namespace

void add_steps(CLI::App& app, Options& o, Action& action) {
  auto* cmd = app.add_subcommand("steps", "List the step types and their fields");
  static bool markdown = false;
  static bool man = false;
  static bool names = false;
  static std::vector<std::string> only_types;
  markdown = man = names = false;  // the statics outlive one parse (the unit tests run main() many times)
  only_types.clear();
  cmd->add_option("type", only_types, "Only these step types")->type_name("TYPE");
  cmd->add_flag("--markdown", markdown, "The reference as Markdown (docs/steps.md)");
  cmd->add_flag("--man", man, "The manual page aiprov-recipe(5), in roff");
  cmd->add_flag("--names", names, "Only the names of the step types, one a line");
  cmd->callback([&o, &action] {
    action = [&o] {
      const Registry& reg = builtin_registry();
      if (markdown) {
        std::cout << steps_markdown(reg);
        return 0;
      }
      if (man) {
        std::cout << steps_man(reg, kVersion);
        return 0;
      }
      for (const auto& name : only_types)
        if (!reg.find(name)) throw UsageError("steps: no step type '" + name + "' (see `aiprov steps --names`)");
      auto chosen = [](const StepType& t) {
        return only_types.empty() || std::find(only_types.begin(), only_types.end(), t.name) != only_types.end();
      };
      if (names) {
        for (const auto& t : reg.types())
          if (chosen(t)) std::cout << t.name << "\n";
        return 0;
      }
      if (o.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& t : reg.types()) {
          if (!chosen(t)) continue;
          nlohmann::json fields = nlohmann::json::array();
          for (const auto& f : t.fields)
            fields.push_back({{"name", f.name}, {"type", field_type_name(f.type)}, {"required", f.required}, {"doc", f.doc}});
          j.push_back({{"name", t.name}, {"summary", t.summary}, {"fields", fields}, {"example", t.example}});
        }
        // Probe types beside the step types: {"steps": [...], "probes": [...]} (probes only unfiltered).
        std::cout << nlohmann::json{{"steps", j}, {"probes", probe_types_json(reg, only_types.empty())}}.dump(2)
                  << "\n";
        return 0;
      }
      std::cout << "Every step has: ";
      for (const auto& f : Registry::common_fields()) std::cout << f.name << (f.required ? "*" : "") << " ";
      std::cout << "(* required)\n\n";
      for (const auto& t : reg.types()) {
        if (!chosen(t)) continue;
        std::cout << t.name << ": " << t.summary << "\n";
        for (const auto& f : t.fields)
          std::cout << "  " << f.name << (f.required ? "*" : "") << " (" << field_type_name(f.type) << ")  " << f.doc
                    << "\n";
        std::cout << "\n";
      }
      if (only_types.empty()) print_probe_types(reg);
      return 0;
    };
  });
}

}  // namespace aiprov::cli
