#pragma once
/// The step reference, generated from the registry: `aiprov steps --markdown` writes docs/steps.md
/// (a unit test keeps the committed file equal to it).

#include <string>

#include "aiprov/step.hpp"

namespace aiprov::cli {

std::string steps_markdown(const Registry& registry);

}  // namespace aiprov::cli
