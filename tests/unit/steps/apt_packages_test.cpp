// The apt_packages step on the recording fakes: a fake dpkg status file, fake apt-get/apt-cache/apt-mark
// answering with outputs captured from apt 2.6.2 (Debian 12), and fake installs that rewrite the status
// file so that the re-plan after apply is honest.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_host.hpp"
#include "step_fixture.hpp"
#include "steps/apt_run.hpp"
#include "steps/dpkg_status.hpp"
#include "steps/steps.hpp"

namespace aiprov {
namespace {

using testing::FakeHost;
using testing::FakeProcessRunner;

std::string stanza(const std::string& name, const std::string& version,
                   const std::string& status = "install ok installed") {
  return "Package: " + name + "\nStatus: " + status + "\nPriority: optional\nArchitecture: amd64\nVersion: " + version +
         "\nDescription: " + name + "\n it does things\n\n";
}

const char* const kTcpdumpSim =
    "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    "The following additional packages will be installed:\n  libpcap0.8\n"
    "The following NEW packages will be installed:\n  libpcap0.8 tcpdump\n"
    "0 upgraded, 2 newly installed, 0 to remove and 113 not upgraded.\n"
    "Inst libpcap0.8 (1.10.3-1 Debian:12.15/oldstable [amd64])\n"
    "Inst tcpdump (4.99.3-1 Debian:12.15/oldstable [amd64])\n"
    "Conf libpcap0.8 (1.10.3-1 Debian:12.15/oldstable [amd64])\n"
    "Conf tcpdump (4.99.3-1 Debian:12.15/oldstable [amd64])\n";

const std::vector<std::string> kInstallTcpdump = {"apt-get",
                                                  "install",
                                                  "-y",
                                                  "-q",
                                                  "--no-install-recommends",
                                                  "-o",
                                                  "Dpkg::Options::=--force-confdef",
                                                  "-o",
                                                  "Dpkg::Options::=--force-confold",
                                                  "-o",
                                                  "APT::Status-Fd=1",
                                                  "tcpdump"};

bool is_sim(const Command& c) { return c.argv.size() > 1 && c.argv[0] == "apt-get" && c.argv[1] == "-s"; }
bool is_real_apt_get(const Command& c) { return c.argv.size() > 1 && c.argv[0] == "apt-get" && c.argv[1] != "-s"; }

class AptPackages : public ::testing::Test {
 protected:
  void SetUp() override {
    steps::dpkg::forget_installed_packages();  // the fake file system's mtimes are all zero
    host.fs.add_file("/var/lib/dpkg/status", stanza("bash", "5.2.15-2+b8") + stanza("libc6", "2.36-9+deb12u14"));
  }
  void TearDown() override { steps::dpkg::forget_installed_packages(); }

  std::unique_ptr<Step> step(const std::string& yaml) { return testing::make_step(steps::apt_packages_type(), yaml); }
  /// Appends stanzas to the status file (as dpkg would after installing).
  void install(const std::string& stanzas) {
    host.fs.put("/var/lib/dpkg/status", host.fs.read("/var/lib/dpkg/status").value() + stanzas);
  }
  std::vector<std::string> targets(const StepPlan& p) {
    std::vector<std::string> out;
    for (const auto& c : p.changes)
      out.push_back(std::string(c.action == Change::Action::Create   ? "+ "
                                : c.action == Change::Action::Remove ? "- "
                                                                     : "~ ") +
                    c.target);
    return out;
  }

  FakeHost host;
};

TEST_F(AptPackages, SchemaErrors) {
  const auto& t = steps::apt_packages_type();
  EXPECT_EQ(testing::build_error(t, "packages: [tcpdump]"), "");
  EXPECT_NE(testing::build_error(t, "packages: [tcpdump]\nstate: installed")
                .find("state must be one of present, absent, held, latest"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: [Tcpdump]").find("'Tcpdump' is not a Debian package name"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: [\"tcpdump=\"]").find("invalid version"), std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: [tcpdump=4.99.3-1]\nstate: absent").find("without versions"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: []").find("at least one package"), std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: [wireshark]\ndebconf: {install-setuid: boolean true}")
                .find("package/question"),
            std::string::npos);
  EXPECT_NE(testing::build_error(t, "packages: [wx]\ndebconf: {wireshark-common/install-setuid: \"true\"}")
                .find("start with its type"),
            std::string::npos);
  EXPECT_TRUE(step("packages: [bash]")->uses_apt());
}

TEST_F(AptPackages, PresentPlansWhatAptWouldInstallWithDependencies) {
  host.proc.on(is_sim, [](const Command&) { return FakeProcessRunner::result(0, kTcpdumpSim); });
  Context ctx = host.context();
  StepPlan p = step("packages: [bash, tcpdump]")->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"+ package tcpdump (4.99.3-1)", "+ package libpcap0.8 (1.10.3-1)"}));
  EXPECT_EQ(p.changes[0].reason, "not installed");
  EXPECT_EQ(p.changes[1].reason, "dependency, chosen by apt");
  EXPECT_NE(p.changes[0].detail.find("  install libpcap0.8 1.10.3-1\n  install tcpdump 4.99.3-1\n"), std::string::npos)
      << p.changes[0].detail;
  ASSERT_EQ(host.proc.commands().size(), 1u) << "bash is installed: only tcpdump is simulated";
  const Command& sim = host.proc.commands()[0];
  EXPECT_EQ(FakeProcessRunner::join(sim.argv),
            "apt-get -s install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o "
            "Dpkg::Options::=--force-confold --allow-downgrades tcpdump");
  EXPECT_EQ(sim.env.at("DEBIAN_FRONTEND"), "noninteractive");
}

TEST_F(AptPackages, ConvergedPresentRunsNothing) {
  install(stanza("tcpdump", "4.99.3-1", "hold ok installed"));
  Context ctx = host.context();
  EXPECT_TRUE(step("packages: [bash, tcpdump, \"libc6=2.36-9+deb12u14\", \"bash=5.2.*\"]")->plan(ctx).converged());
  EXPECT_TRUE(host.proc.commands().empty());
}

TEST_F(AptPackages, ApplyRunsOneBatchedAptGetWithProgressThenConverges) {
  host.proc.on(is_sim, [](const Command&) { return FakeProcessRunner::result(0, kTcpdumpSim); });
  host.proc.on(is_real_apt_get, [&](const Command& c) {
    // apt writes status lines in arbitrary chunks
    for (const char* chunk : {"Reading package lists...\npmstatus:dpkg-exec:0:Running dpkg\npmstatus:libpcap0.8:2",
                              "0:Unpacking libpcap0.8 (amd64)\nSetting up tcpdump (4.99.3-1) ...\n",
                              "pmstatus:tcpdump:42.1:Configuring tcpdump (amd64)\n"})
      c.on_output(chunk);
    install(stanza("libpcap0.8", "1.10.3-1") + stanza("tcpdump", "4.99.3-1"));
    return FakeProcessRunner::result(0);
  });
  std::vector<std::string> progress;
  Context ctx = host.context("/var/lib/aiprov/backups/run1");
  ctx.progress = [&](const std::string& line) { progress.push_back(line); };
  auto s = step("packages: [tcpdump]\ndebconf:\n  wireshark-common/install-setuid: boolean true\n");
  StepPlan p = s->plan(ctx);
  s->apply(ctx, p);
  EXPECT_TRUE(s->plan(ctx).converged());

  auto lines = host.proc.command_lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "debconf-set-selections");
  EXPECT_EQ(host.proc.commands()[1].stdin_data, "wireshark-common wireshark-common/install-setuid boolean true\n");
  EXPECT_EQ(host.proc.commands()[2].argv, kInstallTcpdump);
  EXPECT_EQ(host.proc.commands()[2].env.at("DEBIAN_FRONTEND"), "noninteractive");
  EXPECT_EQ(progress,
            (std::vector<std::string>{"running dpkg 0%", "installing libpcap0.8 20%", "installing tcpdump 42%"}));
}

TEST_F(AptPackages, ApplyFailureNamesTheCommandAndTail) {
  host.proc.on(is_sim, [](const Command&) { return FakeProcessRunner::result(0, kTcpdumpSim); });
  host.proc.on(is_real_apt_get, [](const Command&) {
    return FakeProcessRunner::result(100,
                                     "pmstatus:tcpdump:40:Unpacking tcpdump (amd64)\n"
                                     "dpkg: error processing archive tcpdump.deb (--unpack):\n"
                                     "E: Sub-process /usr/bin/dpkg returned an error code (1)\n");
  });
  Context ctx = host.context();
  auto s = step("id: net-tools\npackages: [tcpdump]");
  StepPlan p = s->plan(ctx);
  std::string err = testing::step_error([&] { s->apply(ctx, p); });
  EXPECT_NE(err.find("step 'net-tools': command `apt-get install -y -q"), std::string::npos) << err;
  EXPECT_NE(err.find("exited 100:\ndpkg: error processing archive"), std::string::npos) << err;
  EXPECT_EQ(err.find("pmstatus"), std::string::npos) << "status lines are left out of the tail";
}

TEST_F(AptPackages, VersionsAndGlobs) {
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0, "Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n");
  });
  Context ctx = host.context();
  StepPlan p = step("packages: [\"bash=5.2.15-2+b1*\"]")->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"~ package bash (5.2.15-2+b8 -> 5.2.15-2+b13)"}));
  EXPECT_EQ(p.changes[0].reason, "installed 5.2.15-2+b8, wanted 5.2.15-2+b1*");
  EXPECT_EQ(host.proc.commands().back().argv.back(), "bash=5.2.15-2+b1*");

  std::string err = testing::step_error([&] { step("packages: [\"bash=5.1-1\"]")->plan(ctx); });
  EXPECT_NE(err.find("bash 5.2.15-2+b8 is installed, newer than the requested 5.1-1; set allow_downgrade"),
            std::string::npos)
      << err;
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0, "Inst bash [5.2.15-2+b8] (5.1-1 Debian:12 [amd64])\n");
  });
  err = testing::step_error([&] { step("packages: [\"bash=5.1*\"]")->plan(ctx); });
  EXPECT_NE(err.find("apt would downgrade bash 5.2.15-2+b8 -> 5.1-1"), std::string::npos) << err;
  StepPlan down = step("packages: [\"bash=5.1-1\"]\nallow_downgrade: true")->plan(ctx);
  EXPECT_EQ(targets(down), (std::vector<std::string>{"~ package bash (5.2.15-2+b8 -> 5.1-1)"}));
}

TEST_F(AptPackages, AbsentRemovesInstalledOnesOnly) {
  install(stanza("nvidia-driver-535", "535.183.01-0ubuntu0.22.04.1", "deinstall ok config-files") +
          stanza("g++", "4:12.2.0-3", "hold ok installed"));
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0,
                                     "The following packages will be REMOVED:\n  build-essential g++\n"
                                     "Remv build-essential [12.9]\nRemv g++ [4:12.2.0-3]\n");
  });
  host.proc.on(is_real_apt_get, [&](const Command&) {
    host.fs.put("/var/lib/dpkg/status", stanza("bash", "5.2.15-2+b8"));
    return FakeProcessRunner::result(0);
  });
  Context ctx = host.context();
  auto s = step("packages: [g++, nvidia-driver-535, not-there]\nstate: absent");
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"- package g++ (4:12.2.0-3)", "- package build-essential (12.9)"}));
  EXPECT_EQ(p.changes[1].reason, "removed by apt to satisfy dependencies");
  s->apply(ctx, p);
  EXPECT_EQ(FakeProcessRunner::join(host.proc.commands().back().argv),
            "apt-get remove -y -q -o APT::Status-Fd=1 --allow-change-held-packages g++");
  EXPECT_TRUE(s->plan(ctx).converged());
}

TEST_F(AptPackages, HeldInstallsAndHolds) {
  install(stanza("tcpdump", "4.99.3-1"));
  host.proc.on_program("apt-mark", FakeProcessRunner::result(0, "tcpdump set on hold.\n"), [&](const Command& c) {
    std::string text = host.fs.read("/var/lib/dpkg/status").value();
    for (std::size_t i = 2; i < c.argv.size(); ++i) {
      std::string from = "Package: " + c.argv[i] + "\nStatus: install ok installed";
      auto at = text.find(from);
      if (at != std::string::npos)
        text.replace(at, from.size(), "Package: " + c.argv[i] + "\nStatus: hold ok installed");
    }
    host.fs.put("/var/lib/dpkg/status", text);
  });
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0, "Inst htop (3.2.2-2 Debian:12.15/oldstable [amd64])\n");
  });
  host.proc.on(is_real_apt_get, [&](const Command&) {
    install(stanza("htop", "3.2.2-2"));
    return FakeProcessRunner::result(0);
  });
  Context ctx = host.context();
  auto s = step("packages: [tcpdump, htop]\nstate: held");
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"~ hold tcpdump", "+ package htop (3.2.2-2)", "~ hold htop"}));
  EXPECT_EQ(p.changes[0].reason, "installed, not on hold");
  s->apply(ctx, p);
  auto lines = host.proc.command_lines();
  EXPECT_EQ(lines[lines.size() - 2].find("apt-get install -y -q --no-install-recommends"), 0u);
  EXPECT_NE(lines[lines.size() - 2].find("--allow-change-held-packages htop"), std::string::npos);
  EXPECT_EQ(lines.back(), "apt-mark hold tcpdump htop");
  EXPECT_TRUE(s->plan(ctx).converged());
}

TEST_F(AptPackages, LatestComparesTheCandidate) {
  install(stanza("tcpdump", "4.99.3-1"));
  host.proc.on_program("apt-cache", FakeProcessRunner::result(
                                        0,
                                        "bash:\n  Installed: 5.2.15-2+b8\n  Candidate: 5.2.15-2+b13\n  Version table:\n"
                                        "tcpdump:\n  Installed: 4.99.3-1\n  Candidate: 4.99.3-1\n  Version table:\n"));
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0, "Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])\n");
  });
  Context ctx = host.context();
  StepPlan p = step("packages: [bash, tcpdump]\nstate: latest")->plan(ctx);
  EXPECT_EQ(targets(p), (std::vector<std::string>{"~ package bash (5.2.15-2+b8 -> 5.2.15-2+b13)"}));
  EXPECT_EQ(p.changes[0].reason, "candidate 5.2.15-2+b13 is newer than installed 5.2.15-2+b8");
  EXPECT_EQ(host.proc.command_lines().front(), "apt-cache policy bash tcpdump");
  EXPECT_EQ(host.proc.commands().back().argv.back(), "bash");
}

TEST_F(AptPackages, UnknownPackagesWaitForAPendingRepository) {
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(100,
                                     "Reading package lists...\nBuilding dependency tree...\n"
                                     "Reading state information...\nE: Unable to locate package cuda-toolkit-12-4\n");
  });
  Context ctx = host.context();
  auto s = step("id: cuda\npackages: [cuda-toolkit-12-4]");
  std::string err = testing::step_error([&] { s->plan(ctx); });
  EXPECT_NE(err.find("step 'cuda': apt does not know cuda-toolkit-12-4: `apt-get -s install"), std::string::npos)
      << err;
  EXPECT_NE(err.find("exited 100:\n"), std::string::npos) << err;
  EXPECT_NE(err.find("E: Unable to locate package cuda-toolkit-12-4"), std::string::npos) << err;

  ctx.pending["apt:sources"] = "cuda-repo";
  StepPlan p = s->plan(ctx);
  EXPECT_EQ(p.depends_on, "packages come from a repository added by step 'cuda-repo'");
  EXPECT_EQ(targets(p), (std::vector<std::string>{"+ package cuda-toolkit-12-4"}));

  // latest: a package apt-cache policy does not know
  host.proc.on_program("apt-cache", FakeProcessRunner::result(0, ""));
  EXPECT_EQ(step("packages: [cudnn9-cuda-12]\nstate: latest")->plan(ctx).depends_on,
            "packages come from a repository added by step 'cuda-repo'");
  ctx.pending.clear();
  err = testing::step_error([&] { step("packages: [cudnn9-cuda-12]\nstate: latest")->plan(ctx); });
  EXPECT_NE(err.find("apt has no installation candidate for cudnn9-cuda-12"), std::string::npos) << err;
}

TEST_F(AptPackages, WarnsAboutAVirtualPackage) {
  // `apt-get -s install hello` on Debian 12 (hello is provided by hello-traditional)
  host.proc.on(is_sim, [](const Command&) {
    return FakeProcessRunner::result(0,
                                     "Package hello is a virtual package provided by:\n  hello-traditional 2.10-6\n"
                                     "Inst hello-traditional (2.10-6 Debian:12.15/oldstable [amd64])\n");
  });
  Context ctx = host.context();
  StepPlan p = step("packages: [hello]")->plan(ctx);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0],
            "apt would install no package named hello (a virtual package? name the package that provides it)");
  EXPECT_TRUE(step("packages: [hello-traditional]")->plan(ctx).warnings.empty());
}

TEST_F(AptPackages, ApplyRefusesWorkThePlanDidNotShow) {
  host.proc.on(is_sim, [](const Command&) { return FakeProcessRunner::result(0, kTcpdumpSim); });
  Context ctx = host.context();
  auto s = step("packages: [tcpdump, htop]");
  StepPlan p = s->plan(ctx);
  p.changes.erase(p.changes.begin() + 1);  // as if htop were not part of the approved plan
  std::string err = testing::step_error([&] { s->apply(ctx, p); });
  EXPECT_NE(err.find("package htop changed since the plan was made"), std::string::npos) << err;
}

}  // namespace
}  // namespace aiprov
