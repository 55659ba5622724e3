#include "steps/probe_common.hpp"

#include "steps/common_command.hpp"

namespace aiprov::steps::probe {

ProcessResult run(Context& ctx, const Command& cmd) {
  try {
    return ctx.host.proc.run(cmd);
  } catch (const HostError& e) {
    ProcessResult r;
    r.exit_code = 127;
    r.output = std::string(e.what()) + "\n";
    return r;
  }
}

Command command(std::vector<std::string> argv, std::chrono::seconds timeout) {
  Command cmd;
  cmd.argv = std::move(argv);
  cmd.timeout = timeout;
  return cmd;
}

std::string evidence(const Command& cmd, const ProcessResult& r, int lines) {
  std::string out = "$ " + display_argv(cmd.argv);
  if (!cmd.cwd.empty()) out += "   (in " + cmd.cwd + ")";
  out += "\n";
  std::string tail = r.tail(lines);
  out += tail;
  if (!tail.empty() && tail.back() != '\n') out += "\n";
  if (r.timed_out)
    out += "(timed out after " + std::to_string(cmd.timeout.count()) + "s)\n";
  else if (r.exit_code != 0)
    out += "(exit " + std::to_string(r.exit_code) + ")\n";
  return out;
}

std::string failure(const Command& cmd, const ProcessResult& r) {
  std::string what = "`" + display_argv(cmd.argv) + "` ";
  if (r.timed_out) return what + "timed out after " + std::to_string(cmd.timeout.count()) + "s";
  return what + "exited " + std::to_string(r.exit_code);
}

namespace {
ProbeResult verdict(ProbeResult::Status status, std::string summary, std::string evidence, nlohmann::json data) {
  ProbeResult r;
  r.status = status;
  r.summary = std::move(summary);
  r.evidence = std::move(evidence);
  r.data = std::move(data);
  return r;
}
}  // namespace

ProbeResult pass(std::string summary, std::string evidence, nlohmann::json data) {
  return verdict(ProbeResult::Status::Pass, std::move(summary), std::move(evidence), std::move(data));
}

ProbeResult fail(std::string summary, std::string evidence, nlohmann::json data) {
  return verdict(ProbeResult::Status::Fail, std::move(summary), std::move(evidence), std::move(data));
}

ProbeResult skip(std::string summary) {
  return verdict(ProbeResult::Status::Skip, std::move(summary), "", nlohmann::json::object());
}

std::vector<std::string> as_user(const std::string& user, std::vector<std::string> argv) {
  if (user.empty()) return argv;
  std::vector<std::string> out = {"runuser", "-u", user, "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool version_has_prefix(const std::string& version, const std::string& prefix) {
  if (prefix.empty() || version == prefix) return true;
  return version.size() > prefix.size() && version.compare(0, prefix.size(), prefix) == 0 &&
         version[prefix.size()] == '.';
}

}  // namespace aiprov::steps::probe
