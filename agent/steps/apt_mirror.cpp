/// Step type `apt_mirror`: points the distribution's apt archive (and optionally its security archive)
/// at a mirror, in /etc/apt/sources.list and sources.list.d/*.list (one-line format) and
/// sources.list.d/*.sources (deb822: Ubuntu 24.04's ubuntu.sources, Debian 12's debian.sources).
/// Third-party repositories are never touched; see apt_mirror_rewrite.hpp for what changes.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "steps/apt_mirror_rewrite.hpp"
#include "steps/apt_sources.hpp"
#include "steps/diff.hpp"
#include "steps/steps.hpp"

namespace aiprov::steps {
namespace {

using apt::kSourcesDir;
using apt::kSourcesList;

/// One sources file and what it should hold.
struct FileRewrite {
  std::string path;
  FileStat stat;
  std::string before;
  apt::SourcesRewrite rewrite;
  bool changed() const { return rewrite.text != before; }
};

class AptMirrorStep : public Step {
 public:
  AptMirrorStep(std::string id, apt::MirrorSettings settings)
      : m_id(std::move(id)), m_settings(std::move(settings)) {}

  StepPlan plan(Context& ctx) const override {
    StepPlan plan;
    for (const auto& f : rewrite_all(ctx, plan.warnings)) {
      if (!f.changed()) continue;
      std::string reason;
      for (const auto& note : f.rewrite.notes) reason += (reason.empty() ? "" : "; ") + note;
      plan.changes.push_back({Change::Action::Update, f.path, reason, unified_diff(f.before, f.rewrite.text, f.path),
                              {"path:" + f.path, "apt:sources"}});
    }
    return plan;
  }

  void apply(Context& ctx, const StepPlan& plan) override {
    if (plan.changes.empty()) return;
    std::vector<std::string> warnings;
    const std::vector<FileRewrite> files = rewrite_all(ctx, warnings);
    for (const auto& change : plan.changes) {
      auto f = std::find_if(files.begin(), files.end(), [&](const FileRewrite& r) { return r.path == change.target; });
      if (f == files.end() || unified_diff(f->before, f->rewrite.text, f->path) != change.detail)
        throw StepError("step '" + m_id + "': " + change.target + " changed since it was planned; plan again");
      WriteOptions opts;
      opts.mode = f->stat.mode;
      opts.uid = f->stat.uid;
      opts.gid = f->stat.gid;
      opts.backup_to = ctx.backup_path(f->path);
      try {
        ctx.host.fs.write_atomic(f->path, f->rewrite.text, opts);
      } catch (const HostError& e) {
        throw StepError("step '" + m_id + "': " + e.what());
      }
    }
  }

 private:
  /// Every sources file apt reads, rewritten. StepError when none holds an archive entry.
  std::vector<FileRewrite> rewrite_all(const Context& ctx, std::vector<std::string>& warnings) const {
    std::vector<std::string> paths = apt::sources_files(ctx.host.fs);
    std::vector<FileRewrite> files;
    bool has_archive = false;
    for (const auto& path : paths) {
      try {
        auto st = ctx.host.fs.stat(path);
        if (!st) continue;
        if (!st->is_regular()) {
          warnings.push_back(path + " is not a regular file; left as it is");
          continue;
        }
        FileRewrite f{path, *st, ctx.host.fs.read(path).value_or(""), {}};
        bool distribution = apt::is_distribution_file(path);
        f.rewrite = apt::is_deb822_file(path) ? apt::rewrite_deb822_sources(f.before, m_settings, distribution)
                                                : apt::rewrite_one_line_sources(f.before, m_settings, distribution);
        has_archive = has_archive || f.rewrite.has_archive;
        files.push_back(std::move(f));
      } catch (const HostError& e) {
        throw StepError("step '" + m_id + "': " + e.what());
      }
    }
    if (!has_archive)
      throw StepError("step '" + m_id + "': no distribution archive entry found in " + kSourcesList +
                      " or sources.list.d");
    return files;
  }

  std::string m_id;
  apt::MirrorSettings m_settings;
};

/// A mirror URI: "scheme://..." with something after it.
std::string checked_uri(const StepSpec& spec, const std::string& key, const std::string& value) {
  std::size_t sep = value.find("://");
  bool ok = sep != std::string::npos && sep > 0 && sep + 3 < value.size() &&
            value.find_first_of(" \t\n") == std::string::npos;
  if (!ok)
    spec.fail(key, "step '" + spec.id() + "': " + key + " must be a URI such as https://mirrors.aliyun.com/ubuntu/, found '" +
                       value + "'");
  return apt::with_trailing_slash(value);
}

std::unique_ptr<Step> make_apt_mirror(const StepSpec& spec) {
  apt::MirrorSettings settings;
  settings.mirror = checked_uri(spec, "mirror", spec.str("mirror"));
  if (auto security = spec.opt_str("security_mirror")) settings.security_mirror = checked_uri(spec, "security_mirror", *security);
  if (spec.has("enable_source")) settings.enable_source = spec.boolean("enable_source", false);
  if (spec.has("suites")) {
    settings.suites = spec.str_list("suites");
    for (const auto& suite : *settings.suites)
      if (suite.empty() || suite.find_first_of(" \t\n/") != std::string::npos)
        spec.fail("suites", "step '" + spec.id() + "': invalid suite name '" + suite + "'");
  }
  return std::make_unique<AptMirrorStep>(spec.id(), std::move(settings));
}

}  // namespace

StepType apt_mirror_type() {
  StepType t;
  t.name = "apt_mirror";
  t.summary = "Point the distribution's apt archive (sources.list, *.list, *.sources) at a mirror";
  t.fields = {
      {"mirror", FieldType::String, true,
       "archive mirror URI, e.g. https://mirrors.aliyun.com/ubuntu/ ('/' appended when missing)"},
      {"security_mirror", FieldType::String, false,
       "where the security suite (<codename>-security) points; default: security entries left as they are"},
      {"enable_source", FieldType::Bool, false,
       "true: deb-src entries enabled for the distribution; false: disabled; absent: left as they are"},
      {"suites", FieldType::StringList, false,
       "the archive suites afterwards (e.g. jammy jammy-updates jammy-backports): missing ones added, others "
       "removed; security suites are never added or removed; absent: suites untouched"},
  };
  t.example =
      "- id: apt-mirror\n"
      "  type: apt_mirror\n"
      "  mirror: https://mirrors.aliyun.com/ubuntu/\n"
      "  security_mirror: https://mirrors.aliyun.com/ubuntu/\n"
      "  enable_source: false\n"
      "  suites: [\"${facts.os.codename}\", \"${facts.os.codename}-updates\", \"${facts.os.codename}-backports\"]\n";
  t.factory = make_apt_mirror;
  return t;
}

}  // namespace aiprov::steps
