#include "cli/agent_loop.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <spdlog/spdlog.h>

#include "aiprov/error.hpp"
#include "cli/agent_config.hpp"
#include "cli/agent_log.hpp"
#include "cli/agent_notify.hpp"
#include "cli/agent_round.hpp"
#include "cli/agent_signals.hpp"
#include "cli/agent_state.hpp"
#include "host/real.hpp"

namespace aiprov::cli::agent {

namespace {

using Clock = std::chrono::steady_clock;

std::string summary(const Round& r) {
  std::size_t drifted = 0;
  std::map<std::string, int> results;
  for (const auto& rr : r.recipes) {
    drifted += rr.drift.size();
    ++results[rr.result];
  }
  std::string out;
  for (const auto& [result, n] : results) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + result;
  if (out.empty()) out = "no recipe planned";
  return out + "; " + std::to_string(drifted) + " step(s) drifted";
}

class Agent {
 public:
  Agent(const Options& options, const AgentArgs& args) : m_options(options), m_args(args) {}

  int run() {
    use(load_config(m_args.config_file));
    start_logging();
    spdlog::info("agent started: {} ({} mode, every {}, root {}, {} recipe(s))", m_config.file,
                 mode_name(m_config.mode), format_duration(m_config.interval), m_root, m_config.recipes.size());
    m_notify.ready("started; " + std::string(mode_name(m_config.mode)) + " mode, every " +
                   format_duration(m_config.interval));
    resume_if_checkpoint();
    report_interrupted_run();
    int rc = kExitOk;
    while (!m_signals.stop_requested()) {
      const auto started = Clock::now();
      Round r = round();
      if (m_args.once) {
        rc = r.exit_code();
        break;
      }
      wait_until(started + m_config.interval, r);
      if (m_signals.take_reload()) reload();
    }
    const char* why = m_signals.stop_requested() ? m_signals.stop_signal() : "--once";
    m_notify.stopping(std::string("stopping (") + why + ")");
    spdlog::info("agent stopped ({})", why);
    return rc;
  }

 private:
  /// Takes a configuration: the root it names (unless --root), checked to be a directory.
  void use(Config c) {
    std::string root = m_args.root_given || !c.root ? m_options.root : *c.root;
    struct stat st{};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw UsageError("root " + root + (m_args.root_given || !c.root ? " (--root)" : " (from " + c.file + ")") +
                       ": not a directory");
    m_config = std::move(c);
    m_root = root;
  }

  void start_logging() {
    std::string log_file;
    try {
      auto fs = make_real_filesystem(m_root);
      make_dirs(*fs, "/var/log/aiprov", 0755);
      log_file = fs->host_path(kLogFile);
    } catch (const std::exception&) {
      // no log file: the journal still has everything
    }
    setup_logging(m_options.verbose, m_options.quiet, log_file);
  }

  void resume_if_checkpoint() {
    try {
      auto fs = make_real_filesystem(m_root);
      std::optional<Checkpoint> cp = read_checkpoint(*fs);
      if (!cp) return;
      spdlog::warn("run {} was stopped by step '{}' for a reboot ({}): resuming it", cp->run_id, cp->reboot_step,
                   cp->reason);
      m_notify.status("resuming run " + cp->run_id + " after a reboot");
      Options o = m_options;
      o.root = m_root;
      o.json = false;
      o.no_reboot = true;  // the agent never reboots the host: a second reboot step leaves a checkpoint
      o.wait_lock = static_cast<int>(m_config.lock_wait.count());  // a run in progress may finish first
      int rc = kExitOk;
      {
        LogStream human;
        rc = resume_from_checkpoint(o, human);
      }
      start_logging();  // resume set up its own logging, as `aiprov resume` does
      if (rc == kExitOk) spdlog::info("run {} resumed and finished", cp->run_id);
      else if (rc == kExitRebootRequired)
        spdlog::warn("run {} still waits for a reboot (the host has not rebooted, or another reboot step "
                     "stopped it): the checkpoint stays for `aiprov resume` after the reboot",
                     cp->run_id);
      else spdlog::error("resuming run {} ended with exit code {}; the checkpoint is kept", cp->run_id, rc);
    } catch (const std::exception& e) {
      start_logging();
      spdlog::error("cannot resume the run a reboot stopped: {}", e.what());
    }
  }

  void report_interrupted_run() {
    try {
      auto fs = make_real_filesystem(m_root);
      auto last = read_last_journal(*fs);
      if (!last || last->value("result", "") != "running") return;
      try {
        RunLock probe(*fs, "aiprov agent (start)", std::chrono::seconds(0));
      } catch (const LockedError&) {
        return;  // that run is still going
      }
      spdlog::warn("run {} of {} never finished (aiprov was killed or the host went down): {}",
                   last->value("run_id", "?"), last->value("recipe", "?"),
                   m_config.mode == Mode::Correct ? "this round converges what it left undone"
                                                  : "this round reports what it left undone (report mode)");
    } catch (const std::exception& e) {
      spdlog::error("cannot read the last run journal: {}", e.what());
    }
  }

  Round round() {
    Round r;
    r.number = ++m_rounds;
    r.agent_pid = static_cast<long>(::getpid());
    r.started_at = iso_now();
    r.mode = mode_name(m_config.mode);
    r.config = std::filesystem::absolute(m_config.file).string();
    RoundSettings settings{m_options, m_config.mode, m_config.vars, m_config.lock_wait};
    settings.base.root = m_root;
    settings.base.json = false;
    for (const auto& recipe : m_config.recipes) {
      if (m_signals.poll()) break;
      m_notify.status("round: planning " + recipe + " (" + r.mode + " mode)");
      r.recipes.push_back(run_recipe(recipe, settings, m_signals));
    }
    r.finished_at = iso_now();
    try {
      auto fs = make_real_filesystem(m_root);
      record_round(*fs, r);
    } catch (const std::exception& e) {
      spdlog::error("cannot record the round: {}", e.what());
    }
    spdlog::info("round done: {}", summary(r));
    return r;
  }

  /// Sleeps until `next`, waking at once for a stop or a reload.
  void wait_until(Clock::time_point next, const Round& last) {
    m_notify.status("last round " + last.started_at + ": " + summary(last) + "; next in " +
                    format_duration(m_config.interval) + " (" + mode_name(m_config.mode) + " mode)");
    for (;;) {
      auto now = Clock::now();
      if (now >= next || m_signals.stop_requested()) return;
      if (m_signals.wait(std::chrono::duration_cast<std::chrono::milliseconds>(next - now) +
                         std::chrono::milliseconds(1)))
        return;
    }
  }

  void reload() {
    m_notify.reloading("reloading " + m_args.config_file);
    try {
      use(load_config(m_args.config_file));
      start_logging();  // reopens the log file (rotated, or in a new root)
      spdlog::info("configuration reloaded: {} mode, every {}, root {}, {} recipe(s)", mode_name(m_config.mode),
                   format_duration(m_config.interval), m_root, m_config.recipes.size());
    } catch (const std::exception& e) {
      spdlog::error("reload: {}: keeping the previous configuration", e.what());
    }
    m_notify.ready("reloaded; " + std::string(mode_name(m_config.mode)) + " mode, every " +
                   format_duration(m_config.interval));
  }

  SignalWatcher m_signals;  // first: the signals are blocked before anything else starts
  Notifier m_notify;
  const Options& m_options;
  const AgentArgs& m_args;
  Config m_config;
  std::string m_root;
  int m_rounds = 0;
};

}  // namespace

int run_agent(const Options& options, const AgentArgs& args) { return Agent(options, args).run(); }

}  // namespace aiprov::cli::agent
