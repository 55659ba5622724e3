#pragma once
/// One function per built-in probe type; each lives in agent/steps/probe_<type>.cpp and returns the
/// type's name, summary, fields, example and probe factory. registry.cpp lists them in one table.

#include "aiprov/step.hpp"

namespace aiprov::steps {

ProbeType nvidia_smi_probe_type();
ProbeType nvml_probe_type();
ProbeType nvcc_probe_type();
ProbeType cudnn_sample_probe_type();
ProbeType conda_probe_type();
ProbeType pip_config_probe_type();
ProbeType command_probe_type();

}  // namespace aiprov::steps
