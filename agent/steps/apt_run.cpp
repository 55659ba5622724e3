// apt-get output parsers, the dpkg lock wait and run_apt.
#include "steps/apt_run.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "aiprov/expr.hpp"
#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"

namespace aiprov::steps::apt {
namespace {

std::atomic<long> g_lock_timeout_s{600};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

/// Calls `fn` with each line of `text` (without the newline).
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  }
}

/// The text between `open` and `close` starting at or after `from`, or nullopt.
std::optional<std::string_view> between(std::string_view s, char open, char close, std::size_t& from) {
  std::size_t a = s.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  std::size_t b = s.find(close, a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  from = b + 1;
  return s.substr(a + 1, b - a - 1);
}

/// The quoted name after `marker` in `line` ("... by glob 'X'" -> X).
std::string quoted_after(std::string_view line, std::string_view marker) {
  std::size_t at = line.find(marker);
  if (at == std::string_view::npos) return "";
  std::string_view rest = line.substr(at + marker.size());
  std::size_t end = rest.find('\'');
  return std::string(rest.substr(0, end));
}

}  // namespace

void set_apt_lock_timeout(std::chrono::seconds timeout) { g_lock_timeout_s = static_cast<long>(timeout.count()); }
std::chrono::seconds apt_lock_timeout() { return std::chrono::seconds(g_lock_timeout_s.load()); }

std::map<std::string, std::string> apt_env() {
  return {{"DEBIAN_FRONTEND", "noninteractive"}, {"NEEDRESTART_MODE", "l"}};
}

std::vector<SimulatedAction> parse_simulation(std::string_view output) {
  std::vector<SimulatedAction> actions;
  for_each_line(output, [&](std::string_view line) {
    SimulatedAction a;
    if (starts_with(line, "Inst "))
      a.kind = SimulatedAction::Kind::Install;
    else if (starts_with(line, "Remv "))
      a.kind = SimulatedAction::Kind::Remove;
    else if (starts_with(line, "Purg "))
      a.kind = SimulatedAction::Kind::Purge;
    else
      return;
    std::string_view rest = line.substr(5);
    std::size_t sp = rest.find(' ');
    a.package = std::string(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (!rest.empty() && rest.front() == '[') {
      std::size_t from = 0;
      if (auto old = between(rest, '[', ']', from)) a.old_version = std::string(*old);
      rest.remove_prefix(from);
    }
    if (a.kind == SimulatedAction::Kind::Install) {
      std::size_t from = 0;
      if (auto paren = between(rest, '(', ')', from)) a.new_version = std::string(paren->substr(0, paren->find(' ')));
      if (!a.old_version.empty()) {
        int c = compare_versions(a.new_version, a.old_version);
        a.kind = c > 0   ? SimulatedAction::Kind::Upgrade
                 : c < 0 ? SimulatedAction::Kind::Downgrade
                         : SimulatedAction::Kind::Reinstall;
      }
    }
    actions.push_back(std::move(a));
  });
  return actions;
}

std::string describe(const SimulatedAction& a) {
  using K = SimulatedAction::Kind;
  switch (a.kind) {
    case K::Install:
      return "install " + a.package + " " + a.new_version;
    case K::Upgrade:
      return "upgrade " + a.package + " " + a.old_version + " -> " + a.new_version;
    case K::Downgrade:
      return "downgrade " + a.package + " " + a.old_version + " -> " + a.new_version;
    case K::Reinstall:
      return "reinstall " + a.package + " " + a.new_version;
    case K::Remove:
      return "remove " + a.package + " " + a.old_version;
    case K::Purge:
      return "purge " + a.package + " " + a.old_version;
  }
  return a.package;
}

std::vector<std::string> unknown_packages(std::string_view output) {
  std::vector<std::string> names;
  for_each_line(output, [&](std::string_view line) {
    if (!starts_with(line, "E: ")) return;
    std::string name;
    if (starts_with(line, "E: Unable to locate package "))
      name = std::string(line.substr(28));
    else if (starts_with(line, "E: Package '") &&
             line.find("' has no installation candidate") != std::string_view::npos)
      name = quoted_after(line, "E: Package '");
    else if (starts_with(line, "E: Version '") && line.find("' was not found") != std::string_view::npos)
      name = quoted_after(line, "' for '");
    else if (starts_with(line, "E: Couldn't find any package by "))
      name = quoted_after(line, " '");
    if (!name.empty()) names.push_back(std::move(name));
  });
  return names;
}

std::map<std::string, Policy> parse_policy(std::string_view output) {
  std::map<std::string, Policy> policies;
  Policy* current = nullptr;
  for_each_line(output, [&](std::string_view line) {
    if (line.empty()) return;
    if (line.front() != ' ' && line.back() == ':') {
      current = &policies[std::string(line.substr(0, line.size() - 1))];
      return;
    }
    if (!current) return;
    std::size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) return;
    std::string_view field = line.substr(first);
    auto value = [&](std::string_view key) {
      std::string v(field.substr(key.size()));
      return v == "(none)" ? std::string() : v;
    };
    if (starts_with(field, "Installed: "))
      current->installed = value("Installed: ");
    else if (starts_with(field, "Candidate: "))
      current->candidate = value("Candidate: ");
  });
  return policies;
}

std::optional<StatusLine> parse_status_line(std::string_view line) {
  StatusLine s;
  std::string_view rest;
  for (auto [prefix, kind] : {std::pair{std::string_view("pmstatus:"), StatusLine::Kind::Package},
                              std::pair{std::string_view("dlstatus:"), StatusLine::Kind::Download},
                              std::pair{std::string_view("pmerror:"), StatusLine::Kind::Error},
                              std::pair{std::string_view("pmconffile:"), StatusLine::Kind::Conffile}}) {
    if (starts_with(line, prefix)) {
      s.kind = kind;
      rest = line.substr(prefix.size());
      break;
    }
  }
  if (rest.empty()) return std::nullopt;
  // SUBJECT:PERCENT:MESSAGE; a subject may itself hold ':' (a conffile path rarely does, an old apt
  // printed "pkg:arch"), so the percent is the first field after it that reads as a number.
  std::size_t from = 0;
  for (;;) {
    std::size_t c1 = rest.find(':', from);
    if (c1 == std::string_view::npos) return std::nullopt;
    std::size_t c2 = rest.find(':', c1 + 1);
    std::string pct(rest.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1));
    char* end = nullptr;
    double value = pct.empty() ? 0 : std::strtod(pct.c_str(), &end);
    if (!pct.empty() && end && *end == '\0' && std::isfinite(value)) {
      s.subject = std::string(rest.substr(0, c1));
      s.percent = value;
      s.message = c2 == std::string_view::npos ? std::string() : std::string(rest.substr(c2 + 1));
      return s;
    }
    from = c1 + 1;
  }
}

std::string progress_text(const StatusLine& s, const std::string& verb) {
  std::string pct = std::to_string(static_cast<int>(std::lround(s.percent))) + "%";
  switch (s.kind) {
    case StatusLine::Kind::Download:
      return "downloading " + pct + (s.message.empty() ? "" : " (" + s.message + ")");
    case StatusLine::Kind::Error:
      return "error in " + s.subject + ": " + s.message;
    case StatusLine::Kind::Conffile:
      return "configuration file " + s.subject + " " + pct;
    case StatusLine::Kind::Package:
      break;
  }
  if (s.subject == "dpkg-exec") return "running dpkg " + pct;
  bool removal = starts_with(s.message, "Remov") || starts_with(s.message, "Preparing for removal") ||
                 starts_with(s.message, "Completely removed") || starts_with(s.message, "Completely removing");
  return (removal ? std::string("removing") : verb) + " " + s.subject + " " + pct;
}

void LineSplitter::feed(std::string_view chunk) {
  for (;;) {
    std::size_t eol = chunk.find('\n');
    if (eol == std::string_view::npos) break;
    m_partial.append(chunk.substr(0, eol));
    if (!m_partial.empty() && m_partial.back() == '\r') m_partial.pop_back();
    m_on_line(m_partial);
    m_partial.clear();
    chunk.remove_prefix(eol + 1);
  }
  m_partial.append(chunk);
}

void LineSplitter::finish() {
  if (!m_partial.empty()) m_on_line(m_partial);
  m_partial.clear();
}

std::string without_status_lines(std::string_view output) {
  std::string out;
  out.reserve(output.size());
  for_each_line(output, [&](std::string_view line) {
    if (parse_status_line(line)) return;
    out.append(line);
    out.push_back('\n');
  });
  return out;
}

// --- dpkg lock ------------------------------------------------------------------------------------

std::string LockHolder::describe() const {
  std::string who = command.empty() ? std::string("another process") : command;
  return pid > 0 ? who + " (pid " + std::to_string(pid) + ")" : who;
}

std::optional<LockHolder> lock_holder(const std::string& host_path) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // absent (or unreadable): nothing to wait for
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int rc = ::fcntl(fd, F_OFD_GETLK, &fl);  // sees process locks and OFD locks, ours included
  if (rc != 0 && errno == EINVAL) {
    std::memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    rc = ::fcntl(fd, F_GETLK, &fl);
  }
  ::close(fd);
  if (rc != 0 || fl.l_type == F_UNLCK) return std::nullopt;
  LockHolder h;
  h.path = host_path;
  h.pid = fl.l_pid;
  if (h.pid > 0) {
    std::ifstream comm("/proc/" + std::to_string(h.pid) + "/comm");
    std::getline(comm, h.command);
  }
  return h;
}

std::vector<std::string> dpkg_lock_paths(const FileSystem& fs) {
  return {fs.host_path("/var/lib/dpkg/lock-frontend"), fs.host_path("/var/lib/dpkg/lock")};
}

void wait_for_dpkg_lock(const std::vector<std::string>& host_paths, const std::string& step_id,
                        const std::function<void(const std::string&)>& progress, std::chrono::milliseconds timeout,
                        std::chrono::milliseconds poll) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  bool warned = false;
  for (;;) {
    std::optional<LockHolder> holder;
    for (const auto& path : host_paths)
      if ((holder = lock_holder(path))) break;
    if (!holder) return;
    std::string message = "waiting for the dpkg lock held by " + holder->describe();
    if (!warned) {
      spdlog::warn("step '{}': {} (up to {}s)", step_id, message,
                   std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
      warned = true;
    }
    if (progress) progress(message);
    auto now = Clock::now();
    if (now >= deadline)
      step_fail(step_id, "the dpkg lock " + holder->path + " is held by " + holder->describe() + "; gave up after " +
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - start).count()) +
                             "s (see --apt-lock-timeout)");
    std::this_thread::sleep_for(std::min<Clock::duration>(poll, deadline - now));
  }
}

ProcessResult run_apt(Context& ctx, const std::string& step_id, Command cmd, const std::string& verb) {
  wait_for_dpkg_lock(dpkg_lock_paths(ctx.host.fs), step_id, ctx.progress, apt_lock_timeout());
  LineSplitter lines([&](std::string_view line) {
    if (!ctx.progress) return;
    if (auto status = parse_status_line(line)) ctx.progress(progress_text(*status, verb));
  });
  cmd.on_output = [&](std::string_view chunk) { lines.feed(chunk); };
  ProcessResult result = ctx.host.proc.run(cmd);
  lines.finish();
  if (result.ok()) return result;
  std::string what = "command `" + display_argv(cmd.argv) + "` ";
  if (result.timed_out)
    what += "timed out after " + std::to_string(cmd.timeout.count()) + "s";
  else
    what += "exited " + std::to_string(result.exit_code);
  ProcessResult shown = result;
  shown.output = without_status_lines(result.output);
  step_fail(step_id, what + ":\n" + shown.tail());
}

}  // namespace aiprov::steps::apt
