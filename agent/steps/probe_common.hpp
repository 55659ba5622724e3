#pragma once
/// Private helpers of the probe types: running a command without throwing, the evidence text, the
/// verdicts, running as another user, version prefixes.

#include <chrono>
#include <string>
#include <vector>

#include "aiprov/step.hpp"

namespace aiprov::steps::probe {

/// Runs `cmd` through ctx.host.proc. Never throws: a program that cannot be started (HostError)
/// comes back as exit 127 with the reason as its output.
ProcessResult run(Context& ctx, const Command& cmd);

/// A command with argv and a timeout (probes never wait forever).
Command command(std::vector<std::string> argv, std::chrono::seconds timeout);

/// "$ nvcc --version" then the last `lines` lines of the output, then "(exit N)" or "(timed out
/// after Ns)" when the command did not succeed.
std::string evidence(const Command& cmd, const ProcessResult& r, int lines = 20);

/// "`nvcc --version` exited 127" or "`make` timed out after 1800s".
std::string failure(const Command& cmd, const ProcessResult& r);

ProbeResult pass(std::string summary, std::string evidence, nlohmann::json data = nlohmann::json::object());
ProbeResult fail(std::string summary, std::string evidence, nlohmann::json data = nlohmann::json::object());
ProbeResult skip(std::string summary);

/// `argv` as run by `user`: ["runuser", "-u", user, "--", argv...]; `argv` itself when user is "".
std::vector<std::string> as_user(const std::string& user, std::vector<std::string> argv);

/// True when `version` is `prefix` or starts with `prefix` and a '.': "550" and "550.127" match
/// "550.127.08"; "550.1" does not. An empty prefix matches everything.
bool version_has_prefix(const std::string& version, const std::string& prefix);

}  // namespace aiprov::steps::probe
