// Validation of one entry of a recipe's `probes:` list: validate_entry with the probe schema (the
// probe types of the registry and Registry::common_probe_fields), then the type's probe factory.

#include "recipe/loader.hpp"

namespace aiprov::recipe {

ProbeDecl validate_probe(const RawStep& raw, ValidationContext& ctx) {
  CheckedEntry entry;
  const ProbeType& type = validate_typed_entry(raw, ctx, "probe", Registry::common_probe_fields(),
                                               ctx.registry.probe_types(), entry);
  ProbeDecl decl;
  set_common_fields(decl, type.name, raw, entry);
  decl.probe = type.factory(StepSpec(decl.id, type.name, entry.body));
  return decl;
}

}  // namespace aiprov::recipe
