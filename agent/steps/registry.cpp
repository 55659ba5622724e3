#include "steps/probes.hpp"
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
      steps::nvidia_driver_type, steps::apt_hold_type,
      steps::reboot_type,        steps::cuda_driver_check_type,
      steps::conda_env_type,     steps::fail_type,
  };
  for (auto make : kBuiltinSteps) registry.add(make());
  // The one table of probe types (`probes:` in a recipe, `aiprov verify`).
  static ProbeType (*const kBuiltinProbes[])() = {
      steps::nvidia_smi_probe_type,   steps::nvml_probe_type,   steps::nvcc_probe_type,
      steps::cudnn_sample_probe_type, steps::conda_probe_type,  steps::pip_config_probe_type,
      steps::command_probe_type,
  };
  for (auto make : kBuiltinProbes) registry.add_probe(make());
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
