// Validation of one step or handler: validate_entry with the step schema (the registry's step types
// and Registry::common_fields), then the type's factory.

#include "recipe/loader.hpp"

namespace aiprov::recipe {

CheckedStep validate_step(const RawStep& raw, ValidationContext& ctx) {
  CheckedEntry entry;
  const StepType& type =
      validate_typed_entry(raw, ctx, "step", Registry::common_fields(), ctx.registry.types(), entry);
  CheckedStep out;
  StepDecl& decl = out.decl;
  set_common_fields(decl, type.name, raw, entry);
  decl.notify = scalars_of(entry.body.get("notify"));
  decl.needs = scalars_of(entry.body.get("needs"));
  decl.step = type.factory(StepSpec(decl.id, type.name, entry.body));
  out.body = std::move(entry.body);
  return out;
}

}  // namespace aiprov::recipe
