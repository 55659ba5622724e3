#pragma once
/// Private helpers of the step types that run commands.

#include <string>
#include <vector>

#include "aiprov/step.hpp"

namespace aiprov::steps {

/// argv for display, joined by spaces; an argument with spaces or shell metacharacters is single-quoted
/// ("sh -c 'touch /x && echo ok'").
std::string display_argv(const std::vector<std::string>& argv);

/// Runs `cmd` through ctx.host.proc and returns its result when it succeeded. Otherwise throws StepError
/// "step '<id>': command `<argv>` exited N:\n<tail>" (or "timed out after Ns").
ProcessResult run_checked(Context& ctx, const std::string& step_id, const Command& cmd);

}  // namespace aiprov::steps
