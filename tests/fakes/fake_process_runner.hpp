#pragma once
/// FakeProcessRunner: the recording ProcessRunner of the unit tests (see fake_host.hpp).

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/host.hpp"

namespace aiprov::testing {

/// A recording ProcessRunner. Rules are tried newest first; the first that matches answers.
class FakeProcessRunner : public ProcessRunner {
 public:
  using Matcher = std::function<bool(const Command&)>;
  using Responder = std::function<ProcessResult(const Command&)>;

  static ProcessResult result(int exit_code, std::string output = {}) {
    ProcessResult r;
    r.exit_code = exit_code;
    r.output = std::move(output);
    return r;
  }

  /// Answers commands matching `match` with whatever `respond` returns (it may also edit the VFS).
  void on(Matcher match, Responder respond) { m_rules.push_back({std::move(match), std::move(respond)}); }
  /// Answers exactly `argv` with `res`, running `effect` first when given.
  void on_argv(std::vector<std::string> argv, ProcessResult res,
               std::function<void(const Command&)> effect = {}) {
    on([argv](const Command& c) { return c.argv == argv; },
       [res, effect](const Command& c) {
         if (effect) effect(c);
         return res;
       });
  }
  /// Answers every command whose argv[0] is `program` (exact) with `res`, running `effect` first.
  void on_program(std::string program, ProcessResult res, std::function<void(const Command&)> effect = {}) {
    on([program](const Command& c) { return !c.argv.empty() && c.argv[0] == program; },
       [res, effect](const Command& c) {
         if (effect) effect(c);
         return res;
       });
  }

  ProcessResult run(const Command& cmd) override {
    m_commands.push_back(cmd);
    for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it)
      if (it->match(cmd)) return it->respond(cmd);
    return result(0);
  }

  /// Every command run, in order.
  const std::vector<Command>& commands() const { return m_commands; }
  /// Every command's argv joined by single spaces ("groupadd --system anaconda").
  std::vector<std::string> command_lines() const {
    std::vector<std::string> lines;
    for (const auto& c : m_commands) lines.push_back(join(c.argv));
    return lines;
  }
  void clear_commands() { m_commands.clear(); }

  static std::string join(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
  }

 private:
  struct Rule {
    Matcher match;
    Responder respond;
  };
  std::vector<Rule> m_rules;
  std::vector<Command> m_commands;
};

}  // namespace aiprov::testing
