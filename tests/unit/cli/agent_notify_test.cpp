// sd_notify by hand: datagrams to a path socket and to an abstract one; the signals the agent reads
// from its signalfd.

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "cli/agent_notify.hpp"
#include "cli/agent_signals.hpp"

namespace aiprov::cli::agent {
namespace {

/// A bound datagram socket, as systemd's notify socket. `name` starting with '@' is abstract.
class Listener {
 public:
  explicit Listener(const std::string& name) : m_name(name) {
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    m_bound = ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), len) == 0;
    timeval tv{5, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Listener() {
    ::close(m_fd);
    if (m_name[0] == '/') ::unlink(m_name.c_str());
  }
  bool bound() const { return m_bound; }
  std::string receive() {
    char buf[4096];
    ssize_t n = ::recv(m_fd, buf, sizeof(buf), 0);
    return n < 0 ? std::string("<nothing: ") + std::strerror(errno) + ">" : std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string m_name;
  int m_fd = -1;
  bool m_bound = false;
};

TEST(AgentNotify, PathSocket) {
  char dir[] = "/tmp/aiprov-notify-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/notify";
  {
    Listener l(path);
    ASSERT_TRUE(l.bound());
    Notifier n(path);
    EXPECT_TRUE(n.enabled());
    EXPECT_TRUE(n.ready("started"));
    EXPECT_EQ(l.receive(), "READY=1\nSTATUS=started");
    EXPECT_TRUE(n.status("round 1"));
    EXPECT_EQ(l.receive(), "STATUS=round 1");
    EXPECT_TRUE(n.stopping("bye"));
    EXPECT_EQ(l.receive(), "STOPPING=1\nSTATUS=bye");
  }
  ::rmdir(dir);
}

TEST(AgentNotify, AbstractSocketAndReloading) {
  std::string name = "@aiprov-notify-test-" + std::to_string(::getpid());
  Listener l(name);
  ASSERT_TRUE(l.bound());
  Notifier n(name);
  unsigned long long before = monotonic_usec();
  EXPECT_TRUE(n.reloading("reloading"));
  unsigned long long after = monotonic_usec();
  std::string got = l.receive();
  ASSERT_EQ(got.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << got;
  std::string rest = got.substr(std::strlen("RELOADING=1\nMONOTONIC_USEC="));
  unsigned long long usec = std::stoull(rest.substr(0, rest.find('\n')));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
  EXPECT_EQ(rest.substr(rest.find('\n')), "\nSTATUS=reloading");
}

TEST(AgentNotify, EnvironmentAndBadNames) {
  ::unsetenv("NOTIFY_SOCKET");
  Notifier none;
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(none.ready("x"));
  ::setenv("NOTIFY_SOCKET", "@from-env", 1);
  EXPECT_EQ(Notifier().socket(), "@from-env");
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(Notifier("relative/socket").send("READY=1"));
  EXPECT_FALSE(Notifier("/nonexistent-dir/socket").send("READY=1"));  // nobody listens: false, no throw
}

TEST(AgentSignals, SighupIsAReloadOnceAndSigtermAStop) {
  SignalWatcher w;
  EXPECT_FALSE(w.poll());
  EXPECT_FALSE(w.wait(std::chrono::milliseconds(1)));  // nothing pending
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);            // blocked: waits in the signalfd
  EXPECT_TRUE(w.wait(std::chrono::seconds(30)));
  EXPECT_FALSE(w.stop_requested());
  EXPECT_TRUE(w.take_reload());
  EXPECT_FALSE(w.take_reload());
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_TRUE(w.wait(std::chrono::seconds(30)));
  EXPECT_TRUE(w.stop_requested());
  EXPECT_STREQ(w.stop_signal(), "SIGTERM");
  EXPECT_TRUE(w.poll());  // a stop stays asked for
}

TEST(AgentSignals, AStopIsSeenWithoutWaiting) {
  SignalWatcher w;
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  EXPECT_TRUE(w.poll());
  EXPECT_STREQ(w.stop_signal(), "SIGINT");
}

TEST(AgentSignals, TheMaskIsRestored) {
  sigset_t before, after;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &before);
  { SignalWatcher w; }
  ::pthread_sigmask(SIG_SETMASK, nullptr, &after);
  EXPECT_EQ(sigismember(&before, SIGTERM), sigismember(&after, SIGTERM));
  EXPECT_EQ(sigismember(&before, SIGHUP), sigismember(&after, SIGHUP));
}

}  // namespace
}  // namespace aiprov::cli::agent
