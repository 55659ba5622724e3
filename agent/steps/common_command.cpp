#include "steps/common_command.hpp"

#include "steps/common_ownership.hpp"

namespace aiprov::steps {

std::string display_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                     "-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

ProcessResult run_checked(Context& ctx, const std::string& step_id, const Command& cmd) {
  ProcessResult result = ctx.host.proc.run(cmd);
  if (result.ok()) return result;
  std::string what = "command `" + display_argv(cmd.argv) + "` ";
  if (result.timed_out)
    what += "timed out after " + std::to_string(cmd.timeout.count()) + "s";
  else
    what += "exited " + std::to_string(result.exit_code);
  std::string tail = result.tail();
  step_fail(step_id, what + ":\n" + tail);
}

}  // namespace aiprov::steps
