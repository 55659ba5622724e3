// RealProcessRunner: the ProcessRunner seam with Boost.Process. One pipe carries stdout and stderr;
// the child gets its own process group (so a timeout kills everything it started) and, under a root
// other than "/", is chrooted into the root.

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>

#include "aiprov/error.hpp"
#include "host/real.hpp"

namespace aiprov {
namespace bp = boost::process;
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kPathDirs = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                            "/usr/bin",       "/sbin",           "/bin"};
constexpr const char* kPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Runs in the forked child before execve: own process group, default signal state, the pipes on
/// fds 0-2, then chroot and chdir. Only async-signal-safe calls.
struct ChildSetup : bp::extend::handler {
  int stdin_fd;
  int output_fd;
  const char* chroot_dir;  // nullptr: no chroot
  const char* cwd;

  template <class Executor>
  void on_exec_setup(Executor& exec) const {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(stdin_fd, 0) < 0 || ::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0) {
      exec.set_error(std::error_code(errno, std::system_category()), "dup2 failed");
      ::_exit(127);
    }
    if (chroot_dir != nullptr && ::chroot(chroot_dir) != 0) {
      exec.set_error(std::error_code(errno, std::system_category()), "chroot failed");
      ::_exit(127);
    }
    if (::chdir(cwd) != 0) {
      exec.set_error(std::error_code(errno, std::system_category()), "chdir failed");
      ::_exit(127);
    }
  }
};

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

ProcessResult not_found(const Command& cmd) {
  ProcessResult result;
  result.exit_code = 127;
  result.output = "command not found: " + cmd.argv.front() + "\n";
  if (cmd.on_output) cmd.on_output(result.output);
  return result;
}

class RealProcessRunner : public ProcessRunner {
 public:
  explicit RealProcessRunner(const std::string& root) : m_root(detail::normalize_root(root)) {
    if (m_root != "/") m_mounts.emplace(m_root);
  }

  ProcessResult run(const Command& cmd) override {
    if (cmd.argv.empty()) throw HostError("cannot run an empty command");
    auto exe = detail::find_program(m_root, cmd.argv.front(), kPathDirs);
    if (!exe) return not_found(cmd);
    if (m_mounts) m_mounts->ensure();

    bp::environment env;
    env["PATH"] = kPath;
    env["LANG"] = "C.UTF-8";
    env["HOME"] = "/root";
    for (const auto& [key, value] : cmd.env) env[key] = value;

    int out_pipe[2];
    int in_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
    Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
    Fd in_read{in_pipe[0]}, in_write{in_pipe[1]};

    std::string cwd = cmd.cwd.empty() ? "/" : cmd.cwd;
    std::string host_cwd = m_root == "/" ? cwd : m_root + cwd;
    struct stat cwd_stat {};
    if (::stat(host_cwd.c_str(), &cwd_stat) != 0 || !S_ISDIR(cwd_stat.st_mode)) {
      throw HostError("cannot run " + cmd.argv.front() + ": working directory " + cwd + " does not exist");
    }
    ChildSetup setup;
    setup.stdin_fd = in_read.fd;
    setup.output_fd = out_write.fd;
    setup.chroot_dir = m_root == "/" ? nullptr : m_root.c_str();
    setup.cwd = cwd.c_str();

    std::vector<std::string> args(cmd.argv.begin() + 1, cmd.argv.end());
    std::error_code ec;
    bp::child child(bp::exe = *exe, bp::args = args, env, setup, ec);
    out_write.reset();
    in_read.reset();
    if (ec) {
      if (ec.value() == ENOENT) return not_found(cmd);
      throw HostError("cannot run " + cmd.argv.front() + ": " + ec.message());
    }

    ProcessResult result;
    std::optional<Clock::time_point> deadline;
    if (cmd.timeout.count() > 0) deadline = Clock::now() + cmd.timeout;
    detail::pump_process_io(child.id(), out_read.fd, in_write.fd, cmd.stdin_data, cmd.on_output, deadline,
                            result);
    in_write.fd = -1;  // closed by pump_process_io
    while (deadline && !result.timed_out && child.running(ec)) {
      if (Clock::now() >= *deadline) {  // the output is closed, but the command still runs
        ::kill(-child.id(), SIGKILL);
        result.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    child.wait(ec);
    int status = child.native_exit_code();
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.exit_code = 128 + WTERMSIG(status);
    }
    return result;
  }

 private:
  std::string m_root;
  std::optional<detail::ChrootMounts> m_mounts;
};

}  // namespace

std::unique_ptr<ProcessRunner> make_real_process_runner(const std::string& root) {
  return std::make_unique<RealProcessRunner>(root);
}

}  // namespace aiprov
