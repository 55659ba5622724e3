/// Step type `apt_packages`: Debian packages present (optionally at a version or version glob),
/// absent, held at their version, or at the latest candidate. The installed state comes from the
/// root's /var/lib/dpkg/status (dpkg_status.hpp); what apt would add or remove to get there comes from
/// `apt-get -s`; apply is one batched apt-get call (plus `apt-mark hold` for `held`).

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aiprov/expr.hpp"
#include "steps/apt_run.hpp"
#include "steps/common_command.hpp"
#include "steps/common_ownership.hpp"
#include "steps/dpkg_status.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

enum class State { Present, Absent, Held, Latest };

/// One entry of `packages`: "name", "name=version" or "name=1.2.*".
struct Request {
  std::string name;
  std::string version;  ///< "" for any
  bool glob = false;
  std::string arg() const { return version.empty() ? name : name + "=" + version; }
  std::string wanted() const { return version.empty() ? "any version" : version; }
  bool matches(const std::string& installed) const {
    if (version.empty()) return true;
    if (glob) return ::fnmatch(version.c_str(), installed.c_str(), 0) == 0;
    return installed == version;
  }
};

/// What the step would do, before asking apt about dependencies.
struct Work {
  std::vector<Change> changes;       ///< one per requested package (and hold)
  std::vector<std::string> install;  ///< apt-get install arguments
  std::vector<std::string> remove;   ///< apt-get remove arguments
  std::vector<std::string> hold;     ///< apt-mark hold arguments
  std::vector<std::string> unknown;  ///< latest: names apt has no candidate for
  bool change_held = false;          ///< a package on hold changes: --allow-change-held-packages
};

bool is_package_of(const std::string& apt_name, const std::string& name) {
  return apt_name == name || (name.find(':') == std::string::npos && apt_name.rfind(name + ":", 0) == 0);
}

class AptPackagesStep : public Step {
 public:
  AptPackagesStep(std::string id, std::vector<Request> requests, State state, bool recommends,
                  std::vector<std::pair<std::string, std::string>> debconf, bool allow_downgrade)
      : m_id(std::move(id)),
        m_requests(std::move(requests)),
        m_state(state),
        m_recommends(recommends),
        m_debconf(std::move(debconf)),
        m_allow_downgrade(allow_downgrade) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    Work work = compute(ctx);
    plan.changes = std::move(work.changes);
    std::string repo_step = ctx.pending_by("apt:sources");
    if (!work.unknown.empty()) {
      if (repo_step.empty()) step_fail(m_id, "apt has no installation candidate for " + join(work.unknown, ", "));
      plan.depends_on = "packages come from a repository added by step '" + repo_step + "'";
      return plan;
    }
    if (work.install.empty() && work.remove.empty()) return plan;

    Command sim = apt_command(work, true);
    ProcessResult r = ctx.host.proc.run(sim);
    if (!r.ok()) {
      std::vector<std::string> unknown = apt::unknown_packages(r.output);
      if (!unknown.empty() && !repo_step.empty()) {
        plan.depends_on = "packages come from a repository added by step '" + repo_step + "'";
        return plan;
      }
      std::string what = unknown.empty() ? "apt cannot " + verb() + " " + join(sim_targets(work), " ")
                                         : "apt does not know " + join(unknown, ", ");
      step_fail(m_id,
                what + ": `" + display_argv(sim.argv) + "` exited " + std::to_string(r.exit_code) + ":\n" + r.tail());
    }
    add_simulation(plan, work, apt::parse_simulation(r.output), sim);
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    Work work = compute(ctx);
    std::set<std::string> planned;
    for (const auto& c : plan.changes) planned.insert(c.provides.begin(), c.provides.end());
    for (const auto* list : {&work.install, &work.remove, &work.hold})
      for (const auto& arg : *list)
        if (!planned.count("package:" + arg.substr(0, arg.find('='))))
          step_fail(m_id, "package " + arg + " changed since the plan was made; plan again");
    if (!work.unknown.empty()) step_fail(m_id, "apt has no installation candidate for " + join(work.unknown, ", "));

    if (!work.install.empty() && !m_debconf.empty()) {
      Command preseed;
      preseed.argv = {"debconf-set-selections"};
      preseed.env = apt::apt_env();
      for (const auto& [key, value] : m_debconf)
        preseed.stdin_data += key.substr(0, key.find('/')) + " " + key + " " + value + "\n";
      run_checked(ctx, m_id, preseed);
    }
    if (!work.install.empty() || !work.remove.empty())
      apt::run_apt(ctx, m_id, apt_command(work, false), work.remove.empty() ? "installing" : "removing");
    if (!work.hold.empty()) {
      Command hold;
      hold.argv = {"apt-mark", "hold"};
      hold.argv.insert(hold.argv.end(), work.hold.begin(), work.hold.end());
      hold.env = apt::apt_env();
      apt::run_apt(ctx, m_id, hold, "holding");
    }
  }

  bool uses_apt() const override { return true; }

 private:
  static std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
  }
  std::string verb() const { return m_state == State::Absent ? "remove" : "install"; }
  static std::vector<std::string> sim_targets(const Work& w) { return w.remove.empty() ? w.install : w.remove; }

  /// The requested changes, from dpkg's status file (and `apt-cache policy` for `latest`).
  Work compute(Context& ctx) const {
    Work w;
    std::shared_ptr<const dpkg::StatusMap> db;
    try {
      db = dpkg::installed_packages(ctx.host.fs);
    } catch (const HostError& e) {
      step_fail(m_id, e.what());
    }
    std::map<std::string, apt::Policy> policy;
    if (m_state == State::Latest) policy = query_policy(ctx);
    for (const auto& r : m_requests) {
      auto it = db->find(r.name);
      const dpkg::PackageState* st = it == db->end() ? nullptr : &it->second;
      const bool installed = st && st->installed();
      const std::vector<std::string> provides = {"package:" + r.name};
      if (m_state == State::Absent) {
        if (installed) {
          w.changes.push_back(
              {Change::Action::Remove, "package " + r.name + " (" + st->version + ")", "installed", "", provides});
          w.remove.push_back(r.name);
          w.change_held = w.change_held || st->held();
        }
        continue;
      }
      if (!installed) {
        std::string reason = "not installed";
        if (st && st->status != "not-installed")
          reason += " (dpkg: " + st->want + " " + st->flag + " " + st->status + ")";
        if (m_state == State::Latest && (!policy.count(r.name) || policy[r.name].candidate.empty())) {
          w.unknown.push_back(r.name);
          continue;
        }
        w.changes.push_back({Change::Action::Create,
                             "package " + r.name + (r.version.empty() ? "" : " (" + r.version + ")"), reason, "",
                             provides});
        w.install.push_back(r.arg());
      } else if (!r.matches(st->version)) {
        if (!r.glob && !m_allow_downgrade && compare_versions(r.version, st->version) < 0)
          step_fail(m_id, r.name + " " + st->version + " is installed, newer than the requested " + r.version +
                              "; set allow_downgrade: true to downgrade it");
        w.changes.push_back({Change::Action::Update,
                             "package " + r.name + " (" + st->version + " -> " + r.version + ")",
                             "installed " + st->version + ", wanted " + r.wanted(), "", provides});
        w.install.push_back(r.arg());
        w.change_held = w.change_held || st->held();
      } else if (m_state == State::Latest) {
        const apt::Policy& p = policy[r.name];
        if (!p.candidate.empty() && compare_versions(p.candidate, st->version) > 0) {
          w.changes.push_back({Change::Action::Update,
                               "package " + r.name + " (" + st->version + " -> " + p.candidate + ")",
                               "candidate " + p.candidate + " is newer than installed " + st->version, "", provides});
          w.install.push_back(r.name);
          w.change_held = w.change_held || st->held();
        }
      }
      if (m_state == State::Held && !(st && st->held())) {
        w.changes.push_back({Change::Action::Update, "hold " + r.name,
                             installed ? "installed, not on hold" : "to be held once installed", "", provides});
        w.hold.push_back(r.name);
      }
    }
    if (m_state == State::Held && !w.install.empty()) w.change_held = true;
    return w;
  }

  std::map<std::string, apt::Policy> query_policy(Context& ctx) const {
    Command cmd;
    cmd.argv = {"apt-cache", "policy"};
    for (const auto& r : m_requests) cmd.argv.push_back(r.name);
    cmd.env = apt::apt_env();
    return apt::parse_policy(run_checked(ctx, m_id, cmd).output);
  }

  /// The apt-get install/remove command of `w`; `simulate`: `apt-get -s` with the same options.
  Command apt_command(const Work& w, bool simulate) const {
    Command cmd;
    cmd.env = apt::apt_env();
    const bool removing = !w.remove.empty();
    cmd.argv = {"apt-get"};
    if (simulate) cmd.argv.push_back("-s");
    cmd.argv.insert(cmd.argv.end(), {removing ? "remove" : "install", "-y", "-q"});
    if (!removing) {
      cmd.argv.push_back(m_recommends ? "--install-recommends" : "--no-install-recommends");
      cmd.argv.insert(cmd.argv.end(),
                      {"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"});
    }
    if (!simulate) cmd.argv.insert(cmd.argv.end(), {"-o", "APT::Status-Fd=1"});
    // The simulation allows downgrades so that it can show them; the plan refuses them unless allowed.
    if (!removing && (m_allow_downgrade || simulate)) cmd.argv.push_back("--allow-downgrades");
    if (w.change_held) cmd.argv.push_back("--allow-change-held-packages");
    const auto& targets = sim_targets(w);
    cmd.argv.insert(cmd.argv.end(), targets.begin(), targets.end());
    return cmd;
  }

  /// Adds what apt would do beyond the requested packages, and the simulation as the first detail; warns
  /// about a requested package apt would not install under its own name.
  void add_simulation(StepPlan& plan, const Work& work, const std::vector<apt::SimulatedAction>& actions,
                      const Command& sim) const {
    using K = apt::SimulatedAction::Kind;
    for (const auto& arg : work.install) {
      std::string name = arg.substr(0, arg.find('='));
      if (std::none_of(actions.begin(), actions.end(), [&](const auto& a) { return is_package_of(a.package, name); }))
        plan.warnings.push_back("apt would install no package named " + name +
                                " (a virtual package? name the package that provides it)");
    }
    std::string detail = "apt would (" + display_argv(sim.argv) + "):\n";
    for (const auto& a : actions) detail += "  " + apt::describe(a) + "\n";
    if (m_state != State::Absent)
      for (const auto& [key, value] : m_debconf) detail += "debconf: " + key + " " + value + "\n";
    for (const auto& a : actions) {
      if (a.kind == K::Downgrade && !m_allow_downgrade)
        step_fail(m_id, "apt would " + apt::describe(a) + "; set allow_downgrade: true to allow it");
      auto req = std::find_if(m_requests.begin(), m_requests.end(),
                              [&](const Request& r) { return is_package_of(a.package, r.name); });
      if (req != m_requests.end()) {
        for (auto& c : plan.changes)  // name the version apt picked (a glob becomes a version)
          if (c.provides.front() == "package:" + req->name && c.target.rfind("package ", 0) == 0 &&
              !a.new_version.empty())
            c.target = "package " + req->name + " (" +
                       (a.old_version.empty() ? a.new_version : a.old_version + " -> " + a.new_version) + ")";
        continue;
      }
      Change c;
      c.action = a.kind == K::Install                          ? Change::Action::Create
                 : (a.kind == K::Remove || a.kind == K::Purge) ? Change::Action::Remove
                                                               : Change::Action::Update;
      c.target = "package " + a.package + " (" +
                 (a.old_version.empty()   ? a.new_version
                  : a.new_version.empty() ? a.old_version
                                          : a.old_version + " -> " + a.new_version) +
                 ")";
      c.reason =
          c.action == Change::Action::Remove ? "removed by apt to satisfy dependencies" : "dependency, chosen by apt";
      c.provides = {"package:" + a.package};
      plan.changes.push_back(std::move(c));
    }
    if (!plan.changes.empty()) plan.changes.front().detail = detail;
  }

  std::string m_id;
  std::vector<Request> m_requests;
  State m_state;
  bool m_recommends;
  std::vector<std::pair<std::string, std::string>> m_debconf;
  bool m_allow_downgrade;
};

bool valid_name(const std::string& n) {
  std::size_t colon = n.find(':');
  std::string base = n.substr(0, colon);
  if (base.size() < 2 ||
      !(std::islower(static_cast<unsigned char>(base[0])) || std::isdigit(static_cast<unsigned char>(base[0]))))
    return false;
  for (char c : base)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '+' ||
          c == '-' || c == '.'))
      return false;
  return colon == std::string::npos ||
         (colon + 1 < n.size() &&
          n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-", colon + 1) == std::string::npos);
}

std::unique_ptr<Step> make_apt_packages(const StepSpec& spec) {
  const std::string where = "step '" + spec.id() + "': ";
  State state = State::Present;
  std::string s = spec.opt_str("state").value_or("present");
  if (s == "absent")
    state = State::Absent;
  else if (s == "held")
    state = State::Held;
  else if (s == "latest")
    state = State::Latest;
  else if (s != "present")
    spec.fail("state", where + "state must be one of present, absent, held, latest; found '" + s + "'");

  std::vector<Request> requests;
  for (const auto& item : spec.str_list("packages")) {
    Request r;
    std::size_t eq = item.find('=');
    r.name = item.substr(0, eq);
    if (eq != std::string::npos) r.version = item.substr(eq + 1);
    r.glob = r.version.find_first_of("*?[") != std::string::npos;
    if (!valid_name(r.name))
      spec.fail("packages", where + "'" + item +
                                "' is not a Debian package name (lower case letters, digits, + - .; optional :arch)");
    if (eq != std::string::npos && (r.version.empty() || r.version.find_first_of(" \t/'\"") != std::string::npos))
      spec.fail("packages", where + "'" + item + "' has an invalid version");
    if (!r.version.empty() && (state == State::Absent || state == State::Latest))
      spec.fail("packages", where + "state " + s + " takes package names without versions; found '" + item + "'");
    requests.push_back(std::move(r));
  }
  if (requests.empty()) spec.fail("packages", where + "packages must name at least one package");

  auto debconf = spec.str_map("debconf");
  static const std::set<std::string> kTypes = {"string", "boolean",  "select", "multiselect", "note",
                                               "text",   "password", "title",  "error"};
  for (const auto& [key, value] : debconf) {
    std::size_t slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size() ||
        key.find_first_of(" \t") != std::string::npos)
      spec.fail("debconf",
                where + "debconf key '" + key + "' must be package/question, e.g. wireshark-common/install-setuid");
    if (!kTypes.count(value.substr(0, value.find(' '))))
      spec.fail("debconf", where + "debconf answer '" + value + "' for " + key +
                               " must start with its type (boolean, string, select, ...), e.g. \"boolean true\"");
  }
  return std::make_unique<AptPackagesStep>(spec.id(), std::move(requests), state,
                                           spec.boolean("install_recommends", false), std::move(debconf),
                                           spec.boolean("allow_downgrade", false));
}

}  // namespace

StepType apt_packages_type() {
  StepType t;
  t.name = "apt_packages";
  t.summary = "Debian packages installed (at a version or version glob), removed, held, or at the latest candidate";
  t.fields = {
      {"packages", FieldType::StringList, true, "package names, name=version, or name=1.2.* (a version glob)"},
      {"state", FieldType::String, false,
       "present (default), absent, held (installed and kept at its version), latest"},
      {"install_recommends", FieldType::Bool, false, "install Recommends too (default false: --no-install-recommends)"},
      {"debconf", FieldType::StringMap, false,
       "debconf answers given before installing: package/question -> \"type value\", e.g. "
       "wireshark-common/install-setuid: boolean true"},
      {"allow_downgrade", FieldType::Bool, false,
       "allow installing a version older than the installed one (default false)"},
  };
  t.example =
      "- id: build-tools\n"
      "  type: apt_packages\n"
      "  packages: [build-essential, dkms, \"linux-headers-${facts.kernel}\", wireshark-common]\n"
      "  debconf:\n"
      "    wireshark-common/install-setuid: boolean true\n";
  t.factory = make_apt_packages;
  return t;
}

}  // namespace aiprov::steps
