#pragma once
/// The manual page aiprov-recipe(5), generated from the registry: `aiprov steps --man`. The build
/// (packaging/CMakeLists.txt) writes it from the built binary, so the page lists exactly the step and
/// probe types, and the fields, of the binary it is installed with.

#include <string>

#include "aiprov/step.hpp"

namespace aiprov::cli {

/// The whole page in roff (man(7) macros): the recipe language, then one subsection per step type and
/// per probe type with its fields and example. `version` goes into the page header.
std::string steps_man(const Registry& registry, const std::string& version);

/// Text made safe for roff: backslashes and minus signs escaped, a leading '.' or '\'' neutralised on
/// every line (so a YAML example or a field's doc can never be read as a request).
std::string roff_escape(const std::string& text);

}  // namespace aiprov::cli
