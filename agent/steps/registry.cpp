#include "steps/steps.hpp"

namespace aiprov {

void register_builtin_steps(Registry& registry) {
  // The one table of step types: `aiprov steps`, the docs and the loader all read it.
  static StepType (*const kBuiltinSteps[])() = {
      steps::file_type,          steps::directory_type, steps::ini_type,
      steps::group_type,         steps::group_members_type,
      steps::command_type,       steps::apt_mirror_type,
      steps::apt_packages_type,
      steps::download_type,
      steps::apt_keyring_type,   steps::apt_repository_type,
      steps::apt_pin_type,       steps::deb_type,
      steps::tree_permissions_type,
  };
  for (auto make : kBuiltinSteps) registry.add(make());
}

const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
    register_builtin_steps(r);
    return r;
  }();
  return registry;
}

}  // namespace aiprov
