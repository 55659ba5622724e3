#pragma once
/// One function per built-in step type; each lives in agent/steps/<type>.cpp and returns the type's
/// name, summary, fields, example and factory. registry.cpp lists them in one table.

#include "aiprov/step.hpp"

namespace aiprov::steps {

StepType file_type();
StepType directory_type();
StepType ini_type();
StepType group_type();
StepType group_members_type();
StepType command_type();
StepType apt_mirror_type();
StepType apt_packages_type();
StepType download_type();
StepType apt_keyring_type();
StepType apt_repository_type();
StepType apt_pin_type();
StepType deb_type();
StepType tree_permissions_type();
StepType nvidia_driver_type();
StepType apt_hold_type();
StepType reboot_type();
StepType cuda_driver_check_type();
StepType conda_env_type();
StepType fail_type();

}  // namespace aiprov::steps
